// Checks a DestinationRule traffic policy (top level, per subset, per port): outlier detection, pools, LB, TLS, tunnel.
import type { FieldPath } from '../config/resource.ts';
import type { OutlierDetection, PortTrafficPolicy, TrafficPolicy } from '../config/wire/destination-rule.ts';
import { checkClientTLS } from './client-tls.ts';
import { checkConnectionPool } from './connection-pool.ts';
import { checkDurationField, isValidIPAddress, validateFQDN, validateIPAddress, validatePort } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkLoadBalancer } from './load-balancer.ts';

function percentProblem(value: number): string | undefined {
  return value < 0 || value > 100 ? `percentage ${value} is not in range 0..100` : undefined;
}

export function checkOutlierDetection(
  outlier: OutlierDetection | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!outlier) return;
  checkDurationField(outlier.baseEjectionTime, [...path, 'baseEjectionTime'], findings, 'DR_DURATION_INVALID');
  if ((outlier.consecutiveErrors ?? 0) !== 0) {
    findings.warning(
      [...path, 'consecutiveErrors'],
      'DR_OUTLIER_CONSECUTIVE_ERRORS_DEPRECATED',
      'outlier detection consecutive errors is deprecated, use consecutiveGatewayErrors or consecutive5xxErrors instead',
    );
  }
  // Local-origin failures are only counted separately when the split is on; otherwise the setting does nothing.
  if (outlier.splitExternalLocalOriginErrors !== true && (outlier.consecutiveLocalOriginFailures ?? 0) > 0) {
    findings.error(
      [...path, 'consecutiveLocalOriginFailures'],
      'DR_OUTLIER_LOCAL_ORIGIN_WITHOUT_SPLIT',
      'outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false',
    );
  }
  checkDurationField(outlier.interval, [...path, 'interval'], findings, 'DR_DURATION_INVALID');
  for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
    const problem = percentProblem(outlier[field] ?? 0);
    if (problem !== undefined) findings.error([...path, field], 'DR_OUTLIER_PERCENT_RANGE', problem);
  }
}

function checkTunnel(tunnel: NonNullable<TrafficPolicy['tunnel']>, path: FieldPath, findings: Findings): void {
  const protocol = tunnel.protocol ?? '';
  if (protocol !== '' && protocol !== 'CONNECT' && protocol !== 'POST') {
    findings.error([...path, 'protocol'], 'DR_TUNNEL_PROTOCOL_INVALID', 'tunnel protocol must be "CONNECT" or "POST"');
  }
  const host = tunnel.targetHost ?? '';
  const fqdnProblem = validateFQDN(host);
  if (fqdnProblem !== undefined && !isValidIPAddress(host)) {
    findings.error(
      [...path, 'targetHost'],
      'DR_TUNNEL_TARGET_HOST_INVALID',
      `tunnel target host must be valid FQDN or IP address: ${fqdnProblem}; ${validateIPAddress(host) ?? ''}`,
    );
  }
  const portProblem = validatePort(tunnel.targetPort ?? 0);
  if (portProblem !== undefined) {
    findings.error(
      [...path, 'targetPort'],
      'DR_TUNNEL_TARGET_PORT_INVALID',
      `tunnel target port is invalid: ${portProblem}`,
    );
  }
}

function checkPortLevelSettings(
  settings: readonly (PortTrafficPolicy | null | undefined)[],
  namespace: string,
  path: FieldPath,
  findings: Findings,
): void {
  settings.forEach((setting, i) => {
    const settingPath = [...path, i];
    if (!setting) {
      findings.error(settingPath, 'DR_PORT_POLICY_NULL', 'traffic policy may not be null');
      return;
    }
    if (!setting.port)
      findings.error(settingPath, 'DR_PORT_POLICY_PORT_REQUIRED', 'portTrafficPolicy must have valid port');
    if (!setting.outlierDetection && !setting.connectionPool && !setting.loadBalancer && !setting.tls) {
      findings.error(settingPath, 'DR_PORT_POLICY_EMPTY', 'port traffic policy must have at least one field');
      return;
    }
    checkOutlierDetection(setting.outlierDetection, [...settingPath, 'outlierDetection'], findings);
    checkConnectionPool(setting.connectionPool, [...settingPath, 'connectionPool'], findings);
    checkLoadBalancer(setting.loadBalancer, setting.outlierDetection, [...settingPath, 'loadBalancer'], findings);
    checkClientTLS(setting.tls, namespace, [...settingPath, 'tls'], findings);
  });
}

/** `namespace` is the DestinationRule's own namespace (TLS ConfigMap credentials must live there). */
export function checkTrafficPolicy(
  policy: TrafficPolicy | null | undefined,
  namespace: string,
  path: FieldPath,
  findings: Findings,
): void {
  if (!policy) return;
  const portLevel = policy.portLevelSettings ?? [];
  const empty =
    !policy.outlierDetection &&
    !policy.connectionPool &&
    !policy.loadBalancer &&
    !policy.tls &&
    portLevel.length === 0 &&
    !policy.tunnel &&
    !policy.proxyProtocol &&
    !policy.retryBudget;
  if (empty) {
    findings.error(path, 'DR_TRAFFIC_POLICY_EMPTY', 'traffic policy must have at least one field');
    return;
  }
  // Both would prepend bytes to the upstream connection; Envoy cannot do both.
  if (policy.tunnel && policy.proxyProtocol) {
    findings.error(path, 'DR_TUNNEL_AND_PROXY_PROTOCOL', 'tunnel and proxyProtocol must not be set together');
    return;
  }
  checkOutlierDetection(policy.outlierDetection, [...path, 'outlierDetection'], findings);
  checkConnectionPool(policy.connectionPool, [...path, 'connectionPool'], findings);
  checkLoadBalancer(policy.loadBalancer, policy.outlierDetection, [...path, 'loadBalancer'], findings);
  checkClientTLS(policy.tls, namespace, [...path, 'tls'], findings);
  checkPortLevelSettings(portLevel, namespace, [...path, 'portLevelSettings'], findings);
  if (policy.tunnel) checkTunnel(policy.tunnel, [...path, 'tunnel'], findings);
  const version = policy.proxyProtocol?.version;
  if (policy.proxyProtocol && version !== undefined && version !== 'V1' && version !== 'V2') {
    findings.error(
      [...path, 'proxyProtocol', 'version'],
      'DR_PROXY_PROTOCOL_VERSION_INVALID',
      `proxy protocol version is invalid: ${String(version)}`,
    );
  }
}
