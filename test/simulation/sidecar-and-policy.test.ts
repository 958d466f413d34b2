// Simulation: Sidecar scoping and its outboundTrafficPolicy, subsets by endpoint labels, direct responses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, destinationRule, serviceEntry, sidecar, virtualService } from '../helpers/config-set.ts';
import { simulateConnect, simulateHttp } from '../helpers/simulate.ts';

const http = [{ number: 80, name: 'http', protocol: 'HTTP' }];

void describe('Sidecar', () => {
  const entries = [
    serviceEntry({ name: 'a', namespace: 'shared' }, { hosts: ['a.example.com'], ports: http, resolution: 'DNS' }),
    serviceEntry({ name: 'b', namespace: 'shared' }, { hosts: ['b.example.com'], ports: http, resolution: 'DNS' }),
  ];

  void test('egress hosts narrow what the namespace imports; unimported hosts are unknown', () => {
    const snap = compile(
      configSet({
        serviceEntries: entries,
        sidecars: [sidecar({ name: 'default', namespace: 'app' }, { egress: [{ hosts: ['shared/a.example.com'] }] })],
        mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
      }),
      { namespace: 'app', version: '1' },
    );
    assert.equal(simulateHttp(snap, { authority: 'a.example.com' }).cluster, 'outbound|80||a.example.com');
    assert.equal(simulateHttp(snap, { authority: 'b.example.com' }).route, 'block_all');
  });

  void test("the Sidecar's outboundTrafficPolicy overrides the mesh; the root namespace's applies to namespaces without one", () => {
    const rootOpen = sidecar(
      { name: 'default', namespace: 'istio-system' },
      { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } },
    );
    const appClosed = sidecar({ name: 'default', namespace: 'app' }, { outboundTrafficPolicy: {} });
    const input = configSet({
      serviceEntries: entries,
      sidecars: [rootOpen, appClosed],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    });
    assert.equal(compile(input, { namespace: 'other', version: '1' }).outboundTrafficPolicy, 'ALLOW_ANY');
    assert.equal(
      compile(input, { namespace: 'app', version: '1' }).outboundTrafficPolicy,
      'REGISTRY_ONLY',
      'an empty outboundTrafficPolicy means REGISTRY_ONLY',
    );
    assert.equal(
      simulateConnect(compile(input, { namespace: 'other', version: '1' }), 'unknown.example.com', 443).cluster,
      'PassthroughCluster',
    );
  });

  void test('a Sidecar with a workloadSelector never applies to meshgate', () => {
    const selective = sidecar(
      { name: 'pods', namespace: 'app' },
      { workloadSelector: { labels: { app: 'x' } }, outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
    );
    assert.equal(
      compile(configSet({ sidecars: [selective] }), { namespace: 'app', version: '1' }).outboundTrafficPolicy,
      'ALLOW_ANY',
    );
  });
});

void describe('subsets and direct responses', () => {
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry(
          { name: 'api' },
          {
            hosts: ['api.example.com'],
            ports: http,
            resolution: 'STATIC',
            endpoints: [
              { address: '10.0.0.1', labels: { version: 'v1' } },
              { address: '10.0.0.2', labels: { version: 'v2' } },
            ],
          },
        ),
      ],
      destinationRules: [
        destinationRule(
          { name: 'api' },
          { host: 'api.example.com', subsets: [{ name: 'v2', labels: { version: 'v2' } }] },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'api' },
          {
            hosts: ['api.example.com'],
            http: [
              {
                name: 'maintenance',
                match: [{ uri: { prefix: '/admin' } }],
                directResponse: { status: 503, body: { string: 'down for maintenance' } },
              },
              { name: 'canary', route: [{ destination: { host: 'api.example.com', subset: 'v2' } }] },
            ],
          },
        ),
      ],
    }),
    { namespace: 'default', version: '1' },
  );

  void test('a subset cluster keeps only the endpoints with its labels', () => {
    assert.deepEqual(
      snap.clusters['outbound|80|v2|api.example.com']!.endpoints.map((e) => e.address),
      ['10.0.0.2'],
    );
    assert.deepEqual(
      snap.clusters['outbound|80||api.example.com']!.endpoints.map((e) => e.address),
      ['10.0.0.1', '10.0.0.2'],
    );
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com', path: '/x' }).cluster,
      'outbound|80|v2|api.example.com',
    );
  });

  void test('directResponse answers from the route', () => {
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/admin/x' }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: 'maintenance',
      cluster: undefined,
      status: 503,
      flag: '-',
    });
  });
});
