// Runs the micro-benchmarks in their own process (so the JIT sees only them) and prints one JSON line of
// results; `--quick` shortens every batch. Used by bench/run.ts; runnable alone for a quick look.
import { FULL_TIMING, measure, QUICK_TIMING, sinkValue, type MicroCase } from './harness.ts';
import { accessLogCases } from './access-log.ts';
import { hostMatchCases } from './host-match.ts';
import type { MicroGroup } from './micro-group.ts';
import { routeMatchCases } from './route-match.ts';
import { sniParseCases } from './sni-parse.ts';

const quick = process.argv.includes('--quick');
const GROUPS: readonly { readonly group: string; readonly cases: () => MicroCase[] | Promise<MicroCase[]> }[] = [
  { group: 'SNI parse', cases: sniParseCases },
  { group: 'Host match', cases: hostMatchCases },
  // 10k services as in the config-scale target; quick mode compiles 1k to stay fast.
  { group: 'Route match', cases: () => routeMatchCases(quick ? 1000 : 10_000) },
  { group: 'Access log and metrics', cases: accessLogCases },
];

const json = process.argv.includes('--json');
const timing = quick ? QUICK_TIMING : FULL_TIMING;
const groups: MicroGroup[] = [];
for (const { group, cases } of GROUPS) {
  const results = (await cases()).map((c) => measure(c, timing));
  groups.push({ group, results });
  if (!json)
    for (const r of results)
      console.log(`${group.padEnd(24)} ${r.name.padEnd(64)} ${r.nsPerOp.toFixed(1).padStart(9)} ns/op`);
}
if (json) process.stdout.write(`${JSON.stringify(groups)}\n`);
if (sinkValue() === Symbol.for('never')) console.log('');
