// Header values as Envoy parses them (Istio's TestValidateHTTPHeaderValue plus the argument forms).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { headerValueProblem } from '../../../src/validation/header-value.ts';

const valid = [
  'foo',
  '',
  '%HOSTNAME%',
  '100%%',
  'prefix %HOSTNAME% suffix',
  '%DOWNSTREAM_PEER_CERT_V_END(%b %d %H:%M:%S %Y %Z)%',
  '%DYNAMIC_METADATA(com.test.my_filter)%',
  '%REQ(["x-a", "x-b"])%',
  '%REQ( [ "x-a" ] ) %',
  'tab\tis fine',
];

const invalid: readonly [string, string][] = [
  ['%START_TIME%%', 'header value configuration: invalid header configuration. Un-escaped %'],
  ['abc%123', "header value configuration: invalid header configuration. Un-terminated variable expression 'abc%123'"],
  ['%REQ(["a" x])%', "Expecting ',', ']', or whitespace"],
  ['%REQ([x])%', `Expecting '"'`],
  ['%REQ(["a"] x)%', "Expecting ')' or whitespace"],
  ['%REQ(["a"]) x%', "Expecting '%' or whitespace"],
  ['%REQ(["a\\', 'Un-terminated backslash in JSON string'],
  ['line\nbreak', 'header value configuration line\nbreak is invalid'],
  ['del\u007f', 'is invalid'],
];

void describe('headerValueProblem', () => {
  for (const value of valid) {
    void test(`accepts ${JSON.stringify(value)}`, () => assert.equal(headerValueProblem(value), undefined));
  }
  for (const [value, fragment] of invalid) {
    void test(`rejects ${JSON.stringify(value)}`, () => {
      const problem = headerValueProblem(value);
      assert.ok(problem?.includes(fragment), `got ${problem}`);
    });
  }
});
