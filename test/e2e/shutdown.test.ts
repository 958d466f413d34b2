// SIGTERM: in-flight requests finish (bounded by --drain-timeout), the access log is flushed, exit 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import { startProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

void describe('shutdown', () => {
  let dns: TestDnsServer;
  let web: TestUpstream;
  let config: TmpConfigDir;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.11.1' });
    dns = await TestDnsServer.start();
    dns.set('slow.test', { a: ['127.0.11.1'] });
    config = await TmpConfigDir.create();
    await config.write(
      'slow.yaml',
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: slow\nspec:\n  hosts: [slow.test]\n  ports:\n  - number: ${web.port}\n    name: http\n    protocol: HTTP\n  resolution: DNS\n`,
    );
  });

  after(async () => {
    await Promise.all([web?.close(), dns?.close(), config?.cleanup()]);
  });

  void test('SIGTERM lets an in-flight request finish, flushes its log line, exits 0', async () => {
    const proxy = await startProxy(['--config', config.path, '--dns-server', dns.server]);
    const pending = curl(['-x', proxy.proxyUrl, `http://slow.test:${web.port}/delay/1`]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const code = await proxy.stop('SIGTERM');
    assert.equal(code, 0);
    assert.equal((await pending).status, 200);
    assert.ok(
      proxy.logLines.some((l) => l.includes('"GET /delay/1 HTTP/1.1" 200 ')),
      'the line was flushed before exit',
    );
    assert.match(proxy.stderr(), /SIGTERM: draining for up to 5s/);
  });

  void test('the drain is bounded: --drain-timeout cuts what is still running', async () => {
    const proxy = await startProxy(['--config', config.path, '--dns-server', dns.server, '--drain-timeout', '0.5']);
    const pending = curl(['-x', proxy.proxyUrl, `http://slow.test:${web.port}/delay/5`]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    assert.equal(await proxy.stop('SIGTERM'), 0);
    assert.ok(Date.now() - started < 2500, `exit took ${Date.now() - started} ms`);
    const r = await pending;
    assert.notEqual(r.status, 200);
    assert.match(proxy.stderr(), /closed 1 streams still running after the drain timeout/);
  });
});
