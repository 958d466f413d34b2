// Envoy's response flags (the %RESPONSE_FLAGS% log field and the `response_flags` metric label), as a bit set.

/**
 * Every flag Envoy defines, in the order Envoy prints them. The order is Envoy's enum order, not the
 * order in which a stream met the failures, which is why a retried connect failure reads `UF,URX`.
 */
export const RESPONSE_FLAG_ORDER = [
  'LH', // failed local health check
  'UH', // no healthy upstream host (also the BlackHoleCluster)
  'UT', // upstream request timeout
  'LR', // connection reset locally
  'UR', // upstream remote reset
  'UF', // upstream connection failure
  'UC', // upstream connection termination
  'UO', // upstream overflow (circuit breaking)
  'NR', // no route configured
  'DI', // delay injected by the fault filter
  'FI', // abort injected by the fault filter
  'RL', // rate limited locally
  'UAEX', // unauthorized by an external authorization service
  'RLSE', // rate-limit service error
  'DC', // downstream connection termination
  'URX', // upstream retry limit (or TCP connect attempts) exceeded
  'SI', // stream idle timeout
  'IH', // invalid Envoy request headers
  'DPE', // downstream protocol error
  'UMSDR', // upstream max stream duration reached
  'RFCF', // response from a cache filter
  'NFCF', // no filter config found
  'DT', // max downstream connection duration reached
  'UPE', // upstream protocol error
  'NC', // no cluster found for the route
  'OM', // overload manager
  'DF', // DNS resolution failed
  'DO', // drop overload
  'DR', // downstream remote reset
  'UDO', // unconditional drop overload
] as const;

export type ResponseFlag = (typeof RESPONSE_FLAG_ORDER)[number];

const BIT: Readonly<Record<ResponseFlag, number>> = Object.freeze(
  Object.fromEntries(RESPONSE_FLAG_ORDER.map((flag, i) => [flag, 2 ** i])) as Record<ResponseFlag, number>,
);

/** The bit for one flag; bit sets are plain numbers so a StreamInfo stays one small object. */
export function responseFlagBit(flag: ResponseFlag): number {
  return BIT[flag];
}

/** Comma-joined flags in Envoy's order (`UF,URX`), or '' when none is set. */
export function formatResponseFlags(bits: number): string {
  if (bits === 0) return '';
  let text = '';
  for (let i = 0; i < RESPONSE_FLAG_ORDER.length; i++) {
    if ((bits & (2 ** i)) !== 0) text = text === '' ? RESPONSE_FLAG_ORDER[i]! : `${text},${RESPONSE_FLAG_ORDER[i]!}`;
  }
  return text;
}
