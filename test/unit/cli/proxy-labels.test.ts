// `meshgate proxy --labels`: the proxy's workload labels, which VirtualService sourceLabels matches compare with.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabels } from '../../../src/cli/proxy.ts';
import { UsageError } from '../../../src/cli/usage-error.ts';

void describe('parseLabels', () => {
  void test('comma-separated key=value pairs; values may be empty or contain "="', () => {
    assert.deepEqual(parseLabels('app=web, version=v1'), { app: 'web', version: 'v1' });
    assert.deepEqual(parseLabels('track='), { track: '' });
    assert.deepEqual(parseLabels('expr=a=b'), { expr: 'a=b' });
    assert.deepEqual(parseLabels(undefined), {});
    assert.deepEqual(parseLabels(''), {});
  });

  void test('a pair without a key is a usage error', () => {
    assert.throws(() => parseLabels('app'), UsageError);
    assert.throws(() => parseLabels('=v'), UsageError);
  });
});
