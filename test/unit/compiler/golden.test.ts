// Golden snapshots: compile the example config and compare with the checked-in JSON byte for byte.
// REFRESH_GOLDEN=1 rewrites the golden files after an intended change.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compile } from '../../../src/compiler/compile.ts';
import { loadConfig } from '../../../src/validation/validate.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

void describe('golden snapshots', () => {
  void test('examples/seed under REGISTRY_ONLY, namespace foo', async () => {
    const { configSet, findings } = await loadConfig([`${root}examples/seed`], {
      namespace: 'foo',
      meshConfigPath: `${root}examples/mesh-config.yaml`,
    });
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    const actual = `${JSON.stringify(compile(configSet, { namespace: 'foo', version: 'golden' }), null, 2)}\n`;
    const golden = `${root}test/fixtures/compile/seed/snapshot.golden.json`;
    if (process.env.REFRESH_GOLDEN === '1') await writeFile(golden, actual);
    assert.equal(
      actual,
      await readFile(golden, 'utf8'),
      'compiled snapshot differs from the golden file (REFRESH_GOLDEN=1 rewrites it)',
    );
  });

  void test('examples/traffic-management (every VirtualService feature), namespace shop', async () => {
    const { configSet, findings } = await loadConfig([`${root}examples/traffic-management`], { namespace: 'shop' });
    assert.deepEqual(
      findings.filter((f) => f.severity === 'error'),
      [],
    );
    const actual = `${JSON.stringify(compile(configSet, { namespace: 'shop', version: 'golden' }), null, 2)}\n`;
    const golden = `${root}test/fixtures/compile/traffic-management/snapshot.golden.json`;
    if (process.env.REFRESH_GOLDEN === '1') await writeFile(golden, actual);
    assert.equal(
      actual,
      await readFile(golden, 'utf8'),
      'compiled snapshot differs from the golden file (REFRESH_GOLDEN=1 rewrites it)',
    );
  });
});
