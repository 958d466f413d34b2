// Checks VirtualService request/response header operations (set, add, remove) and the single-authority rule.
import type { FieldPath } from '../config/resource.ts';
import type { HeaderOperations, Headers, HTTPRewrite } from '../config/wire/virtual-service.ts';
import type { Findings } from './findings.ts';
import { isAuthorityHeader, isInternalHeader } from './header-names.ts';
import { headerValueProblem } from './header-value.ts';

/** Request set/add may write `:authority` or `host` (the authority rewrite), never another pseudo header. */
function requestWriteNameProblem(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (isInternalHeader(name) && !isAuthorityHeader(name))
    return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

/** Request remove and every response operation may touch neither `host` nor a pseudo header. */
function operationNameProblem(name: string): string | undefined {
  if (name === '') return 'header name cannot be empty';
  if (name.toLowerCase() === 'host') return `invalid header "${name}": cannot set Host header`;
  if (name.startsWith(':')) return `invalid header "${name}": header cannot have ":" prefix`;
  return undefined;
}

function checkWrites(
  writes: Readonly<Record<string, unknown>> | undefined,
  nameProblem: (name: string) => string | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  for (const [name, raw] of Object.entries(writes ?? {})) {
    const namePath = [...path, name];
    const problem = nameProblem(name);
    if (problem) findings.error(namePath, 'VS_HEADER_NAME_INVALID', problem);
    const valueProblem = headerValueProblem(typeof raw === 'string' ? raw : String(raw ?? ''));
    if (valueProblem) findings.error(namePath, 'VS_HEADER_VALUE_INVALID', valueProblem);
  }
}

function checkRemoves(removes: readonly string[] | undefined, path: FieldPath, findings: Findings): void {
  (removes ?? []).forEach((name, i) => {
    const problem = operationNameProblem(typeof name === 'string' ? name : '');
    if (problem) findings.error([...path, i], 'VS_HEADER_NAME_INVALID', problem);
  });
}

function checkOperations(
  ops: HeaderOperations | null | undefined,
  isRequest: boolean,
  path: FieldPath,
  findings: Findings,
): void {
  if (!ops) return;
  const writeName = isRequest ? requestWriteNameProblem : operationNameProblem;
  checkWrites(ops.set, writeName, [...path, 'set'], findings);
  checkWrites(ops.add, writeName, [...path, 'add'], findings);
  checkRemoves(ops.remove, [...path, 'remove'], findings);
}

/** Checks `headers.request` and `headers.response` at `path` (a route's or a destination's `headers`). */
export function checkHeaders(headers: Headers | null | undefined, path: FieldPath, findings: Findings): void {
  if (!headers) return;
  checkOperations(headers.request, true, [...path, 'request'], findings);
  checkOperations(headers.response, false, [...path, 'response'], findings);
}

/**
 * The authority may be rewritten in one place only: `rewrite.authority` or one `host`/`:authority`
 * entry in the route's request set/add. Envoy would apply them in an order users cannot see.
 */
export function checkSingleAuthority(
  rewrite: HTTPRewrite | null | undefined,
  headers: Headers | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  let current = rewrite?.authority ?? '';
  const request = headers?.request;
  for (const op of ['set', 'add'] as const) {
    for (const [name, raw] of Object.entries(request?.[op] ?? {})) {
      if (!isAuthorityHeader(name)) continue;
      const value = typeof raw === 'string' ? raw : String(raw ?? '');
      if (current !== '') {
        findings.error(
          [...path, 'headers', 'request', op, name],
          'VS_AUTHORITY_SET_TWICE',
          `authority header cannot be set multiple times: have "${current}", attempting to set "${value}"`,
        );
        return;
      }
      current = value;
    }
  }
}
