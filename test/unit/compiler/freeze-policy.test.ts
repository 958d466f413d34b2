// Snapshot freezing (docs/decisions/0010): compile() freezes by default; the proxy freezes only with
// MESHGATE_FREEZE_SNAPSHOTS=1, and an unfrozen snapshot is the same snapshot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compile } from '../../../src/compiler/compile.ts';
import { freezeSnapshots } from '../../../src/compiler/freeze-policy.ts';
import { configSet, serviceEntry } from '../../helpers/config-set.ts';

const config = configSet({
  serviceEntries: [
    serviceEntry(
      { name: 'api' },
      {
        hosts: ['api.example.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'STATIC',
        endpoints: [{ address: '10.0.0.1' }],
      },
    ),
  ],
});

/** Whether every object reachable from `value` is frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (!Object.isFrozen(value)) return false;
  return Object.values(value).every(deeplyFrozen);
}

void describe('snapshot freezing', () => {
  void test('compile() deep-freezes unless told not to, and both give the same snapshot', () => {
    const frozen = compile(config, { namespace: 'default', version: '1' });
    const plain = compile(config, { namespace: 'default', version: '1', freeze: false });
    assert.ok(deeplyFrozen(frozen));
    assert.equal(Object.isFrozen(plain), false);
    assert.equal(Object.isFrozen(plain.clusters['outbound|443||api.example.com']), false);
    assert.deepEqual(plain, frozen);
  });

  void test('a write to a frozen snapshot throws', () => {
    const frozen = compile(config, { namespace: 'default', version: '1' });
    assert.throws(() => {
      (frozen.clusters['outbound|443||api.example.com'] as { connectTimeoutMs: number }).connectTimeoutMs = 1;
    }, TypeError);
  });

  void test('the proxy freezes only with MESHGATE_FREEZE_SNAPSHOTS=1', () => {
    assert.equal(freezeSnapshots({ MESHGATE_FREEZE_SNAPSHOTS: '1' }), true);
    assert.equal(freezeSnapshots({ MESHGATE_FREEZE_SNAPSHOTS: '0' }), false);
    assert.equal(freezeSnapshots({}), false);
  });
});
