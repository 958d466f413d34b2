// Checks gateway references in a VirtualService (`gateways`, and `gateways` inside matches).
import type { FieldPath } from '../config/resource.ts';
import { isDns1123Label, validateFQDN } from './fields.ts';
import type { Findings } from './findings.ts';

/** The reserved name for "every sidecar in the mesh". */
export const MESH_GATEWAY = 'mesh';

/**
 * Each entry is `mesh`, a gateway name in the VS's namespace, or `<namespace>/<name>`. The legacy
 * `<name>.<namespace>` form still works in Istio but is ambiguous with FQDNs, hence a warning.
 * Istio stops at the first entry without a '/', leaving later entries unchecked; we check every entry.
 */
export function checkGatewayNames(gateways: readonly string[] | undefined, path: FieldPath, findings: Findings): void {
  (gateways ?? []).forEach((raw, i) => {
    const gateway = String(raw ?? '');
    const entryPath = [...path, i];
    const slash = gateway.indexOf('/');
    if (slash < 0) {
      if (gateway.includes('.')) {
        const parts = gateway.split('.');
        findings.warning(
          entryPath,
          'VS_GATEWAY_LEGACY_FORMAT',
          `using legacy gatewayName format "${gateway}"; prefer the <namespace>/<name> format: "${parts[1] ?? ''}/${parts[0] ?? ''}"`,
        );
      }
      const problem = validateFQDN(gateway);
      if (problem !== undefined) findings.error(entryPath, 'VS_GATEWAY_INVALID', problem);
      return;
    }
    const namespace = gateway.slice(0, slash);
    const name = gateway.slice(slash + 1);
    if (namespace === '' || name === '') {
      findings.error(entryPath, 'VS_GATEWAY_EMPTY_PART', 'config namespace and gateway name cannot be empty');
    }
    if (!isDns1123Label(namespace)) {
      findings.error(entryPath, 'VS_GATEWAY_NAMESPACE_INVALID', `invalid value for namespace: "${namespace}"`);
    }
    if (!isDns1123Label(name)) {
      findings.error(entryPath, 'VS_GATEWAY_NAME_INVALID', `invalid value for gateway name: "${name}"`);
    }
  });
}
