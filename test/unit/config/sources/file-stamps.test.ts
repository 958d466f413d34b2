// file-stamps: a changed file is re-read and an unchanged one is not, even when a tool puts the old
// modification time back on a rewritten file.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readChanged } from '../../../../src/config/sources/file-stamps.ts';

void describe('readChanged', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  async function file(text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-stamps-'));
    dirs.push(dir);
    const path = join(dir, 'a.yaml');
    await writeFile(path, text);
    return path;
  }

  void test('reads a file it has no stamp for, then skips it until it changes', async () => {
    const path = await file('kind: A\n');
    const [first] = await readChanged([path], () => undefined);
    assert.equal(first?.content, 'kind: A\n');
    const [again] = await readChanged([path], () => first?.stamp);
    assert.deepEqual(again, { file: path, stamp: first?.stamp });
    await writeFile(path, 'kind: B\n');
    const [changed] = await readChanged([path], () => first?.stamp);
    assert.equal(changed?.content, 'kind: B\n');
  });

  void test('a same-size rewrite with the old mtime put back is still seen', async () => {
    const path = await file('kind: A\n');
    const before = await stat(path);
    const [first] = await readChanged([path], () => undefined);
    // Let the clock move on, so the rewrite's change time differs even on a coarse filesystem clock.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(path, 'kind: C\n');
    await utimes(path, before.atime, before.mtime);
    const [changed] = await readChanged([path], () => first?.stamp);
    assert.equal(changed?.content, 'kind: C\n');
  });

  void test('a file that vanished is left out', async () => {
    const path = await file('kind: A\n');
    await rm(path);
    assert.deepEqual(await readChanged([path], () => undefined), []);
  });
});
