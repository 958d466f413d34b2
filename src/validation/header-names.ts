// Header-name rules Istio applies to VirtualService matches, header operations and CORS lists.

/** RFC 7230 `token` characters: the only ones a header field name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;

/** HTTP/2 pseudo headers a match may name (RFC 7540 §8.1.2.3). */
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);

/** The key prefix that routes on a JWT claim instead of a header (gateway only). */
const JWT_CLAIM_PREFIX = '@request.auth.claims';

export function isHeaderToken(name: string): boolean {
  return TOKEN.test(name);
}

/**
 * True for `@request.auth.claims.<a>[.<b>]` and `@request.auth.claims[<a>][<b>]`, which Istio
 * turns into a JWT-claim match. The prefix is compared case-insensitively, as Istio does.
 */
export function isJwtClaimRoute(name: string): boolean {
  if (!name.toLowerCase().startsWith(JWT_CLAIM_PREFIX)) return false;
  const rest = name.slice(JWT_CLAIM_PREFIX.length);
  if (rest.startsWith('.') && rest.length > 1) return true;
  return rest.startsWith('[') && rest.endsWith(']') && rest.length > 2;
}

/** A header name in an HTTP match: a token, a pseudo header, or a JWT claim key. */
export function matchHeaderNameProblem(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name) || isHeaderToken(name)) return undefined;
  return `header name ${name} is not a valid header name`;
}

/** A header name in a CORS allow/expose list: a token or `*`. */
export function corsHeaderNameProblem(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name === '*' || isHeaderToken(name)) return undefined;
  return `header name ${name} is not a valid header name`;
}

/** `host` and `:`-prefixed headers are managed by Envoy, not by header operations. */
export function isInternalHeader(name: string): boolean {
  return name.startsWith(':') || name.toLowerCase() === 'host';
}

/** Both spellings of the request authority. */
export function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ':authority' || lower === 'host';
}
