// Host-name relations: the cases of Istio's TestNameMatches and TestNameSubsetOf, in both argument orders where symmetric.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hostMatches, hostSubsetOf, isWildcarded } from '../../../src/model/hostname.ts';

type Case = readonly [name: string, a: string, b: string, expected: boolean];

const matchCases: readonly Case[] = [
  ['empty', '', '', true],
  ['mixed case is not folded', 'a.facebook.com', '*.facebook.COM', false],
  ['first empty', '', 'foo.com', false],
  ['second empty', 'foo.com', '', false],
  ['non-wildcard domain', 'foo.com', 'foo.com', true],
  ['different non-wildcard domains', 'bar.com', 'foo.com', false],
  ['domain does not match subdomain', 'bar.foo.com', 'foo.com', false],
  ['wildcard matches subdomains', '*.com', 'foo.com', true],
  ['wildcard matches subdomains (2)', '*.com', 'bar.com', true],
  ['wildcard matches deeper subdomains', '*.foo.com', 'bar.foo.com', true],
  ['* matches a name', '*', 'foo.com', true],
  ['* matches a wildcard', '*', '*.com', true],
  ['* matches a short name', '*', 'com', true],
  ['* matches *', '*', '*', true],
  ['* matches the empty name', '*', '', true],
  ['wildcarded domain matches wildcarded subdomain', '*.com', '*.foo.com', true],
  ['wildcarded sub-domain does not match domain', 'foo.com', '*.foo.com', false],
  ['long wildcard does not match short host', '*.foo.bar.baz', 'baz', false],
  ['long wildcard matches short wildcard', '*.foo.bar.baz', '*.baz', true],
  ['long name matches short wildcard', 'foo.bar.baz', '*.baz', true],
  ['a partial wildcard is a plain suffix', '*foo.com', 'barfoo.com', true],
];

const subsetCases: readonly Case[] = [
  ['empty', '', '', true],
  ['first empty', '', 'foo.com', false],
  ['second empty', 'foo.com', '', false],
  ['non-wildcard domain', 'foo.com', 'foo.com', true],
  ['different non-wildcard domains', 'bar.com', 'foo.com', false],
  ['domain is not a subset of its subdomain', 'foo.com', 'bar.foo.com', false],
  ['subdomain is a subset of the wildcard', 'foo.com', '*.com', true],
  ['deeper subdomain is a subset of the wildcard', 'bar.foo.com', '*.foo.com', true],
  ['a name is a subset of *', 'foo.com', '*', true],
  ['a wildcard is a subset of *', '*.com', '*', true],
  ['a short name is a subset of *', 'com', '*', true],
  ['* is a subset of *', '*', '*', true],
  ['the empty name is a subset of *', '', '*', true],
  ['* is not a subset of a wildcard', '*', '*.com', false],
  ['wildcarded subdomain is a subset of wildcarded domain', '*.foo.com', '*.com', true],
  ['wildcarded domain is not a subset of wildcarded subdomain', '*.com', '*.foo.com', false],
  ['a wildcard is never a subset of a plain name', '*.foo.com', 'foo.com', false],
  ['long wildcard is not a subset of a short host', '*.foo.bar.baz', 'baz', false],
  ['long name is a subset of a short wildcard', 'foo.bar.baz', '*.baz', true],
];

void describe('hostMatches', () => {
  for (const [name, a, b, expected] of matchCases) {
    void test(name, () => {
      assert.equal(hostMatches(a, b), expected, `${a} ~ ${b}`);
      assert.equal(hostMatches(b, a), expected, `${b} ~ ${a} (order does not matter)`);
    });
  }
});

void describe('hostSubsetOf', () => {
  for (const [name, a, b, expected] of subsetCases) {
    void test(name, () => assert.equal(hostSubsetOf(a, b), expected, `${a} ⊂ ${b}`));
  }
});

void describe('isWildcarded', () => {
  void test('a leading * marks a wildcard, anywhere else it does not', () => {
    assert.equal(isWildcarded('*'), true);
    assert.equal(isWildcarded('*.example.com'), true);
    assert.equal(isWildcarded('*example.com'), true);
    assert.equal(isWildcarded('example.*'), false);
    assert.equal(isWildcarded(''), false);
  });
});
