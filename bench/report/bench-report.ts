// Everything one benchmark run found, as handed from bench/run.ts to the RESULTS.md writer.
import type { Machine } from '../machine.ts';
import type { ConfigScaleOutcome } from '../macro/scenarios/config-scale.ts';
import type { ScenarioOutcome } from '../macro/scenarios/scenario.ts';
import type { PeerName } from '../macro/peers/peer.ts';
import type { MicroGroup } from '../micro/micro-group.ts';
import type { BenchOptions } from '../options.ts';

export interface BenchReport {
  readonly machine: Machine;
  readonly options: BenchOptions;
  /** Peers asked for that could not run, with the reason and how to install them. */
  readonly skippedPeers: readonly { readonly name: PeerName; readonly reason: string }[];
  /** Version line of each program that ran (squid, tinyproxy, wrk, meshgate). */
  readonly versions: Readonly<Record<string, string>>;
  readonly scenarios: readonly ScenarioOutcome[];
  /** Idle RSS of each proxy right after start and again after all load; empty when memory was not run. */
  readonly idleRss: ReadonlyMap<PeerName, number>;
  readonly idleRssAfterLoad: ReadonlyMap<PeerName, number>;
  readonly configScale?: ConfigScaleOutcome;
  readonly micro?: readonly MicroGroup[] | { readonly skipped: string };
  readonly seconds: number;
  /** 1-minute load average when the run ended (the start's is in `machine`). */
  readonly loadAverageAtEnd: number;
}
