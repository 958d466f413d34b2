// Pulls one number per repetition out of a scenario's samples (NaN for a failed run), so medians and
// per-round ratios line up repetition by repetition.
import type { PeerName } from '../macro/peers/peer.ts';
import type { Sample, ScenarioOutcome } from '../macro/scenarios/scenario.ts';

export function values(
  outcome: ScenarioOutcome | undefined,
  peer: PeerName,
  pick: (s: Sample) => number | undefined,
): number[] {
  const samples = outcome?.samples.get(peer) ?? [];
  return samples.map((s) => (s.failure !== undefined ? Number.NaN : (pick(s) ?? Number.NaN)));
}

export const rps = (s: Sample): number => s.load.rps;
export const p50 = (s: Sample): number => s.load.latencyMs.p50;
export const p90 = (s: Sample): number => s.load.latencyMs.p90;
export const p99 = (s: Sample): number => s.load.latencyMs.p99;
