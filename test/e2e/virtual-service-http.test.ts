// The VirtualService's HTTP features end to end: the real `meshgate proxy` process, real curl through it,
// local upstreams behind STATIC ServiceEntries, and the access log checked for Envoy's flags and names.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

function config(v1: TestUpstream, v2: TestUpstream, shadow: TestUpstream): string {
  const endpoint = (u: TestUpstream, labels: string): string =>
    `  - address: ${u.host}\n    ports: { http: ${u.port} }\n    labels: { ${labels} }`;
  return `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: api, namespace: shop }
spec:
  hosts: [api.test]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  resolution: STATIC
  endpoints:
${endpoint(v1, 'version: v1')}
${endpoint(v2, 'version: v2')}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: shadow, namespace: shop }
spec:
  hosts: [shadow.test]
  ports: [{ number: 80, name: http, protocol: HTTP }]
  resolution: STATIC
  endpoints:
${endpoint(shadow, 'app: shadow')}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: api, namespace: shop }
spec:
  host: api.test
  subsets:
  - { name: v1, labels: { version: v1 } }
  - { name: v2, labels: { version: v2 } }
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: api, namespace: shop }
spec:
  hosts: [api.test]
  http:
  - name: retry
    match: [{ uri: { prefix: /flaky/ } }]
    retries: { attempts: 3, retryOn: "503" }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: abort
    match: [{ uri: { prefix: /abort } }]
    fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: slow
    match: [{ uri: { prefix: /slow } }]
    fault: { delay: { fixedDelay: 700ms, percentage: { value: 100 } } }
    rewrite: { uri: /headers }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: moved
    match: [{ name: old, uri: { prefix: /old/ } }]
    redirect: { prefixRewrite: /new/, authority: www.api.test }
  - name: hello
    match: [{ uri: { exact: /hello } }]
    directResponse: { status: 200, body: { string: "hello from meshgate" } }
    headers: { response: { set: { x-direct: "yes" } } }
  - name: mirror
    match: [{ uri: { prefix: /mirror } }]
    rewrite: { uri: /anything/mirrored }
    mirror: { host: shadow.test }
    mirrorPercentage: { value: 100 }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: cors
    match: [{ uri: { prefix: /cors } }]
    corsPolicy:
      allowOrigins: [{ exact: "https://app.test" }]
      allowMethods: [GET, POST]
      allowHeaders: [x-token]
      exposeHeaders: [x-upstream]
      maxAge: 24h
      allowCredentials: true
    rewrite: { uri: /headers }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: headers
    match: [{ uri: { prefix: /headers } }]
    headers:
      request:
        set: { x-route: set-by-route }
        remove: [x-drop-me]
      response:
        add: { x-resp: from-route }
    route:
    - destination: { host: api.test, subset: v2 }
      headers: { request: { add: { x-destination: v2 } }, response: { set: { x-dest-resp: v2 } } }
  - name: regex
    match: [{ uri: { regex: "/r/[a-z]+/[0-9]+" } }]
    rewrite: { uriRegexRewrite: { match: "^/r/([a-z]+)/([0-9]+)$", rewrite: "/anything/\\\\2/\\\\1" } }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: split
    match: [{ uri: { prefix: /split } }]
    route:
    - { destination: { host: api.test, subset: v1 }, weight: 30 }
    - { destination: { host: api.test, subset: v2 }, weight: 70 }
  - name: timed
    match: [{ uri: { prefix: /delay/ } }]
    timeout: 300ms
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: pertry
    match: [{ uri: { prefix: /pertry/ } }]
    rewrite: { uri: /delay/ }
    retries: { attempts: 2, perTryTimeout: 200ms, retryOn: gateway-error }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: grpc
    match: [{ uri: { prefix: /grpc } }]
    fault: { abort: { grpcStatus: UNAVAILABLE, percentage: { value: 100 } } }
    route: [{ destination: { host: api.test, subset: v1 } }]
  - name: bytes
    match: [{ uri: { exact: /bytes-direct } }]
    directResponse: { status: 503, body: { bytes: "AAFiaW5hcnk=" } }
  - name: nowhere
    match: [{ uri: { prefix: /nowhere } }]
    route: [{ destination: { host: api.test, subset: v9 } }]
`;
}

void describe('VirtualService http[] through the real proxy', () => {
  let v1: TestUpstream;
  let v2: TestUpstream;
  let shadow: TestUpstream;
  let dir: TmpConfigDir;
  let proxy: RunningProxy;
  const get = (path: string, args: string[] = []): ReturnType<typeof curl> =>
    curl(['-x', proxy.proxyUrl, ...args, `http://api.test${path}`]);

  before(async () => {
    v1 = await startHttpUpstream({ name: 'v1' });
    v2 = await startHttpUpstream({ name: 'v2' });
    shadow = await startHttpUpstream({ name: 'shadow' });
    dir = await TmpConfigDir.create();
    await dir.write('api.yaml', config(v1, v2, shadow));
    proxy = await startProxy(['--config', dir.path, '--namespace', 'shop', '--random-seed', '7']);
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all([v1?.close(), v2?.close(), shadow?.close(), dir?.cleanup()]);
  });

  void test('retries: an upstream failing twice with 503 answers 200 on the third attempt', async () => {
    const r = await get('/flaky/2/503/a');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { attempt: number; headers: Record<string, string> };
    assert.equal(body.attempt, 3);
    assert.equal(body.headers['X-Envoy-Attempt-Count'], '3', 'Istio enables include_request_attempt_count');
    assert.equal(v1.requests.filter((q) => q.url === '/flaky/2/503/a').length, 3);
    await proxy.waitForLog(/"GET \/flaky\/2\/503\/a HTTP\/1\.1" 200 - via_upstream .* retry\n$/);
  });

  void test('retries exhausted: 1 + 3 attempts, the last 503 is passed on with URX', async () => {
    const r = await get('/flaky/9/503/b');
    assert.equal(r.status, 503);
    assert.equal(v1.requests.filter((q) => q.url === '/flaky/9/503/b').length, 4);
    await proxy.waitForLog(/"GET \/flaky\/9\/503\/b HTTP\/1\.1" 503 URX via_upstream /);
  });

  void test('fault abort: 418 "fault filter abort", flag FI, the upstream never sees it', async () => {
    const before = v1.requests.length;
    const r = await get('/abort');
    assert.equal(r.status, 418);
    assert.equal(r.body, 'fault filter abort');
    assert.equal(v1.requests.length, before);
    // Envoy resolves the route's cluster before the fault filter runs, so the abort is logged with it.
    await proxy.waitForLog(
      /"GET \/abort HTTP\/1\.1" 418 FI fault_filter_abort .* "-" outbound\|80\|v1\|api\.test .* abort\n$/,
    );
  });

  void test('fault delay: held ~700 ms, flag DI, then forwarded', async () => {
    const r = await get('/slow');
    assert.equal(r.status, 200);
    assert.ok(r.timeTotal >= 0.65 && r.timeTotal < 2, `took ${r.timeTotal}s`);
    await proxy.waitForLog(/"GET \/slow HTTP\/1\.1" 200 DI via_upstream /);
  });

  void test('redirect: 301 with Location from prefixRewrite and authority; route name <http>.<match>', async () => {
    const r = await get('/old/a/b?x=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, 'http://www.api.test/new/a/b?x=1');
    assert.equal(r.body, '');
    await proxy.waitForLog(/"GET \/old\/a\/b\?x=1 HTTP\/1\.1" 301 - direct_response .* moved\.old\n$/);
  });

  void test("directResponse: status and body from the VirtualService, with the route's response headers", async () => {
    const r = await get('/hello');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'hello from meshgate');
    assert.equal(r.headers.server, 'envoy');
    assert.equal(r.headers['x-direct'], 'yes');
  });

  void test('mirror: a copy reaches the shadow upstream with Host api.test-shadow; the client gets the real answer', async () => {
    const r = await get('/mirror');
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'v1');
    const deadline = Date.now() + 3000;
    while (shadow.requests.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(shadow.requests.length, 1);
    assert.equal(shadow.requests[0]!.headers.host, 'api.test-shadow');
    assert.equal(shadow.requests[0]!.url, '/anything/mirrored');
  });

  void test('CORS: a preflight from an allowed origin is answered by the proxy; responses get the headers', async () => {
    const before = v1.requests.length;
    const pre = await get('/cors', [
      '-X',
      'OPTIONS',
      '-H',
      'Origin: https://app.test',
      '-H',
      'Access-Control-Request-Method: POST',
    ]);
    assert.equal(pre.status, 200);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.test');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET,POST');
    assert.equal(pre.headers['access-control-allow-headers'], 'x-token');
    assert.equal(pre.headers['access-control-max-age'], '86400');
    assert.equal(pre.headers['access-control-allow-credentials'], 'true');
    assert.equal(v1.requests.length, before, 'the preflight never reaches the upstream');
    await proxy.waitForLog(/"OPTIONS \/cors HTTP\/1\.1" 200 - cors_response /);
    const simple = await get('/cors', ['-H', 'Origin: https://app.test']);
    assert.equal(simple.headers['access-control-allow-origin'], 'https://app.test');
    assert.equal(simple.headers['access-control-expose-headers'], 'x-upstream');
    const other = await get('/cors', ['-H', 'Origin: https://evil.test']);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  void test('header operations: route and destination request/response set/add/remove, seen by /headers', async () => {
    const r = await get('/headers', ['-H', 'x-drop-me: 1', '-H', 'x-route: from-client']);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'v2');
    const seen = JSON.parse(r.body).headers as Record<string, string>;
    assert.equal(seen['X-Route'], 'set-by-route');
    assert.equal(seen['X-Destination'], 'v2');
    assert.equal(seen['X-Drop-Me'], undefined);
    assert.equal(r.headers['x-resp'], 'from-route');
    assert.equal(r.headers['x-dest-resp'], 'v2');
  });

  void test('rewrite: the upstream sees the new path and X-Envoy-Original-Path; the log keeps the original', async () => {
    const r = await get('/r/abc/42');
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    assert.equal(new URL(body.url).pathname, '/anything/42/abc');
    assert.equal(body.headers['X-Envoy-Original-Path'], '/r/abc/42');
    await proxy.waitForLog(/"GET \/r\/abc\/42 HTTP\/1\.1" 200 - via_upstream .* regex\n$/);
  });

  void test('weights: 30/70 over 200 requests with the seeded random source', async () => {
    const counts: Record<string, number> = { v1: 0, v2: 0 };
    for (let i = 0; i < 200; i++) {
      const r = await get(`/split/${i}`);
      counts[r.headers['x-upstream']!]! += 1;
    }
    assert.equal(counts.v1! + counts.v2!, 200);
    assert.ok(counts.v1! >= 40 && counts.v1! <= 80, `v1 got ${counts.v1} of 200`);
  });

  void test('timeout: 504 "upstream request timeout" after ~300 ms, flag UT', async () => {
    const r = await get('/delay/2');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(r.timeTotal >= 0.28 && r.timeTotal < 1.5, `took ${r.timeTotal}s`);
    await proxy.waitForLog(/"GET \/delay\/2 HTTP\/1\.1" 504 UT response_timeout .* timed\n$/);
  });

  void test('perTryTimeout: three tries of 200 ms, then 504 with UT,URX', async () => {
    const before = v1.requests.filter((q) => q.url === '/delay/1').length;
    const r = await get('/pertry/1');
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.equal(v1.requests.filter((q) => q.url === '/delay/1').length - before, 3);
    assert.ok(r.timeTotal >= 0.55 && r.timeTotal < 2.5, `took ${r.timeTotal}s`);
    await proxy.waitForLog(/"GET \/pertry\/1 HTTP\/1\.1" 504 UT,URX upstream_per_try_timeout /);
  });

  void test('a POST body is replayed on retry', async () => {
    const r = await get('/flaky/1/503/post', ['--data-binary', 'hello body']);
    assert.equal(r.status, 200);
    const body = JSON.parse(r.body) as { attempt: number; data: string };
    assert.equal(body.attempt, 2);
    assert.equal(body.data, 'hello body');
  });

  void test('fault abort with grpcStatus: a gRPC reply, HTTP 200, grpc-status 14', async () => {
    const r = await get('/grpc', ['-H', 'content-type: application/grpc']);
    assert.equal(r.status, 200);
    assert.equal(r.headers['grpc-status'], '14');
    assert.equal(r.headers['grpc-message'], 'fault filter abort');
    await proxy.waitForLog(/"GET \/grpc HTTP\/1\.1" 200 FI fault_filter_abort /);
  });

  void test('directResponse with body.bytes sends the decoded bytes', async () => {
    const r = await get('/bytes-direct');
    assert.equal(r.status, 503);
    assert.deepEqual([...r.bodyBytes], [0, 1, ...Buffer.from('binary')]);
  });

  void test('a mirrored POST carries its body to the shadow', async () => {
    const before = shadow.requests.length;
    const r = await get('/mirror', ['--data-binary', 'shadow me']);
    assert.equal(r.status, 200);
    const deadline = Date.now() + 3000;
    while (shadow.requests.length === before && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const copy = shadow.requests[before]!;
    assert.equal(copy.method, 'POST');
    assert.equal(copy.headers['content-length'], '9');
  });

  void test('a subset no DestinationRule defines: 503 NC cluster_not_found', async () => {
    const r = await get('/nowhere');
    assert.equal(r.status, 503);
    await proxy.waitForLog(
      /"GET \/nowhere HTTP\/1\.1" 503 NC cluster_not_found .* outbound\|80\|v9\|api\.test .* nowhere\n$/,
    );
  });
});
