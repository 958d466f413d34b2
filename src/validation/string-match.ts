// Checks Istio StringMatch values (exact | prefix | regex) and RE2 regexes the way Istio does before Envoy sees them.
import { compileRe2 } from '../model/re2.ts';
import type { FieldPath } from '../config/resource.ts';
import type { StringMatch } from '../config/wire/common.ts';
import type { Findings } from './findings.ts';

/**
 * Envoy limits the RE2 program size; Istio approximates that limit by the pattern's length, which is
 * always smaller than the program size, so a pattern under 1024 characters may still be accepted.
 */
export const MAX_REGEX_LENGTH = 1024;

const RE2_SYNTAX_HINT = 'Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)';

/** The problem with one regex (too long, or not RE2), or undefined when Envoy would accept it. */
export function regexProblem(re: string, where: string): { code: string; message: string } | undefined {
  if (re.length > MAX_REGEX_LENGTH) {
    return {
      code: 'REGEX_TOO_LARGE',
      message: `"${where}": regex is too large, max length allowed is ${MAX_REGEX_LENGTH}`,
    };
  }
  try {
    compileRe2(re);
    return undefined;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { code: 'REGEX_INVALID', message: `"${where}": ${detail}; ${RE2_SYNTAX_HINT}` };
  }
}

/** Reports a regex problem at `path` with the code prefixed by `codePrefix` (e.g. 'VS_'). */
export function checkRegex(re: string, where: string, path: FieldPath, findings: Findings, codePrefix: string): void {
  const problem = regexProblem(re, where);
  if (problem) findings.error(path, codePrefix + problem.code, problem.message);
}

/** Which of the three match kinds a StringMatch sets; YAML can set several, which the CRD schema rejects. */
export function matchKinds(sm: StringMatch): ('exact' | 'prefix' | 'regex')[] {
  const kinds: ('exact' | 'prefix' | 'regex')[] = [];
  if (sm.exact !== undefined && sm.exact !== null) kinds.push('exact');
  if (sm.prefix !== undefined && sm.prefix !== null) kinds.push('prefix');
  if (sm.regex !== undefined && sm.regex !== null) kinds.push('regex');
  return kinds;
}

export interface StringMatchOptions {
  /** Envoy allows an empty prefix for the path (it matches every path) but not for header-like values. */
  readonly allowEmptyPrefix: boolean;
}

/**
 * Checks one StringMatch: a single match kind, a non-empty prefix where Envoy needs one, and a
 * non-empty, compilable regex. `where` is Istio's name for the field, quoted in messages.
 */
export function checkStringMatch(
  sm: StringMatch | null | undefined,
  where: string,
  path: FieldPath,
  findings: Findings,
  options: StringMatchOptions,
): void {
  if (sm === undefined || sm === null) return;
  const kinds = matchKinds(sm);
  if (kinds.length > 1) {
    findings.error(
      path,
      'VS_STRING_MATCH_ONEOF',
      `"${where}": only one of exact, prefix or regex may be set (found ${kinds.join(', ')})`,
    );
    return;
  }
  if (kinds[0] === 'prefix' && sm.prefix === '' && !options.allowEmptyPrefix) {
    findings.error([...path, 'prefix'], 'VS_MATCH_PREFIX_EMPTY', `"${where}": prefix string match should not be empty`);
  }
  if (kinds[0] === 'regex') checkStringMatchRegex(sm.regex ?? '', where, [...path, 'regex'], findings);
}

/** A regex StringMatch must be non-empty and compile as RE2. */
export function checkStringMatchRegex(re: string, where: string, path: FieldPath, findings: Findings): void {
  if (re === '') {
    findings.error(path, 'VS_REGEX_EMPTY', `"${where}": regex string match should not be empty`);
    return;
  }
  checkRegex(re, where, path, findings, 'VS_');
}
