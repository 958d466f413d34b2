// Checks where a VirtualService sends traffic: weighted destinations (HTTP, TLS, TCP) and mirrors.
import type { FieldPath } from '../config/resource.ts';
import type { Destination } from '../config/wire/common.ts';
import type { HTTPMirrorPolicy, HTTPRouteDestination, RouteDestination } from '../config/wire/virtual-service.ts';
import { validateDestination } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkHeaders } from './header-operations.ts';

/** Reports one Destination's problems (host, subset, port) under `path`, with VS_-prefixed codes. */
export function checkDestination(dest: Destination | null | undefined, path: FieldPath, findings: Findings): void {
  if (!dest) return;
  for (const issue of validateDestination(dest)) {
    findings.error([...path, ...issue.path], `VS_${issue.code}`, issue.message);
  }
}

/**
 * Shared by HTTP and L4 routes: every entry needs a destination, weights are not negative, and
 * several destinations may not all weigh 0 (nothing could be picked). Sums other than 100 are fine:
 * Envoy uses the weights as relative shares.
 */
function checkWeighted(
  entries: readonly (RouteDestination | HTTPRouteDestination | null | undefined)[],
  path: FieldPath,
  findings: Findings,
  checkExtra: (entry: HTTPRouteDestination, entryPath: FieldPath) => void,
): void {
  let total = 0;
  entries.forEach((entry, i) => {
    const entryPath = [...path, i];
    if (!entry) {
      findings.error(entryPath, 'VS_DESTINATION_NULL', 'weight may not be nil');
      return;
    }
    if (!entry.destination) findings.error(entryPath, 'VS_DESTINATION_REQUIRED', 'destination is required');
    checkExtra(entry, entryPath);
    checkDestination(entry.destination, [...entryPath, 'destination'], findings);
    const weight = entry.weight ?? 0;
    if (weight < 0) findings.error([...entryPath, 'weight'], 'VS_WEIGHT_NEGATIVE', `weight ${weight} < 0`);
    total += weight;
  });
  if (entries.length > 1 && total === 0) findings.error(path, 'VS_TOTAL_WEIGHT_ZERO', 'total destination weight = 0');
}

/** `http[].route`: weighted destinations, each with its own header operations. */
export function checkHTTPRouteDestinations(
  entries: readonly (HTTPRouteDestination | null | undefined)[] | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  checkWeighted(entries ?? [], path, findings, (entry, entryPath) =>
    checkHeaders(entry.headers, [...entryPath, 'headers'], findings),
  );
}

/** `tls[].route` and `tcp[].route`. */
export function checkRouteDestinations(
  entries: readonly (RouteDestination | null | undefined)[] | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  checkWeighted(entries ?? [], path, findings, () => undefined);
}

/** `mirrors[]`: each needs a destination and a percentage within 0..100. */
export function checkHTTPMirrors(
  mirrors: readonly (HTTPMirrorPolicy | null | undefined)[] | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  (mirrors ?? []).forEach((mirror, i) => {
    const mirrorPath = [...path, i];
    if (!mirror) {
      findings.error(mirrorPath, 'VS_MIRROR_NULL', 'mirror cannot be null');
      return;
    }
    if (!mirror.destination) {
      findings.error(mirrorPath, 'VS_MIRROR_DESTINATION_REQUIRED', 'destination is required for mirrors');
      return;
    }
    checkDestination(mirror.destination, [...mirrorPath, 'destination'], findings);
    if (mirror.percentage) {
      const value = mirror.percentage.value ?? 0;
      const valuePath = [...mirrorPath, 'percentage', 'value'];
      if (value > 100)
        findings.error(
          valuePath,
          'VS_MIRROR_PERCENTAGE_INVALID',
          `mirror percentage must have a max value of 100 (it has ${goFloat(value)})`,
        );
      if (value < 0)
        findings.error(
          valuePath,
          'VS_MIRROR_PERCENTAGE_INVALID',
          `mirror percentage must have a min value of 0 (it has ${goFloat(value)})`,
        );
    }
  });
}

/** Go's %f: six decimals, as Istio prints percentages in these messages. */
export function goFloat(value: number): string {
  return value.toFixed(6);
}
