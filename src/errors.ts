// Every error meshgate raises on purpose: a MeshgateError subclass with a stable `code` (documented in
// docs/errors.md); callers branch on `code`, and the data plane's rescue() turns them into responses.

/** Base class; `code` is stable across releases, `message` is for people. */
export class MeshgateError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

// Data-plane failures. Each maps to one row of the local-reply table in rescue.ts.

/** The route's `timeout` expired before the upstream answered. */
export class RouteTimeoutError extends MeshgateError {
  static readonly code = 'MG_ERR_ROUTE_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(RouteTimeoutError.code, `upstream did not answer within the route timeout of ${timeoutMs} ms`);
  }
}

/**
 * Nothing moved on a request's stream for the stream idle timeout (Envoy's `stream_idle_timeout`, whose
 * 5-minute default meshgate shares with its client connection idle timeout).
 */
export class StreamIdleTimeoutError extends MeshgateError {
  static readonly code = 'MG_ERR_STREAM_IDLE_TIMEOUT';
  constructor(readonly requestComplete: boolean) {
    super(StreamIdleTimeoutError.code, 'nothing moved on the request for the stream idle timeout');
  }
}

/** One attempt's `perTryTimeout` expired (the last attempt's expiry ends the request). */
export class PerTryTimeoutError extends MeshgateError {
  static readonly code = 'MG_ERR_PER_TRY_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(PerTryTimeoutError.code, `upstream attempt did not answer within the per-try timeout of ${timeoutMs} ms`);
  }
}

/** The TCP (or TLS) connection to the upstream could not be made: refused, unreachable, or timed out. */
export class UpstreamConnectError extends MeshgateError {
  static readonly code = 'MG_ERR_UPSTREAM_CONNECT';
  /** Envoy's %UPSTREAM_TRANSPORT_FAILURE_REASON%, e.g. `delayed connect error: 111`. */
  readonly transportFailureReason: string | undefined;
  constructor(address: string, transportFailureReason: string | undefined, options?: ErrorOptions) {
    super(
      UpstreamConnectError.code,
      `cannot connect to upstream ${address}${transportFailureReason === undefined ? '' : `: ${transportFailureReason}`}`,
      options,
    );
    this.transportFailureReason = transportFailureReason;
  }
}

/** The upstream closed or reset the connection before sending response headers. */
export class UpstreamResetError extends MeshgateError {
  static readonly code = 'MG_ERR_UPSTREAM_RESET';
  constructor(address: string, options?: ErrorOptions) {
    super(UpstreamResetError.code, `upstream ${address} closed the connection before response headers`, options);
  }
}

/** A circuit-breaker limit (connections, pending or active requests) was reached. */
export class UpstreamOverflowError extends MeshgateError {
  static readonly code = 'MG_ERR_UPSTREAM_OVERFLOW';
  constructor(cluster: string, limit: string) {
    super(UpstreamOverflowError.code, `cluster ${cluster} is at its ${limit} limit`);
  }
}

/** The cluster has no endpoint to send to (no addresses resolved, none configured, or all ejected). */
export class NoHealthyUpstreamError extends MeshgateError {
  static readonly code = 'MG_ERR_NO_HEALTHY_UPSTREAM';
  constructor(readonly cluster: string) {
    super(NoHealthyUpstreamError.code, `cluster ${cluster} has no healthy endpoint`);
  }
}

/** The matched route names a cluster the snapshot does not have. */
export class ClusterNotFoundError extends MeshgateError {
  static readonly code = 'MG_ERR_CLUSTER_NOT_FOUND';
  constructor(readonly cluster: string) {
    super(ClusterNotFoundError.code, `route points to cluster ${cluster}, which does not exist`);
  }
}

/** No virtual host or route matched the request. */
export class RouteNotFoundError extends MeshgateError {
  static readonly code = 'MG_ERR_ROUTE_NOT_FOUND';
  constructor(
    readonly authority: string,
    readonly path: string,
  ) {
    super(RouteNotFoundError.code, `no route for ${authority}${path}`);
  }
}

/** A fault-injection abort was chosen for this request. */
export class FaultAbortError extends MeshgateError {
  static readonly code = 'MG_ERR_FAULT_ABORT';
  constructor(readonly httpStatus: number) {
    super(FaultAbortError.code, `fault injection aborted the request with status ${httpStatus}`);
  }
}

/** The request's header section exceeds the size limit. */
export class HeadersTooLargeError extends MeshgateError {
  static readonly code = 'MG_ERR_HEADERS_TOO_LARGE';
  constructor(limitBytes: number) {
    super(HeadersTooLargeError.code, `request headers exceed ${limitBytes} bytes`);
  }
}

/** The request target exceeds the URI length limit. */
export class UriTooLongError extends MeshgateError {
  static readonly code = 'MG_ERR_URI_TOO_LONG';
  constructor(limitBytes: number) {
    super(UriTooLongError.code, `request URI exceeds ${limitBytes} bytes`);
  }
}

/** The request could not be parsed as HTTP/1 (or names no usable target). */
export class BadRequestError extends MeshgateError {
  static readonly code = 'MG_ERR_BAD_REQUEST';
  constructor(reason: string, options?: ErrorOptions) {
    super(BadRequestError.code, `bad request: ${reason}`, options);
  }
}

/** The client went away before the response was complete. */
export class DownstreamDisconnectError extends MeshgateError {
  static readonly code = 'MG_ERR_DOWNSTREAM_DISCONNECT';
  constructor(options?: ErrorOptions) {
    super(DownstreamDisconnectError.code, 'client closed the connection before the response was complete', options);
  }
}

// Supporting services.

/** A name has no A/AAAA record (NXDOMAIN or NODATA). */
export class DnsNotFoundError extends MeshgateError {
  static readonly code = 'MG_ERR_DNS_NOT_FOUND';
  constructor(readonly host: string) {
    super(DnsNotFoundError.code, `${host} has no A or AAAA record`);
  }
}

/** The DNS query failed for another reason (timeout, refused, server failure). */
export class DnsLookupError extends MeshgateError {
  static readonly code = 'MG_ERR_DNS_LOOKUP';
  constructor(
    readonly host: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(DnsLookupError.code, `resolving ${host} failed: ${reason}`, options);
  }
}

/** An option value is malformed (e.g. `--dns-server` that is not IP[:PORT]). */
export class InvalidArgumentError extends MeshgateError {
  static readonly code = 'MG_ERR_INVALID_ARGUMENT';
  constructor(option: string, value: string, expected: string) {
    super(InvalidArgumentError.code, `${option} ${JSON.stringify(value)}: expected ${expected}`);
  }
}

/** The access log destination cannot be opened or written. */
export class AccessLogWriteError extends MeshgateError {
  static readonly code = 'MG_ERR_ACCESS_LOG_WRITE';
  constructor(path: string, options?: ErrorOptions) {
    super(AccessLogWriteError.code, `cannot write the access log to ${path}`, options);
  }
}
