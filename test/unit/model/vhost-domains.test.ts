// Envoy virtual-host ranking: exact, longest suffix wildcard, longest prefix wildcard, then `*`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDomainIndex, hostOfAuthority, lookupDomain } from '../../../src/model/vhost-domains.ts';

void describe('vhost domains', () => {
  const { index, duplicates } = buildDomainIndex([
    { domains: ['*'], target: 0 },
    { domains: ['foo.*'], target: 1 },
    { domains: ['foo.bar.*'], target: 2 },
    { domains: ['*.com'], target: 3 },
    { domains: ['*-api.example.com'], target: 4 },
    { domains: ['www.example.com', 'www.example.com.'], target: 5 },
    { domains: ['WWW.example.com'], target: 6 },
  ]);

  void test('ranking', () => {
    assert.equal(lookupDomain(index, 'www.example.com'), 5);
    assert.equal(lookupDomain(index, 'v1-api.example.com'), 4);
    assert.equal(lookupDomain(index, 'other.com'), 3);
    assert.equal(lookupDomain(index, 'foo.bar.org'), 2);
    assert.equal(lookupDomain(index, 'foo.org'), 1);
    assert.equal(lookupDomain(index, 'nothing.org'), 0);
    assert.equal(lookupDomain(index, '.com'), 0, 'a wildcard never matches the empty string');
  });

  void test('the longest suffix wins, whether it starts a label or not', () => {
    const nested = buildDomainIndex([
      { domains: ['*.example.com'], target: 0 },
      { domains: ['*.eu.example.com'], target: 1 },
      { domains: ['*-api.eu.example.com'], target: 2 },
      { domains: ['*i.eu.example.com'], target: 3 },
      { domains: ['*u.example.com'], target: 4 },
    ]).index;
    assert.equal(lookupDomain(nested, 'a.b.eu.example.com'), 1, 'not the shorter u.example.com');
    assert.equal(lookupDomain(nested, 'menu.example.com'), 4);
    assert.equal(lookupDomain(nested, 'x.example.com'), 0);
    assert.equal(lookupDomain(nested, 'v1-api.eu.example.com'), 2, 'a longer mid-label suffix beats .eu.example.com');
    assert.equal(lookupDomain(nested, 'api.eu.example.com'), 3);
    assert.equal(lookupDomain(nested, 'eu.example.com'), 4, 'u.example.com is longer than .example.com');
    assert.equal(lookupDomain(nested, 'example.com'), -1);
    assert.equal(lookupDomain(nested, '.eu.example.com'), 4);
  });

  void test('the index answers as a walk over every wildcard, longest first, would', () => {
    // A reference for Envoy's rule on random names made of few labels, so that they collide often.
    const labels = ['a', 'b', 'ab', 'a-b', 'c'];
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const name = (): string => Array.from({ length: 1 + random(4) }, () => labels[random(labels.length)]!).join('.');
    const domains = Array.from({ length: 60 }, () => {
      const kind = random(4);
      if (kind === 0) return name();
      if (kind === 1) return `*.${name()}`;
      if (kind === 2) return `*${name()}`;
      return `${name()}.*`;
    });
    const built = buildDomainIndex(domains.map((domain, target) => ({ domains: [domain], target })));
    const firstOf = new Map<string, number>();
    domains.forEach((d, i) => {
      if (!firstOf.has(d)) firstOf.set(d, i);
    });
    const reference = (host: string): number => {
      if (firstOf.has(host) && !host.includes('*')) return firstOf.get(host)!;
      const suffix = [...firstOf]
        .filter(([d]) => d.startsWith('*') && host.length > d.length - 1 && host.endsWith(d.slice(1)))
        .sort((x, y) => y[0].length - x[0].length)[0];
      if (suffix !== undefined) return suffix[1];
      const prefix = [...firstOf]
        .filter(([d]) => d.endsWith('*') && host.length > d.length - 1 && host.startsWith(d.slice(0, -1)))
        .sort((x, y) => y[0].length - x[0].length)[0];
      return prefix === undefined ? -1 : prefix[1];
    };
    for (let i = 0; i < 2000; i++) {
      const host = name();
      assert.equal(lookupDomain(built.index, host), reference(host), host);
    }
  });

  void test('duplicates keep the first', () => {
    assert.deepEqual(duplicates, [{ domain: 'www.example.com', kept: 5, dropped: 6 }]);
  });

  void test('authority normalisation', () => {
    assert.equal(hostOfAuthority('WWW.Example.com.:8080'), 'www.example.com');
    assert.equal(hostOfAuthority('[::1]:80'), '[::1]');
    assert.equal(hostOfAuthority('::1'), '::1');
  });
});
