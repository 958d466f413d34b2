// Scenario: meshgate with 1k and 10k ServiceEntries: YAML load and compile time (in-process probe),
// process start to /ready, idle RSS with the config loaded, and how long a one-file change takes to go
// live (write → new config version on the admin port, checked against /config_dump).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REGISTRY_ONLY, startMeshgate } from '../peers/meshgate.ts';
import { sampleProcess } from '../proc-stats.ts';
import { stopService } from '../processes.ts';
import {
  dumpedVersion,
  readVersion,
  versionSource,
  waitForNewVersion,
  type VersionSource,
} from '../scale/config-version.ts';
import { runCompileProbes, type CompileTimes } from '../scale/compile-probe-client.ts';
import { fileName, fileText, generateConfig } from '../scale/generate-config.ts';

export interface ScaleRow {
  readonly services: number;
  readonly files: number;
  /** In-process timings: the first (cold) run and the median of the warm ones. */
  readonly compile?: CompileTimes;
  /** `meshgate proxy` spawned → /ready answers 200. */
  readonly startupMs?: number;
  /** Resident memory with the config loaded, idle. */
  readonly rssBytes?: number;
  /** One file rewritten (one service changed) → /config_dump shows a new version; one per repetition. */
  readonly reloadMs: readonly number[];
  /** Where the version was polled, and the slowest poll: the reload timing's resolution. */
  readonly versionSource?: VersionSource;
  readonly pollMs?: number;
  readonly failure?: string;
}

export interface ConfigScaleOutcome {
  readonly rows: readonly ScaleRow[];
  readonly skipped?: string;
}

export interface ScaleContext {
  readonly dir: string;
  readonly counts: readonly number[];
  readonly reps: number;
  readonly log: (line: string) => void;
}

const MAX_RUNS = 3;

async function measureCount(context: ScaleContext, count: number): Promise<ScaleRow> {
  const dir = join(context.dir, `scale-${count}`);
  const configDir = join(dir, 'config');
  mkdirSync(dir, { recursive: true });
  const files = generateConfig(configDir, count);
  const meshConfig = join(dir, 'mesh-config.yaml');
  writeFileSync(meshConfig, REGISTRY_ONLY);
  // Loading 10k ServiceEntries takes seconds per run: three runs (one cold) and three reloads are
  // enough for a median and keep a full benchmark under ten minutes.
  const runs = Math.min(MAX_RUNS, context.reps);
  // Cold starts vary most from run to run: one fresh process per repetition, medians reported.
  const compile = await runCompileProbes(configDir, meshConfig, context.reps, runs);
  context.log(
    `config-scale ${count}: load ${compile.cold.loadMs.toFixed(0)} ms + compile ${compile.cold.compileMs.toFixed(0)} ms cold (medians of ${context.reps}; totals ${(compile.coldTotalsMs ?? []).map((t) => t.toFixed(0)).join('/')} ms)`,
  );

  const started = performance.now();
  const proxy = await startMeshgate(`meshgate-${count}`, dir, configDir, meshConfig, 120_000);
  const startupMs = performance.now() - started;
  try {
    await sleep(1000);
    const rssBytes = sampleProcess(proxy.service.pid).rssBytes;
    const reloadMs: number[] = [];
    let pollMs = 0;
    const source = await versionSource(proxy.adminPort);
    let version = await readVersion(proxy.adminPort, source);
    for (let rep = 0; rep < runs; rep++) {
      // A different port each time, so every write is a real change to one service.
      const text = fileText(0, count, 8000 + rep);
      const since = performance.now();
      writeFileSync(join(configDir, fileName(0)), text);
      const change = await waitForNewVersion(proxy.adminPort, source, version, since, 60_000);
      version = change.version;
      reloadMs.push(change.ms);
      pollMs = Math.max(pollMs, change.pollMs);
      // Let the watcher settle before the next change so changes do not merge.
      await sleep(500);
    }
    const dumped = await dumpedVersion(proxy.adminPort);
    if (dumped !== version) throw new Error(`${source} says config version ${version}, /config_dump says ${dumped}`);
    context.log(
      `config-scale ${count}: ready in ${startupMs.toFixed(0)} ms, RSS ${(rssBytes / 1e6).toFixed(1)} MB, reload ${reloadMs.map((m) => m.toFixed(0)).join('/')} ms`,
    );
    return { services: count, files, compile, startupMs, rssBytes, reloadMs, versionSource: source, pollMs };
  } finally {
    await stopService(proxy.service, 8000);
  }
}

export async function configScale(context: ScaleContext): Promise<ConfigScaleOutcome> {
  const rows: ScaleRow[] = [];
  for (const count of context.counts) {
    try {
      rows.push(await measureCount(context, count));
    } catch (err) {
      const failure = err instanceof Error ? err.message : String(err);
      context.log(`config-scale ${count}: failed: ${failure.split('\n')[0]}`);
      rows.push({ services: count, files: 0, reloadMs: [], failure });
    }
  }
  return { rows };
}
