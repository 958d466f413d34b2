// `npm run bench`: starts the upstream and every available peer, runs the selected scenarios with peers
// interleaved, then config scale and micro-benchmarks, and writes bench/RESULTS.md. See bench/README.md.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine } from './machine.ts';
import { direct } from './macro/peers/direct.ts';
import { meshgate, REPO_ROOT } from './macro/peers/meshgate.ts';
import type { PeerDefinition, PeerName, RunningPeer } from './macro/peers/peer.ts';
import { squid } from './macro/peers/squid.ts';
import { tinyproxy } from './macro/peers/tinyproxy.ts';
import { configScale, type ConfigScaleOutcome } from './macro/scenarios/config-scale.ts';
import { connectKeepAlive, connectPerRequest } from './macro/scenarios/connect-throughput.ts';
import { fixedRateLatency } from './macro/scenarios/fixed-rate-latency.ts';
import { httpThroughput } from './macro/scenarios/http-throughput.ts';
import { idleRss } from './macro/scenarios/memory.ts';
import type { MacroContext, ScenarioOutcome } from './macro/scenarios/scenario.ts';
import { findProgram, installHint } from './macro/tools.ts';
import { startUpstream, type RunningUpstream } from './macro/upstream.ts';
import { meshgateVersion, programVersion } from './macro/versions.ts';
import type { MicroGroup } from './micro/micro-group.ts';
import { parseOptions, type BenchOptions, type ScenarioId } from './options.ts';
import type { BenchReport } from './report/bench-report.ts';
import { renderResults } from './report/results-md.ts';
import { evaluateTargets } from './report/targets.ts';

const DEFINITIONS: Readonly<Record<PeerName, PeerDefinition>> = { direct, meshgate, squid, tinyproxy };
const LOAD_SCENARIOS: readonly { id: ScenarioId; run: (c: MacroContext) => Promise<ScenarioOutcome> }[] = [
  { id: 'http', run: httpThroughput },
  { id: 'connect', run: connectKeepAlive },
  { id: 'connect-per-request', run: connectPerRequest },
  { id: 'latency', run: fixedRateLatency },
];
const MICRO_MAIN = fileURLToPath(new URL('./micro/run-micro.ts', import.meta.url));
const started = performance.now();

function log(line: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
}

/** Keeps per-request access logs from filling the disk: emptied before every run (writers append). */
function truncateLogs(peers: readonly RunningPeer[]): void {
  for (const file of peers.flatMap((p) => p.logFiles)) {
    try {
      if (statSync(file).size > 0) truncateSync(file, 0);
    } catch {
      // not written yet
    }
  }
}

interface PeerPlan {
  readonly available: PeerDefinition[];
  readonly skipped: { name: PeerName; reason: string }[];
  readonly versions: Record<string, string>;
}

async function planPeers(options: BenchOptions): Promise<PeerPlan> {
  const available: PeerDefinition[] = [];
  const skipped: { name: PeerName; reason: string }[] = [];
  const versions: Record<string, string> = {};
  for (const name of options.peers) {
    const definition = DEFINITIONS[name];
    const reason = await definition.unavailable();
    if (reason !== undefined) {
      skipped.push({ name, reason });
      log(`skipping ${name}: ${reason}`);
      continue;
    }
    available.push(definition);
    if (name === 'meshgate') versions.meshgate = meshgateVersion(REPO_ROOT);
    else if (name !== 'direct') versions[name] = programVersion(name, findProgram(name)!);
  }
  return { available, skipped, versions };
}

interface LoadOutcome {
  readonly scenarios: ScenarioOutcome[];
  readonly idle: Map<PeerName, number>;
  readonly afterLoad: Map<PeerName, number>;
}

async function runLoadScenarios(
  options: BenchOptions,
  plan: PeerPlan,
  dir: string,
  wrk: string | undefined,
): Promise<LoadOutcome> {
  const selected = LOAD_SCENARIOS.filter((s) => options.scenarios.includes(s.id));
  const memory = options.scenarios.includes('memory');
  if ((selected.length === 0 && !memory) || plan.available.length === 0)
    return { scenarios: [], idle: new Map(), afterLoad: new Map() };
  let upstream: RunningUpstream | undefined;
  const peers: RunningPeer[] = [];
  try {
    upstream = await startUpstream(dir);
    log(`upstream on 127.0.0.1:${upstream.httpPort} (HTTP) and :${upstream.tcpPort} (CONNECT target)`);
    for (const definition of plan.available) {
      const peerDir = join(dir, definition.name);
      mkdirSync(peerDir, { recursive: true });
      try {
        const peer = await definition.start({ dir: peerDir, upstream });
        peers.push(peer);
        log(`${peer.name} started${peer.proxyPort === undefined ? '' : ` on 127.0.0.1:${peer.proxyPort}`}`);
      } catch (err) {
        const reason = `did not start: ${err instanceof Error ? err.message : String(err)}`;
        plan.skipped.push({ name: definition.name, reason });
        log(`${definition.name} ${reason}`);
      }
    }
    const idle = memory ? await idleRss(peers, 2000) : new Map<PeerName, number>();
    const context: MacroContext = {
      peers,
      upstream,
      reps: options.reps,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      wrk,
      log,
      betweenRuns: () => truncateLogs(peers),
    };
    const scenarios: ScenarioOutcome[] = [];
    for (const scenario of selected) {
      log(`scenario ${scenario.id}`);
      scenarios.push(await scenario.run(context));
    }
    const afterLoad = memory && selected.length > 0 ? await idleRss(peers, 3000) : new Map<PeerName, number>();
    return { scenarios, idle, afterLoad };
  } finally {
    for (const peer of peers) await peer.stop();
    await upstream?.stop();
  }
}

async function runConfigScale(
  options: BenchOptions,
  plan: PeerPlan,
  dir: string,
): Promise<ConfigScaleOutcome | undefined> {
  if (!options.scenarios.includes('config-scale')) return undefined;
  if (!options.peers.includes('meshgate')) return { rows: [], skipped: 'meshgate is not among --peers' };
  const missing = plan.skipped.find((s) => s.name === 'meshgate');
  if (missing !== undefined) return { rows: [], skipped: missing.reason };
  log(`scenario config-scale: ${options.scale.join(', ')} ServiceEntries`);
  return configScale({ dir, counts: options.scale, reps: options.reps, log });
}

function runMicro(options: BenchOptions): Promise<readonly MicroGroup[] | { skipped: string } | undefined> {
  if (!options.scenarios.includes('micro')) return Promise.resolve(undefined);
  log('micro-benchmarks');
  const args = ['--import', 'tsx', MICRO_MAIN, '--json', ...(options.quick ? ['--quick'] : [])];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 1 << 22 }, (error, stdout, stderr) => {
      if (error !== null)
        return resolve({
          skipped: `micro-benchmarks failed: ${stderr.trim().split('\n').slice(-3).join(' ') || error.message}`,
        });
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as MicroGroup[]);
    });
  });
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2), join(REPO_ROOT, 'bench', 'RESULTS.md'));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const machine = describeMachine(REPO_ROOT);
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-bench-'));
  // Squid and tinyproxy drop root for their own users, which must reach their subfolders.
  chmodSync(dir, 0o755);
  log(
    `${options.quick ? 'quick' : 'full'} run on ${machine.cores} cores (load ${machine.loadAverage}), node ${machine.node}, commit ${machine.commit}; scratch ${dir}`,
  );

  const plan = await planPeers(options);
  const wrk = findProgram('wrk');
  if (wrk === undefined && options.scenarios.includes('http'))
    log(`wrk is not installed, the HTTP throughput scenario is skipped: ${installHint(['wrk'])}`);
  else if (wrk !== undefined) plan.versions.wrk = programVersion('wrk', wrk);

  const load = await runLoadScenarios(options, plan, dir, wrk);
  const configScaleOutcome = await runConfigScale(options, plan, dir);
  const micro = await runMicro(options);

  const report: BenchReport = {
    machine,
    options,
    skippedPeers: plan.skipped,
    versions: plan.versions,
    scenarios: load.scenarios,
    idleRss: load.idle,
    idleRssAfterLoad: load.afterLoad,
    ...(configScaleOutcome !== undefined ? { configScale: configScaleOutcome } : {}),
    ...(micro !== undefined ? { micro } : {}),
    seconds: (performance.now() - started) / 1000,
    loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
  writeFileSync(options.out, renderResults(report));
  rmSync(dir, { recursive: true, force: true });
  log(`wrote ${options.out}`);
  for (const t of evaluateTargets(report)) process.stdout.write(`${t.verdict.padEnd(12)} ${t.target}: ${t.measured}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
