// retryOn tokens: Envoy policy names and the HTTP status codes Go's http.StatusText knows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isValidRetryOn, RETRY_ON_POLICIES } from '../../../src/validation/http-retry.ts';

void describe('isValidRetryOn', () => {
  void test('every Envoy policy name', () => {
    for (const policy of RETRY_ON_POLICIES) assert.equal(isValidRetryOn(policy), true, policy);
  });
  void test('known status codes, with Go integer parsing', () => {
    for (const code of ['503', '429', '418', '100', '511', '+503', '0503'])
      assert.equal(isValidRetryOn(code), true, code);
  });
  void test('unknown codes and names', () => {
    for (const token of ['600', '306', '419', '0', '-503', '', ' 5xx', '5XX', 'retriable_4xx', 'connect-failure ']) {
      assert.equal(isValidRetryOn(token), false, JSON.stringify(token));
    }
  });
});
