// Simulation: CONNECT host:port → listener and cluster (spec §3.4 and §7), no sockets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, seed } from '../helpers/config-set.ts';
import { simulateConnect } from '../helpers/simulate.ts';
import { tunnelServices } from '../helpers/tunnel-services.ts';

void describe('CONNECT routing', () => {
  const entries = [seed.google(), seed.httpbin(), ...tunnelServices()];
  const blocked = compile(
    configSet({ serviceEntries: entries, mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' } }),
    { namespace: 'foo', version: '1' },
  );
  const open = compile(configSet({ serviceEntries: entries }), { namespace: 'foo', version: '1' });

  void test('the seed HTTPS service tunnels to outbound|443||www.google.com', () => {
    assert.deepEqual(simulateConnect(blocked, 'www.google.com', 443), {
      listener: '0.0.0.0_443',
      cluster: 'outbound|443||www.google.com',
      flag: '-',
    });
  });

  void test('wildcard server names, and unknown names on a known port', () => {
    assert.equal(simulateConnect(blocked, 'storage.googleapis.com', 443).cluster, 'outbound|443||*.googleapis.com');
    assert.deepEqual(simulateConnect(blocked, 'example.com', 443), {
      listener: '0.0.0.0_443',
      cluster: 'BlackHoleCluster',
      flag: 'UH',
    });
    assert.equal(simulateConnect(open, 'example.com', 443).cluster, 'PassthroughCluster');
  });

  void test('a TCP service without addresses takes its whole port; with addresses, only those', () => {
    assert.equal(simulateConnect(blocked, 'anything.example', 5432).cluster, 'outbound|5432||db.internal');
    assert.equal(simulateConnect(blocked, '10.1.2.3', 9000).cluster, 'outbound|9000||vip.internal');
    assert.equal(simulateConnect(blocked, '10.2.0.1', 9000).cluster, 'BlackHoleCluster');
  });

  void test('CONNECT to an HTTP port tunnels to the HTTP service; unknown ports follow the policy', () => {
    assert.equal(simulateConnect(blocked, 'httpbin.org', 80).cluster, 'outbound|80||httpbin.org');
    assert.deepEqual(simulateConnect(blocked, 'example.com', 8443), {
      listener: 'virtualOutbound',
      cluster: 'BlackHoleCluster',
      flag: 'UH',
    });
    assert.equal(simulateConnect(open, 'example.com', 8443).cluster, 'PassthroughCluster');
  });
});
