// Warns about VirtualService rules and matches that can never be used (Istio's VirtualServiceUnreachableRule/IneffectiveMatch).
import type { StringMatch } from '../config/wire/common.ts';
import type { HTTPMatchRequest, HTTPRoute, VirtualServiceSpec } from '../config/wire/virtual-service.ts';
import type { Findings } from './findings.ts';

type Section = 'http' | 'tls' | 'tcp';

interface RuleLike {
  readonly name?: string;
  readonly match?: readonly unknown[];
}

/** Istio names a rule by its quoted name when it has one (HTTP only), otherwise by `#index`. */
function ruleName(section: Section, rule: RuleLike, index: number): string {
  return section === 'http' && rule.name ? JSON.stringify(rule.name) : `#${index}`;
}

function matchName(section: Section, match: unknown, index: number): string {
  const name = section === 'http' ? (match as HTTPMatchRequest | null)?.name : undefined;
  return name ? JSON.stringify(name) : `#${index}`;
}

/**
 * A stable serialisation for "same match" comparisons: keys sorted, the match's name dropped (it only
 * labels stats) and unset-like values (absent, null, false, 0, empty lists) omitted, as Go's JSON
 * encoding of the proto omits them.
 */
function canonical(value: unknown, dropName: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, false)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => !(dropName && k === 'name') && !isUnset(v))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v, false)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function isUnset(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || (Array.isArray(v) && v.length === 0);
}

/** One HTTP match with a uri prefix, reduced to what Istio compares for overlap. */
interface PrefixMatch {
  readonly rule: number;
  readonly match: number;
  readonly ruleStr: string;
  readonly matchStr: string;
  readonly prefix: string;
  readonly port: number;
  readonly method: string;
  readonly authority: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly queryParams: ReadonlyMap<string, string>;
  readonly withoutHeaders: ReadonlyMap<string, string>;
}

function exactOrPrefix(sm: StringMatch | null | undefined): string {
  if (sm?.exact) return `exact:${sm.exact}`;
  if (sm?.prefix) return `prefix:${sm.prefix}`;
  return '';
}

function toMap(m: Readonly<Record<string, StringMatch | null>> | undefined): Map<string, string> {
  return new Map(Object.entries(m ?? {}).map(([k, v]) => [k, exactOrPrefix(v)]));
}

function prefixMatch(route: HTTPRoute, match: HTTPMatchRequest, rule: number, index: number): PrefixMatch | undefined {
  const prefix = match.uri?.prefix ?? '';
  if (prefix === '') return undefined;
  return {
    rule,
    match: index,
    ruleStr: ruleName('http', route, rule),
    matchStr: matchName('http', match, index),
    prefix,
    port: match.port ?? 0,
    // Istio compares a match without a method as if it matched GET only.
    method: exactOrPrefix(match.method) || 'exact:GET',
    authority: exactOrPrefix(match.authority),
    headers: toMap(match.headers),
    queryParams: toMap(match.queryParams),
    withoutHeaders: toMap(match.withoutHeaders),
  };
}

/** Istio's comparison, kept as it is: a value of the earlier match must start with the later one's. */
function mapCovered(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, value] of a) {
    const other = b.get(key);
    if (other === undefined || (value !== other && !value.startsWith(other))) return false;
  }
  return true;
}

/** True when the earlier prefix match `a` already takes every request the later match `b` would. */
function covers(a: PrefixMatch, b: PrefixMatch): boolean {
  if (!b.prefix.startsWith(a.prefix) || a.port !== b.port) return false;
  if (a.method !== b.method && !a.method.startsWith(b.method)) return false;
  if (a.authority !== b.authority && !a.authority.startsWith(b.authority)) return false;
  return (
    mapCovered(a.headers, b.headers) &&
    mapCovered(a.queryParams, b.queryParams) &&
    mapCovered(a.withoutHeaders, b.withoutHeaders)
  );
}

function analyzeSection(section: Section, rules: readonly (RuleLike | null | undefined)[], findings: Findings): void {
  const seen = new Map<string, number>();
  const prefixes: PrefixMatch[] = [];
  let catchAll = -1;
  const unused = (rule: RuleLike, i: number, reason: string): void =>
    findings.warning(
      [section, i],
      'VS_UNREACHABLE_RULE',
      `virtualService rule ${ruleName(section, rule, i)} not used (${reason})`,
    );
  const ineffective = (i: number, j: number, ruleStr: string, matchStr: string, dupStr: string): void =>
    findings.warning(
      [section, i, 'match', j],
      'VS_INEFFECTIVE_MATCH',
      `virtualService rule ${ruleStr} match ${matchStr} is not used (duplicate/overlapping match in rule ${dupStr})`,
    );

  rules.forEach((rule, i) => {
    if (!rule) return;
    const matches = rule.match ?? [];
    if (matches.length === 0) {
      if (catchAll >= 0) unused(rule, i, 'only the last rule can have no matches');
      catchAll = i;
      return;
    }
    if (catchAll >= 0) {
      unused(rule, i, 'route without matches defined before');
      return;
    }
    let duplicates = 0;
    matches.forEach((match, j) => {
      const key = canonical(match, true);
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        const earlierRule = rules[earlier] ?? {};
        ineffective(
          i,
          j,
          ruleName(section, rule, i),
          matchName(section, match, j),
          ruleName(section, earlierRule, earlier),
        );
        duplicates++;
        return;
      }
      seen.set(key, i);
      const pm =
        section === 'http' && match ? prefixMatch(rule as HTTPRoute, match as HTTPMatchRequest, i, j) : undefined;
      if (pm) prefixes.push(pm);
    });
    if (duplicates === matches.length) unused(rule, i, 'all matches used by prior rules');
  });

  for (let a = 0; a < prefixes.length; a++) {
    for (let b = a + 1; b < prefixes.length; b++) {
      const first = prefixes[a];
      const later = prefixes[b];
      // Identical prefixes were handled above as duplicates (or differ in fields Istio does not compare).
      if (!first || !later || first.prefix === later.prefix || !covers(first, later)) continue;
      ineffective(
        later.rule,
        later.match,
        later.ruleStr,
        `${later.matchStr} of prefix ${later.prefix}`,
        `${first.matchStr} of prefix ${first.prefix} on ${first.ruleStr}`,
      );
    }
  }
}

/** Appends the unreachable-rule and ineffective-match warnings for every route list of the VS. */
export function analyzeUnreachableRules(spec: VirtualServiceSpec, findings: Findings): void {
  analyzeSection('http', spec.http ?? [], findings);
  analyzeSection('tcp', spec.tcp ?? [], findings);
  analyzeSection('tls', spec.tls ?? [], findings);
}
