// Checks one HTTP route of a VirtualService: its single action, matches, header operations and every policy it sets.
import type { FieldPath } from '../config/resource.ts';
import type { HTTPRoute } from '../config/wire/virtual-service.ts';
import { checkDurationField } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkCorsPolicy } from './cors-policy.ts';
import { checkHeaders, checkSingleAuthority } from './header-operations.ts';
import { checkHTTPFault } from './http-fault.ts';
import { checkHTTPMatch } from './http-match.ts';
import { checkHTTPDirectResponse, checkHTTPRedirect, checkHTTPRewrite } from './http-redirect.ts';
import { checkHTTPRetry } from './http-retry.ts';
import { checkDestination, checkHTTPMirrors, checkHTTPRouteDestinations, goFloat } from './route-destination.ts';

/**
 * A root route hands its traffic to a delegate VirtualService; a delegate route lives in a
 * VirtualService without hosts and may not delegate again (Istio supports one level).
 */
type RouteKind = 'independent' | 'root' | 'delegate';

function routeKind(route: HTTPRoute, inDelegateVS: boolean): RouteKind {
  if (inDelegateVS) return 'delegate';
  return route.delegate ? 'root' : 'independent';
}

/** A route forwards (`route`), redirects or answers directly: exactly one, and nothing that contradicts it. */
function checkAction(route: HTTPRoute, kind: RouteKind, path: FieldPath, findings: Findings): void {
  const hasRoute = (route.route?.length ?? 0) > 0;
  const name = route.name ? `${route.name} ` : '';
  if (kind === 'root') {
    if (route.redirect)
      findings.error(
        [...path, 'redirect'],
        'VS_ROOT_ROUTE_WITH_REDIRECT',
        `root HTTP route ${name}must not specify redirect`,
      );
    if (hasRoute)
      findings.error([...path, 'route'], 'VS_ROOT_ROUTE_WITH_ROUTE', `root HTTP route ${name}must not specify route`);
    return;
  }
  if (kind === 'delegate' && route.delegate) {
    findings.error(
      [...path, 'delegate'],
      'VS_DELEGATE_ROUTE_WITH_DELEGATE',
      'delegate HTTP route cannot contain delegate',
    );
  }
  const conflict = (field: string, code: string, message: string): void =>
    findings.error([...path, field], code, message);
  if (route.redirect) {
    if (hasRoute) conflict('redirect', 'VS_ROUTE_AND_REDIRECT', 'HTTP route cannot contain both route and redirect');
    if (route.fault) conflict('fault', 'VS_FAULT_AND_REDIRECT', 'HTTP route cannot contain both fault and redirect');
    if (route.rewrite)
      conflict('rewrite', 'VS_REWRITE_AND_REDIRECT', 'HTTP route rule cannot contain both rewrite and redirect');
    if (route.directResponse) {
      conflict(
        'directResponse',
        'VS_DIRECT_RESPONSE_AND_REDIRECT',
        'HTTP route rule cannot contain both direct_response and redirect',
      );
    }
  } else if (route.directResponse) {
    if (hasRoute)
      conflict(
        'directResponse',
        'VS_ROUTE_AND_DIRECT_RESPONSE',
        'HTTP route cannot contain both route and direct_response',
      );
    if (route.fault)
      conflict('fault', 'VS_FAULT_AND_DIRECT_RESPONSE', 'HTTP route cannot contain both fault and direct_response');
    if (route.rewrite)
      conflict(
        'rewrite',
        'VS_REWRITE_AND_DIRECT_RESPONSE',
        'HTTP route rule cannot contain both rewrite and direct_response',
      );
  } else if (!hasRoute) {
    findings.error(path, 'VS_HTTP_ACTION_REQUIRED', 'HTTP route, redirect or direct_response is required');
  }
  if (route.mirror && (route.mirrors?.length ?? 0) > 0) {
    conflict('mirrors', 'VS_MIRROR_AND_MIRRORS', 'HTTP route cannot contain both mirror and mirrors');
  }
}

function checkMirrorPercents(route: HTTPRoute, path: FieldPath, findings: Findings): void {
  if (route.mirrorPercent !== undefined && route.mirrorPercent !== null) {
    const percentPath = [...path, 'mirrorPercent'];
    if (route.mirrorPercent > 100) {
      findings.error(
        percentPath,
        'VS_MIRROR_PERCENT_INVALID',
        `mirror_percent must have a max value of 100 (it has ${route.mirrorPercent})`,
      );
    }
    findings.warning(
      percentPath,
      'VS_MIRROR_PERCENT_DEPRECATED',
      'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead',
    );
  }
  if (route.mirrorPercentage) {
    const value = route.mirrorPercentage.value ?? 0;
    const valuePath = [...path, 'mirrorPercentage', 'value'];
    if (value > 100)
      findings.error(
        valuePath,
        'VS_MIRROR_PERCENTAGE_INVALID',
        `mirror_percentage must have a max value of 100 (it has ${goFloat(value)})`,
      );
    if (value < 0)
      findings.error(
        valuePath,
        'VS_MIRROR_PERCENTAGE_INVALID',
        `mirror_percentage must have a min value of 0 (it has ${goFloat(value)})`,
      );
  }
}

/** Checks `http[i]`; `inDelegateVS` is true when the VirtualService has no hosts (it is a delegate). */
export function checkHTTPRoute(route: HTTPRoute, inDelegateVS: boolean, path: FieldPath, findings: Findings): void {
  checkAction(route, routeKind(route, inDelegateVS), path, findings);
  (route.match ?? []).forEach((match, i) => {
    if (match) checkHTTPMatch(match, [...path, 'match', i], findings);
  });
  checkHeaders(route.headers, [...path, 'headers'], findings);
  checkCorsPolicy(route.corsPolicy, [...path, 'corsPolicy'], findings);
  checkHTTPFault(route.fault, [...path, 'fault'], findings);
  checkMirrorPercents(route, path, findings);
  checkDestination(route.mirror, [...path, 'mirror'], findings);
  checkHTTPMirrors(route.mirrors, [...path, 'mirrors'], findings);
  checkHTTPRedirect(route.redirect, route.match, [...path, 'redirect'], findings);
  checkHTTPDirectResponse(route.directResponse, [...path, 'directResponse'], findings);
  checkHTTPRetry(route.retries, [...path, 'retries'], findings);
  checkHTTPRewrite(route.rewrite, [...path, 'rewrite'], findings);
  checkSingleAuthority(route.rewrite, route.headers, path, findings);
  checkHTTPRouteDestinations(route.route, [...path, 'route'], findings);
  checkDurationField(route.timeout, [...path, 'timeout'], findings, 'VS_TIMEOUT_INVALID');
}
