// Istio's JSON access-log line (`accessLogEncoding: JSON`, EnvoyJSONLogFormatIstio, spec §3.10): the same
// operators as TEXT under Istio's keys, with typed values and `null` for anything unset.
import type { StreamInfo } from '../../dataplane/stream-info.ts';
import { formatStartTime } from './start-time.ts';

/** True when JSON needs to escape something in `value` (controls, `"`, `\`, surrogates). */
function needsEscape(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

function str(value: string | undefined): string {
  if (value === undefined || value === '') return 'null';
  // Most values (hosts, addresses, ids) need no escaping; quoting them directly is several times cheaper.
  return needsEscape(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * One JSON object and `\n`. Numbers (response_code, bytes_received, bytes_sent, duration) are JSON
 * numbers; header-derived values stay strings as Envoy emits them, so `upstream_service_time` is
 * `"4"`, not `4`. Keys follow the spec's order (Envoy's order is not significant).
 */
export function formatIstioJson(info: StreamInfo): string {
  const flags = info.responseFlags();
  return (
    `{"start_time":"${formatStartTime(info.startTime)}"` +
    `,"route_name":${str(info.routeName)}` +
    `,"method":${str(info.method)}` +
    `,"path":${str(info.path)}` +
    `,"protocol":${str(info.protocol)}` +
    `,"response_code":${info.responseCode}` +
    `,"response_flags":${flags === '' ? 'null' : `"${flags}"`}` +
    `,"response_code_details":${str(info.responseCodeDetails)}` +
    `,"connection_termination_details":${str(info.connectionTerminationDetails)}` +
    `,"bytes_received":${info.bytesReceived}` +
    `,"bytes_sent":${info.bytesSent}` +
    `,"duration":${info.durationMs === undefined ? 'null' : info.durationMs}` +
    `,"upstream_service_time":${info.upstreamServiceTimeMs === undefined ? 'null' : `"${info.upstreamServiceTimeMs}"`}` +
    `,"x_forwarded_for":${str(info.forwardedFor)}` +
    `,"user_agent":${str(info.userAgent)}` +
    `,"request_id":${str(info.requestId)}` +
    `,"authority":${str(info.authority)}` +
    `,"upstream_host":${str(info.upstreamHost)}` +
    `,"upstream_cluster":${str(info.upstreamCluster)}` +
    `,"upstream_local_address":${str(info.upstreamLocalAddress)}` +
    `,"downstream_local_address":${str(info.downstreamLocalAddress)}` +
    `,"downstream_remote_address":${str(info.downstreamRemoteAddress)}` +
    `,"requested_server_name":${str(info.requestedServerName)}` +
    `,"upstream_transport_failure_reason":${str(info.upstreamTransportFailureReason)}` +
    '}\n'
  );
}
