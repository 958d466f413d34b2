// Compiler: cluster names and types per resolution, connect timeouts, determinism.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../../src/compiler/compile.ts';
import { configSet, destinationRule, seed, serviceEntry } from '../../helpers/config-set.ts';

void describe('compile', () => {
  const http = [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 8080 }];
  const input = configSet({
    serviceEntries: [
      serviceEntry({ name: 'none' }, { hosts: ['none.example.com'], ports: http, resolution: 'NONE' }),
      serviceEntry(
        { name: 'static' },
        {
          hosts: ['static.example.com'],
          ports: http,
          resolution: 'STATIC',
          endpoints: [{ address: '10.0.0.1' }, { address: '10.0.0.2', ports: { http: 9090 } }],
        },
      ),
      serviceEntry({ name: 'dns' }, { hosts: ['dns.example.com'], ports: http, resolution: 'DNS' }),
      serviceEntry(
        { name: 'rr' },
        {
          hosts: ['rr.example.com'],
          ports: http,
          resolution: 'DNS_ROUND_ROBIN',
          endpoints: [{ address: 'backend.example.net' }],
        },
      ),
      serviceEntry({ name: 'wild-dns' }, { hosts: ['*.wild.example.com'], ports: http, resolution: 'DNS' }),
    ],
    destinationRules: [
      destinationRule(
        { name: 'dns' },
        { host: 'dns.example.com', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '250ms' } } } },
      ),
    ],
  });
  const snap = compile(input, { namespace: 'default', version: 'v7' });

  void test('cluster types and endpoints follow the resolution', () => {
    const c = snap.clusters;
    assert.deepEqual(Object.keys(c), [
      'BlackHoleCluster',
      'PassthroughCluster',
      'outbound|80||dns.example.com',
      'outbound|80||none.example.com',
      'outbound|80||rr.example.com',
      'outbound|80||static.example.com',
    ]);
    assert.equal(c['outbound|80||none.example.com']!.type, 'ORIGINAL_DST');
    assert.equal(c['outbound|80||none.example.com']!.portOverride, 8080);
    assert.equal(c['outbound|80||static.example.com']!.type, 'EDS');
    assert.deepEqual(
      c['outbound|80||static.example.com']!.endpoints.map((e) => `${e.address}:${e.port}`),
      ['10.0.0.1:8080', '10.0.0.2:9090'],
    );
    assert.equal(c['outbound|80||dns.example.com']!.type, 'STRICT_DNS');
    assert.deepEqual(
      c['outbound|80||dns.example.com']!.endpoints.map((e) => `${e.address}:${e.port}`),
      ['dns.example.com:8080'],
    );
    assert.equal(c['outbound|80||rr.example.com']!.type, 'LOGICAL_DNS');
  });

  void test('connect timeout: mesh 10 s, DestinationRule tcp.connectTimeout per cluster', () => {
    assert.equal(snap.clusters['outbound|80||static.example.com']!.connectTimeoutMs, 10_000);
    assert.equal(snap.clusters['outbound|80||dns.example.com']!.connectTimeoutMs, 250);
    assert.equal(snap.clusters.PassthroughCluster!.connectTimeoutMs, 10_000);
  });

  void test('a DNS wildcard without endpoints gets no cluster, and says so', () => {
    assert.ok(
      snap.diagnostics.some((d) => d.code === 'ClusterWithoutEndpoints' && d.message.includes('*.wild.example.com')),
    );
  });

  void test('same input, byte-identical output', () => {
    assert.equal(JSON.stringify(compile(input, { namespace: 'default', version: 'v7' })), JSON.stringify(snap));
    assert.equal(snap.version, 'v7');
  });

  void test('seed: the listener on 443 has one SNI chain', () => {
    const s = compile(configSet({ serviceEntries: [seed.google()] }), { namespace: 'default', version: '1' });
    assert.deepEqual(s.listeners['443']!.chains, [
      {
        name: 'outbound|443||www.google.com',
        serverNames: ['www.google.com'],
        cluster: 'outbound|443||www.google.com',
      },
    ]);
    assert.equal(s.listeners['443']!.routeConfigName, undefined);
  });
});

void describe('resolution DYNAMIC_DNS', () => {
  void test('becomes a dynamic forward proxy cluster that resolves the requested host', () => {
    const snap = compile(
      configSet({
        serviceEntries: [
          serviceEntry(
            { name: 'dyn' },
            {
              hosts: ['*.dyn.example.com'],
              ports: [{ number: 443, name: 'tls', protocol: 'TLS' }],
              resolution: 'DYNAMIC_DNS',
            },
          ),
        ],
      }),
      { namespace: 'default', version: '1' },
    );
    const c = snap.clusters['outbound|443||*.dyn.example.com']!;
    assert.equal(c.type, 'DYNAMIC_FORWARD_PROXY');
    assert.deepEqual(c.endpoints, []);
    assert.equal(snap.listeners['443']!.chains[0]!.cluster, 'outbound|443||*.dyn.example.com');
  });
});
