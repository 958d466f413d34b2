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

  void test('duplicates keep the first', () => {
    assert.deepEqual(duplicates, [{ domain: 'www.example.com', kept: 5, dropped: 6 }]);
  });

  void test('authority normalisation', () => {
    assert.equal(hostOfAuthority('WWW.Example.com.:8080'), 'www.example.com');
    assert.equal(hostOfAuthority('[::1]:80'), '[::1]');
    assert.equal(hostOfAuthority('::1'), '::1');
  });
});
