// MeshConfig rules (Istio's ValidateMeshConfig, the parts meshgate reads): durations, ports, exportTo lists.
import { formatFieldPath } from '../config/field-path.ts';
import type { FieldPath } from '../config/resource.ts';
import type { MeshConfigSpec } from '../config/wire/mesh-config.ts';
import { validateExportTo } from './export-to.ts';
import { isDns1123Label, parseDurationNanos, validateDuration } from './fields.ts';
import { Findings } from './findings.ts';

export const MeshConfigCode = {
  invalidDuration: 'MESH_DURATION_INVALID',
  invalidPort: 'MESH_PORT_INVALID',
  invalidNamespace: 'MESH_ROOT_NAMESPACE_INVALID',
  invalidRetry: 'MESH_RETRY_ATTEMPTS_NEGATIVE',
} as const;

/**
 * Paths are relative to the MeshConfig document, and every message starts with the field it is about:
 * a MeshConfig has no resource name to give context. The mode enum was already checked while decoding.
 */
export function validateMeshConfig(spec: MeshConfigSpec, findings: Findings): void {
  checkDuration(spec.connectTimeout, ['connectTimeout'], findings);
  // 0s turns the protocol sniffing timeout off, which Istio allows.
  checkDuration(spec.protocolDetectionTimeout, ['protocolDetectionTimeout'], findings, true);
  checkDuration(spec.dnsRefreshRate, ['dnsRefreshRate'], findings);
  checkPort(spec.proxyListenPort, ['proxyListenPort'], findings);
  checkPort(spec.proxyInboundListenPort, ['proxyInboundListenPort'], findings);
  checkExportTo(spec.defaultServiceExportTo, 'defaultServiceExportTo', true, findings);
  checkExportTo(spec.defaultVirtualServiceExportTo, 'defaultVirtualServiceExportTo', false, findings);
  checkExportTo(spec.defaultDestinationRuleExportTo, 'defaultDestinationRuleExportTo', false, findings);
  if (spec.rootNamespace !== undefined && spec.rootNamespace !== '' && !isDns1123Label(spec.rootNamespace)) {
    findings.error(
      ['rootNamespace'],
      MeshConfigCode.invalidNamespace,
      `rootNamespace: "${spec.rootNamespace}" is not a valid namespace name`,
    );
  }
  const retry = spec.defaultHttpRetryPolicy;
  if (retry !== undefined) {
    if (retry.attempts !== undefined && retry.attempts < 0) {
      findings.error(
        ['defaultHttpRetryPolicy', 'attempts'],
        MeshConfigCode.invalidRetry,
        'defaultHttpRetryPolicy.attempts cannot be negative',
      );
    }
    checkDuration(retry.perTryTimeout, ['defaultHttpRetryPolicy', 'perTryTimeout'], findings);
    checkDuration(retry.backoff, ['defaultHttpRetryPolicy', 'backoff'], findings);
  }
}

function checkDuration(value: string | undefined, path: FieldPath, findings: Findings, allowZero = false): void {
  if (value === undefined || (allowZero && parseDurationNanos(value) === 0n)) return;
  const problem = validateDuration(value);
  if (problem !== undefined)
    findings.error(path, MeshConfigCode.invalidDuration, `${formatFieldPath(path)}: ${problem}`);
}

function checkPort(port: number | undefined, path: FieldPath, findings: Findings): void {
  if (port !== undefined && (port < 1 || port > 65535)) {
    findings.error(
      path,
      MeshConfigCode.invalidPort,
      `${formatFieldPath(path)}: port number ${port} must be in the range 1..65535`,
    );
  }
}

/** The shared exportTo rules; a mesh-wide default has no namespace of its own, so '.' never duplicates a name. */
function checkExportTo(list: string[] | undefined, field: string, isServiceEntry: boolean, findings: Findings): void {
  if (list === undefined) return;
  const local = new Findings();
  validateExportTo(
    list.filter((entry) => typeof entry === 'string'),
    '.',
    { isServiceEntry },
    local,
    [field],
  );
  for (const f of local.items) {
    if (f.severity === 'error') findings.error(f.path, f.code, `${field}: ${f.message}`);
    else findings.warning(f.path, f.code, `${field}: ${f.message}`);
  }
}
