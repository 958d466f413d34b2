// Applies a route's `rewrite` and `redirect` path rules: Envoy's prefix_rewrite, regex_rewrite (RE2, every
// match replaced, `\1` groups) and RedirectAction's Location, with RE2 programs built once per rule.
import { compileRe2, type Re2Program } from '../../model/re2.ts';
import type { PathRewrite, RedirectAction } from '../../compiler/snapshot.ts';

const programs = new WeakMap<object, Re2Program>();

function program(rule: { readonly pattern: string }): Re2Program {
  let re = programs.get(rule);
  if (re === undefined) {
    re = compileRe2(rule.pattern);
    programs.set(rule, re);
  }
  return re;
}

/** Builds a route's rewrite regex now (when its snapshot goes live) rather than on its first request. */
export function compileRewriteProgram(rewrite: PathRewrite | undefined): void {
  if (rewrite?.regex !== undefined) program(rewrite.regex);
}

function splitQuery(path: string): [string, string] {
  const q = path.indexOf('?');
  return q < 0 ? [path, ''] : [path.slice(0, q), path.slice(q)];
}

function replacePrefix(path: string, rule: { readonly matchedPrefix: string; readonly replacement: string }): string {
  const [pathOnly, query] = splitQuery(path);
  // The route matched, so the path starts with the prefix (case-insensitively under ignoreUriCase).
  return `${rule.replacement}${pathOnly.slice(rule.matchedPrefix.length)}${query}`;
}

/** The path after `rewrite`, or the same string when the route rewrites no path. */
export function rewritePath(path: string, rewrite: PathRewrite | undefined): string {
  if (rewrite === undefined) return path;
  if (rewrite.prefix !== undefined) return replacePrefix(path, rewrite.prefix);
  if (rewrite.regex !== undefined) {
    const [pathOnly, query] = splitQuery(path);
    // Envoy writes groups as \1; re2js's replacement syntax is $1.
    const substitution = rewrite.regex.substitution.replace(/\$/g, '$$$$').replace(/\\(\d)/g, '$$$1');
    return `${program(rewrite.regex).matcher(pathOnly).replaceAll(substitution)}${query}`;
  }
  return path;
}

const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Splits `host[:port]` (or `[v6]:port`) into the host and the port text ('' when none). */
function splitHostPort(authority: string): [string, string] {
  const colon = authority.startsWith('[') ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':');
  return colon < 0 ? [authority, ''] : [authority.slice(0, colon), authority.slice(colon + 1)];
}

/**
 * The Location of a redirect, as Envoy's RouteEntryImplBase builds it: a redirect `authority` is used as
 * written; otherwise the request's authority keeps its port unless the rule sets a port, or the scheme
 * changes and the port was the old scheme's default. An explicit port is always written.
 */
export function redirectLocation(
  rule: RedirectAction,
  request: { scheme: string; authority: string; port: number; path: string },
): string {
  const scheme = rule.scheme ?? request.scheme;
  const port = rule.port ?? (rule.portFromRequest === true ? request.port : undefined);
  let host: string;
  if (rule.host !== undefined) {
    host = port === undefined ? rule.host : splitHostPort(rule.host)[0];
  } else {
    const [name, requestPort] = splitHostPort(request.authority);
    const dropPort = port !== undefined || (scheme !== request.scheme && requestPort === DEFAULT_PORT[request.scheme]);
    host = dropPort || requestPort === '' ? name : `${name}:${requestPort}`;
  }
  let path = request.path;
  if (rule.path !== undefined) {
    const [, query] = splitQuery(request.path);
    path = rule.path.includes('?') ? rule.path : `${rule.path}${query}`;
  } else if (rule.prefixRewrite !== undefined) {
    path = replacePrefix(request.path, rule.prefixRewrite);
  }
  return `${scheme}://${host}${port === undefined ? '' : `:${port}`}${path}`;
}
