// Sidecar `egress[].hosts` rules: each entry is "namespace/dnsName", with '~' namespaces excluding instead of importing.
import type { FieldPath } from '../config/resource.ts';
import { isDns1123Label, validatePartialWildcard, validateWildcardDomain } from './fields.ts';
import type { Findings } from './findings.ts';

/** Checks the hosts of one egress listener; `namespace` is the Sidecar's own, which '.' stands for. */
export function validateSidecarEgressHosts(
  hosts: readonly string[],
  namespace: string,
  path: FieldPath,
  findings: Findings,
): void {
  if (hosts.length === 0) {
    findings.error(path, 'SC_EGRESS_HOSTS_REQUIRED', 'sidecar: egress listener must contain at least one host');
    return;
  }
  // Imported names per namespace, to warn about entries an earlier one already covers.
  const imported = new Map<string, Set<string>>();
  for (const [j, host] of hosts.entries()) {
    const at = [...path, j];
    warnIfDuplicate(host, namespace, imported, at, findings);
    checkHost(host, at, findings);
  }
  if (imported.get('*')?.has('*') === true && imported.size !== 1) {
    findings.warning(path, 'SC_EGRESS_HOST_ALL_MIXED', '`*/*` host select all resources, no other hosts can be added');
  }
}

function warnIfDuplicate(
  host: string,
  namespace: string,
  imported: Map<string, Set<string>>,
  at: FieldPath,
  findings: Findings,
): void {
  const slash = host.indexOf('/');
  // Exclusions ('~ns/…') remove names, so they never duplicate an import.
  if (slash < 0 || host.startsWith('~')) return;
  const ns = host.slice(0, slash) === '.' ? namespace : host.slice(0, slash);
  const name = host.slice(slash + 1);
  const names = imported.get(ns) ?? new Set<string>();
  imported.set(ns, names);
  const covered = name === '*' ? names.size > 0 : names.has(name) || names.has('*');
  if (covered) findings.warning(at, 'SC_EGRESS_HOST_DUPLICATE', `duplicated egress host: ${host}`);
  names.add(name);
}

function checkHost(host: string, at: FieldPath, findings: Findings): void {
  const slash = host.indexOf('/');
  if (slash < 0) {
    findings.error(at, 'SC_EGRESS_HOST_FORMAT', 'host must be of form namespace/dnsName');
    return;
  }
  const ns = host.slice(0, slash);
  const name = host.slice(slash + 1);
  if (ns === '' || name === '') {
    findings.error(at, 'SC_EGRESS_HOST_EMPTY_PART', 'config namespace and dnsName in host entry cannot be empty');
    if (name === '') return;
  }
  // '*' any namespace, '.' our own, a namespace name, or '' after a '~' ("exclude from every namespace").
  const bare = ns.startsWith('~') ? ns.slice(1) : ns;
  if (bare !== '' && bare !== '*' && bare !== '.' && !isDns1123Label(bare)) {
    findings.error(at, 'SC_EGRESS_HOST_NAMESPACE_INVALID', `invalid namespace value "${ns}" in sidecar`);
  }
  if (name !== '*' && !name.includes('.')) {
    findings.error(at, 'SC_EGRESS_HOST_SHORT_NAME', 'short names (non FQDN) are not allowed');
  }
  const invalid = validateWildcardDomain(name);
  if (invalid !== undefined) findings.error(at, 'SC_EGRESS_HOST_INVALID', invalid);
  const partial = validatePartialWildcard(name);
  if (partial !== undefined) findings.error(at, 'SC_EGRESS_HOST_PARTIAL_WILDCARD', partial);
}
