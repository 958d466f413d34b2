// A clock tests move by hand, so start times and durations in log lines are exact.
import type { Clock } from '../../src/dataplane/clock.ts';

export class ManualClock implements Clock {
  #wallMs: number;
  #monoNs: bigint;

  constructor(startIso = '2020-11-25T21:26:18.409Z') {
    this.#wallMs = Date.parse(startIso);
    this.#monoNs = 1_000_000_000n;
  }

  now(): number {
    return this.#wallMs;
  }

  hrtime(): bigint {
    return this.#monoNs;
  }

  /** Moves both clocks forward; fractions of a millisecond are kept on the monotonic one. */
  advance(ms: number): void {
    this.#wallMs += ms;
    this.#monoNs += BigInt(Math.round(ms * 1_000_000));
  }
}
