// Simulation: transparently captured connections (original ip:port + sniffed protocol) → listener, route,
// cluster (spec §3.4–§3.6), on compiled snapshots, no sockets and no root.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, destinationRule, seed, serviceEntry, virtualService } from '../helpers/config-set.ts';
import { simulateCaptured, simulateConnect } from '../helpers/simulate.ts';
import { tunnelServices } from '../helpers/tunnel-services.ts';

void describe('captured traffic routing', () => {
  const entries = [
    seed.httpbin(),
    seed.google(),
    ...tunnelServices(),
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

void describe('captured traffic and VirtualService tls[] / tcp[] routes', () => {
  const TLS = [{ number: 443, name: 'tls', protocol: 'TLS' }];
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry({ name: 'api' }, { hosts: ['api.example.com'], ports: TLS, resolution: 'DNS' }),
        serviceEntry({ name: 'mirror' }, { hosts: ['mirror.example.net'], ports: TLS, resolution: 'DNS' }),
        serviceEntry({ name: 'wild' }, { hosts: ['*.example.org'], ports: TLS, resolution: 'NONE' }),
        serviceEntry(
          { name: 'db' },
          { hosts: ['db.internal'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' },
        ),
        serviceEntry(
          { name: 'db-replica' },
          { hosts: ['replica.internal'], ports: [{ number: 5433, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' },
        ),
      ],
      destinationRules: [
        destinationRule(
          { name: 'api' },
          { host: 'api.example.com', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'api', namespace: 'default' },
          {
            hosts: ['api.example.com', '*.example.org'],
            tls: [
              {
                match: [{ sniHosts: ['api.example.com'], destinationSubnets: ['10.0.0.0/8'] }],
                route: [{ destination: { host: 'mirror.example.net', port: { number: 443 } } }],
              },
              {
                match: [{ sniHosts: ['api.example.com'] }],
                route: [
                  { destination: { host: 'api.example.com', subset: 'v1' }, weight: 75 },
                  { destination: { host: 'mirror.example.net' }, weight: 25 },
                ],
              },
              {
                match: [{ sniHosts: ['*.cdn.example.org'], port: 443 }],
                route: [{ destination: { host: 'mirror.example.net' } }],
              },
            ],
          },
        ),
        virtualService(
          { name: 'db', namespace: 'default' },
          {
            hosts: ['db.internal'],
            tcp: [
              {
                match: [{ port: 5432, destinationSubnets: ['192.168.0.0/16'] }],
                route: [{ destination: { host: 'replica.internal', port: { number: 5433 } } }],
              },
              { match: [{ port: 5432 }], route: [{ destination: { host: 'db.internal' } }] },
            ],
          },
        ),
      ],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    }),
    { namespace: 'default', version: '1' },
  );

  void test('a tls route by SNI splits by weight between a subset and another host', () => {
    assert.deepEqual(
      simulateCaptured(snap, {
        address: '203.0.113.5',
        port: 443,
        protocol: 'tls',
        sni: 'api.example.com',
        random: 0.5,
      }),
      {
        listener: '0.0.0.0_443',
        cluster: 'outbound|443|v1|api.example.com',
        route: 'default/api tls[1]',
        flag: '-',
        sniff: true,
      },
    );
    assert.equal(
      simulateCaptured(snap, {
        address: '203.0.113.5',
        port: 443,
        protocol: 'tls',
        sni: 'api.example.com',
        random: 0.8,
      }).cluster,
      'outbound|443||mirror.example.net',
    );
  });

  void test('destinationSubnets match the original destination IP', () => {
    assert.deepEqual(
      simulateCaptured(snap, { address: '10.2.3.4', port: 443, protocol: 'tls', sni: 'api.example.com', random: 0.5 }),
      {
        listener: '0.0.0.0_443',
        cluster: 'outbound|443||mirror.example.net',
        route: 'default/api tls[0]',
        flag: '-',
        sniff: true,
      },
    );
  });

  void test('a wildcard sniHost gets its own chain; other names keep the covering service', () => {
    const routed = simulateCaptured(snap, {
      address: '198.51.100.2',
      port: 443,
      protocol: 'tls',
      sni: 'a.cdn.example.org',
    });
    assert.equal(routed.cluster, 'outbound|443||mirror.example.net');
    assert.equal(routed.route, 'default/api tls[2]');
    assert.deepEqual(
      simulateCaptured(snap, { address: '198.51.100.2', port: 443, protocol: 'tls', sni: 'www.example.org' }),
      { listener: '0.0.0.0_443', cluster: 'outbound|443||*.example.org', flag: '-', sniff: true },
    );
  });

  void test('captured routing agrees with CONNECT routing for the same SNI and destination', () => {
    for (const [ip, sni, random] of [
      ['10.2.3.4', 'api.example.com', 0.1],
      ['203.0.113.5', 'api.example.com', 0.9],
      ['203.0.113.5', 'b.cdn.example.org', 0],
    ] as const) {
      const captured = simulateCaptured(snap, { address: ip, port: 443, protocol: 'tls', sni, random });
      const connect = simulateConnect(snap, sni, 443, random, ip);
      assert.equal(captured.cluster, connect.cluster);
      assert.equal(captured.route, connect.route);
    }
  });

  void test('a tcp route by port and destination subnet; the one without subnets is the catch-all', () => {
    assert.deepEqual(simulateCaptured(snap, { address: '192.168.4.4', port: 5432, protocol: 'tcp' }), {
      listener: '0.0.0.0_5432',
      cluster: 'outbound|5433||replica.internal',
      route: 'default/db tcp[0]',
      flag: '-',
      sniff: false,
    });
    assert.deepEqual(simulateCaptured(snap, { address: '172.16.0.9', port: 5432, protocol: 'tcp' }), {
      listener: '0.0.0.0_5432',
      cluster: 'outbound|5432||db.internal',
      route: 'default/db tcp[1]',
      flag: '-',
      sniff: false,
    });
  });
});
