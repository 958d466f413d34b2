// Applies a route's `rewrite` and `redirect` path rules: Envoy's prefix_rewrite, regex_rewrite (RE2, every
// match replaced, `\1` groups) and RedirectAction's Location, with RE2 programs built once per rule.
import { RE2JS } from 're2js';
import type { PathRewrite, RedirectAction } from '../../compiler/snapshot.ts';

const programs = new WeakMap<object, RE2JS>();

function program(rule: { readonly pattern: string }): RE2JS {
  let re = programs.get(rule);
  if (re === undefined) {
    re = RE2JS.compile(rule.pattern);
    programs.set(rule, re);
  }
  return re;
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

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * The Location of a redirect. `authority` and `port` are the request's; parts the rule leaves unset keep
 * the request's, and a port that is the default for the final scheme is left out, as Envoy does.
 */
export function redirectLocation(rule: RedirectAction, request: { scheme: string; authority: string; port: number; path: string }): string {
  const scheme = rule.scheme ?? request.scheme;
  const hostPort = rule.host ?? request.authority;
  const colon = hostPort.startsWith('[') ? hostPort.indexOf(':', hostPort.indexOf(']')) : hostPort.lastIndexOf(':');
  const host = colon >= 0 ? hostPort.slice(0, colon) : hostPort;
  const writtenPort = colon >= 0 ? Number(hostPort.slice(colon + 1)) : undefined;
  let port = rule.port ?? (rule.portFromRequest === true ? request.port : writtenPort);
  // A scheme change drops a port that was only the old scheme's default.
  if (rule.port === undefined && rule.portFromRequest !== true && rule.scheme !== undefined && port === DEFAULT_PORT[request.scheme]) port = undefined;
  const authority = port === undefined || port === DEFAULT_PORT[scheme] ? host : `${host}:${port}`;
  let path = request.path;
  if (rule.path !== undefined) {
    const [, query] = splitQuery(request.path);
    path = rule.path.includes('?') ? rule.path : `${rule.path}${query}`;
  } else if (rule.prefixRewrite !== undefined) {
    path = replacePrefix(request.path, rule.prefixRewrite);
  }
  return `${scheme}://${authority}${path}`;
}
