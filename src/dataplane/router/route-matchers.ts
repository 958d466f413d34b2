// Evaluates the snapshot's compiled matchers against one request; RE2 programs are built once per matcher.
import { RE2JS } from 're2js';
import type { RouteMatch, StringMatcher } from '../../compiler/snapshot.ts';

/** The parts of a request routes can match on. */
export interface RequestFacts {
  readonly method: string;
  /** The path as sent, including any query string. */
  readonly path: string;
  readonly scheme: string;
  readonly authority: string;
  header(name: string): string | undefined;
}

const programs = new WeakMap<StringMatcher, RE2JS>();

function program(m: StringMatcher): RE2JS {
  let re = programs.get(m);
  if (re === undefined) {
    re = RE2JS.compile(m.value);
    programs.set(m, re);
  }
  return re;
}

/** Regexes must match the whole value, as Envoy's safe_regex does. */
export function matchString(m: StringMatcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  switch (m.kind) {
    case 'present':
      return true;
    case 'exact':
      return (m.ignoreCase ? value.toLowerCase() : value) === m.value;
    case 'prefix':
      return (m.ignoreCase ? value.toLowerCase() : value).startsWith(m.value);
    case 'regex':
      return program(m).matches(value);
  }
}

function pathOnly(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function queryParam(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  const value = new URLSearchParams(path.slice(q + 1)).get(name);
  return value ?? undefined;
}

/** All set conditions of one match entry hold. Prefix compares the raw :path; exact and regex ignore the query. */
export function matchRoute(match: RouteMatch, req: RequestFacts): boolean {
  if (match.uri !== undefined && !matchString(match.uri, match.uri.kind === 'prefix' ? req.path : pathOnly(req.path))) return false;
  if (match.method !== undefined && !matchString(match.method, req.method)) return false;
  if (match.scheme !== undefined && !matchString(match.scheme, req.scheme)) return false;
  if (match.authority !== undefined && !matchString(match.authority, req.authority)) return false;
  for (const h of match.headers) {
    if (matchString(h.matcher, req.header(h.name)) === h.invert) return false;
  }
  for (const p of match.queryParams) {
    if (!matchString(p.matcher, queryParam(req.path, p.name))) return false;
  }
  return true;
}
