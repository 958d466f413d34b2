// loadConfig must never throw on bad input (the proxy calls it on every reload): seeded random edits of
// valid YAML, each loaded for real, must all resolve with findings that point inside the file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/validation/validate.ts';

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '\n',
  ' ',
  '  ',
  '-',
  ':',
  '[',
  ']',
  '{',
  '}',
  '"',
  "'",
  '*a',
  '&a',
  '<<: ',
  '---\n',
  '~',
  'null',
  '0',
  '-1',
  '1.5',
  'x',
  '#',
  '|',
  '\t',
  'kind: List\nitems:\n',
];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const cut = Math.floor(next() * 6);
    const piece = PIECES[Math.floor(next() * PIECES.length)] ?? '';
    out = out.slice(0, at) + piece + out.slice(at + cut);
  }
  return out;
}

test('300 random edits of the seed and fixtures: loadConfig always resolves, findings stay inside the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-fuzz-'));
  try {
    const sources = await Promise.all(
      [
        'examples/seed/httpbin-service-entry.yaml',
        'examples/seed/httpbin-virtual-service.yaml',
        'test/fixtures/config/list.yaml',
        'test/fixtures/config/tree/sub/b-rule.yml',
      ].map((f) => readFile(f, 'utf8')),
    );
    const next = random(20260127);
    const file = join(dir, 'mutated.yaml');
    let withFindings = 0;
    for (let round = 0; round < 300; round++) {
      const text = mutate(sources[round % sources.length] ?? '', next);
      await writeFile(file, text);
      const lines = text.split('\n').length;
      const result = await loadConfig([file]);
      if (result.findings.length > 0) withFindings++;
      for (const f of result.findings) {
        assert.ok(
          f.line >= 1 && f.line <= lines + 1 && f.column >= 1,
          `round ${round}: ${f.line}:${f.column} outside the file\n${text}`,
        );
        assert.ok(f.message.length > 0);
      }
    }
    // Guard against edits too gentle to exercise anything: most rounds must produce findings.
    assert.ok(withFindings > 150, `only ${withFindings} of 300 rounds produced findings`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
