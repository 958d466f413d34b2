// Checks the `hosts` of a VirtualService: valid names, no bare '*' for the mesh, no two hosts that overlap.
import type { FieldPath } from '../config/resource.ts';
import { hostMatches } from '../model/hostname.ts';
import { isValidIPAddress, validateWildcardDomain } from './fields.ts';
import type { Findings } from './findings.ts';

const AUTO_SNI_PREFIX = 'outbound';
const AUTO_SNI_FORMAT = 'outbound_.<PORT>_._.<HOSTNAME>';

/**
 * The SNI names Istio generates for AUTO_PASSTHROUGH gateways, `outbound_.<port>_._.<host>`, are not
 * DNS names but may be used as hosts of a gateway-bound VirtualService with TLS routes.
 */
function autoSniProblem(domain: string): string | undefined {
  const parts = domain.split('_');
  if (parts.length < 4) return `domain name ${domain} invalid, should follow '${AUTO_SNI_FORMAT}' format`;
  const [direction = '', rawPort = '', , rawHost = ''] = parts;
  const port = rawPort.replace(/^\.+|\.+$/g, '');
  const hostname = rawHost.replace(/^\.+|\.+$/g, '');
  if (direction !== AUTO_SNI_PREFIX) return `domain name "${domain}" invalid (label "${direction}" invalid)`;
  if (!/[0-9]/.test(port))
    return `domain name "${domain}" invalid (label "${port}" invalid). should follow ${AUTO_SNI_FORMAT} format`;
  if (!/[a-zA-Z]/.test(hostname))
    return `domain name "${domain}" invalid (label "${hostname}" invalid). should follow ${AUTO_SNI_FORMAT} format`;
  return undefined;
}

/**
 * Istio's host rule: a wildcard domain, plus (only for gateway-bound VirtualServices that route
 * by SNI) the auto-generated SNI form. IPs are judged by the caller.
 */
export function virtualServiceHostProblem(host: string, gatewayBound: boolean, sni: boolean): string | undefined {
  if (gatewayBound && sni && host.startsWith(`${AUTO_SNI_PREFIX}_`)) {
    if (host.length > 255) return `domain name "${host}" too long (max 255)`;
    return autoSniProblem(host);
  }
  return validateWildcardDomain(host);
}

/**
 * `appliesToMesh`: the VS has no gateways or lists `mesh`; `gatewayBound`: it lists gateways but not
 * `mesh`; `sni`: some TLS match names SNI hosts. IP hosts pass (Istio lets them through).
 */
export function checkVirtualServiceHosts(
  hosts: readonly string[],
  scope: { appliesToMesh: boolean; gatewayBound: boolean; sni: boolean },
  path: FieldPath,
  findings: Findings,
): void {
  let allValid = true;
  hosts.forEach((raw, i) => {
    const host = String(raw ?? '');
    const problem = virtualServiceHostProblem(host, scope.gatewayBound, scope.sni);
    if (problem !== undefined) {
      if (!isValidIPAddress(host)) {
        findings.error([...path, i], 'VS_HOST_INVALID', problem);
        allValid = false;
      }
    } else if (scope.appliesToMesh && host === '*') {
      // Sidecars would send every HTTP request on the port to this VS, shadowing all other services.
      findings.error(
        [...path, i],
        'VS_HOST_WILDCARD_MESH',
        'wildcard host * is not allowed for virtual services bound to the mesh gateway',
      );
      allValid = false;
    }
  });
  if (!allValid) return;
  // Two hosts that match each other would create the same virtual host twice in one route table.
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      const a = String(hosts[i]);
      const b = String(hosts[j]);
      if (hostMatches(a, b))
        findings.error([...path, j], 'VS_HOST_DUPLICATE', `duplicate hosts in virtual service: ${a} & ${b}`);
    }
  }
}
