// HostIndex and the DestinationRule index: the same answers as scanning every service or rule, for exact,
// wildcard, partial-wildcard and catch-all hosts, in the same order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { destinationRuleIndex } from '../../../src/compiler/traffic-policy.ts';
import { qualifyShortName } from '../../../src/model/hostname.ts';
import { buildRegistry } from '../../../src/registry/build-registry.ts';
import { HostIndex } from '../../../src/registry/host-index.ts';
import { istioHostMatches } from '../../../src/registry/visibility.ts';
import type { DestinationRuleResource } from '../../../src/config/model.ts';
import { destinationRule, serviceEntry } from '../../helpers/config-set.ts';

const HOSTS = [
  'a.example.com',
  'b.example.com',
  '*.example.com',
  '*.b.example.com',
  'x.b.example.com',
  '*example.com',
  '*',
  'api.other.org',
  '*.org',
  'a.example.com',
];
const QUERIES = [...new Set(HOSTS), 'c.example.com', 'y.b.example.com', 'example.com', 'nothing.net', '*.com', '*.net'];

// Registry order, with a duplicated hostname, as a caller might pass before a view keeps one per host.
const services = buildRegistry(
  HOSTS.map((h, i) => serviceEntry({ name: `se-${i}`, namespace: 'ns' }, { hosts: [h], resolution: 'NONE' })),
  ['*'],
);

describe('HostIndex', () => {
  const index = new HostIndex(services);
  for (const host of QUERIES) {
    test(`matching ${host} is the scan's answer`, () => {
      assert.deepEqual(
        index.matching(host),
        services.filter((s) => istioHostMatches(host, s.hostname)),
      );
      assert.equal(
        index.get(host),
        services.find((s) => s.hostname === host),
      );
    });
  }

  test('matchingAny: each service once, in view order', () => {
    const hosts = ['x.b.example.com', '*.b.example.com', 'api.other.org'];
    assert.deepEqual(
      index.matchingAny(hosts),
      services.filter((s) => hosts.some((h) => istioHostMatches(h, s.hostname))),
    );
  });
});

/** What destinationRuleFor did before the index: every rule tried for every host. */
function scan(rules: readonly DestinationRuleResource[], hostname: string): DestinationRuleResource | undefined {
  let best: DestinationRuleResource | undefined;
  let bestScore = -1;
  for (const rule of rules) {
    const host = qualifyShortName((rule.spec.host ?? '').toLowerCase(), rule.key.namespace);
    const matches =
      host === hostname ||
      (host.startsWith('*') && istioHostMatches(host, hostname) && hostname.length > host.length - 1);
    const score = host === hostname ? Number.MAX_SAFE_INTEGER : host.length;
    if (matches && score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  return best;
}

describe('destinationRuleIndex', () => {
  const rules = [
    '*.example.com',
    'a.example.com',
    '*.b.example.com',
    '*',
    'A.example.com',
    '*.b.example.com',
    'svc',
  ].map((host, i) => destinationRule({ name: `dr-${i}`, namespace: 'ns' }, { host }));
  const lookup = destinationRuleIndex(rules);
  for (const host of [...QUERIES, 'svc.ns.svc.cluster.local']) {
    test(`the rule for ${host} is the scan's answer`, () => {
      assert.equal(lookup(host)?.key.name, scan(rules, host)?.key.name);
    });
  }
});
