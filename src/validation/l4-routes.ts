// Checks a VirtualService's TLS routes (matched by SNI) and TCP routes (matched by address and port).
import type { FieldPath } from '../config/resource.ts';
import type {
  L4MatchAttributes,
  TCPRoute,
  TLSMatchAttributes,
  TLSRoute,
  VirtualServiceSpec,
} from '../config/wire/virtual-service.ts';
import { hostSubsetOf } from '../model/hostname.ts';
import { isValidIPAddress, validateIPSubnet, validateLabels, validatePort } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkGatewayNames, MESH_GATEWAY } from './gateway-names.ts';
import { checkRouteDestinations } from './route-destination.ts';
import { virtualServiceHostProblem } from './virtual-service-hosts.ts';

/** Checks the fields TLS and TCP matches share: subnets, port, source labels and gateways. */
function checkL4Match(match: L4MatchAttributes | TLSMatchAttributes, path: FieldPath, findings: Findings): void {
  (match.destinationSubnets ?? []).forEach((subnet, i) => {
    const problem = validateIPSubnet(String(subnet));
    if (problem !== undefined)
      findings.error([...path, 'destinationSubnets', i], 'VS_DESTINATION_SUBNET_INVALID', problem);
  });
  if ((match.port ?? 0) !== 0) {
    const problem = validatePort(match.port ?? 0);
    if (problem !== undefined) findings.error([...path, 'port'], 'VS_MATCH_PORT_INVALID', problem);
  }
  for (const issue of validateLabels(match.sourceLabels)) {
    findings.error([...path, 'sourceLabels', ...issue.path], `VS_SOURCE_${issue.code}`, issue.message);
  }
  checkGatewayNames(match.gateways, [...path, 'gateways'], findings);
}

/**
 * An SNI host must be a valid (wildcard) name and fall inside one of the VirtualService's hosts,
 * otherwise no listener built from those hosts would ever see it. An IP is allowed with a warning.
 */
function checkSniHost(sniHost: string, vs: VirtualServiceSpec, path: FieldPath, findings: Findings): void {
  // Istio treats a VS without `mesh` among its gateways (including one with no gateways) as gateway-bound here.
  const gatewayBound = !(vs.gateways ?? []).includes(MESH_GATEWAY);
  const problem = virtualServiceHostProblem(sniHost, gatewayBound, true);
  if (problem !== undefined) {
    if (isValidIPAddress(sniHost)) {
      findings.warning(
        path,
        'VS_SNI_HOST_IP',
        `using an IP address ("${sniHost}") goes against SNI spec and most clients do not support this`,
      );
    } else {
      findings.error(path, 'VS_SNI_HOST_INVALID', problem);
    }
    return;
  }
  const hosts = (vs.hosts ?? []).map(String);
  if (!hosts.some((host) => hostSubsetOf(sniHost, host))) {
    findings.error(
      path,
      'VS_SNI_HOST_NOT_IN_HOSTS',
      `SNI host "${sniHost}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`,
    );
  }
}

function checkTLSMatch(
  match: TLSMatchAttributes | null | undefined,
  vs: VirtualServiceSpec,
  path: FieldPath,
  findings: Findings,
): void {
  if (!match) {
    findings.error(path, 'VS_TLS_MATCH_NULL', 'TLS match may not be null');
    return;
  }
  const sniHosts = match.sniHosts ?? [];
  if (sniHosts.length === 0)
    findings.error(path, 'VS_TLS_SNI_HOSTS_REQUIRED', 'TLS match must have at least one SNI host');
  sniHosts.forEach((sniHost, i) => checkSniHost(String(sniHost ?? ''), vs, [...path, 'sniHosts', i], findings));
  checkL4Match(match, path, findings);
}

export function checkTLSRoute(route: TLSRoute, vs: VirtualServiceSpec, path: FieldPath, findings: Findings): void {
  const matches = route.match ?? [];
  if (matches.length === 0)
    findings.error(path, 'VS_TLS_MATCH_REQUIRED', 'TLS route must have at least one match condition');
  matches.forEach((match, i) => checkTLSMatch(match, vs, [...path, 'match', i], findings));
  if ((route.route ?? []).length === 0) findings.error(path, 'VS_TLS_ROUTE_REQUIRED', 'TLS route is required');
  checkRouteDestinations(route.route, [...path, 'route'], findings);
}

export function checkTCPRoute(route: TCPRoute, path: FieldPath, findings: Findings): void {
  (route.match ?? []).forEach((match, i) => {
    const matchPath = [...path, 'match', i];
    if (!match) findings.error(matchPath, 'VS_TCP_MATCH_NULL', 'tcp match may not be nil');
    else checkL4Match(match, matchPath, findings);
  });
  if ((route.route ?? []).length === 0) findings.error(path, 'VS_TCP_ROUTE_REQUIRED', 'TCP route is required');
  checkRouteDestinations(route.route, [...path, 'route'], findings);
}
