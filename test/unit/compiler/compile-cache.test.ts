// CompileCache: a compile that reuses earlier work gives the snapshot a fresh compile gives, rebuilds what
// changed (a ServiceEntry, the DestinationRule for a host, the mesh's connect timeout) and reuses the rest.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompileCache } from '../../../src/compiler/compile-cache.ts';
import { compile } from '../../../src/compiler/compile.ts';
import type { ConfigSet, ServiceEntryResource } from '../../../src/config/model.ts';
import { configSet, destinationRule, serviceEntry } from '../../helpers/config-set.ts';

const entry = (name: string, port = 80): ServiceEntryResource =>
  serviceEntry(
    { name },
    {
      hosts: [`${name}.example.com`],
      ports: [
        { number: port, name: 'http', protocol: 'HTTP' },
        { number: 443, name: 'https', protocol: 'HTTPS' },
      ],
      resolution: 'STATIC',
      endpoints: [{ address: '10.0.0.1', labels: { version: 'v1' } }],
    },
  );

/** Compiles with the cache and checks the result against a compile without it. */
function compileBoth(set: ConfigSet, cache: CompileCache): ReturnType<typeof compile> {
  const cached = compile(set, { namespace: 'default', version: '1', cache });
  assert.deepEqual(cached, compile(set, { namespace: 'default', version: '1' }));
  return cached;
}

void describe('CompileCache', () => {
  const a = entry('a');
  const b = entry('b');

  void test('unchanged entries keep their clusters; a changed entry gets new ones', () => {
    const cache = new CompileCache();
    const first = compileBoth(configSet({ serviceEntries: [a, b] }), cache);
    const bChanged = entry('b', 8080);
    const second = compileBoth(configSet({ serviceEntries: [a, bChanged] }), cache);
    assert.equal(second.clusters['outbound|80||a.example.com'], first.clusters['outbound|80||a.example.com']);
    assert.equal(second.clusters['outbound|80||b.example.com'], undefined);
    assert.ok(second.clusters['outbound|8080||b.example.com']);
  });

  void test('a DestinationRule added, changed or removed for a host rebuilds its clusters', () => {
    const cache = new CompileCache();
    compileBoth(configSet({ serviceEntries: [a, b] }), cache);
    const v1 = destinationRule(
      { name: 'a' },
      { host: 'a.example.com', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
    );
    const withRule = compileBoth(configSet({ serviceEntries: [a, b], destinationRules: [v1] }), cache);
    assert.ok(withRule.clusters['outbound|80|v1|a.example.com']);
    const v2 = destinationRule(
      { name: 'a' },
      { host: 'a.example.com', subsets: [{ name: 'v2', labels: { version: 'v2' } }] },
    );
    const changed = compileBoth(configSet({ serviceEntries: [a, b], destinationRules: [v2] }), cache);
    assert.equal(changed.clusters['outbound|80|v1|a.example.com'], undefined);
    assert.deepEqual(changed.clusters['outbound|80|v2|a.example.com']?.endpoints, []);
    const without = compileBoth(configSet({ serviceEntries: [a, b] }), cache);
    assert.equal(without.clusters['outbound|80|v2|a.example.com'], undefined);
  });

  void test("the mesh's connect timeout and default exportTo are part of what is remembered", () => {
    const cache = new CompileCache();
    compileBoth(configSet({ serviceEntries: [a, b] }), cache);
    const slow = compileBoth(configSet({ serviceEntries: [a, b], mesh: { connectTimeoutMs: 2500 } }), cache);
    assert.equal(slow.clusters['outbound|80||a.example.com']?.connectTimeoutMs, 2500);
    // compileBoth checks the cached compile against a fresh one under the changed mesh.
    compileBoth(configSet({ serviceEntries: [a, b], mesh: { defaultServiceExportTo: ['~'] } }), cache);
  });
});
