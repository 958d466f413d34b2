// DirectorySource: per-file last good version, deletions, and a watched mesh config file.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DirectorySource, type ConfigState } from '../../../../src/config/sources/directory-source.ts';
import { TmpConfigDir } from '../../../helpers/tmp-config.ts';

const se = (name: string, host: string, extra = ''): string =>
  `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\nspec:\n  hosts: [${host}]\n  ports:\n  - number: 80\n    name: http\n    protocol: HTTP\n${extra}`;

void describe('DirectorySource', () => {
  const dirs: TmpConfigDir[] = [];
  const sources: DirectorySource[] = [];
  after(async () => {
    for (const s of sources) s.close();
    for (const d of dirs) await d.cleanup();
  });

  async function watched(
    files: Record<string, string>,
  ): Promise<{ dir: TmpConfigDir; source: DirectorySource; next: () => Promise<ConfigState>; first: ConfigState }> {
    const dir = await TmpConfigDir.create();
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) await dir.write(name, text);
    const waiting: ((s: ConfigState) => void)[] = [];
    const source = new DirectorySource([dir.path], {
      namespace: 'ns',
      meshConfigPath: join(dir.path, 'mesh.cfg'),
      debounceMs: 20,
      rescanMs: 200,
    });
    sources.push(source);
    const first = await source.start((s) => waiting.shift()?.(s));
    return { dir, source, first, next: () => new Promise((resolve) => waiting.push(resolve)) };
  }

  void test('loads every file; a broken edit keeps the last good version; deletion removes resources', async () => {
    const { dir, first, next } = await watched({
      'mesh.cfg': 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n',
      'a.yaml': se('a', 'a.test'),
      'b.yaml': se('b', 'b.test'),
    });
    assert.equal(first.version, 1);
    assert.deepEqual(
      first.configSet.serviceEntries.map((r) => `${r.key.namespace}/${r.key.name}`),
      ['ns/a', 'ns/b'],
    );
    assert.equal(first.configSet.mesh.outboundTrafficPolicyMode, 'REGISTRY_ONLY');

    let changed = next();
    await dir.write('b.yaml', se('b', 'b.test', '  resolution: SOMETIMES\n'));
    let state = await changed;
    assert.deepEqual(
      state.configSet.serviceEntries.map((r) => r.key.name),
      ['a', 'b'],
      'b keeps its last good version',
    );
    assert.equal(state.rejected.length, 1);
    assert.equal(state.rejected[0]!.servingLastGood, true);
    assert.match(state.rejected[0]!.errors[0]!, /b\.yaml:11:\d+: error: /);

    changed = next();
    await dir.remove('b.yaml');
    state = await changed;
    assert.deepEqual(
      state.configSet.serviceEntries.map((r) => r.key.name),
      ['a'],
    );
    assert.deepEqual(state.rejected, []);
  });

  void test("the mesh config file is watched (regression: watching a folder's parent recursively stalled reloads)", async () => {
    const { dir, next } = await watched({
      'mesh.cfg': 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n',
      'a.yaml': se('a', 'a.test'),
    });
    for (const mode of ['ALLOW_ANY', 'REGISTRY_ONLY', 'ALLOW_ANY']) {
      const changed = next();
      await dir.write('mesh.cfg', `outboundTrafficPolicy:\n  mode: ${mode}\n`);
      assert.equal((await changed).configSet.mesh.outboundTrafficPolicyMode, mode);
    }
  });

  void test('while the mesh config file is broken, files take their defaults from the one still served', async () => {
    const { dir, first, next } = await watched({
      'mesh.cfg': 'defaultServiceExportTo: ["."]\n',
      'a.yaml': se('a', 'a.test'),
    });
    assert.deepEqual(first.configSet.serviceEntries[0]!.spec.exportTo, ['.']);
    let changed = next();
    await dir.write('mesh.cfg', 'defaultServiceExportTo: [".", 42]\n');
    let state = await changed;
    assert.equal(state.rejected[0]?.file, join(dir.path, 'mesh.cfg'));
    assert.deepEqual(state.configSet.mesh.defaultServiceExportTo, ['.']);
    changed = next();
    await dir.write('b.yaml', se('b', 'b.test'));
    state = await changed;
    assert.deepEqual(
      state.configSet.serviceEntries.map((r) => [r.key.name, r.spec.exportTo]),
      [
        ['a', ['.']],
        ['b', ['.']],
      ],
    );
  });

  void test('a resource defined in two files is kept from the first, with a warning', async () => {
    const { first } = await watched({ 'a.yaml': se('same', 'a.test'), 'b.yaml': se('same', 'b.test') });
    assert.equal(first.configSet.serviceEntries.length, 1);
    assert.deepEqual(first.configSet.serviceEntries[0]!.spec.hosts, ['a.test']);
    assert.match(first.warnings.join('\n'), /b\.yaml: ServiceEntry\/ns\/same is ignored: .*a\.yaml already defines it/);
  });
});

void describe('DirectorySource with a missing path', () => {
  void test('is not an error: it is reported and loaded once it appears', async () => {
    const dir = await TmpConfigDir.create();
    const missing = join(dir.path, 'later');
    const source = new DirectorySource([missing], { namespace: 'ns', debounceMs: 20, rescanMs: 100 });
    try {
      let resolveNext: (s: ConfigState) => void = () => undefined;
      const first = await source.start((s) => resolveNext(s));
      assert.deepEqual(first.configSet.serviceEntries, []);
      assert.match(first.warnings.join('\n'), /later: no such file or folder/);
      const changed = new Promise<ConfigState>((resolve) => {
        resolveNext = resolve;
      });
      const { mkdir, writeFile } = await import('node:fs/promises');
      await mkdir(missing);
      await writeFile(join(missing, 'a.yaml'), se('a', 'a.test'));
      const state = await changed;
      assert.equal(state.configSet.serviceEntries.length, 1);
    } finally {
      source.close();
      await dir.cleanup();
    }
  });
});
