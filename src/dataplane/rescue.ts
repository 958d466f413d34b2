// The one place that decides what a client sees when meshgate answers by itself: failure → status, body,
// Envoy response flags and response code details (spec §3.7), so users can compare with an Istio sidecar.
import {
  BadRequestError,
  ClusterNotFoundError,
  DownstreamDisconnectError,
  FaultAbortError,
  HeadersTooLargeError,
  MeshgateError,
  NoHealthyUpstreamError,
  PerTryTimeoutError,
  RouteNotFoundError,
  RouteTimeoutError,
  StreamIdleTimeoutError,
  UpstreamConnectError,
  UpstreamOverflowError,
  UpstreamResetError,
  UriTooLongError,
} from '../errors.ts';
import type { ResponseFlag } from './response-flags.ts';
import type { StreamInfo } from './stream-info.ts';

/** Why the proxy answers by itself. */
export type LocalReplyKind =
  | 'route_timeout' // VirtualService `timeout` expired
  | 'stream_idle_timeout' // nothing moved on the request's stream for the idle timeout
  | 'per_try_timeout' // `retries.perTryTimeout` expired on the last attempt
  | 'connect_failure' // upstream refused, unreachable, or connect timeout
  | 'connection_termination' // upstream closed or reset before response headers
  | 'overflow' // circuit breaker
  | 'no_healthy_upstream' // cluster without endpoints
  | 'cluster_not_found' // route names a missing cluster
  | 'route_not_found' // no virtual host / route matched
  | 'block_all' // REGISTRY_ONLY catch-all for plain HTTP
  | 'blackhole_connect' // REGISTRY_ONLY: CONNECT to an unknown host (spec §7)
  | 'fault_abort' // fault injection abort
  | 'headers_too_large'
  | 'uri_too_long'
  | 'bad_request'
  | 'downstream_disconnect'; // client went away: nothing is sent

export interface RescueCause {
  readonly kind: LocalReplyKind;
  /** The request was retried and the retry budget ran out: adds URX (and Envoy's "retried" wording). */
  readonly retriesExhausted?: boolean;
  /** %UPSTREAM_TRANSPORT_FAILURE_REASON%, e.g. `delayed connect error: 111`. */
  readonly transportFailureReason?: string | undefined;
  /** Status of a fault abort. */
  readonly faultStatus?: number;
  /** gRPC status of a fault abort (`grpcStatus`): a gRPC reply, HTTP 200 with grpc-status. */
  readonly faultGrpcStatus?: number;
  /** A stream idle timeout hit a request whose body had not all arrived: 408 rather than 504. */
  readonly requestIncomplete?: boolean;
}

export interface LocalReply {
  /** HTTP status; 0 means nothing can be sent (the client is gone). */
  readonly status: number;
  readonly body: string;
  /** Flags for %RESPONSE_FLAGS%; empty prints `-`. */
  readonly responseFlags: readonly ResponseFlag[];
  /** %RESPONSE_CODE_DETAILS%; undefined prints `-`. */
  readonly details: string | undefined;
  readonly transportFailureReason: string | undefined;
  /** Response headers Envoy puts on local replies (Node adds `date`). */
  readonly headers: Readonly<Record<string, string>>;
}

const RESET_BODY_PREFIX = 'upstream connect error or disconnect/reset before headers.';

function reply(
  status: number,
  body: string,
  responseFlags: readonly ResponseFlag[],
  details: string | undefined,
  transportFailureReason?: string,
): LocalReply {
  // Envoy sends `content-type: text/plain` only with a body; empty replies carry just the length.
  const headers: Record<string, string> =
    body === ''
      ? { 'content-length': '0', server: 'envoy' }
      : { 'content-length': String(Buffer.byteLength(body)), 'content-type': 'text/plain', server: 'envoy' };
  return Object.freeze({
    status,
    body,
    responseFlags: Object.freeze([...responseFlags]),
    details,
    transportFailureReason,
    headers: Object.freeze(headers),
  });
}

// Replies that never vary are built once, so the common refusals allocate nothing per request.
const FIXED: Readonly<Partial<Record<LocalReplyKind, LocalReply>>> = Object.freeze({
  route_timeout: reply(504, 'upstream request timeout', ['UT'], 'response_timeout'),
  // Envoy answers a stream idle timeout 504 once the request is complete, 408 while it is still arriving.
  stream_idle_timeout: reply(504, 'stream timeout', ['SI'], 'stream_idle_timeout'),
  no_healthy_upstream: reply(503, 'no healthy upstream', ['UH'], 'no_healthy_upstream'),
  cluster_not_found: reply(503, '', ['NC'], 'cluster_not_found'),
  route_not_found: reply(404, '', ['NR'], 'route_not_found'),
  block_all: reply(502, '', [], 'direct_response'),
  blackhole_connect: reply(502, '', ['UH'], undefined),
  headers_too_large: reply(431, 'Request Header Fields Too Large', ['DPE'], 'http1.headers_too_large'),
  uri_too_long: reply(414, 'URI Too Long', ['DPE'], 'uri_too_long'),
  bad_request: reply(400, 'Bad Request', ['DPE'], 'http1.codec_error'),
  downstream_disconnect: reply(0, '', ['DC'], 'downstream_remote_disconnect'),
});

/** Envoy's reset reasons, as printed in bodies and (with `_` for spaces) in details. */
const RESET_REASON: Readonly<Partial<Record<LocalReplyKind, string>>> = {
  connect_failure: 'connection failure',
  connection_termination: 'connection termination',
  overflow: 'overflow',
};

const RESET_FLAG: Readonly<Partial<Record<LocalReplyKind, ResponseFlag>>> = {
  connect_failure: 'UF',
  connection_termination: 'UC',
  overflow: 'UO',
};

/** Maps a failure to the reply Envoy would send for it. */
export function rescue(cause: RescueCause): LocalReply {
  const retried = cause.retriesExhausted === true;
  const reason = RESET_REASON[cause.kind];
  if (reason !== undefined) return resetReply(cause, reason, retried);
  if (cause.kind === 'stream_idle_timeout' && cause.requestIncomplete === true) {
    return reply(408, 'stream timeout', ['SI'], 'stream_idle_timeout');
  }
  if (cause.kind === 'per_try_timeout') {
    return reply(504, 'upstream request timeout', retried ? ['UT', 'URX'] : ['UT'], 'upstream_per_try_timeout');
  }
  if (cause.kind === 'fault_abort') {
    if (cause.faultGrpcStatus !== undefined)
      return grpcReply(cause.faultGrpcStatus, 'fault filter abort', ['FI'], 'fault_filter_abort');
    return reply(cause.faultStatus ?? 503, 'fault filter abort', ['FI'], 'fault_filter_abort');
  }
  const fixed = FIXED[cause.kind];
  if (fixed === undefined) throw new TypeError(`rescue: unhandled kind ${cause.kind}`);
  return fixed;
}

/** Envoy's local reply to a gRPC call: trailers-only, HTTP 200, the status and message in grpc-* headers. */
function grpcReply(
  grpcStatus: number,
  message: string,
  responseFlags: readonly ResponseFlag[],
  details: string,
): LocalReply {
  return Object.freeze({
    status: 200,
    body: '',
    responseFlags: Object.freeze([...responseFlags]),
    details,
    transportFailureReason: undefined,
    headers: Object.freeze({
      'content-type': 'application/grpc',
      'grpc-status': String(grpcStatus),
      'grpc-message': message,
      'content-length': '0',
      server: 'envoy',
    }),
  });
}

function resetReply(cause: RescueCause, reason: string, retried: boolean): LocalReply {
  const transport = cause.transportFailureReason;
  const body =
    `${RESET_BODY_PREFIX} ${retried ? 'retried and the latest reset reason' : 'reset reason'}: ${reason}` +
    (transport === undefined ? '' : `, transport failure reason: ${transport}`);
  const details =
    `upstream_reset_before_response_started{${reason.replaceAll(' ', '_')}` +
    (transport === undefined ? '}' : `,${transport.replaceAll(' ', '_')}}`);
  const flag = RESET_FLAG[cause.kind] as ResponseFlag;
  return reply(503, body, retried ? [flag, 'URX'] : [flag], details, transport);
}

/** Node socket error codes that mean "could not connect" (Envoy: connection failure). */
const CONNECT_ERRNO: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Classifies any thrown value. MeshgateErrors map by class; raw Node/undici socket errors map by `code`
 * (refused/unreachable → connect failure, with Envoy's `delayed connect error: <errno>` text); anything
 * else is treated as a connection termination, the answer that blames neither the client nor the route.
 */
export function causeOf(error: unknown, retriesExhausted = false): RescueCause {
  if (error instanceof MeshgateError) return causeOfMeshgateError(error, retriesExhausted);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECT_ERRNO.has(code)) {
    return { kind: 'connect_failure', retriesExhausted, transportFailureReason: transportFailureReasonOf(error) };
  }
  return { kind: 'connection_termination', retriesExhausted };
}

function causeOfMeshgateError(error: MeshgateError, retriesExhausted: boolean): RescueCause {
  if (error instanceof RouteTimeoutError) return { kind: 'route_timeout' };
  if (error instanceof StreamIdleTimeoutError)
    return { kind: 'stream_idle_timeout', requestIncomplete: !error.requestComplete };
  if (error instanceof PerTryTimeoutError) return { kind: 'per_try_timeout', retriesExhausted };
  if (error instanceof UpstreamConnectError) {
    return { kind: 'connect_failure', retriesExhausted, transportFailureReason: error.transportFailureReason };
  }
  if (error instanceof UpstreamResetError) return { kind: 'connection_termination', retriesExhausted };
  if (error instanceof UpstreamOverflowError) return { kind: 'overflow' };
  if (error instanceof NoHealthyUpstreamError) return { kind: 'no_healthy_upstream' };
  if (error instanceof ClusterNotFoundError) return { kind: 'cluster_not_found' };
  if (error instanceof RouteNotFoundError) return { kind: 'route_not_found' };
  if (error instanceof FaultAbortError) return { kind: 'fault_abort', faultStatus: error.httpStatus };
  if (error instanceof HeadersTooLargeError) return { kind: 'headers_too_large' };
  if (error instanceof UriTooLongError) return { kind: 'uri_too_long' };
  if (error instanceof BadRequestError) return { kind: 'bad_request' };
  if (error instanceof DownstreamDisconnectError) return { kind: 'downstream_disconnect' };
  return { kind: 'connection_termination', retriesExhausted };
}

/**
 * Envoy's transport failure text for a failed connect: `delayed connect error: <errno>` (111 for a
 * refused connection on Linux), or undefined when the error carries no errno (e.g. a timeout timer).
 */
export function transportFailureReasonOf(error: unknown): string | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno;
  return typeof errno === 'number' && errno !== 0 ? `delayed connect error: ${Math.abs(errno)}` : undefined;
}

/** Records a local reply's outcome on the stream (status, flags, details, transport failure reason). */
export function recordLocalReply(info: StreamInfo, localReply: LocalReply): void {
  info.responseCode = localReply.status;
  for (const flag of localReply.responseFlags) info.addResponseFlag(flag);
  info.responseCodeDetails = localReply.details;
  if (localReply.transportFailureReason !== undefined) {
    info.upstreamTransportFailureReason = localReply.transportFailureReason;
  }
}
