// Which attempt outcomes Envoy's retry_on tokens retry: failures, statuses, per-try timeouts and gRPC codes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RetryPolicy } from '../../../../src/compiler/snapshot.ts';
import { DEFAULT_RETRY_POLICY } from '../../../../src/compiler/retry-policy.ts';
import {
  backoffMs,
  retriableError,
  retriableGrpcStatus,
  retriableStatus,
  retriableTimeout,
} from '../../../../src/dataplane/filters/retry.ts';
import { UpstreamConnectError } from '../../../../src/errors.ts';

const on = (tokens: string, codes: number[] = []): RetryPolicy => ({
  ...DEFAULT_RETRY_POLICY,
  retryOn: tokens.split(','),
  retriableStatusCodes: codes,
});

void describe('retry conditions', () => {
  void test('connect failures: connect-failure, 5xx, gateway-error and reset retry them', () => {
    const refused = new UpstreamConnectError('127.0.0.1:1', 'delayed connect error: 111');
    for (const t of ['connect-failure', '5xx', 'gateway-error', 'reset'])
      assert.equal(retriableError(on(t), refused), true, t);
    assert.equal(retriableError(on('retriable-status-codes', [503]), refused), false);
  });

  void test('resets: reset, 5xx and gateway-error', () => {
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    assert.equal(retriableError(on('reset'), reset), true);
    assert.equal(retriableError(on('gateway-error'), reset), true);
    assert.equal(retriableError(on('connect-failure'), reset), false);
  });

  void test('statuses: 5xx, gateway-error (502-504), retriable-4xx (409), listed codes', () => {
    assert.equal(retriableStatus(on('5xx'), 500), true);
    assert.equal(retriableStatus(on('gateway-error'), 500), false);
    assert.equal(retriableStatus(on('gateway-error'), 504), true);
    assert.equal(retriableStatus(on('retriable-4xx'), 409), true);
    assert.equal(retriableStatus(on('retriable-status-codes', [418]), 418), true);
    assert.equal(retriableStatus(DEFAULT_RETRY_POLICY, 503), false, "Istio's default lists no codes");
  });

  void test("per-try timeouts count as gateway timeouts; Istio's default policy does not retry them", () => {
    assert.equal(retriableTimeout(on('gateway-error')), true);
    assert.equal(retriableTimeout(on('reset')), true);
    assert.equal(retriableTimeout(DEFAULT_RETRY_POLICY), false);
  });

  void test('gRPC tokens read grpc-status', () => {
    assert.equal(retriableGrpcStatus(DEFAULT_RETRY_POLICY, '14'), true, 'unavailable is in the default');
    assert.equal(retriableGrpcStatus(DEFAULT_RETRY_POLICY, '13'), false);
    assert.equal(retriableGrpcStatus(on('internal'), '13'), true);
    assert.equal(retriableGrpcStatus(on('internal'), undefined), false);
  });

  void test('backoff: fully jittered over (2^N - 1) × base, capped at the maximum', () => {
    const policy = on('5xx');
    assert.equal(backoffMs(policy, 0, 0.999), 24);
    assert.equal(backoffMs(policy, 1, 0.999), 74);
    assert.equal(backoffMs(policy, 2, 0.999), 174);
    assert.equal(backoffMs(policy, 5, 0.999), 249);
    assert.equal(backoffMs(policy, 3, 0), 0);
  });
});
