// Sidecar rules (Istio's ValidateSidecar): selector, ingress and egress listeners, outbound traffic policy.
//
// Paths are relative to `spec`; codes and messages are listed in docs/validation.md.
import type { OutboundTrafficPolicy, SidecarSpec } from '../config/wire/sidecar.ts';
import { checkConnectionPool } from './connection-pool.ts';
import type { ValidationContext } from './context.ts';
import { isPresent, reportIssues, validateDestination, validateFQDN, validateWorkloadSelector } from './fields.ts';
import type { Findings } from './findings.ts';
import { validateSidecarEgress, validateSidecarIngress } from './sidecar-listeners.ts';

const SIDECAR_MODES: readonly string[] = ['REGISTRY_ONLY', 'ALLOW_ANY'];

export function validateSidecar(spec: SidecarSpec, ctx: ValidationContext, findings: Findings): void {
  reportIssues(findings, ['workloadSelector'], validateWorkloadSelector(spec.workloadSelector ?? undefined, 'sidecar'));

  // A Sidecar that sets nothing would silently replace the namespace default with "import everything".
  const empty =
    (spec.egress ?? []).length === 0 &&
    (spec.ingress ?? []).length === 0 &&
    !isPresent(spec.outboundTrafficPolicy) &&
    !isPresent(spec.inboundConnectionPool);
  if (empty) {
    findings.error([], 'SC_EMPTY', 'sidecar: empty configuration provided');
    return;
  }

  validateSidecarIngress(spec, findings);
  checkConnectionPool(spec.inboundConnectionPool, ['inboundConnectionPool'], findings);
  validateSidecarEgress(spec, ctx.namespace, findings);
  if (isPresent(spec.outboundTrafficPolicy)) checkOutboundTrafficPolicy(spec.outboundTrafficPolicy, findings);
}

/**
 * The per-workload override of MeshConfig's outboundTrafficPolicy. The proto zero value of `mode` is
 * REGISTRY_ONLY, so an absent mode means REGISTRY_ONLY here (unlike MeshConfig, which defaults to ALLOW_ANY).
 */
function checkOutboundTrafficPolicy(policy: OutboundTrafficPolicy, findings: Findings): void {
  const path = ['outboundTrafficPolicy'];
  const mode: string = policy.mode ?? 'REGISTRY_ONLY';
  if (mode === 'ALLOW_ANY_DYNAMIC_DNS') {
    findings.error(
      [...path, 'mode'],
      'SC_OUTBOUND_MODE_MESH_ONLY',
      'sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource',
    );
    return;
  }
  if (!SIDECAR_MODES.includes(mode)) {
    findings.error([...path, 'mode'], 'SC_OUTBOUND_MODE_INVALID', `unsupported outboundTrafficPolicy mode ${mode}`);
    return;
  }
  const proxy = policy.egressProxy;
  if (!isPresent(proxy)) return;
  const proxyPath = [...path, 'egressProxy'];
  // The egress proxy replaces PassthroughCluster, which only exists under ALLOW_ANY.
  if (mode !== 'ALLOW_ANY') {
    findings.error(
      proxyPath,
      'SC_EGRESS_PROXY_MODE',
      'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
    );
    return;
  }
  const hostProblem = validateFQDN(proxy.host ?? '');
  if (hostProblem !== undefined) findings.error([...proxyPath, 'host'], 'SC_EGRESS_PROXY_HOST', hostProblem);
  if (!isPresent(proxy.port)) {
    findings.error(proxyPath, 'SC_EGRESS_PROXY_PORT_REQUIRED', 'sidecar: egress_proxy port must be non-nil');
    return;
  }
  // The host was judged above by the stricter FQDN rule; report only the destination's other problems.
  const issues = validateDestination(proxy).filter(
    (issue) => hostProblem === undefined || issue.code !== 'DESTINATION_HOST_INVALID',
  );
  reportIssues(findings, proxyPath, issues);
}
