// Checks the non-forwarding actions of an HTTP route (redirect, directResponse) and its rewrite.
import type { FieldPath } from '../config/resource.ts';
import type {
  HTTPDirectResponse,
  HTTPMatchRequest,
  HTTPRedirect,
  HTTPRewrite,
} from '../config/wire/virtual-service.ts';
import { validatePort } from './fields.ts';
import type { Findings } from './findings.ts';
import { httpStatusProblem } from './http-fault.ts';
import { checkRegex, matchKinds } from './string-match.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

export function checkHTTPRedirect(
  redirect: HTTPRedirect | null | undefined,
  matches: readonly (HTTPMatchRequest | null | undefined)[] | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!redirect) return;
  const uri = redirect.uri ?? '';
  const prefixRewrite = redirect.prefixRewrite ?? '';
  if (uri !== '' && prefixRewrite !== '') {
    findings.error(
      path,
      'VS_REDIRECT_URI_AND_PREFIX_REWRITE',
      'redirect may only specify one of uri or prefix_rewrite',
    );
  }
  // A prefix can only be replaced when the route matched on a prefix; a match without a uri matches any path.
  if (prefixRewrite !== '') {
    const nonPrefix = (matches ?? []).some((m) => m?.uri && matchKinds(m.uri)[0] !== 'prefix');
    if (nonPrefix) {
      findings.error(
        [...path, 'prefixRewrite'],
        'VS_REDIRECT_PREFIX_REWRITE_NEEDS_PREFIX_MATCH',
        'redirect prefix_rewrite requires all URI matches to use prefix match type',
      );
    }
  }
  const hasPort = redirect.port !== undefined || redirect.derivePort !== undefined;
  if (
    uri === '' &&
    prefixRewrite === '' &&
    (redirect.authority ?? '') === '' &&
    !hasPort &&
    (redirect.scheme ?? '') === ''
  ) {
    findings.error(path, 'VS_REDIRECT_EMPTY', 'redirect must specify URI, authority, scheme, or port');
  }
  const code = redirect.redirectCode ?? 0;
  if (code !== 0 && (code < 300 || code > 399)) {
    findings.error(
      [...path, 'redirectCode'],
      'VS_REDIRECT_CODE_INVALID',
      `${code} is not a valid redirect code, must be 3xx`,
    );
  }
  const scheme = redirect.scheme ?? '';
  if (scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    findings.error(
      [...path, 'scheme'],
      'VS_REDIRECT_SCHEME_INVALID',
      'invalid redirect scheme, must be "http" or "https"',
    );
  }
  // Istio checks the port only when it is positive; 0 means "keep the request's port".
  if ((redirect.port ?? 0) > 0) {
    const problem = validatePort(redirect.port ?? 0);
    if (problem !== undefined) findings.error([...path, 'port'], 'VS_REDIRECT_PORT_INVALID', problem);
  }
}

/** Body size in bytes as Envoy stores it: UTF-8 for `string`, decoded base64 for `bytes`. */
function bodySize(body: HTTPDirectResponse['body']): number {
  if (!body) return 0;
  if (body.string !== undefined) return Buffer.byteLength(String(body.string), 'utf8');
  if (body.bytes !== undefined) return Buffer.from(String(body.bytes), 'base64').length;
  return 0;
}

export function checkHTTPDirectResponse(
  response: HTTPDirectResponse | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!response) return;
  // Every route carrying the body is pushed to every proxy, so large bodies cost the whole mesh.
  const size = bodySize(response.body);
  if (size > MIB) {
    findings.error(
      [...path, 'body'],
      'VS_DIRECT_RESPONSE_BODY_TOO_LARGE',
      'large direct_responses may impact control plane performance, must be less than 1MB',
    );
  } else if (size > 100 * KIB) {
    findings.warning(
      [...path, 'body'],
      'VS_DIRECT_RESPONSE_BODY_LARGE',
      'large direct_responses may impact control plane performance',
    );
  }
  const problem = httpStatusProblem(response.status ?? 0);
  if (problem !== undefined) findings.error([...path, 'status'], 'VS_DIRECT_RESPONSE_STATUS_INVALID', problem);
}

export function checkHTTPRewrite(rewrite: HTTPRewrite | null | undefined, path: FieldPath, findings: Findings): void {
  if (!rewrite) return;
  const uri = rewrite.uri ?? '';
  const regexRewrite = rewrite.uriRegexRewrite;
  if (uri !== '' && regexRewrite) {
    findings.error(path, 'VS_REWRITE_URI_AND_REGEX', 'rewrite may only contain one of URI or UriRegexRewrite');
  }
  if (uri === '' && !regexRewrite && (rewrite.authority ?? '') === '') {
    findings.error(
      path,
      'VS_REWRITE_EMPTY',
      'rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified',
    );
  }
  if (!regexRewrite) return;
  const regexPath = [...path, 'uriRegexRewrite'];
  const match = regexRewrite.match ?? '';
  if (match === '' || (regexRewrite.rewrite ?? '') === '') {
    findings.error(
      regexPath,
      'VS_REWRITE_REGEX_INCOMPLETE',
      'UriRegexRewrite requires both Rewrite and Match fields to be specified',
    );
    return;
  }
  checkRegex(match, 'HTTPRewrite.UriRegexRewrite.Match', [...regexPath, 'match'], findings, 'VS_');
}
