// Keeps docs/validation.md and the rules in step: every finding code the rules emit has a row, and every row a rule.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');
// Code families whose rules and table rows are checked here.
const PREFIXES = ['SE_', 'SC_', 'EXPORT_TO_', 'SELECTOR_', 'LABEL_', 'DESTINATION_'];
const family = (code: string): boolean => PREFIXES.some((p) => code.startsWith(p));

function codesInSource(): Set<string> {
  const dir = join(root, 'src/validation');
  const codes = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) {
      if (m[1] !== undefined && family(m[1])) codes.add(m[1]);
    }
  }
  return codes;
}

function codesInDocs(): Set<string> {
  const text = readFileSync(join(root, 'docs/validation.md'), 'utf8');
  return new Set([...text.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1] ?? '').filter(family));
}

void describe('docs/validation.md', () => {
  void test('lists every code the rules emit', () => {
    const documented = codesInDocs();
    assert.deepEqual([...codesInSource()].filter((c) => !documented.has(c)).sort(), []);
  });
  void test('lists no code that the rules no longer emit', () => {
    const emitted = codesInSource();
    assert.deepEqual([...codesInDocs()].filter((c) => !emitted.has(c)).sort(), []);
  });
});
