// Profiles meshgate under one benchmark load: starts the upstream and `meshgate proxy` with
// `node --cpu-prof`, runs the load, stops the proxy (V8 writes the profile on exit) and prints where the
// CPU went, by function and by file. Run: node --import tsx bench/profile/run-profile.ts [--load http]
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLoad } from '../macro/load/loadgen.ts';
import type { LoadJob } from '../macro/load/load-job.ts';
import { runWrk } from '../macro/load/wrk.ts';
import { meshgate, REPO_ROOT, startMeshgate, UPSTREAM_HOST, writeUpstreamConfig } from '../macro/peers/meshgate.ts';
import { stopService } from '../macro/processes.ts';
import { findProgram } from '../macro/tools.ts';
import { startUpstream } from '../macro/upstream.ts';
import { summariseProfile, type SelfTime } from './cpu-profile.ts';

const LOADS = ['http', 'connect', 'connect-per-request', 'latency'] as const;
type Load = (typeof LOADS)[number];

const { values } = parseArgs({
  options: {
    load: { type: 'string', default: 'http' },
    seconds: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const load = values.load as Load;
if (!LOADS.includes(load)) throw new Error(`--load must be one of ${LOADS.join(', ')}`);
const seconds = Number(values.seconds);
const outDir = values.out ?? join(REPO_ROOT, 'bench', '.tmp', 'profiles');

async function drive(port: number, httpPort: number, tcpPort: number): Promise<string> {
  const wrk = findProgram('wrk');
  if (load === 'http' && wrk !== undefined) {
    const r = await runWrk({ wrk, port, target: { host: UPSTREAM_HOST, port: httpPort }, connections: 64, seconds });
    return `${r.rps.toFixed(0)} req/s (wrk), ${r.errors} errors`;
  }
  const tunnel = load === 'connect' || load === 'connect-per-request';
  const job: LoadJob = {
    mode: load === 'latency' ? 'rate' : 'closed',
    rate: 1000,
    port,
    target: {
      route: tunnel ? 'tunnel' : 'absolute',
      host: UPSTREAM_HOST,
      port: tunnel ? tcpPort : httpPort,
      close: load === 'connect-per-request',
    },
    perRequest: load === 'connect-per-request',
    connections: load === 'latency' ? 32 : 64,
    warmupMs: 0,
    durationMs: seconds * 1000,
  };
  const r = await runLoad(job);
  return `${r.rps.toFixed(0)} req/s, p50 ${r.latencyMs.p50.toFixed(3)} ms, ${r.errors} errors`;
}

function print(title: string, rows: readonly SelfTime[]): void {
  console.log(`\n${title}`);
  for (const r of rows)
    console.log(`${r.percent.toFixed(1).padStart(6)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`);
}

async function main(): Promise<void> {
  const unavailable = await meshgate.unavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-profile-'));
  mkdirSync(outDir, { recursive: true });
  const upstream = await startUpstream(dir);
  try {
    const { configDir, meshConfig } = writeUpstreamConfig(dir, upstream);
    const proxy = await startMeshgate('meshgate', dir, configDir, meshConfig, 60_000, [
      '--cpu-prof',
      '--cpu-prof-dir',
      outDir,
    ]);
    const outcome = await drive(proxy.outboundPort, upstream.httpPort, upstream.tcpPort);
    await stopService(proxy.service, 10_000);
    const newest = readdirSync(outDir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(outDir, f))
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    if (newest === undefined) throw new Error(`no .cpuprofile in ${outDir}`);
    const summary = summariseProfile(newest, REPO_ROOT, (path) => path.startsWith('dist/') || path.startsWith('src/'));
    console.log(`load ${load} for ${seconds} s: ${outcome}`);
    console.log(`profile ${newest}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.idleMs.toFixed(0)} ms idle`);
    print('self time by function', summary.functions);
    print('self time by file', summary.files);
    print("inclusive time of meshgate's functions (with everything they call)", summary.inclusive);
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
