// Runs compile-probe.ts in a fresh process (a cold start, as a proxy's first load is) and reads its timings.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROBE = fileURLToPath(new URL('./compile-probe.ts', import.meta.url));

export interface StageTimes {
  /** YAML read, parsed, validated and defaulted (loadConfig). */
  readonly loadMs: number;
  /** ConfigSet → Snapshot (compile); NaN when this checkout has no compiler. */
  readonly compileMs: number;
}

export interface CompileTimes {
  readonly cold: StageTimes;
  /** Median over the repeated runs in the same process, as a reload sees it. */
  readonly warm: StageTimes;
  /** Services in the compiled snapshot (or ServiceEntries loaded, without a compiler). */
  readonly services: number;
}

/** `runs` loads in one fresh process, the first cold; at least two, so there is a warm one. */
export function runCompileProbe(configDir: string, meshConfig: string, runs: number): Promise<CompileTimes> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', PROBE, configDir, meshConfig, String(Math.max(2, runs))],
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
