// The targets for meshgate, each judged PASS or FAIL from numbers measured in this run (ratios
// against peers measured in the same run, interleaved), or NOT MEASURED with the reason.
import { max, median, medianDifference, medianRatio, min } from '../stats.ts';
import type { BenchReport } from './bench-report.ts';
import { fixed, megabytes, ratio } from './markdown.ts';
import { p50, rps, values } from './sample-values.ts';

export type Verdict = 'PASS' | 'FAIL' | 'NOT MEASURED';

export interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

export const IDLE_RSS_LIMIT_BYTES = 60e6;
export const ADDED_P50_LIMIT_MS = 0.5;
export const COMPILE_LIMIT_MS = 1000;

function judge(
  value: number,
  ok: (v: number) => boolean,
  shown: string,
  missing: string,
): { measured: string; verdict: Verdict } {
  if (!Number.isFinite(value)) return { measured: missing, verdict: 'NOT MEASURED' };
  return { measured: shown, verdict: ok(value) ? 'PASS' : 'FAIL' };
}

function throughputTarget(report: BenchReport, id: string, label: string, factor: number): TargetRow {
  const outcome = report.scenarios.find((s) => s.id === id);
  const r = medianRatio(values(outcome, 'meshgate', rps), values(outcome, 'squid', rps));
  const missing = outcome === undefined ? 'scenario not run' : (outcome.skipped ?? 'meshgate or Squid did not run');
  return { target: `${label} ≥ ${factor}x Squid's`, ...judge(r, (v) => v >= factor, `${ratio(r)} Squid's`, missing) };
}

export function evaluateTargets(report: BenchReport): TargetRow[] {
  const rows: TargetRow[] = [
    throughputTarget(report, 'http', 'HTTP throughput', 1.5),
    throughputTarget(report, 'connect', 'CONNECT throughput, many requests per tunnel,', 1),
    throughputTarget(report, 'connect-per-request', 'CONNECT throughput, one tunnel per request,', 1),
  ];

  const latency = report.scenarios.find((s) => s.id === 'latency');
  const added = medianDifference(values(latency, 'meshgate', p50), values(latency, 'direct', p50));
  rows.push({
    target: `Added p50 latency at 1000 req/s ≤ ${ADDED_P50_LIMIT_MS} ms over direct`,
    ...judge(
      added,
      (v) => v <= ADDED_P50_LIMIT_MS,
      `+${fixed(added, 3)} ms`,
      latency === undefined ? 'scenario not run' : 'meshgate or direct did not run',
    ),
  });

  const idle = report.idleRss.get('meshgate') ?? Number.NaN;
  rows.push({
    target: `Idle RSS ≤ ${IDLE_RSS_LIMIT_BYTES / 1e6} MB`,
    ...judge(idle, (v) => v <= IDLE_RSS_LIMIT_BYTES, megabytes(idle), 'meshgate did not run'),
  });

  const tenK = report.configScale?.rows.find((r) => r.services === 10_000);
  const totals = tenK?.compile?.coldTotalsMs;
  const compileMs =
    tenK?.compile === undefined
      ? Number.NaN
      : totals !== undefined && totals.length > 0
        ? median(totals)
        : tenK.compile.cold.loadMs + tenK.compile.cold.compileMs;
  const spread =
    totals !== undefined && totals.length > 1
      ? `, median of ${totals.length} fresh processes: ${fixed(min(totals), 0)}–${fixed(max(totals), 0)} ms`
      : '';
  rows.push({
    target: `10k ServiceEntries compiled (YAML → live snapshot: load, validate, compile; cold) < ${COMPILE_LIMIT_MS / 1000} s`,
    ...judge(
      compileMs,
      (v) => v < COMPILE_LIMIT_MS,
      `${fixed(compileMs, 0)} ms (load ${fixed(tenK?.compile?.cold.loadMs, 0)} + compile ${fixed(tenK?.compile?.cold.compileMs, 0)}${spread})`,
      report.configScale?.skipped ??
        (tenK === undefined
          ? 'not run with 10k ServiceEntries (see --scale)'
          : (tenK.failure?.split('\n')[0] ?? 'no compiler in this checkout')),
    ),
  });
  return rows;
}
