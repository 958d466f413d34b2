// Simulation: transparently captured connections (original ip:port + sniffed protocol) → listener, route,
// cluster (spec §3.4–§3.6), on compiled snapshots, no sockets and no root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, seed, serviceEntry } from '../helpers/config-set.ts';
import { simulateCaptured } from '../helpers/simulate.ts';

void describe('captured traffic routing', () => {
  const entries = [
    seed.httpbin(),
    seed.google(),
    serviceEntry(
      { name: 'wild-tls', namespace: 'foo' },
      { hosts: ['*.googleapis.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' },
    ),
    serviceEntry(
      { name: 'db', namespace: 'foo' },
      { hosts: ['db.internal'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' },
    ),
    serviceEntry(
      { name: 'vip', namespace: 'foo' },
      {
        hosts: ['vip.internal'],
        addresses: ['10.1.0.0/16'],
        ports: [{ number: 9000, name: 'tcp', protocol: 'TCP' }],
        resolution: 'STATIC',
        endpoints: [{ address: '10.1.0.5' }],
      },
    ),
    serviceEntry(
      { name: 'legacy', namespace: 'foo' },
      {
        hosts: ['legacy.internal'],
        addresses: ['10.9.0.1'],
        ports: [{ number: 80, name: 'tcp', protocol: 'TCP' }],
        resolution: 'NONE',
      },
    ),
    serviceEntry(
      { name: 'sniffed', namespace: 'foo' },
      { hosts: ['sniffed.internal'], ports: [{ number: 7000, name: 'any' }], resolution: 'DNS' },
    ),
  ];
  const blocked = compile(
    configSet({
      serviceEntries: entries,
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY', protocolDetectionTimeoutMs: 250 },
    }),
    { namespace: 'foo', version: '1' },
  );
  const open = compile(configSet({ serviceEntries: entries }), { namespace: 'foo', version: '1' });

  void test('HTTP is routed by Host on the original port, whatever IP was dialled', () => {
    assert.deepEqual(
      simulateCaptured(blocked, { address: '203.0.113.7', port: 80, protocol: 'http', host: 'httpbin.org' }),
      {
        listener: '0.0.0.0_80',
        routeConfig: '80',
        virtualHost: 'httpbin.org:80',
        route: 'default',
        cluster: 'outbound|80||httpbin.org',
        flag: '-',
        sniff: true,
      },
    );
    // The Host's own port is ignored: the original destination's port picked the route config.
    assert.equal(
      simulateCaptured(blocked, { address: '203.0.113.7', port: 80, protocol: 'http', host: 'httpbin.org:8080' })
        .cluster,
      'outbound|80||httpbin.org',
    );
  });

  void test('an unknown Host: block_all 502 under REGISTRY_ONLY, allow_any passthrough under ALLOW_ANY', () => {
    assert.deepEqual(
      simulateCaptured(blocked, { address: '203.0.113.7', port: 80, protocol: 'http', host: 'example.com' }),
      {
        listener: '0.0.0.0_80',
        routeConfig: '80',
        virtualHost: 'block_all',
        route: 'block_all',
        cluster: 'BlackHoleCluster',
        status: 502,
        flag: '-',
        sniff: true,
      },
    );
    assert.equal(
      simulateCaptured(open, { address: '203.0.113.7', port: 80, protocol: 'http', host: 'example.com' }).cluster,
      'PassthroughCluster',
    );
  });

  void test('TLS is routed by SNI among the TLS/HTTPS services of the port', () => {
    assert.deepEqual(
      simulateCaptured(blocked, { address: '142.250.1.1', port: 443, protocol: 'tls', sni: 'www.google.com' }),
      { listener: '0.0.0.0_443', cluster: 'outbound|443||www.google.com', flag: '-', sniff: true },
    );
    assert.equal(
      simulateCaptured(blocked, { address: '142.250.1.1', port: 443, protocol: 'tls', sni: 'Storage.GoogleAPIs.com' })
        .cluster,
      'outbound|443||*.googleapis.com',
    );
    assert.deepEqual(
      simulateCaptured(blocked, { address: '142.250.1.1', port: 443, protocol: 'tls', sni: 'example.com' }),
      { listener: '0.0.0.0_443', cluster: 'BlackHoleCluster', flag: 'UH', sniff: true },
    );
    assert.equal(
      simulateCaptured(blocked, { address: '142.250.1.1', port: 443, protocol: 'tls' }).cluster,
      'BlackHoleCluster',
    );
    assert.equal(
      simulateCaptured(open, { address: '142.250.1.1', port: 443, protocol: 'tls', sni: 'example.com' }).cluster,
      'PassthroughCluster',
    );
  });

  void test('TLS to an HTTP port is not matched by an HTTP service name', () => {
    assert.equal(
      simulateCaptured(blocked, { address: '203.0.113.7', port: 80, protocol: 'tls', sni: 'httpbin.org' }).cluster,
      'BlackHoleCluster',
    );
    assert.equal(
      simulateCaptured(open, { address: '203.0.113.7', port: 80, protocol: 'tcp' }).cluster,
      'PassthroughCluster',
    );
  });

  void test('TCP by destination address/CIDR, or the port of a TCP service without addresses', () => {
    assert.deepEqual(simulateCaptured(blocked, { address: '10.1.2.3', port: 9000, protocol: 'tcp' }), {
      listener: '10.1.2.3_9000',
      cluster: 'outbound|9000||vip.internal',
      flag: '-',
      sniff: false,
    });
    assert.equal(
      simulateCaptured(blocked, { address: '10.2.0.1', port: 9000, protocol: 'tcp' }).cluster,
      'BlackHoleCluster',
    );
    assert.deepEqual(simulateCaptured(blocked, { address: '192.0.2.44', port: 5432, protocol: 'tcp' }), {
      listener: '0.0.0.0_5432',
      cluster: 'outbound|5432||db.internal',
      flag: '-',
      sniff: false,
    });
  });

  void test('a TCP service bound to an IP takes that IP even on an HTTP port, without sniffing', () => {
    assert.deepEqual(
      simulateCaptured(blocked, { address: '10.9.0.1', port: 80, protocol: 'http', host: 'httpbin.org' }),
      { listener: '10.9.0.1_80', cluster: 'outbound|80||legacy.internal', flag: '-', sniff: false },
    );
  });

  void test('a port without a declared protocol: HTTP by Host, anything else to its service', () => {
    const http = simulateCaptured(blocked, {
      address: '192.0.2.9',
      port: 7000,
      protocol: 'http',
      host: 'sniffed.internal',
    });
    assert.equal(http.cluster, 'outbound|7000||sniffed.internal');
    assert.equal(http.sniff, true);
    assert.equal(
      simulateCaptured(blocked, { address: '192.0.2.9', port: 7000, protocol: 'tls', sni: 'other.example' }).cluster,
      'outbound|7000||sniffed.internal',
    );
  });

  void test('ports no service uses go to virtualOutbound and are not sniffed', () => {
    assert.deepEqual(simulateCaptured(blocked, { address: '198.51.100.1', port: 8443, protocol: 'tcp' }), {
      listener: 'virtualOutbound',
      cluster: 'BlackHoleCluster',
      flag: 'UH',
      sniff: false,
    });
    assert.equal(
      simulateCaptured(open, { address: '198.51.100.1', port: 8443, protocol: 'tcp' }).cluster,
      'PassthroughCluster',
    );
  });

  void test('mesh protocolDetectionTimeout reaches the snapshot only when set', () => {
    assert.equal(blocked.protocolDetectionTimeoutMs, 250);
    assert.equal(open.protocolDetectionTimeoutMs, undefined);
  });
});
