// Each ServiceEntry resolution through the real proxy: DNS (every A record), DNS_ROUND_ROBIN (the first),
// STATIC (endpoint IPs and port precedence), NONE (the host the client named); wildcard and port matching.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

const REGISTRY_ONLY = 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n';

function se(name: string, body: string): string {
  return `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\nspec:\n${body}---\n`;
}

void describe('resolution modes and host matching', () => {
  let dns: TestDnsServer;
  let a: TestUpstream;
  let b: TestUpstream;
  let alt: TestUpstream;
  let config: TmpConfigDir;
  let proxy: RunningProxy;
  let port: number;

  before(async () => {
    a = await startHttpUpstream({ host: '127.0.8.1', name: 'a' });
    port = a.port;
    b = await startHttpUpstream({ host: '127.0.8.2', port, name: 'b' });
    alt = await startHttpUpstream({ host: '127.0.8.3', name: 'alt' });
    dns = await TestDnsServer.start();
    for (const name of ['dns.test', 'rr.test', 'none.test', 'x.wild.test', 'wild.test', 'a.dyn.test'])
      dns.set(name, { a: ['127.0.8.1', '127.0.8.2'] });
    config = await TmpConfigDir.create();
    const http = `  ports:\n  - number: ${port}\n    name: http\n    protocol: HTTP\n`;
    await config.write('mesh.yaml.txt', REGISTRY_ONLY);
    await config.write(
      'entries.yaml',
      [
        se('dns', `  hosts: [dns.test]\n${http}  resolution: DNS\n`),
        se('rr', `  hosts: [rr.test]\n${http}  resolution: DNS_ROUND_ROBIN\n`),
        se(
          'static',
          `  hosts: [static.test]\n${http}  resolution: STATIC\n  endpoints:\n  - address: 127.0.8.2\n  - address: 127.0.8.3\n    ports:\n      http: ${alt.port}\n`,
        ),
        se('none', `  hosts: [none.test]\n${http}  resolution: NONE\n`),
        se('wild', `  hosts: ["*.wild.test"]\n${http}  resolution: NONE\n`),
        se('dyn', `  hosts: ["*.dyn.test"]\n${http}  resolution: DYNAMIC_DNS\n`),
      ].join(''),
    );
    proxy = await startProxy(
      [
        '--config',
        `${config.path}/entries.yaml`,
        '--mesh-config',
        `${config.path}/mesh.yaml.txt`,
        '--dns-server',
        dns.server,
      ],
      { MESHGATE_TRACE: 'router' },
    );
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all([a?.close(), b?.close(), alt?.close(), dns?.close(), config?.cleanup()]);
  });

  async function upstreamsFor(host: string, n: number): Promise<string[]> {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await curl(['-x', proxy.proxyUrl, `http://${host}:${port}/`]);
      assert.equal(r.status, 200, `${host}: ${r.status} ${r.body}`);
      seen.push(r.headers['x-upstream']!);
    }
    return [...new Set(seen)].sort();
  }

  void test('DNS: requests spread over every A record', async () => {
    assert.deepEqual(await upstreamsFor('dns.test', 4), ['a', 'b']);
  });

  void test('DNS_ROUND_ROBIN: only the first address', async () => {
    assert.deepEqual(await upstreamsFor('rr.test', 4), ['a']);
  });

  void test('STATIC: endpoint IPs, endpoint ports[name] over the service port', async () => {
    assert.deepEqual(await upstreamsFor('static.test', 4), ['alt', 'b']);
  });

  void test('NONE: the host the client named, resolved by the proxy', async () => {
    assert.deepEqual(await upstreamsFor('none.test', 4), ['a', 'b']);
    const line = await proxy.waitForLog(/"none\.test:\d+" "127\.0\.8\.[12]:\d+" outbound\|\d+\|\|none\.test /);
    assert.ok(line);
  });

  void test('wildcard hosts: *.wild.test matches x.wild.test, never wild.test; another port is not the service', async () => {
    assert.deepEqual(await upstreamsFor('x.wild.test', 1), ['a']);
    const bare = await curl(['-x', proxy.proxyUrl, `http://wild.test:${port}/`]);
    assert.equal(bare.status, 502);
    const otherPort = await curl(['-x', proxy.proxyUrl, `http://dns.test:${alt.port}/`]);
    assert.equal(otherPort.status, 502);
    await proxy.waitForLog(new RegExp(`"dns\\.test:${alt.port}" "-" - - .* block_all\\n$`));
  });

  void test('DYNAMIC_DNS: the requested host under the wildcard, resolved per request', async () => {
    assert.deepEqual(await upstreamsFor('a.dyn.test', 4), ['a', 'b']);
    await proxy.waitForLog(/"a\.dyn\.test:\d+" "127\.0\.8\.[12]:\d+" outbound\|\d+\|\|\*\.dyn\.test /);
  });

  void test('MESHGATE_TRACE=router explains each decision on stderr', async () => {
    await curl(['-x', proxy.proxyUrl, `http://x.wild.test:${port}/trace-me`]);
    await proxy.waitForStderr(
      new RegExp(
        `router: GET http://x\\.wild\\.test:${port}/trace-me → cluster outbound\\|${port}\\|\\|\\*\\.wild\\.test via route default \\(x\\.wild\\.test matched virtual host \\*\\.wild\\.test:${port}, route default\\)`,
      ),
    );
  });

  void test('case and a trailing dot do not matter', async () => {
    const r = await curl(['-x', proxy.proxyUrl, `http://DNS.Test.:${port}/`]);
    assert.equal(r.status, 200);
  });
});
