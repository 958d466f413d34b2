// Checks a route's CORS policy: origins, methods, header lists and max age.
import type { FieldPath } from '../config/resource.ts';
import type { CorsPolicy } from '../config/wire/virtual-service.ts';
import { checkDurationField, parseDurationNanos } from './fields.ts';
import type { Findings } from './findings.ts';
import { corsHeaderNameProblem } from './header-names.ts';
import { checkStringMatchRegex, matchKinds } from './string-match.ts';

/** The methods Go's net/http names, plus '*'; Istio accepts only these (case-sensitive). */
export const CORS_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  '*',
]);

function checkHeaderList(names: readonly string[] | undefined, path: FieldPath, findings: Findings): void {
  (names ?? []).forEach((name, i) => {
    const problem = corsHeaderNameProblem(String(name ?? ''));
    if (problem !== undefined) findings.error([...path, i], 'VS_CORS_HEADER_INVALID', problem);
  });
}

export function checkCorsPolicy(policy: CorsPolicy | null | undefined, path: FieldPath, findings: Findings): void {
  if (!policy) return;
  (policy.allowOrigins ?? []).forEach((origin, i) => {
    const originPath = [...path, 'allowOrigins', i];
    const kind = origin ? matchKinds(origin)[0] : undefined;
    const value = kind === undefined || !origin ? '' : (origin[kind] ?? '');
    if (value === '') {
      findings.error(originPath, 'VS_CORS_ORIGIN_EMPTY', `'${value}' is not a valid match type for CORS allow origins`);
      return;
    }
    if (kind === 'regex') checkStringMatchRegex(value, 'corsPolicy.allowOrigins', [...originPath, 'regex'], findings);
  });
  (policy.allowMethods ?? []).forEach((method, i) => {
    if (!CORS_METHODS.has(method))
      findings.error(
        [...path, 'allowMethods', i],
        'VS_CORS_METHOD_UNSUPPORTED',
        `"${method}" is not a supported HTTP method`,
      );
  });
  checkHeaderList(policy.allowHeaders, [...path, 'allowHeaders'], findings);
  checkHeaderList(policy.exposeHeaders, [...path, 'exposeHeaders'], findings);
  if (policy.maxAge !== undefined && policy.maxAge !== null) {
    const maxAgePath = [...path, 'maxAge'];
    checkDurationField(policy.maxAge, maxAgePath, findings, 'VS_CORS_MAX_AGE_INVALID');
    // Access-Control-Max-Age is a whole number of seconds; Envoy would silently drop the fraction.
    const nanos = parseDurationNanos(String(policy.maxAge));
    if (nanos !== undefined && nanos % 1_000_000_000n !== 0n) {
      findings.error(maxAgePath, 'VS_CORS_MAX_AGE_PRECISION', 'max_age duration is accurate only to seconds precision');
    }
  }
}
