// Runs compile-probe.ts in a fresh process (a cold start, as a proxy's first load is) and reads its timings.
// The probe is bundled with esbuild the way scripts/build.mjs bundles the CLI, so the code timed is the
// code `meshgate proxy` runs, without a TypeScript loader in the process.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median } from '../../stats.ts';

const PROBE = fileURLToPath(new URL('./compile-probe.ts', import.meta.url));
const BUNDLE_DIR = fileURLToPath(new URL('../../.tmp/compile-probe/', import.meta.url));

let bundled: Promise<string> | undefined;

function bundleProbe(): Promise<string> {
  bundled ??= build({
    entryPoints: { 'compile-probe': PROBE },
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  }).then(() => join(BUNDLE_DIR, 'compile-probe.mjs'));
  return bundled;
}

export interface StageTimes {
  /** YAML read, parsed, validated and defaulted (loadConfig). */
  readonly loadMs: number;
  /** ConfigSet → Snapshot (compile); NaN when this checkout has no compiler. */
  readonly compileMs: number;
}

export interface CompileTimes {
  readonly cold: StageTimes;
  /** Cold load + compile of each fresh process (one entry when a single probe ran). */
  readonly coldTotalsMs?: readonly number[];
  /** Median over the repeated runs in the same process, as a reload sees it. */
  readonly warm: StageTimes;
  /** Services in the compiled snapshot (or ServiceEntries loaded, without a compiler). */
  readonly services: number;
}

/**
 * `processes` fresh probes, one after the other, each with `runs` loads: cold stage times are the
 * medians over the processes, so that one unlucky start on a shared machine does not decide the result.
 */
export async function runCompileProbes(
  configDir: string,
  meshConfig: string,
  processes: number,
  runs: number,
): Promise<CompileTimes> {
  const all: CompileTimes[] = [];
  for (let i = 0; i < Math.max(1, processes); i++) all.push(await runCompileProbe(configDir, meshConfig, runs));
  const of = (pick: (t: CompileTimes) => number): number => median(all.map(pick));
  return {
    cold: { loadMs: of((t) => t.cold.loadMs), compileMs: of((t) => t.cold.compileMs) },
    coldTotalsMs: all.map((t) => t.cold.loadMs + t.cold.compileMs),
    warm: { loadMs: of((t) => t.warm.loadMs), compileMs: of((t) => t.warm.compileMs) },
    services: all[0]!.services,
  };
}

/** `runs` loads in one fresh process, the first cold; at least two, so there is a warm one. */
export async function runCompileProbe(configDir: string, meshConfig: string, runs: number): Promise<CompileTimes> {
  const probe = await bundleProbe();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [probe, configDir, meshConfig, String(Math.max(2, runs))],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`compile probe failed: ${stderr.trim() || error.message}`));
        // JSON has no NaN: a stage that did not run comes back as null.
        resolve(
          JSON.parse(stdout.trim().split('\n').pop()!, (_key, value: unknown) =>
            value === null ? Number.NaN : value,
          ) as CompileTimes,
        );
      },
    );
  });
}
