// ALLOW_ANY against REGISTRY_ONLY, and exportTo across namespaces, through the real proxy process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import { rawExchange } from '../helpers/raw-socket.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startEchoServer, startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

void describe('outbound traffic policy and exportTo', () => {
  let dns: TestDnsServer;
  let web: TestUpstream;
  let echo: TestUpstream;
  let config: TmpConfigDir;
  const proxies: RunningProxy[] = [];

  function entries(port: number): string {
    const http = `  ports:\n  - number: ${port}\n    name: http\n    protocol: HTTP\n  resolution: DNS\n`;
    return [
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: mine\n  namespace: team-a\nspec:\n  hosts: [mine.test]\n  exportTo: ["."]\n${http}`,
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: shared\n  namespace: team-b\nspec:\n  hosts: [shared.test]\n  exportTo: [team-a]\n${http}`,
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: public\n  namespace: team-c\nspec:\n  hosts: [public.test]\n${http}`,
    ].join('---\n');
  }

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.9.1', name: 'web' });
    echo = await startEchoServer({ host: '127.0.9.1' });
    dns = await TestDnsServer.start();
    for (const name of ['mine.test', 'shared.test', 'public.test', 'unknown.test']) dns.set(name, { a: ['127.0.9.1'] });
    config = await TmpConfigDir.create();
    await config.write('entries.yaml', entries(web.port));
    await config.write('registry-only.yaml.txt', 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
  });

  after(async () => {
    for (const p of proxies) await p.stop();
    await Promise.all([web?.close(), echo?.close(), dns?.close(), config?.cleanup()]);
  });

  async function proxyIn(namespace: string, mode: 'ALLOW_ANY' | 'REGISTRY_ONLY'): Promise<RunningProxy> {
    const p = await startProxy([
      '--config',
      `${config.path}/entries.yaml`,
      '--namespace',
      namespace,
      '--dns-server',
      dns.server,
      ...(mode === 'REGISTRY_ONLY' ? ['--mesh-config', `${config.path}/registry-only.yaml.txt`] : []),
    ]);
    proxies.push(p);
    return p;
  }

  async function status(p: RunningProxy, host: string): Promise<number> {
    return (await curl(['-x', p.proxyUrl, `http://${host}:${web.port}/`])).status;
  }

  void test('exportTo: ".", a namespace name, and the default "*"', async () => {
    const inA = await proxyIn('team-a', 'REGISTRY_ONLY');
    const inB = await proxyIn('team-b', 'REGISTRY_ONLY');
    assert.deepEqual(
      [await status(inA, 'mine.test'), await status(inA, 'shared.test'), await status(inA, 'public.test')],
      [200, 200, 200],
    );
    assert.deepEqual(
      [await status(inB, 'mine.test'), await status(inB, 'shared.test'), await status(inB, 'public.test')],
      [502, 502, 200],
    );
    assert.match(inA.stderr(), /loaded 3 services/);
    assert.match(inB.stderr(), /loaded 1 services/);
  });

  void test('ALLOW_ANY: unknown HTTP goes to PassthroughCluster via allow_any; unknown CONNECT is tunnelled', async () => {
    const open = await proxyIn('team-z', 'ALLOW_ANY');
    const r = await curl(['-x', open.proxyUrl, `http://unknown.test:${web.port}/headers`]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'web');
    await open.waitForLog(
      new RegExp(
        `"GET /headers HTTP/1\\.1" 200 - via_upstream .* "unknown\\.test:${web.port}" "127\\.0\\.9\\.1:${web.port}" PassthroughCluster .* allow_any\\n$`,
      ),
    );
    // mine.test is not exported to team-z, so it is just another unknown host here.
    assert.equal(await status(open, 'mine.test'), 200);
    await open.waitForLog(/"mine\.test:\d+" "127\.0\.9\.1:\d+" PassthroughCluster /);
    const reply = await rawExchange(
      Number(new URL(open.proxyUrl).port),
      `CONNECT unknown.test:${echo.port} HTTP/1.1\r\nHost: unknown.test:${echo.port}\r\n\r\nhello`,
      {
        onData: (data) => data.endsWith('hello'),
      },
    );
    assert.equal(reply, 'HTTP/1.1 200 OK\r\n\r\nhello');
    await open.waitForLog(
      new RegExp(
        `"- - -" 0 - - - "-" 5 5 \\d+ - "-" "-" "-" "unknown\\.test:${echo.port}" "127\\.0\\.9\\.1:${echo.port}" PassthroughCluster `,
      ),
    );
  });

  void test('ALLOW_ANY never loops back into the proxy itself', async () => {
    const open = proxies.find((p) => p.stderr().includes('ALLOW_ANY'))!;
    const self = new URL(open.proxyUrl);
    const r = await curl(['-x', open.proxyUrl, `http://${self.host}/`]);
    assert.equal(r.status, 503);
    assert.equal(r.body, 'no healthy upstream');
    const c = await curl(['-x', open.proxyUrl, '-p', `http://${self.host}/`]);
    assert.match(c.rawHeaders, /^HTTP\/1\.1 502 /);
    await open.waitForLog(/"- - -" 502 UH .* BlackHoleCluster /);
  });

  void test('REGISTRY_ONLY: plain HTTP over CONNECT to a registered HTTP port is a tunnel to its cluster', async () => {
    const blocked = proxies[0]!;
    const r = await curl(['-x', blocked.proxyUrl, '-p', `http://mine.test:${web.port}/`]);
    assert.equal(r.status, 200);
    await blocked.waitForLog(
      new RegExp(
        `"- - -" 0 - - - .* "mine\\.test:${web.port}" "127\\.0\\.9\\.1:${web.port}" outbound\\|${web.port}\\|\\|mine\\.test `,
      ),
    );
  });
});
