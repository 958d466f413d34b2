// Envoy's retry conditions for an attempt's outcome, and its jittered exponential backoff.
import type { RetryPolicy } from '../../compiler/snapshot.ts';
import { UpstreamConnectError } from '../../errors.ts';

const CONNECT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const RESET_CODES: ReadonlySet<string> = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

export function isConnectFailure(error: unknown): boolean {
  if (error instanceof UpstreamConnectError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_CODES.has(code);
}

export function isReset(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RESET_CODES.has(code);
}

/** A failed attempt (no response) is retried on connect-failure, or on reset / 5xx / gateway-error for resets. */
export function retriableError(policy: RetryPolicy, error: unknown): boolean {
  const on = policy.retryOn;
  if (isConnectFailure(error)) return on.includes('connect-failure') || on.includes('5xx') || on.includes('gateway-error') || on.includes('reset');
  if (isReset(error)) return on.includes('reset') || on.includes('5xx');
  return false;
}

export function retriableStatus(policy: RetryPolicy, status: number): boolean {
  const on = policy.retryOn;
  if (on.includes('5xx') && status >= 500) return true;
  if (on.includes('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
  if (on.includes('retriable-4xx') && status === 409) return true;
  return on.includes('retriable-status-codes') && policy.retriableStatusCodes.includes(status);
}

/** Full jitter over base × 2^(attempt), capped at the maximum (Envoy's default backoff). */
export function backoffMs(policy: RetryPolicy, retryNumber: number, random: number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** retryNumber);
  return Math.floor(random * ceiling);
}
