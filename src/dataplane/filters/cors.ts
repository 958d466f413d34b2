// Envoy's CORS filter for one route: answers preflights from allowed origins itself, and adds the
// Access-Control-* headers to responses for allowed origins (spec §1.2 corsPolicy).
import type { CorsPolicy } from '../../compiler/snapshot.ts';
import { matchString } from '../router/route-matchers.ts';

export type CorsOutcome =
  /** Not a CORS request, or an origin the policy does not allow: nothing to add. */
  | { readonly kind: 'none' }
  /** A preflight the proxy answers itself with these headers (status 200). */
  | { readonly kind: 'preflight'; readonly headers: Readonly<Record<string, string>> }
  /** A request that goes on; these headers are added to its response. */
  | { readonly kind: 'forward'; readonly responseHeaders: Readonly<Record<string, string>> };

const NONE: CorsOutcome = Object.freeze({ kind: 'none' });

export function evaluateCors(
  policy: CorsPolicy | undefined,
  method: string,
  header: (name: string) => string | undefined,
): CorsOutcome {
  if (policy === undefined) return NONE;
  const origin = header('origin');
  if (origin === undefined || origin === '') return NONE;
  let allowed = false;
  for (let i = 0; i < policy.allowOrigins.length && !allowed; i++)
    allowed = matchString(policy.allowOrigins[i]!, origin);
  const preflight = method === 'OPTIONS' && header('access-control-request-method') !== undefined;
  if (preflight) {
    if (!allowed) {
      // unmatchedPreflights IGNORE: the proxy still answers, without any Access-Control-* header.
      return policy.forwardNotMatchingPreflights ? NONE : { kind: 'preflight', headers: {} };
    }
    const headers: Record<string, string> = { 'access-control-allow-origin': origin };
    if (policy.allowCredentials) headers['access-control-allow-credentials'] = 'true';
    if (policy.allowMethods !== '') headers['access-control-allow-methods'] = policy.allowMethods;
    if (policy.allowHeaders !== '') headers['access-control-allow-headers'] = policy.allowHeaders;
    if (policy.maxAge !== '') headers['access-control-max-age'] = policy.maxAge;
    return { kind: 'preflight', headers };
  }
  if (!allowed) return NONE;
  const responseHeaders: Record<string, string> = { 'access-control-allow-origin': origin };
  if (policy.allowCredentials) responseHeaders['access-control-allow-credentials'] = 'true';
  if (policy.exposeHeaders !== '') responseHeaders['access-control-expose-headers'] = policy.exposeHeaders;
  return { kind: 'forward', responseHeaders };
}
