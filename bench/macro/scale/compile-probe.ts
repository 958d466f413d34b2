// Loads and compiles a config folder several times in one process and prints the timings as JSON:
// the first run is cold (as at proxy start), the rest warm (as on a reload). Client: compile-probe-client.ts.
import { compile } from '../../../src/compiler/compile.ts';
import { freezeSnapshots } from '../../../src/compiler/freeze-policy.ts';
import { loadConfig } from '../../../src/validation/validate.ts';
import { median } from '../../stats.ts';
import type { CompileTimes, StageTimes } from './compile-probe-client.ts';

const [configDir, meshConfig, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);

async function once(version: number): Promise<{ times: StageTimes; services: number }> {
  const t0 = performance.now();
  const loaded = await loadConfig([configDir!], { meshConfigPath: meshConfig! });
  const t1 = performance.now();
  const errors = loaded.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0)
    throw new Error(`the generated config has ${errors.length} errors, first: ${errors[0]!.message}`);
  // As `meshgate proxy` compiles: frozen only when MESHGATE_FREEZE_SNAPSHOTS=1.
  const snapshot = compile(loaded.configSet, {
    namespace: 'default',
    version: String(version),
    freeze: freezeSnapshots(),
  });
  const t2 = performance.now();
  return { times: { loadMs: t1 - t0, compileMs: t2 - t1 }, services: snapshot.services.length };
}

const all: { times: StageTimes; services: number }[] = [];
for (let i = 0; i < runs; i++) all.push(await once(i + 1));
const warm = all.slice(1);
const result: CompileTimes = {
  cold: all[0]!.times,
  warm: { loadMs: median(warm.map((r) => r.times.loadMs)), compileMs: median(warm.map((r) => r.times.compileMs)) },
  services: all[0]!.services,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
