// String matchers as the router evaluates them, including the literal prefix that guards RE2 runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { literalPrefix, matchString } from '../../../../src/dataplane/router/route-matchers.ts';

void describe('literalPrefix', () => {
  void test('the plain characters before the first metacharacter, without one a quantifier applies to', () => {
    assert.equal(literalPrefix('/re47/[0-9]+'), '/re47/');
    assert.equal(literalPrefix('^/api/v1'), '/api/v1');
    assert.equal(literalPrefix('admin-.*'), 'admin-');
    assert.equal(literalPrefix('foo.bar'), 'foo');
    assert.equal(literalPrefix('abc*'), 'ab');
    assert.equal(literalPrefix('ab+c'), 'a');
    assert.equal(literalPrefix('ab{2}'), 'a');
  });

  void test('nothing for alternations, flags, escapes and classes at the start', () => {
    assert.equal(literalPrefix('abc|abd'), '');
    assert.equal(literalPrefix('(?i)abc'), '');
    assert.equal(literalPrefix('\\d+'), '');
    assert.equal(literalPrefix('[a-z]+'), '');
    assert.equal(literalPrefix('a?bc'), '');
  });
});

void describe('matchString regex', () => {
  const regex = (value: string): Parameters<typeof matchString>[0] => ({ kind: 'regex', value, ignoreCase: false });

  void test('full matches only, with or without a literal prefix', () => {
    assert.equal(matchString(regex('/items/[0-9]+'), '/items/42'), true);
    assert.equal(matchString(regex('/items/[0-9]+'), '/items/42/x'), false);
    assert.equal(matchString(regex('/items/[0-9]+'), '/other/42'), false);
    assert.equal(matchString(regex('(?i)abc'), 'ABC'), true);
    assert.equal(matchString(regex('abc|xyz'), 'xyz'), true);
    assert.equal(matchString(regex('ab*c'), 'ac'), true);
    assert.equal(matchString(regex('a?bc'), 'bc'), true);
  });
});
