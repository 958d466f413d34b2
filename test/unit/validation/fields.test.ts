// Shared field checks: each helper with values Istio accepts and values it refuses, and the exact messages.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as f from '../../../src/validation/fields.ts';
import { Findings } from '../../../src/validation/findings.ts';
import { assertFindings } from '../../helpers/expect-findings.ts';

/** [input, undefined when valid or a fragment of the expected message]. */
type Row<T> = readonly [T, string | undefined];

function table<T>(name: string, check: (v: T) => string | undefined, rows: readonly Row<T>[]): void {
  void describe(name, () => {
    for (const [input, expected] of rows) {
      void test(`${JSON.stringify(input)} → ${expected ?? 'valid'}`, () => {
        const got = check(input);
        if (expected === undefined) assert.equal(got, undefined);
        else
          assert.ok(
            got?.includes(expected),
            `got ${JSON.stringify(got)}, wanted it to contain ${JSON.stringify(expected)}`,
          );
      });
    }
  });
}

table('validateWildcardDomain', f.validateWildcardDomain, [
  ['', 'empty domain name not allowed'],
  ['x'.repeat(256), 'too long (max 255)'],
  ['x'.repeat(63), undefined],
  ['x'.repeat(64), 'invalid'],
  ['*', undefined],
  ['*.bar.com', undefined],
  ['*foo', undefined],
  ['*foo.bar.com', undefined],
  ['*-foo.bar.com', undefined],
  ['foo.*.com', 'domain name "*.com" invalid (label "*" invalid)'],
  ['foo*.bar.com', 'domain name "foo*.bar.com" invalid (label "foo*" invalid)'],
  ['1.1.1.1', 'top level domain "1" cannot be all-numeric'],
  ['istio.io.', undefined],
  ['Upper.Case.COM', undefined],
  ['foo.ba!r', 'label "ba!r" invalid'],
  ['-', 'label "-" invalid'],
  ['a..b', 'label "" invalid'],
  ['foo-.com', 'label "foo-" invalid'],
]);

table('validateFQDN', f.validateFQDN, [
  ['x'.repeat(256), 'too long'],
  ['', 'empty domain name not allowed'],
  ['istio.io', undefined],
  ['istio.io.', undefined],
  ['istio-pilot.istio-system.svc.cluster.local', undefined],
  ['istio-pilot.istio-system.svc.cluster.local.', undefined],
  ['foo', undefined],
  ['*.istio.io', 'label "*" invalid'],
  ['10.0.0.1', 'cannot be all-numeric'],
]);

table('validatePartialWildcard', f.validatePartialWildcard, [
  ['*', undefined],
  ['*.example.com', undefined],
  ['example.com', undefined],
  ['*example.com', 'partial wildcard "*example.com" not allowed'],
  ['foo*', 'partial wildcard "foo*" not allowed'],
  ['foo.*.com', 'partial wildcard'],
]);

table('validateIPSubnet', f.validateIPSubnet, [
  ['10.0.0.1', undefined],
  ['10.0.0.0/8', undefined],
  ['1.1.1.1/32', undefined],
  ['172.1.2.16/16', undefined],
  ['2001:db8::/32', undefined],
  ['::/0', undefined],
  ['001:db8::', undefined],
  ['10.0.0.0/33', '10.0.0.0/33 is not a valid CIDR block'],
  ['2001:db8::/129', 'is not a valid CIDR block'],
  ['10.0.0.0/08', 'is not a valid CIDR block'],
  ['10.0.0.0/', 'is not a valid CIDR block'],
  ['example.com/8', 'is not a valid CIDR block'],
  ['10.0.0.0/8/8', '10.0.0.0/8/8 is not a valid IP'],
  ['010.0.0.1', '010.0.0.1 is not a valid IP'],
  ['1.2.3', 'is not a valid IP'],
  ['foo', 'foo is not a valid IP'],
]);

table('validateIPAddress', f.validateIPAddress, [
  ['127.0.0.1', undefined],
  ['::1', undefined],
  ['fe80::1%eth0', undefined],
  ['[::1]', 'is not a valid IP'],
  ['10.0.0.0/8', 'is not a valid IP'],
]);

table('validateUnixAddress', f.validateUnixAddress, [
  ['/var/run/app.sock', undefined],
  ['@abstract', undefined],
  ['', 'unix address must not be empty'],
  ['./relative.sock', './relative.sock is not an absolute path to a file'],
  ['/var/run/', 'is not an absolute path to a file'],
]);

table('validatePort', f.validatePort, [
  [1, undefined],
  [100, undefined],
  [65535, undefined],
  [0, 'port number 0 must be in the range 1..65535'],
  [-1, 'port number -1 must be in the range 1..65535'],
  [65536, 'port number 65536 must be in the range 1..65535'],
  [80.5, 'must be in the range'],
]);

table('validatePortName', f.validatePortName, [
  ['http', undefined],
  ['HTTP-web', undefined],
  ['', 'invalid port name: '],
  ['http_web', 'invalid port name: http_web'],
  ['x'.repeat(64), 'invalid port name'],
]);

table('validateProtocol', f.validateProtocol, [
  ['', undefined],
  ...['TCP', 'udp', 'GRPC', 'grpc-web', 'HTTP', 'http_proxy', 'Http2', 'HTTPS', 'tls', 'Mongo', 'REDIS', 'mysql'].map(
    (p): Row<string> => [p, undefined],
  ),
  ['http1', 'unsupported protocol: http1'],
  ['SCTP', 'unsupported protocol: SCTP'],
]);

table('validateDuration', f.validateDuration, [
  ['1s', undefined],
  ['3s', undefined],
  ['0.5s', undefined],
  ['1.5s', undefined],
  ['100ms', undefined],
  ['1ms', undefined],
  ['1m', undefined],
  ['1h', undefined],
  ['1h30m', undefined],
  ['0s', 'duration must be greater than 1ms'],
  ['0', 'duration must be greater than 1ms'],
  ['-1s', 'duration must be greater than 1ms'],
  ['999us', 'duration must be greater than 1ms'],
  ['1.0005s', 'only durations to ms precision are supported'],
  ['1000001ns', 'only durations to ms precision are supported'],
  ['', 'invalid duration ""'],
  ['5', 'invalid duration "5"'],
  ['5x', 'invalid duration "5x"'],
  ['s', 'invalid duration "s"'],
]);

void describe('durationToMs', () => {
  void test('converts proto and Go durations to milliseconds', () => {
    assert.equal(f.durationToMs('3s'), 3000);
    assert.equal(f.durationToMs('0.5s'), 500);
    assert.equal(f.durationToMs('1.5s'), 1500);
    assert.equal(f.durationToMs('100ms'), 100);
    assert.equal(f.durationToMs('1m'), 60_000);
    assert.equal(f.durationToMs('1h'), 3_600_000);
    assert.equal(f.durationToMs('1m30s'), 90_000);
    assert.equal(f.durationToMs('.25s'), 250);
  });
  void test('returns undefined for text that is not a duration', () => {
    assert.equal(f.durationToMs('soon'), undefined);
    assert.equal(f.durationToMs('10'), undefined);
  });
});

table('validatePercentage', f.validatePercentage, [
  [0, undefined],
  [0.0001, undefined],
  [50, undefined],
  [100, undefined],
  [0.00001, 'percentage 0.00001 is neither 0.0, nor in range [0.0001, 100.0]'],
  [-1, 'is neither 0.0, nor in range'],
  [100.1, 'is neither 0.0, nor in range'],
]);

table('validateLabelKey', f.validateLabelKey, [
  ['app', undefined],
  ['security.istio.io/tlsMode', undefined],
  ['a_b.c-d', undefined],
  ['', 'invalid tag key: ""'],
  ['-app', 'invalid tag key: "-app"'],
  ['bad prefix!/app', 'invalid tag key'],
  ['x'.repeat(64), '(name is too long)'],
  [`${'a.'.repeat(127)}a/app`, '(DNS prefix is too long)'],
]);

table('validateLabelValue', f.validateLabelValue, [
  ['', undefined],
  ['v1', undefined],
  ['v1.2_rc-3', undefined],
  ['-v1', 'invalid tag value: "-v1"'],
  ['a b', 'invalid tag value'],
]);

table('validateSubsetName', f.validateSubsetName, [
  ['v1', undefined],
  ['', 'subset name cannot be empty'],
  ['v1.0', 'subset name is invalid: v1.0'],
]);

void describe('issue-returning checks', () => {
  void test('validateLabels reports each bad key and value at that key', () => {
    const issues = f.validateLabels({ app: 'ok', '-bad': 'ok', good: '-bad' });
    assert.deepEqual(
      issues.map((i) => [i.code, i.path]),
      [
        ['LABEL_KEY_INVALID', ['-bad']],
        ['LABEL_VALUE_INVALID', ['good']],
      ],
    );
    assert.deepEqual(f.validateLabels(undefined), []);
  });

  void test('validateWorkloadSelector: errors for empty keys, wildcards and long values; a warning for no labels', () => {
    assert.deepEqual(f.validateWorkloadSelector(undefined, 'sidecar'), []);
    assert.deepEqual(f.validateWorkloadSelector({ labels: { app: 'web' } }, 'sidecar'), []);
    const findings = new Findings();
    f.reportIssues(
      findings,
      ['workloadSelector'],
      f.validateWorkloadSelector({ labels: { '': 'x', 'a*': 'b', c: '*', d: 'v'.repeat(64) } }, 'sidecar'),
    );
    f.reportIssues(findings, ['other'], f.validateWorkloadSelector({}, 'service entry'));
    assertFindings(findings.items, [
      ['E', 'SELECTOR_EMPTY_KEY', ['workloadSelector', 'labels', ''], 'empty key is not supported in selector: "=x"'],
      ['E', 'SELECTOR_WILDCARD', ['workloadSelector', 'labels', 'a*'], 'wildcard is not supported in selector: "a*=b"'],
      ['E', 'SELECTOR_WILDCARD', ['workloadSelector', 'labels', 'c'], 'wildcard is not supported in selector: "c=*"'],
      ['E', 'SELECTOR_VALUE_TOO_LONG', ['workloadSelector', 'labels', 'd'], 'at most 63 characters'],
      [
        'W',
        'SELECTOR_NO_LABELS',
        ['other'],
        'service entry: workload selector specified without labels, will be applied to all services in namespace',
      ],
    ]);
  });

  void test('validateWorkloadSelector refuses more than 256 labels', () => {
    const labels = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`k${i}`, 'v']));
    assert.deepEqual(
      f.validateWorkloadSelector({ labels }, 'sidecar').map((i) => [i.code, i.path]),
      [['SELECTOR_TOO_MANY_LABELS', ['labels']]],
    );
  });

  void test('validateDestination checks host, subset and port', () => {
    assert.deepEqual(f.validateDestination({ host: 'foo.bar', subset: 'v1', port: { number: 80 } }), []);
    assert.deepEqual(f.validateDestination({ host: 'reviews' }), []);
    const issues = f.validateDestination({ host: '*', subset: 'v1.0', port: { number: 0 } });
    assert.deepEqual(
      issues.map((i) => [i.code, i.path, i.message]),
      [
        ['DESTINATION_HOST_INVALID', ['host'], 'invalid destination host *'],
        ['DESTINATION_SUBSET_INVALID', ['subset'], 'subset name is invalid: v1.0'],
        ['DESTINATION_PORT_INVALID', ['port', 'number'], 'port number 0 must be in the range 1..65535'],
      ],
    );
    assert.equal(
      f.validateDestination({ host: 'foo.*.com' })[0]?.message,
      'domain name "*.com" invalid (label "*" invalid)',
    );
  });
});

void describe('isPresent', () => {
  void test('null and undefined are absent; falsy values are present', () => {
    assert.equal(f.isPresent(null), false);
    assert.equal(f.isPresent(undefined), false);
    assert.equal(f.isPresent(0), true);
    assert.equal(f.isPresent(''), true);
  });
});
