// RE2 regex checks as Istio applies them before Envoy compiles the pattern.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_REGEX_LENGTH, regexProblem } from '../../../src/validation/string-match.ts';

void describe('regexProblem', () => {
  for (const re of ['^/api/v[0-9]+/.*$', '(?i)abc', '\\d{1,3}', 'a|b|c', '[[:alpha:]]+', '(?P<name>x)']) {
    void test(`accepts ${re}`, () => assert.equal(regexProblem(re, 'uri'), undefined));
  }
  const rejected: readonly [string, string][] = [
    ['a(b', 'missing closing ): `a(b`'],
    ['[', 'missing closing ]: `[`'],
    ['(?=x)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['(a)\\1', 'invalid escape sequence: `\\1`'],
    ['a{1001}', 'invalid repeat count: `{1001}`'],
    ['*a', 'missing argument to repetition operator: `*`'],
  ];
  for (const [re, fragment] of rejected) {
    void test(`rejects ${re}`, () => {
      const problem = regexProblem(re, 'uri');
      assert.equal(problem?.code, 'REGEX_INVALID');
      assert.ok(problem.message.startsWith('"uri": error parsing regexp: '), problem.message);
      assert.ok(problem.message.includes(fragment), problem.message);
      assert.ok(
        problem.message.endsWith('Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)'),
      );
    });
  }
  void test('length limit is 1024 characters', () => {
    assert.equal(regexProblem('a'.repeat(MAX_REGEX_LENGTH), 'x'), undefined);
    assert.deepEqual(regexProblem('a'.repeat(MAX_REGEX_LENGTH + 1), 'x'), {
      code: 'REGEX_TOO_LARGE',
      message: '"x": regex is too large, max length allowed is 1024',
    });
  });
});
