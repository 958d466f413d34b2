// Checks a route's retry policy (HTTPRetry): attempts, per-try timeout, backoff and the retryOn list.
import type { FieldPath } from '../config/resource.ts';
import type { HTTPRetry } from '../config/wire/virtual-service.ts';
import { checkDurationField } from './fields.ts';
import type { Findings } from './findings.ts';

/** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies, as Istio accepts them. */
export const RETRY_ON_POLICIES: ReadonlySet<string> = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/**
 * Status codes Go's http.StatusText names: Istio accepts a retryOn entry that is one of them and
 * turns it into a retriable status code. 306 is unused and 419/420 were never registered.
 */
const KNOWN_STATUS_CODES: ReadonlySet<number> = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400,
  401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425,
  426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Go's strconv.Atoi accepts an optional sign and leading zeros ("+503", "0503"); anything else is not a number. */
function asStatusCode(token: string): number | undefined {
  return /^[+-]?\d{1,10}$/.test(token) ? Number(token) : undefined;
}

/** True when `token` is a retry policy name or a known HTTP status code. Spaces are not trimmed, as in Istio. */
export function isValidRetryOn(token: string): boolean {
  if (RETRY_ON_POLICIES.has(token)) return true;
  const status = asStatusCode(token);
  return status !== undefined && KNOWN_STATUS_CODES.has(status);
}

/**
 * Attempts 0 disables retries, so any other retry setting beside it is a contradiction Istio
 * rejects; this includes a policy that only forgot to set `attempts`.
 */
export function checkHTTPRetry(retries: HTTPRetry | null | undefined, path: FieldPath, findings: Findings): void {
  if (!retries) return;
  const attempts = retries.attempts ?? 0;
  if (attempts < 0) findings.error([...path, 'attempts'], 'VS_RETRY_ATTEMPTS_NEGATIVE', 'attempts cannot be negative');
  const configured =
    retries.perTryTimeout !== undefined ||
    (retries.retryOn ?? '') !== '' ||
    retries.retryRemoteLocalities !== undefined;
  if (attempts === 0 && configured) {
    findings.error(
      [...path, 'attempts'],
      'VS_RETRY_DISABLED_WITH_POLICY',
      'http retry policy configured when attempts are set to 0 (disabled)',
    );
  }
  checkDurationField(retries.perTryTimeout, [...path, 'perTryTimeout'], findings, 'VS_RETRY_PER_TRY_TIMEOUT_INVALID');
  const retryOn = retries.retryOn ?? '';
  if (retryOn !== '') {
    for (const token of String(retryOn).split(',')) {
      if (!isValidRetryOn(token)) {
        findings.error([...path, 'retryOn'], 'VS_RETRY_ON_UNKNOWN', `"${token}" is not a valid retryOn policy`);
      }
    }
  }
  checkDurationField(retries.backoff, [...path, 'backoff'], findings, 'VS_RETRY_BACKOFF_INVALID');
}
