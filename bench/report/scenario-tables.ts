// RESULTS.md tables for the load scenarios: throughput (with CPU per request and ratios against direct
// and Squid) and fixed-rate latency (with the latency each proxy adds over direct).
import type { PeerName } from '../macro/peers/peer.ts';
import type { Sample, ScenarioOutcome } from '../macro/scenarios/scenario.ts';
import { max, median, medianDifference, medianRatio, min } from '../stats.ts';
import { fixed, megabytes, rate, ratio, signedMs, table } from './markdown.ts';
import { p50, p90, p99, rps, values } from './sample-values.ts';

function peersOf(outcome: ScenarioOutcome): PeerName[] {
  return [...outcome.samples.keys()];
}

function errorsOf(samples: readonly Sample[]): string {
  const failures = samples.filter((s) => s.failure !== undefined).length;
  const errors = samples.reduce((n, s) => n + s.load.errors, 0);
  const parts: string[] = [];
  if (errors > 0) parts.push(String(errors));
  if (failures > 0) parts.push(`${failures} run${failures > 1 ? 's' : ''} failed`);
  return parts.length === 0 ? '0' : parts.join(', ');
}

function pick(samples: readonly Sample[], f: (s: Sample) => number | undefined): number {
  return median(samples.filter((s) => s.failure === undefined).map((s) => f(s) ?? Number.NaN));
}

export function throughputTable(outcome: ScenarioOutcome): string {
  const rows = peersOf(outcome).map((peer) => {
    const samples = outcome.samples.get(peer) ?? [];
    const own = values(outcome, peer, rps);
    return [
      peer,
      rate(median(own)),
      `${rate(min(own))}–${rate(max(own))}`,
      ratio(medianRatio(own, values(outcome, 'direct', rps))),
      peer === 'meshgate' || !outcome.samples.has('meshgate')
        ? ''
        : ratio(medianRatio(values(outcome, 'meshgate', rps), own)),
      fixed(
        pick(samples, (s) => s.cpuUsPerRequest),
        1,
      ),
      fixed(
        pick(samples, (s) => s.cpuCores),
        2,
      ),
      megabytes(max(samples.map((s) => s.peakRssBytes ?? Number.NaN))),
      errorsOf(samples),
    ];
  });
  return table(
    [
      'peer',
      'req/s (median)',
      'range',
      'vs direct',
      'meshgate vs this',
      'proxy CPU µs/req',
      'proxy CPU cores',
      'peak RSS',
      'errors',
    ],
    rows,
  );
}

export function latencyTable(outcome: ScenarioOutcome): string {
  const direct = (f: (s: Sample) => number): number[] => values(outcome, 'direct', f);
  const rows = peersOf(outcome).map((peer) => {
    const samples = outcome.samples.get(peer) ?? [];
    const own = (f: (s: Sample) => number): number[] => values(outcome, peer, f);
    const added = (f: (s: Sample) => number): string =>
      peer === 'direct' ? '' : signedMs(medianDifference(own(f), direct(f)));
    return [
      peer,
      fixed(median(own(p50)), 3),
      fixed(median(own(p90)), 3),
      fixed(median(own(p99)), 3),
      added(p50),
      added(p90),
      added(p99),
      rate(median(own(rps))),
      fixed(
        pick(samples, (s) => s.cpuCores),
        3,
      ),
      errorsOf(samples),
    ];
  });
  return table(
    [
      'peer',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'added p50',
      'added p90',
      'added p99',
      'achieved req/s',
      'proxy CPU cores',
      'errors',
    ],
    rows,
  );
}

/** Distinct error reasons and failures, so a bad number comes with its cause. */
export function problemNotes(outcome: ScenarioOutcome): string[] {
  const notes: string[] = [];
  for (const [peer, samples] of outcome.samples) {
    const reasons = new Set<string>();
    for (const s of samples) {
      if (s.failure !== undefined) reasons.add(`run failed: ${s.failure.split('\n')[0]}`);
      if (s.load.errors > 0 || s.load.errorSamples.length > 0) for (const e of s.load.errorSamples) reasons.add(e);
    }
    if (reasons.size > 0) notes.push(`- ${peer}: ${[...reasons].join('; ')}`);
  }
  return notes;
}
