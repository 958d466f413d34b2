// Istio's default TEXT access-log line (EnvoyTextLogFormat, spec §3.10): 22 fields, space separated,
// `-` for an empty value, quotes exactly where Istio's format string has them.
import type { StreamInfo } from '../../dataplane/stream-info.ts';
import { formatStartTime } from './start-time.ts';

function dash(value: string | undefined): string {
  return value === undefined || value === '' ? '-' : value;
}

function dashNumber(value: number | undefined): string {
  return value === undefined ? '-' : String(value);
}

/**
 * One line, ending in `\n`. Field order (Istio's format string):
 * `[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE%
 * %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"
 * %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 * "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW%
 * %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%`.
 * Like Envoy, values are not escaped: HTTP parsing already rejects CR/LF in header values.
 */
export function formatEnvoyText(info: StreamInfo): string {
  return (
    `[${formatStartTime(info.startTime)}] "${dash(info.method)} ${dash(info.path)} ${dash(info.protocol)}" ` +
    `${info.responseCode} ${dash(info.responseFlags())} ${dash(info.responseCodeDetails)} ` +
    `${dash(info.connectionTerminationDetails)} "${dash(info.upstreamTransportFailureReason)}" ` +
    `${info.bytesReceived} ${info.bytesSent} ${dashNumber(info.durationMs)} ${dashNumber(info.upstreamServiceTimeMs)} ` +
    `"${dash(info.forwardedFor)}" "${dash(info.userAgent)}" "${dash(info.requestId)}" "${dash(info.authority)}" ` +
    `"${dash(info.upstreamHost)}" ${dash(info.upstreamCluster)} ${dash(info.upstreamLocalAddress)} ` +
    `${dash(info.downstreamLocalAddress)} ${dash(info.downstreamRemoteAddress)} ${dash(info.requestedServerName)} ` +
    `${dash(info.routeName)}\n`
  );
}
