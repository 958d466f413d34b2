import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as errors from '../../src/errors.ts';

function codesInSource(): string[] {
  const codes: string[] = [];
  for (const value of Object.values(errors)) {
    if (typeof value === 'function' && value.prototype instanceof errors.MeshgateError) {
      const code = (value as unknown as { code?: unknown }).code;
      assert.equal(typeof code, 'string', `${value.name} has a static code`);
      codes.push(code as string);
    }
  }
  return codes.sort();
}

function codesInDocs(): string[] {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  // A code is documented when it starts a table row.
  return [...text.matchAll(/^\| `(MG_ERR_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!).sort();
}

void describe('error codes', () => {
  void test('every MeshgateError subclass is documented in docs/errors.md, and every documented code exists', () => {
    assert.deepEqual(codesInDocs(), codesInSource());
  });

  void test('codes are unique and spelled MG_ERR_*', () => {
    const codes = codesInSource();
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) assert.match(code, /^MG_ERR_[A-Z0-9_]+$/);
  });

  void test('an instance carries its class code and name', () => {
    const error = new errors.NoHealthyUpstreamError('outbound|80||httpbin.org');
    assert.equal(error.code, 'MG_ERR_NO_HEALTHY_UPSTREAM');
    assert.equal(error.name, 'NoHealthyUpstreamError');
    assert.ok(error instanceof errors.MeshgateError);
    assert.ok(error instanceof Error);
  });
});
