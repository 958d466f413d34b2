// Checks a DestinationRule's connection pool settings (circuit-breaker limits and connection timeouts).
import type { FieldPath } from '../config/resource.ts';
import type { ConnectionPoolSettings } from '../config/wire/destination-rule.ts';
import { checkDurationField, parseDurationNanos } from './fields.ts';
import type { Findings } from './findings.ts';

type Counter = [field: string, label: string];

function checkNonNegative(settings: object, counters: readonly Counter[], path: FieldPath, findings: Findings): void {
  for (const [field, label] of counters) {
    const value = (settings as Record<string, unknown>)[field];
    if (typeof value === 'number' && value < 0) {
      findings.error([...path, field], 'DR_POOL_NEGATIVE', `${label} must be non-negative`);
    }
  }
}

const HTTP_COUNTERS: readonly Counter[] = [
  ['http1MaxPendingRequests', 'http1 max pending requests'],
  ['http2MaxRequests', 'http2 max requests'],
  ['maxRequestsPerConnection', 'max requests per connection'],
  ['maxRetries', 'max retries'],
  ['maxConcurrentStreams', 'max concurrent streams'],
];

function checkHttp(http: NonNullable<ConnectionPoolSettings['http']>, path: FieldPath, findings: Findings): void {
  checkNonNegative(http, HTTP_COUNTERS, path, findings);
  checkDurationField(http.idleTimeout, [...path, 'idleTimeout'], findings, 'DR_DURATION_INVALID');
  if (http.h2UpgradePolicy === 'UPGRADE' && http.useClientProtocol === true) {
    findings.error(
      [...path, 'useClientProtocol'],
      'DR_POOL_CLIENT_PROTOCOL_WITH_UPGRADE',
      'use client protocol must not be true when H2UpgradePolicy is UPGRADE',
    );
  }
  const keepalive = http.http2KeepAlive;
  if (keepalive) {
    const kaPath = [...path, 'http2KeepAlive'];
    if (keepalive.interval === undefined)
      findings.error(kaPath, 'DR_POOL_KEEPALIVE_INTERVAL_REQUIRED', 'http2 keepalive interval is required');
    else checkDurationField(keepalive.interval, [...kaPath, 'interval'], findings, 'DR_DURATION_INVALID');
    if (keepalive.timeout === undefined)
      findings.error(kaPath, 'DR_POOL_KEEPALIVE_TIMEOUT_REQUIRED', 'http2 keepalive timeout is required');
    else checkDurationField(keepalive.timeout, [...kaPath, 'timeout'], findings, 'DR_DURATION_INVALID');
  }
}

function checkTcp(tcp: NonNullable<ConnectionPoolSettings['tcp']>, path: FieldPath, findings: Findings): void {
  checkNonNegative(tcp, [['maxConnections', 'max connections']], path, findings);
  checkDurationField(tcp.connectTimeout, [...path, 'connectTimeout'], findings, 'DR_DURATION_INVALID');
  checkDurationField(tcp.maxConnectionDuration, [...path, 'maxConnectionDuration'], findings, 'DR_DURATION_INVALID');
  // "0s" turns the idle timeout off, so it is exempt from the 1ms minimum.
  if (tcp.idleTimeout !== undefined) {
    const nanos = parseDurationNanos(String(tcp.idleTimeout));
    const wholeMsZero = nanos !== undefined && nanos / 1_000_000n === 0n;
    if (!wholeMsZero) checkDurationField(tcp.idleTimeout, [...path, 'idleTimeout'], findings, 'DR_DURATION_INVALID');
  }
  const keepalive = tcp.tcpKeepalive;
  if (keepalive) {
    checkDurationField(keepalive.time, [...path, 'tcpKeepalive', 'time'], findings, 'DR_DURATION_INVALID');
    checkDurationField(keepalive.interval, [...path, 'tcpKeepalive', 'interval'], findings, 'DR_DURATION_INVALID');
  }
}

export function checkConnectionPool(
  pool: ConnectionPoolSettings | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!pool) return;
  if (!pool.http && !pool.tcp) {
    findings.error(path, 'DR_POOL_EMPTY', 'connection pool must have at least one field');
    return;
  }
  if (pool.http) checkHttp(pool.http, [...path, 'http'], findings);
  if (pool.tcp) checkTcp(pool.tcp, [...path, 'tcp'], findings);
}
