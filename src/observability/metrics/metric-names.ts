// Every metric name and label meshgate exports, listed once: Istio's standard metrics (spec §3.11), spelled
// exactly as Istio spells them so existing dashboards and alerts work, then meshgate's own health metrics.

/** Istio's standard metrics for a client-side (`reporter="source"`) sidecar. */
export const ISTIO_METRIC = {
  /** Counter: HTTP requests, incremented once per request when it completes. */
  requestsTotal: 'istio_requests_total',
  /** Histogram (ms): request duration, start to last response byte. */
  requestDurationMs: 'istio_request_duration_milliseconds',
  /** Histogram (bytes): request body size. */
  requestBytes: 'istio_request_bytes',
  /** Histogram (bytes): response body size. */
  responseBytes: 'istio_response_bytes',
  /** Counter: bytes sent to the client over TCP connections (and CONNECT tunnels), at each scrape and at the end. */
  tcpSentBytesTotal: 'istio_tcp_sent_bytes_total',
  /** Counter: bytes received from the client over TCP connections. */
  tcpReceivedBytesTotal: 'istio_tcp_received_bytes_total',
  /** Counter: TCP connections that reached their upstream; one refused before that counts when it closes. */
  tcpConnectionsOpenedTotal: 'istio_tcp_connections_opened_total',
  /** Counter: TCP connections closed. */
  tcpConnectionsClosedTotal: 'istio_tcp_connections_closed_total',
} as const;

/**
 * Istio's HTTP label set, in Istio's emission order. Values meshgate cannot know (workload metadata of
 * an external service, principals without mTLS) are `unknown`, as Istio reports them.
 */
export const ISTIO_HTTP_LABELS = [
  'reporter', // `source`: meshgate is always the client-side proxy
  'source_workload', // this proxy's workload name (--workload), else unknown
  'source_canonical_service', // canonical service of this proxy's workload
  'source_canonical_revision', // canonical revision (`latest` when unset, as Istio)
  'source_workload_namespace', // the proxy's namespace (--namespace)
  'source_principal', // SPIFFE id; unknown (meshgate does no mTLS)
  'source_app', // `app` label of this proxy's workload
  'source_version', // `version` label of this proxy's workload
  'source_cluster', // cluster id of this proxy
  'destination_workload', // unknown for ServiceEntry destinations
  'destination_workload_namespace', // unknown for ServiceEntry destinations
  'destination_principal', // unknown: no mTLS to external services
  'destination_app', // unknown for ServiceEntry destinations
  'destination_version', // unknown for ServiceEntry destinations
  'destination_service', // ServiceEntry host; passthrough: unknown unless host labels are enabled
  'destination_canonical_service', // unknown for ServiceEntry destinations
  'destination_canonical_revision', // unknown for ServiceEntry destinations
  'destination_service_name', // ServiceEntry host, or PassthroughCluster / BlackHoleCluster
  'destination_service_namespace', // namespace of the ServiceEntry, else unknown
  'destination_cluster', // unknown for ServiceEntry destinations
  'request_protocol', // http (or grpc by content-type), tcp for TCP metrics
  'response_code', // HTTP status, 0 when none was sent
  'grpc_response_status', // gRPC status; empty for plain HTTP
  'response_flags', // Envoy flags as in the access log, `-` when none
  'connection_security_policy', // unknown at the source side
] as const;

/** TCP metrics carry the HTTP set minus the response code and gRPC status. */
export const ISTIO_TCP_LABELS = ISTIO_HTTP_LABELS.filter(
  (l) => l !== 'response_code' && l !== 'grpc_response_status',
) as readonly IstioLabel[];

export type IstioLabel = (typeof ISTIO_HTTP_LABELS)[number];

/**
 * Envoy's default histogram buckets (ms for durations, bytes for sizes), which Istio keeps unless the
 * `sidecar.istio.io/statsHistogramBuckets` annotation overrides them.
 */
export const ENVOY_DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]);

/** meshgate's own health, for operators of the proxy itself. */
export const MESHGATE_METRIC = {
  /** Gauge: version number of the live config snapshot (0 before the first). */
  configVersion: 'meshgate_config_version',
  /** Gauge: Unix time (seconds) of the last reload attempt. */
  configLastReloadTimestamp: 'meshgate_config_last_reload_timestamp_seconds',
  /** Gauge: 1 if the last reload attempt was applied, 0 if it was rejected. */
  configLastReloadSuccess: 'meshgate_config_last_reload_success',
  /** Counter {result="applied|rejected"}: reload attempts. */
  configReloadsTotal: 'meshgate_config_reloads_total',
  /** Gauge: config files currently rejected (parse or validation errors); the last good config stays live. */
  configRejectedFiles: 'meshgate_config_rejected_files',
  /** Histogram (seconds): time to compile a new snapshot. */
  snapshotBuildSeconds: 'meshgate_snapshot_build_duration_seconds',
  /** Gauge {kind="http|connect|tcp"}: client connections open now. */
  downstreamConnectionsActive: 'meshgate_downstream_connections_active',
  /** Gauge {cluster}: upstream HTTP connections held by the pools each cluster uses, read at scrape time. */
  upstreamPoolConnections: 'meshgate_upstream_pool_connections',
  /** Counter: DNS lookups sent (A and AAAA of one name count once). */
  dnsLookupsTotal: 'meshgate_dns_lookups_total',
  /** Counter: DNS lookups that failed (a stale answer may still have been served). */
  dnsFailuresTotal: 'meshgate_dns_failures_total',
  /** Counter: access-log lines dropped because the destination fell behind or failed. */
  accessLogDroppedTotal: 'meshgate_access_log_dropped_lines_total',
  /** Counter: broken internal invariants met in production (each one is a bug to report). */
  bugTotal: 'meshgate_bug_total',
} as const;
