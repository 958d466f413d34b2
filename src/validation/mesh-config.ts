// MeshConfig rules (Istio's ValidateMeshConfig, the parts meshgate reads): durations, ports, exportTo lists.
import type { FieldPath } from '../config/resource.ts';
import type { MeshConfigSpec } from '../config/wire/mesh-config.ts';
import { checkDuration } from './duration-rule.ts';
import { validateExportTo } from './export-to.ts';
import type { Findings } from './findings.ts';

export const MeshConfigCode = { invalidPort: 'invalid-port', invalidNamespace: 'invalid-namespace', invalidRetry: 'invalid-retry' } as const;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Paths are relative to the MeshConfig document. The mode enum was already checked while decoding. */
export function validateMeshConfig(spec: MeshConfigSpec, findings: Findings): void {
  checkDuration(spec.connectTimeout, ['connectTimeout'], findings);
  checkDuration(spec.protocolDetectionTimeout, ['protocolDetectionTimeout'], findings, true);
  checkDuration(spec.dnsRefreshRate, ['dnsRefreshRate'], findings);
  checkPort(spec.proxyListenPort, ['proxyListenPort'], findings);
  checkPort(spec.proxyInboundListenPort, ['proxyInboundListenPort'], findings);
  if (spec.defaultServiceExportTo !== undefined) validateExportTo(spec.defaultServiceExportTo, 'istio-system', { isServiceEntry: true }, findings, ['defaultServiceExportTo']);
  if (spec.defaultVirtualServiceExportTo !== undefined) validateExportTo(spec.defaultVirtualServiceExportTo, 'istio-system', { isServiceEntry: false }, findings, ['defaultVirtualServiceExportTo']);
  if (spec.defaultDestinationRuleExportTo !== undefined) validateExportTo(spec.defaultDestinationRuleExportTo, 'istio-system', { isServiceEntry: false }, findings, ['defaultDestinationRuleExportTo']);
  if (spec.rootNamespace !== undefined && spec.rootNamespace !== '' && !DNS1123_LABEL.test(spec.rootNamespace)) {
    findings.error(['rootNamespace'], MeshConfigCode.invalidNamespace, `rootNamespace: "${spec.rootNamespace}" is not a valid namespace name`);
  }
  const retry = spec.defaultHttpRetryPolicy;
  if (retry !== undefined) {
    if (retry.attempts !== undefined && retry.attempts < 0) {
      findings.error(['defaultHttpRetryPolicy', 'attempts'], MeshConfigCode.invalidRetry, 'defaultHttpRetryPolicy.attempts cannot be negative');
    }
    checkDuration(retry.perTryTimeout, ['defaultHttpRetryPolicy', 'perTryTimeout'], findings);
    checkDuration(retry.backoff, ['defaultHttpRetryPolicy', 'backoff'], findings);
  }
}

function checkPort(port: number | undefined, path: FieldPath, findings: Findings): void {
  if (port !== undefined && (port < 1 || port > 65535)) {
    findings.error(path, MeshConfigCode.invalidPort, `${String(path[0])}: port number ${port} must be in the range 1..65535`);
  }
}
