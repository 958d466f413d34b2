// Per-stream facts (times, bytes, route, cluster, upstream host, response flags) that filters record
// while a request or connection runs; the access log and the istio_* metrics read only this, once, at the end.
import type { Clock } from './clock.ts';
import { formatResponseFlags, responseFlagBit, type ResponseFlag } from './response-flags.ts';

/** `request_protocol` label of the istio_* metrics. */
export type RequestProtocol = 'http' | 'tcp';

const NS_PER_MS = 1_000_000n;

/**
 * One per HTTP request or TCP/TLS connection. A class with plain fields, all set in the constructor, so
 * creating one is a single allocation with a stable shape. Unset text fields are `undefined`; the
 * formatters print them as `-` (TEXT) or `null` (JSON).
 */
export class StreamInfo {
  /** Wall-clock start, ms since the epoch (%START_TIME%). */
  readonly startTime: number;
  /** Monotonic start, ns; durations are measured from here. */
  readonly startHrtime: bigint;
  requestProtocol: RequestProtocol;

  // Request facts (HTTP only; TCP streams leave them unset and print `- - -`).
  /** %REQ(:METHOD)% */
  method: string | undefined = undefined;
  /** %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%: the path as the client sent it, before any rewrite. */
  path: string | undefined = undefined;
  /** %PROTOCOL%, e.g. `HTTP/1.1`. */
  protocol: string | undefined = undefined;
  /** %REQ(:AUTHORITY)%: for explicit-proxy requests the absolute URI's authority, or the CONNECT target. */
  authority: string | undefined = undefined;
  userAgent: string | undefined = undefined;
  requestId: string | undefined = undefined;
  forwardedFor: string | undefined = undefined;

  // Outcome.
  /** %RESPONSE_CODE%: 0 for TCP streams and for requests that never got a response. */
  responseCode = 0;
  /** Bit set of response flags; see response-flags.ts. */
  responseFlagBits = 0;
  /** %RESPONSE_CODE_DETAILS%, e.g. `via_upstream`, `route_not_found`. */
  responseCodeDetails: string | undefined = undefined;
  connectionTerminationDetails: string | undefined = undefined;
  upstreamTransportFailureReason: string | undefined = undefined;

  // Sizes and times.
  /** Body bytes from downstream (HTTP) or all bytes from downstream (TCP). */
  bytesReceived = 0;
  /** Body bytes to downstream (HTTP) or all bytes to downstream (TCP). */
  bytesSent = 0;
  /** %DURATION% in whole ms; set by finish(). */
  durationMs: number | undefined = undefined;
  /** x-envoy-upstream-service-time: ms from sending the upstream request to its response headers. */
  upstreamServiceTimeMs: number | undefined = undefined;
  /** Monotonic time the upstream request was sent, for upstreamServiceTimeMs. */
  upstreamRequestHrtime: bigint | undefined = undefined;
  /**
   * Set while a tunnel runs: copies its live byte counts into bytesReceived/bytesSent, so a metrics
   * scrape can count the bytes of long connections before they close.
   */
  readLiveBytes: (() => void) | undefined = undefined;

  // Where it went.
  /** %UPSTREAM_HOST%: `ip:port` actually connected to. */
  upstreamHost: string | undefined = undefined;
  /** %UPSTREAM_CLUSTER_RAW%, e.g. `outbound|443||www.google.com`, `PassthroughCluster`. */
  upstreamCluster: string | undefined = undefined;
  upstreamLocalAddress: string | undefined = undefined;
  /** %DOWNSTREAM_LOCAL_ADDRESS%: the original destination (explicit mode: the requested host:port). */
  downstreamLocalAddress: string | undefined = undefined;
  downstreamRemoteAddress: string | undefined = undefined;
  /** %REQUESTED_SERVER_NAME%: TLS SNI (or the CONNECT host, spec §7). */
  requestedServerName: string | undefined = undefined;
  /** %ROUTE_NAME%, e.g. `default`, `block_all`, `allow_any`. */
  routeName: string | undefined = undefined;

  // Metric labels (spec §3.11).
  /** `destination_service`: the service host (or the Host header for passthrough HTTP). */
  destinationServiceHost: string | undefined = undefined;
  /** `destination_service_name`: service name, or `PassthroughCluster` / `BlackHoleCluster`. */
  destinationServiceName: string | undefined = undefined;
  /** `destination_service_namespace`: the ServiceEntry's namespace. */
  destinationServiceNamespace: string | undefined = undefined;

  constructor(clock: Clock, requestProtocol: RequestProtocol) {
    this.startTime = clock.now();
    this.startHrtime = clock.hrtime();
    this.requestProtocol = requestProtocol;
  }

  addResponseFlag(flag: ResponseFlag): void {
    this.responseFlagBits |= responseFlagBit(flag);
  }

  hasResponseFlag(flag: ResponseFlag): boolean {
    return (this.responseFlagBits & responseFlagBit(flag)) !== 0;
  }

  /** Flags comma-joined in Envoy's order (`UF,URX`), or '' when none. */
  responseFlags(): string {
    return formatResponseFlags(this.responseFlagBits);
  }

  /** Whole ms elapsed since the stream started. */
  elapsedMs(clock: Clock): number {
    return Number((clock.hrtime() - this.startHrtime) / NS_PER_MS);
  }

  /** Call when the request is written upstream (each attempt overwrites the previous one). */
  markUpstreamRequestSent(clock: Clock): void {
    this.upstreamRequestHrtime = clock.hrtime();
  }

  /** Call when upstream response headers arrive; sets the upstream service time. */
  markUpstreamResponseHeaders(clock: Clock): void {
    if (this.upstreamRequestHrtime === undefined) return;
    this.upstreamServiceTimeMs = Number((clock.hrtime() - this.upstreamRequestHrtime) / NS_PER_MS);
  }

  /** Fixes the duration; later calls keep the first value, so a late socket event cannot change a logged line. */
  finish(clock: Clock): void {
    if (this.durationMs === undefined) this.durationMs = this.elapsedMs(clock);
  }
}

/**
 * `ip:port` as Envoy prints addresses (IPv6 in brackets). An IPv4 peer of a dual-stack socket (`--bind ::`)
 * shows as `::ffff:a.b.c.d`; it is printed as the IPv4 address it is.
 */
export function formatSocketAddress(ip: string, port: number): string {
  if (!ip.includes(':')) return `${ip}:${port}`;
  if (ip.startsWith('::ffff:') && ip.includes('.')) return `${ip.slice(7)}:${port}`;
  return `[${ip}]:${port}`;
}
