// Checks the match conditions of one HTTP route (HTTPMatchRequest): header names, string matches, port, selectors.
import type { FieldPath } from '../config/resource.ts';
import type { StringMatch } from '../config/wire/common.ts';
import type { HTTPMatchRequest } from '../config/wire/virtual-service.ts';
import { isDns1123Label, validateLabels, validatePort } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkGatewayNames } from './gateway-names.ts';
import { matchHeaderNameProblem } from './header-names.ts';
import { checkStringMatch } from './string-match.ts';

const HEADER_LIKE = { allowEmptyPrefix: false } as const;

function checkHeaderMatches(
  headers: Readonly<Record<string, StringMatch | null>> | undefined,
  where: 'headers' | 'withoutHeaders',
  path: FieldPath,
  findings: Findings,
): void {
  for (const [name, match] of Object.entries(headers ?? {})) {
    const headerPath = [...path, name];
    if (where === 'headers' && (match === null || match === undefined)) {
      findings.error(headerPath, 'VS_HEADER_MATCH_NULL', `header match ${name} cannot be null`);
    }
    const nameProblem = matchHeaderNameProblem(name);
    if (nameProblem !== undefined) findings.error(headerPath, 'VS_HEADER_NAME_INVALID', nameProblem);
    // In withoutHeaders, regex "*" is not RE2: Istio turns it into a presence match.
    if (where === 'withoutHeaders' && match?.regex === '*') continue;
    checkStringMatch(match, where, headerPath, findings, HEADER_LIKE);
  }
}

export function checkHTTPMatch(match: HTTPMatchRequest, path: FieldPath, findings: Findings): void {
  checkHeaderMatches(match.headers, 'headers', [...path, 'headers'], findings);
  checkHeaderMatches(match.withoutHeaders, 'withoutHeaders', [...path, 'withoutHeaders'], findings);
  // Envoy accepts an empty path prefix (it matches everything) but not an empty prefix for other values.
  checkStringMatch(match.uri, 'uri', [...path, 'uri'], findings, { allowEmptyPrefix: true });
  checkStringMatch(match.scheme, 'scheme', [...path, 'scheme'], findings, HEADER_LIKE);
  checkStringMatch(match.method, 'method', [...path, 'method'], findings, HEADER_LIKE);
  checkStringMatch(match.authority, 'authority', [...path, 'authority'], findings, HEADER_LIKE);
  for (const [name, qp] of Object.entries(match.queryParams ?? {})) {
    checkStringMatch(qp, 'queryParams', [...path, 'queryParams', name], findings, HEADER_LIKE);
  }
  if ((match.port ?? 0) !== 0) {
    const problem = validatePort(match.port ?? 0);
    if (problem !== undefined) findings.error([...path, 'port'], 'VS_MATCH_PORT_INVALID', problem);
  }
  for (const issue of validateLabels(match.sourceLabels)) {
    findings.error([...path, 'sourceLabels', ...issue.path], `VS_SOURCE_${issue.code}`, issue.message);
  }
  checkGatewayNames(match.gateways, [...path, 'gateways'], findings);
  const sourceNamespace = match.sourceNamespace ?? '';
  if (sourceNamespace !== '' && !isDns1123Label(sourceNamespace)) {
    findings.error(
      [...path, 'sourceNamespace'],
      'VS_SOURCE_NAMESPACE_INVALID',
      `sourceNamespace match ${sourceNamespace} is invalid`,
    );
  }
}
