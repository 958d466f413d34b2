// Simulation: config + HTTP call → virtual host, route, cluster and flag, on a real compiled snapshot.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, destinationRule, seed, serviceEntry, virtualService } from '../helpers/config-set.ts';
import { simulateHttp } from '../helpers/simulate.ts';

const REGISTRY_ONLY = { outboundTrafficPolicyMode: 'REGISTRY_ONLY' } as const;

void describe('seed walk-through', () => {
  void test('registered httpbin.org goes to its cluster by the default route', () => {
    const snap = compile(configSet({ serviceEntries: [seed.httpbin()], mesh: REGISTRY_ONLY }), {
      namespace: 'foo',
      version: '1',
    });
    assert.deepEqual(simulateHttp(snap, { authority: 'httpbin.org', path: '/delay/5' }), {
      routeConfig: '80',
      virtualHost: 'httpbin.org:80',
      route: 'default',
      cluster: 'outbound|80||httpbin.org',
      flag: '-',
    });
  });

  void test('the seed VirtualService routes with its 3 s timeout, unnamed route', () => {
    const snap = compile(
      configSet({ serviceEntries: [seed.httpbin()], virtualServices: [seed.httpbinTimeout()], mesh: REGISTRY_ONLY }),
      { namespace: 'foo', version: '1' },
    );
    const r = simulateHttp(snap, { authority: 'www.httpbin.org', path: '/delay/5' });
    assert.equal(r.virtualHost, 'www.httpbin.org:80');
    assert.equal(r.route, '');
    assert.equal(r.cluster, 'outbound|80||httpbin.org');
    const vhost = snap.routeConfigs['80']!.virtualHosts.find((v) => v.name === 'httpbin.org:80')!;
    const action = vhost.routes[0]!.action;
    assert.equal(action.kind === 'route' && action.timeoutMs, 3000);
  });

  void test('REGISTRY_ONLY: unknown host gets block_all 502, ALLOW_ANY: allow_any passthrough', () => {
    const blocked = compile(configSet({ serviceEntries: [seed.httpbin()], mesh: REGISTRY_ONLY }), {
      namespace: 'foo',
      version: '1',
    });
    assert.deepEqual(simulateHttp(blocked, { authority: 'example.com' }), {
      routeConfig: '80',
      virtualHost: 'block_all',
      route: 'block_all',
      cluster: 'BlackHoleCluster',
      status: 502,
      flag: '-',
    });
    const open = compile(configSet({ serviceEntries: [seed.httpbin()] }), { namespace: 'foo', version: '1' });
    assert.deepEqual(simulateHttp(open, { authority: 'example.com' }), {
      routeConfig: '80',
      virtualHost: 'allow_any',
      route: 'allow_any',
      cluster: 'PassthroughCluster',
      flag: '-',
    });
  });

  void test('exportTo "." hides the service from another namespace', () => {
    const snap = compile(configSet({ serviceEntries: [seed.httpbin(), seed.google()], mesh: REGISTRY_ONLY }), {
      namespace: 'bar',
      version: '1',
    });
    // No HTTP service is visible in bar, so there is no port-80 listener at all: plain HTTP is refused as unknown.
    assert.equal(simulateHttp(snap, { authority: 'httpbin.org' }).route, 'block_all');
  });
});

void describe('Envoy virtual host ranking (spec §3.5)', () => {
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry(
          { name: 'wild' },
          { hosts: ['*.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'NONE' },
        ),
        serviceEntry(
          { name: 'deeper' },
          { hosts: ['*.api.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'NONE' },
        ),
        serviceEntry(
          { name: 'exact' },
          {
            hosts: ['api.example.com'],
            ports: [
              { number: 80, name: 'http', protocol: 'HTTP' },
              { number: 8080, name: 'alt', protocol: 'HTTP' },
            ],
            resolution: 'DNS',
          },
        ),
      ],
      mesh: REGISTRY_ONLY,
    }),
    { namespace: 'default', version: '1' },
  );

  const cases: [string, number, string | undefined][] = [
    ['api.example.com', 80, 'outbound|80||api.example.com'],
    ['API.Example.COM.', 80, 'outbound|80||api.example.com'],
    ['api.example.com:80', 80, 'outbound|80||api.example.com'],
    ['v1.api.example.com', 80, 'outbound|80||*.api.example.com'],
    ['www.example.com', 80, 'outbound|80||*.example.com'],
    ['example.com', 80, 'BlackHoleCluster'],
    ['api.example.com:8080', 8080, 'outbound|8080||api.example.com'],
    ['www.example.com:8080', 8080, 'BlackHoleCluster'],
  ];
  for (const [authority, port, cluster] of cases) {
    void test(`${authority} on port ${port} → ${cluster}`, () => {
      assert.equal(simulateHttp(snap, { authority, port }).cluster, cluster);
    });
  }
});

void describe('VirtualService routes', () => {
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry(
          { name: 'svc' },
          { hosts: ['svc.example.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' },
        ),
      ],
      destinationRules: [
        destinationRule(
          { name: 'svc' },
          {
            host: 'svc.example.com',
            subsets: [
              { name: 'v1', labels: {} },
              { name: 'v2', labels: {} },
            ],
          },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'svc' },
          {
            hosts: ['svc.example.com'],
            http: [
              {
                name: 'api',
                match: [
                  { name: 'v2', uri: { prefix: '/v2/' } },
                  { name: 'hdr', headers: { 'x-version': { exact: '2' } } },
                ],
                route: [{ destination: { host: 'svc.example.com', subset: 'v2' } }],
              },
              {
                name: 'split',
                match: [{ uri: { exact: '/split' } }],
                route: [
                  { destination: { host: 'svc.example.com', subset: 'v1' }, weight: 75 },
                  { destination: { host: 'svc.example.com', subset: 'v2' }, weight: 25 },
                ],
              },
              {
                name: 'missing',
                match: [{ uri: { regex: '/m[a-z]+' } }],
                route: [{ destination: { host: 'nowhere.example.com' } }],
              },
            ],
          },
        ),
      ],
    }),
    { namespace: 'default', version: '1' },
  );

  void test('match names join the route name', () => {
    assert.deepEqual(simulateHttp(snap, { authority: 'svc.example.com', path: '/v2/x' }), {
      routeConfig: '80',
      virtualHost: 'svc.example.com:80',
      route: 'api.v2',
      cluster: 'outbound|80|v2|svc.example.com',
      flag: '-',
    });
    assert.equal(simulateHttp(snap, { authority: 'svc.example.com', headers: { 'x-version': '2' } }).route, 'api.hdr');
  });

  void test('weights split by the random draw', () => {
    assert.equal(
      simulateHttp(snap, { authority: 'svc.example.com', path: '/split', random: 0.1 }).cluster,
      'outbound|80|v1|svc.example.com',
    );
    assert.equal(
      simulateHttp(snap, { authority: 'svc.example.com', path: '/split', random: 0.9 }).cluster,
      'outbound|80|v2|svc.example.com',
    );
  });

  void test('a destination outside the registry is 503 NC; no matching route is 404 NR', () => {
    assert.deepEqual(simulateHttp(snap, { authority: 'svc.example.com', path: '/missing' }), {
      routeConfig: '80',
      virtualHost: 'svc.example.com:80',
      route: 'missing',
      cluster: 'outbound|80||nowhere.example.com',
      status: 503,
      flag: 'NC',
    });
    assert.deepEqual(simulateHttp(snap, { authority: 'svc.example.com', path: '/other' }), {
      routeConfig: '80',
      virtualHost: 'svc.example.com:80',
      status: 404,
      flag: 'NR',
    });
  });

  void test('the snapshot is frozen', () => {
    assert.ok(Object.isFrozen(snap.routeConfigs['80']!.virtualHosts[0]!.routes));
    assert.throws(() => {
      (snap as { version: string }).version = 'x';
    });
  });
});
