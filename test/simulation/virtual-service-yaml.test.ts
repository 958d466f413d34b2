// Simulation from the YAML users write, through the real loader: every VirtualService field decodes,
// validates and compiles into the route the user meant (vhost, route, cluster, flag), with no sockets.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import { simulateConnect, simulateHttp } from '../helpers/simulate.ts';
import { snapshotFromYaml } from '../helpers/snapshot-from-yaml.ts';

const YAML = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop.example.com]
  ports:
  - { number: 80, name: http, protocol: HTTP }
  - { number: 443, name: tls, protocol: TLS }
  resolution: STATIC
  endpoints:
  - { address: 10.0.0.1, labels: { version: v1 } }
  - { address: 10.0.0.2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1beta1
kind: ServiceEntry
metadata: { name: backends, namespace: shop }
spec:
  hosts: [eu.backend.net, us.backend.net]
  ports: [{ number: 443, name: tls, protocol: TLS }, { number: 80, name: http, protocol: HTTP }]
  resolution: DNS
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: { name: shop, namespace: shop }
spec:
  host: shop.example.com
  subsets: [{ name: v1, labels: { version: v1 } }, { name: v2, labels: { version: v2 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: shop, namespace: shop }
spec:
  hosts: [shop.example.com]
  http:
  - name: beta
    match:
    - name: cookie
      headers: { cookie: { regex: ".*beta=1.*" } }
    - name: query
      queryParams: { beta: { exact: "" } }
    route: [{ destination: { host: shop.example.com, subset: v2 } }]
  - name: admin
    match: [{ uri: { prefix: /ADMIN }, ignoreUriCase: true, method: { regex: "GET|HEAD" }, withoutHeaders: { x-internal: {} } }]
    directResponse: { status: 403, body: { string: denied } }
    headers: { response: { set: { cache-control: no-store } } }
  - name: legacy
    match: [{ uri: { prefix: /v1/ } }]
    redirect: { prefixRewrite: /v2/, redirectCode: 302, derivePort: FROM_PROTOCOL_DEFAULT }
  - name: canary-source
    match: [{ sourceLabels: { track: canary }, sourceNamespace: shop }]
    route: [{ destination: { host: shop.example.com, subset: v2 } }]
  - name: main
    timeout: 2s
    retries: { attempts: 2, perTryTimeout: 500ms, retryOn: "gateway-error,connect-failure,409", backoff: 50ms, retryIgnorePreviousHosts: false }
    fault: { delay: { fixedDelay: 100ms, percentage: { value: 0.5 } } }
    mirrors: [{ destination: { host: us.backend.net }, percentage: { value: 5 } }]
    corsPolicy: { allowOrigins: [{ prefix: "https://" }], unmatchedPreflights: IGNORE }
    rewrite: { authority: internal.shop.example.com }
    route:
    - { destination: { host: shop.example.com, subset: v1 }, weight: 90, headers: { request: { add: { x-canary: "no" } } } }
    - { destination: { host: shop.example.com, subset: v2 }, weight: 10, headers: { request: { add: { x-canary: "yes" } } } }
  tls:
  - match: [{ sniHosts: [shop.example.com], port: 443 }]
    route:
    - { destination: { host: eu.backend.net }, weight: 50 }
    - { destination: { host: us.backend.net }, weight: 50 }
`;

void describe('a VirtualService written in YAML', () => {
  let snap: Snapshot;
  let canary: Snapshot;
  before(async () => {
    snap = await snapshotFromYaml(YAML, { namespace: 'shop' });
    canary = await snapshotFromYaml(YAML, { namespace: 'shop', labels: { track: 'canary' } });
  });
  const call = (
    path: string,
    extra: Partial<Parameters<typeof simulateHttp>[1]> = {},
  ): ReturnType<typeof simulateHttp> => simulateHttp(snap, { authority: 'shop.example.com', path, ...extra });

  void test('header regex and `?beta` route to subset v2, named <route>.<match>', () => {
    assert.deepEqual(call('/', { headers: { cookie: 'a=b; beta=1' } }), {
      routeConfig: '80',
      virtualHost: 'shop.example.com:80',
      route: 'beta.cookie',
      cluster: 'outbound|80|v2|shop.example.com',
      flag: '-',
    });
    assert.equal(call('/list?beta').route, 'beta.query');
  });

  void test('ignoreUriCase prefix, method regex and withoutHeaders together', () => {
    assert.equal(call('/admin/users').status, 403);
    assert.equal(call('/admin/users', { method: 'HEAD' }).status, 403);
    assert.equal(call('/admin/users', { method: 'POST' }).route, 'main');
    assert.equal(call('/admin/users', { headers: { 'x-internal': '1' } }).route, 'main');
  });

  void test('redirect with prefixRewrite and code 302', () => {
    assert.deepEqual(call('/v1/cart?id=7'), {
      routeConfig: '80',
      virtualHost: 'shop.example.com:80',
      route: 'legacy',
      status: 302,
      flag: '-',
      location: 'http://shop.example.com/v2/cart?id=7',
    });
  });

  void test('sourceLabels and sourceNamespace select the canary route only for a labelled proxy in shop', () => {
    assert.equal(simulateHttp(canary, { authority: 'shop.example.com' }).route, 'canary-source');
    assert.equal(call('/').route, 'main');
  });

  void test('the main route compiles every policy it names', () => {
    const route = snap.routeConfigs['80']!.virtualHosts.find((v) => v.name === 'shop.example.com:80')!.routes.find(
      (r) => r.name === 'main',
    )!;
    assert.equal(route.action.kind, 'route');
    if (route.action.kind !== 'route') return;
    assert.equal(route.action.timeoutMs, 2000);
    assert.deepEqual(route.action.retryPolicy, {
      numRetries: 2,
      retryOn: ['gateway-error', 'connect-failure', 'retriable-status-codes'],
      retriableStatusCodes: [409],
      perTryTimeoutMs: 500,
      retryOtherHosts: false,
      backoffBaseMs: 50,
      backoffMaxMs: 500,
    });
    assert.deepEqual(route.fault, { delay: { fixedDelayMs: 100, percent: 0.5 } });
    assert.deepEqual(route.action.mirrors, [{ cluster: 'outbound|80||us.backend.net', percent: 5 }]);
    assert.equal(route.cors?.forwardNotMatchingPreflights, false);
    assert.deepEqual(route.action.rewrite, { authority: 'internal.shop.example.com' });
    assert.deepEqual(
      route.action.clusters.map((c) => [c.name, c.weight, c.headers?.request?.add]),
      [
        ['outbound|80|v1|shop.example.com', 90, [['x-canary', 'no']]],
        ['outbound|80|v2|shop.example.com', 10, [['x-canary', 'yes']]],
      ],
    );
  });

  void test('weights and the 0.5% delay follow the draws', () => {
    assert.equal(call('/', { random: 0.89 }).cluster, 'outbound|80|v1|shop.example.com');
    assert.equal(call('/', { random: 0.9 }).cluster, 'outbound|80|v2|shop.example.com');
    assert.equal(call('/', { faultRandom: 0.004 }).flag, 'DI');
    assert.equal(call('/', { faultRandom: 0.005 }).flag, '-');
  });

  void test('tls[] splits CONNECT shop.example.com:443 between two backends', () => {
    assert.deepEqual(simulateConnect(snap, 'shop.example.com', 443, 0.2), {
      listener: '0.0.0.0_443',
      cluster: 'outbound|443||eu.backend.net',
      route: 'shop/shop tls[0]',
      flag: '-',
    });
    assert.equal(simulateConnect(snap, 'shop.example.com', 443, 0.7).cluster, 'outbound|443||us.backend.net');
  });
});
