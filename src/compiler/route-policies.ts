// Compiles the per-route HTTP policies of a VirtualService (headers, fault, CORS, mirrors) into snapshot data,
// the way Istio translates them for Envoy (core/route/route.go): percentages, codes and lists decided here, once.
import type { DeepReadonly } from '../config/model.ts';
import type { Destination, Percent } from '../config/wire/common.ts';
import type {
  CorsPolicy as WireCors,
  Headers,
  HeaderOperations as WireHeaderOps,
  HTTPFaultInjection,
  HTTPRoute,
} from '../config/wire/virtual-service.ts';
import { durationMs } from './duration.ts';
import { compileStringMatch } from './matchers.ts';
import type { CorsPolicy, FaultPolicy, HeaderMutation, HeaderOperations, MirrorPolicy } from './snapshot.ts';

/** gRPC status names → codes (grpc/doc/statuscodes.md), for `fault.abort.grpcStatus`. */
const GRPC_CODES: Readonly<Record<string, number>> = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

function mutation(ops: DeepReadonly<WireHeaderOps> | undefined): HeaderMutation | undefined {
  if (ops === undefined) return undefined;
  const pairs = (map: DeepReadonly<Record<string, string>> | undefined): [string, string][] =>
    Object.keys(map ?? {})
      .sort()
      .map((name) => [name.toLowerCase(), map![name]!]);
  const m = { set: pairs(ops.set), add: pairs(ops.add), remove: (ops.remove ?? []).map((n) => n.toLowerCase()) };
  return m.set.length + m.add.length + m.remove.length === 0 ? undefined : m;
}

/** `headers` → request/response mutations; undefined when nothing is set. */
export function compileHeaderOperations(headers: DeepReadonly<Headers> | undefined): HeaderOperations | undefined {
  if (headers === undefined) return undefined;
  const request = mutation(headers.request);
  const response = mutation(headers.response);
  if (request === undefined && response === undefined) return undefined;
  return { ...(request !== undefined ? { request } : {}), ...(response !== undefined ? { response } : {}) };
}

/** Istio sends `percentage.value` (a double) as a millionth fraction; an absent percentage injects nothing. */
function percentOf(percentage: DeepReadonly<Percent> | undefined, legacyPercent: number | undefined): number {
  if (percentage !== undefined)
    return Math.min(100, Math.max(0, Math.floor((percentage.value ?? 0) * 10_000) / 10_000));
  return Math.min(100, Math.max(0, legacyPercent ?? 0));
}

export function compileFault(fault: DeepReadonly<HTTPFaultInjection> | undefined): FaultPolicy | undefined {
  if (fault === undefined) return undefined;
  let delay: FaultPolicy['delay'];
  let abort: FaultPolicy['abort'];
  const d = fault.delay;
  if (d !== undefined && d.fixedDelay !== undefined) {
    delay = { fixedDelayMs: durationMs(d.fixedDelay, 0), percent: percentOf(d.percentage, d.percent) };
  }
  const a = fault.abort;
  if (a !== undefined) {
    const percent = percentOf(a.percentage, undefined);
    if (a.httpStatus !== undefined) abort = { httpStatus: a.httpStatus, percent };
    else if (a.grpcStatus !== undefined && GRPC_CODES[a.grpcStatus] !== undefined)
      abort = { grpcStatus: GRPC_CODES[a.grpcStatus]!, percent };
  }
  if (delay === undefined && abort === undefined) return undefined;
  return { ...(delay !== undefined ? { delay } : {}), ...(abort !== undefined ? { abort } : {}) };
}

/** Envoy's CORS filter config as Istio builds it; the deprecated `allowOrigin` list means exact origins. */
export function compileCors(cors: DeepReadonly<WireCors> | undefined): CorsPolicy | undefined {
  if (cors === undefined) return undefined;
  const origins = [
    ...(cors.allowOrigins ?? []).map((m) => compileStringMatch(m)),
    ...(cors.allowOrigin ?? []).map((o) => compileStringMatch(o === '*' ? { prefix: '' } : { exact: o })),
  ].filter((m) => m !== undefined);
  const maxAgeMs = cors.maxAge === undefined ? undefined : durationMs(cors.maxAge, 0);
  return {
    allowOrigins: origins,
    allowMethods: (cors.allowMethods ?? []).join(','),
    allowHeaders: (cors.allowHeaders ?? []).join(','),
    exposeHeaders: (cors.exposeHeaders ?? []).join(','),
    maxAge: maxAgeMs === undefined ? '' : String(Math.floor(maxAgeMs / 1000)),
    allowCredentials: cors.allowCredentials === true,
    forwardNotMatchingPreflights: cors.unmatchedPreflights !== 'IGNORE',
  };
}

/**
 * `mirror` (+ `mirrorPercentage`, or the deprecated `mirrorPercent`; absent = 100%) or `mirrors[]` (each with
 * its own `percentage`, absent = 100%). `clusterOf` names the cluster as for route destinations.
 */
export function compileMirrors(
  http: DeepReadonly<HTTPRoute>,
  clusterOf: (d: DeepReadonly<Destination>) => string,
): MirrorPolicy[] {
  if (http.mirror !== undefined) {
    const percent =
      http.mirrorPercentage !== undefined
        ? percentOf(http.mirrorPercentage, undefined)
        : http.mirrorPercent !== undefined
          ? percentOf(undefined, http.mirrorPercent)
          : 100;
    return percent > 0 ? [{ cluster: clusterOf(http.mirror), percent }] : [];
  }
  return (http.mirrors ?? [])
    .filter((m) => m.destination !== undefined)
    .map((m) => ({
      cluster: clusterOf(m.destination!),
      percent: m.percentage !== undefined ? percentOf(m.percentage, undefined) : 100,
    }))
    .filter((m) => m.percent > 0);
}
