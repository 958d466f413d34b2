// Envoy's retry conditions for an attempt's outcome, and its jittered exponential backoff.
import type { RetryPolicy } from '../../compiler/snapshot.ts';
import { UpstreamConnectError, UpstreamResetError } from '../../errors.ts';
import { UpstreamProtocolError } from '../upstream/http1-response-reader.ts';

const CONNECT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** Resets as Envoy counts them: the connection closed or broke before a response, or spoke garbage. */
const RESET_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  UpstreamResetError.code,
  UpstreamProtocolError.code,
]);

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
  if (isConnectFailure(error))
    return on.includes('connect-failure') || on.includes('5xx') || on.includes('gateway-error') || on.includes('reset');
  if (isReset(error)) return on.includes('reset') || on.includes('5xx') || on.includes('gateway-error');
  return false;
}

/** An attempt that hit its per-try timeout counts as a gateway timeout: retried on 5xx, gateway-error or reset. */
export function retriableTimeout(policy: RetryPolicy): boolean {
  const on = policy.retryOn;
  return on.includes('5xx') || on.includes('gateway-error') || on.includes('reset');
}

export function retriableStatus(policy: RetryPolicy, status: number): boolean {
  const on = policy.retryOn;
  if (on.includes('5xx') && status >= 500) return true;
  if (on.includes('gateway-error') && (status === 502 || status === 503 || status === 504)) return true;
  if (on.includes('retriable-4xx') && status === 409) return true;
  return on.includes('retriable-status-codes') && policy.retriableStatusCodes.includes(status);
}

/**
 * Envoy's fully jittered backoff: before retry N (1, 2, 3, …) a wait drawn in [0, (2^N - 1) × base],
 * capped at the maximum. `retryNumber` counts from 0 (the first retry).
 */
export function backoffMs(policy: RetryPolicy, retryNumber: number, random: number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * (2 ** (retryNumber + 1) - 1));
  return Math.floor(random * ceiling);
}

/** gRPC retry_on tokens and the grpc-status code each one retries (Envoy's x-envoy-retry-grpc-on list). */
const GRPC_RETRY_ON: Readonly<Record<string, string>> = {
  cancelled: '1',
  'deadline-exceeded': '4',
  'resource-exhausted': '8',
  internal: '13',
  unavailable: '14',
};

/** A response whose grpc-status header names a code the policy retries (gRPC answers HTTP 200). */
export function retriableGrpcStatus(policy: RetryPolicy, grpcStatus: string | string[] | undefined): boolean {
  if (typeof grpcStatus !== 'string') return false;
  return policy.retryOn.some((token) => GRPC_RETRY_ON[token] === grpcStatus);
}
