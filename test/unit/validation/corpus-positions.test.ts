// Runs every YAML file of the validation corpus through the real loader and compares what
// `meshgate validate` would print (FILE:LINE:COL: severity: Kind ns/name: message) with the
// `<file>.findings.txt` next to it, so each rule's message and line are pinned.
// REFRESH_GOLDEN=1 rewrites the expected files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { formatFindingLine } from '../../../src/cli/findings-output.ts';
import { loadConfig } from '../../../src/validation/validate.ts';

const root = join(import.meta.dirname, '../../..');
const corpus = join(root, 'test/fixtures/validation');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return entry.endsWith('.yaml') ? [path] : [];
    })
    .sort();
}

async function printedFindings(file: string): Promise<string> {
  const result = await loadConfig([relative(root, file)], {});
  return result.findings.map((f) => formatFindingLine(f)).join('\n') + '\n';
}

void describe('validation corpus: messages and positions as meshgate validate prints them', () => {
  for (const file of yamlFiles(corpus)) {
    const name = relative(corpus, file);
    void test(name, async () => {
      process.chdir(root);
      const actual = await printedFindings(file);
      const goldenPath = file.replace(/\.yaml$/, '.findings.txt');
      if (process.env.REFRESH_GOLDEN === '1' || !existsSync(goldenPath)) writeFileSync(goldenPath, actual);
      assert.equal(actual, readFileSync(goldenPath, 'utf8'));
      if (name.endsWith('/valid.yaml')) assert.equal(actual, '\n', 'a valid corpus file has no finding');
    });
  }
});
