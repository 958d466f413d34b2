// Istio's VirtualService rules (ValidateVirtualService), top to bottom; each route kind has its own file.
import type { VirtualServiceSpec } from '../config/wire/virtual-service.ts';
import type { ValidationContext } from './context.ts';
import { validateExportTo } from './export-to.ts';
import type { Findings } from './findings.ts';
import { checkGatewayNames, MESH_GATEWAY } from './gateway-names.ts';
import { isJwtClaimRoute } from './header-names.ts';
import { checkHTTPRoute } from './http-route.ts';
import { checkTCPRoute, checkTLSRoute } from './l4-routes.ts';
import { analyzeUnreachableRules } from './unreachable-rules.ts';
import { checkVirtualServiceHosts } from './virtual-service-hosts.ts';

/** A VS without hosts is a delegate: it only makes sense as the target of another VS's HTTP `delegate`. */
function checkDelegateShape(spec: VirtualServiceSpec, findings: Findings): void {
  if ((spec.gateways ?? []).length > 0) {
    findings.error(
      ['gateways'],
      'VS_DELEGATE_WITH_GATEWAYS',
      'delegate virtual service must have no gateways specified',
    );
  }
  if ((spec.tls ?? []).length > 0)
    findings.error(['tls'], 'VS_DELEGATE_WITH_TLS', 'delegate virtual service must have no tls route specified');
  if ((spec.tcp ?? []).length > 0)
    findings.error(['tcp'], 'VS_DELEGATE_WITH_TCP', 'delegate virtual service must have no tcp route specified');
}

/** JWT claims exist only where a gateway authenticated the request; sidecar routes cannot match on them. */
function checkNoJwtClaimRoutes(spec: VirtualServiceSpec, findings: Findings): void {
  const gateways = spec.gateways ?? [];
  (spec.http ?? []).forEach((route, i) => {
    (route?.match ?? []).forEach((match, j) => {
      for (const field of ['headers', 'withoutHeaders'] as const) {
        for (const key of Object.keys(match?.[field] ?? {})) {
          if (!isJwtClaimRoute(key)) continue;
          findings.error(
            ['http', i, 'match', j, field, key],
            'VS_JWT_CLAIM_ROUTE_MESH',
            `JWT claim based routing (key: ${key}) is only supported for gateway, found no gateways: [${gateways.join(' ')}]`,
          );
        }
      }
    });
  });
}

export function validateVirtualService(spec: VirtualServiceSpec, ctx: ValidationContext, findings: Findings): void {
  const hosts = spec.hosts ?? [];
  const gateways = spec.gateways ?? [];
  const isDelegate = hosts.length === 0;
  if (isDelegate) checkDelegateShape(spec, findings);

  checkGatewayNames(gateways, ['gateways'], findings);
  // No gateways means "mesh"; a list without `mesh` binds the VS to those gateways only.
  const gatewayBound = gateways.length > 0 && !gateways.includes(MESH_GATEWAY);
  if (!gatewayBound) checkNoJwtClaimRoutes(spec, findings);

  const sni = (spec.tls ?? []).some((route) => (route?.match ?? []).some((m) => (m?.sniHosts ?? []).length > 0));
  checkVirtualServiceHosts(hosts, { appliesToMesh: !gatewayBound, gatewayBound, sni }, ['hosts'], findings);

  if ((spec.http ?? []).length === 0 && (spec.tcp ?? []).length === 0 && (spec.tls ?? []).length === 0) {
    findings.error([], 'VS_NO_ROUTES', 'http, tcp or tls must be provided in virtual service');
  }
  (spec.http ?? []).forEach((route, i) => {
    if (!route) findings.error(['http', i], 'VS_HTTP_ROUTE_NULL', 'http route may not be null');
    else checkHTTPRoute(route, isDelegate, ['http', i], findings);
  });
  (spec.tls ?? []).forEach((route, i) => {
    if (route) checkTLSRoute(route, spec, ['tls', i], findings);
  });
  (spec.tcp ?? []).forEach((route, i) => {
    if (route) checkTCPRoute(route, ['tcp', i], findings);
  });

  validateExportTo(spec.exportTo, ctx.namespace, { isServiceEntry: false }, findings);
  analyzeUnreachableRules(spec, findings);
}
