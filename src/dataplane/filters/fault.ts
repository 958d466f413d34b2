// Envoy's fault filter for one request: draws the delay and the abort against their percentages with the
// injectable random source (so tests are deterministic); the caller sleeps and replies through rescue().
import type { FaultPolicy } from '../../compiler/snapshot.ts';

export interface FaultDecision {
  /** Milliseconds to hold the request before it goes on (flag DI); 0 for none. */
  readonly delayMs: number;
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: number };
}

const NONE: FaultDecision = Object.freeze({ delayMs: 0 });

/** `random` is called once per configured fault; a draw in [0, 1) below percent/100 injects it. */
export function decideFault(policy: FaultPolicy | undefined, random: () => number): FaultDecision {
  if (policy === undefined) return NONE;
  const delay = policy.delay !== undefined && random() * 100 < policy.delay.percent ? policy.delay.fixedDelayMs : 0;
  const a = policy.abort;
  if (a === undefined || !(random() * 100 < a.percent)) return delay === 0 ? NONE : { delayMs: delay };
  return {
    delayMs: delay,
    abort:
      a.httpStatus !== undefined
        ? { httpStatus: a.httpStatus }
        : a.grpcStatus !== undefined
          ? { grpcStatus: a.grpcStatus }
          : {},
  };
}
