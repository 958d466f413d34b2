// Evaluates the snapshot's compiled matchers against one request; RE2 programs are built once per matcher.
import { compileRe2, type Re2Program } from '../../model/re2.ts';
import type { RouteMatch, Snapshot, StringMatcher } from '../../compiler/snapshot.ts';
import { compileRewriteProgram } from '../filters/rewrite.ts';

/** The parts of a request routes can match on. */
export interface RequestFacts {
  readonly method: string;
  /** The path as sent, including any query string. */
  readonly path: string;
  readonly scheme: string;
  readonly authority: string;
  header(name: string): string | undefined;
}

/** An RE2 program and the literal every full match must start with ('' when none is known). */
interface Program {
  readonly re: Re2Program;
  readonly literal: string;
}

const programs = new WeakMap<StringMatcher, Program>();

const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$']);
const QUANTIFIERS = new Set(['*', '?', '{', '+']);

/**
 * The plain characters a pattern starts with, which any full match must start with too: a cheap test that
 * spares most non-matching values the RE2 run (measured in bench/micro/route-match.ts). Conservative: no
 * literal for alternations, and a character a quantifier applies to is not part of it.
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  const start = pattern.startsWith('^') ? 1 : 0;
  let end = start;
  while (end < pattern.length && !META.has(pattern[end]!)) end++;
  if (end < pattern.length && QUANTIFIERS.has(pattern[end]!)) end--;
  return end > start ? pattern.slice(start, end) : '';
}

function program(m: StringMatcher): Program {
  let p = programs.get(m);
  if (p === undefined) {
    p = { re: compileRe2(m.value), literal: literalPrefix(m.value) };
    programs.set(m, p);
  }
  return p;
}

/**
 * Builds every RE2 program of a snapshot's matchers (and rewrites) before it goes live, so the first request pays
 * nothing and a pattern RE2 rejects fails the swap instead of a request.
 */
export function compileSnapshotMatchers(snapshot: Snapshot): void {
  for (const config of Object.values(snapshot.routeConfigs)) {
    for (const vhost of config.virtualHosts) {
      for (const route of vhost.routes) {
        for (const m of route.matches) {
          for (const s of [
            m.uri,
            m.method,
            m.scheme,
            m.authority,
            ...m.headers.map((h) => h.matcher),
            ...m.queryParams.map((q) => q.matcher),
          ]) {
            if (s?.kind === 'regex') program(s);
          }
        }
        for (const origin of route.cors?.allowOrigins ?? []) if (origin.kind === 'regex') program(origin);
        if (route.action.kind === 'route') compileRewriteProgram(route.action.rewrite);
      }
    }
  }
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
    case 'regex': {
      const p = program(m);
      return value.startsWith(p.literal) && p.re.matches(value);
    }
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
  if (match.uri !== undefined && !matchString(match.uri, match.uri.kind === 'prefix' ? req.path : pathOnly(req.path)))
    return false;
  if (match.method !== undefined && !matchString(match.method, req.method)) return false;
  if (match.scheme !== undefined && !matchString(match.scheme, req.scheme)) return false;
  if (match.authority !== undefined && !matchString(match.authority, req.authority)) return false;
  // Indexed loops: frozen arrays are slow to iterate otherwise (see http-router.ts).
  const headers = match.headers;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    if (matchString(h.matcher, req.header(h.name)) === h.invert) return false;
  }
  const params = match.queryParams;
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (!matchString(p.matcher, queryParam(req.path, p.name))) return false;
  }
  return true;
}
