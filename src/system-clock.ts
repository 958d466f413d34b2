// The real clock, wired in by the CLI and the embedding API; the data plane only sees the Clock interface.
import type { Clock } from './dataplane/clock.ts';

export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  hrtime: (): bigint => process.hrtime.bigint(),
});
