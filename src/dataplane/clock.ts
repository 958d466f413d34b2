// The time source the data plane reads: injected so tests can pin start times and durations.

/** Wall clock for log timestamps plus a monotonic clock for durations. */
export interface Clock {
  /** Milliseconds since the Unix epoch (wall time, for START_TIME). */
  now(): number;
  /** Monotonic nanoseconds (for DURATION and upstream service time; never jumps with NTP). */
  hrtime(): bigint;
}
