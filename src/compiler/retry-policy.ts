// Istio's retry policy translation (core/route/retry/retry.go): VS retries, else mesh default, else 2 retries.
import type { DeepReadonly } from '../config/model.ts';
import type { HTTPRetry } from '../config/wire/virtual-service.ts';
import { durationMs } from './duration.ts';
import type { RetryPolicy } from './snapshot.ts';

const DEFAULT_RETRY_ON = ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'];

/** Istio's default for outbound HTTP routes when neither the VirtualService nor the mesh sets one. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  numRetries: 2,
  retryOn: DEFAULT_RETRY_ON,
  retriableStatusCodes: [],
  perTryTimeoutMs: 0,
  retryOtherHosts: true,
  backoffBaseMs: 25,
  backoffMaxMs: 250,
};

/** `attempts: 0` (or less) disables retries; numeric retryOn tokens become retriable status codes. */
export function buildRetryPolicy(
  retries: DeepReadonly<HTTPRetry> | undefined,
  meshDefault: DeepReadonly<HTTPRetry> | undefined,
): RetryPolicy | null {
  const policy = retries ?? meshDefault;
  if (policy === undefined) return DEFAULT_RETRY_POLICY;
  const attempts = policy.attempts ?? 0;
  if (attempts <= 0) return null;
  let retryOn = DEFAULT_RETRY_ON;
  const codes: number[] = [];
  if (policy.retryOn !== undefined && policy.retryOn.trim() !== '') {
    retryOn = [];
    for (const token of policy.retryOn
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t !== '')) {
      if (/^\d+$/.test(token)) codes.push(Number(token));
      else retryOn.push(token);
    }
    if (codes.length > 0 && !retryOn.includes('retriable-status-codes')) retryOn.push('retriable-status-codes');
  }
  const base = durationMs(policy.backoff, 25);
  return {
    numRetries: attempts,
    retryOn,
    retriableStatusCodes: codes,
    perTryTimeoutMs: durationMs(policy.perTryTimeout, 0),
    retryOtherHosts: policy.retryIgnorePreviousHosts !== false,
    backoffBaseMs: base,
    backoffMaxMs: base * 10,
  };
}
