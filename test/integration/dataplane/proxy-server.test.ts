// The data plane in-process: real listener, real DNS server, real upstreams, real curl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../../src/compiler/compile.ts';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { formatEnvoyText } from '../../../src/observability/access-log/envoy-format.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { configSet, serviceEntry, virtualService } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import { startEchoServer, startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

void describe('ProxyServer', () => {
  let dns: TestDnsServer;
  let proxy: ProxyServer;
  let proxyUrl: string;
  let web: TestUpstream;
  let web2: TestUpstream;
  let echo: TestUpstream;
  const lines: string[] = [];
  const infos: StreamInfo[] = [];

  before(async () => {
    dns = await TestDnsServer.start();
    web = await startHttpUpstream({ host: '127.0.0.31', name: 'web-a' });
    web2 = await startHttpUpstream({ host: '127.0.0.32', port: web.port, name: 'web-b' });
    echo = await startEchoServer({ host: '127.0.0.33' });
    dns.set('api.test', { a: ['127.0.0.31', '127.0.0.32'], ttl: 30 });
    dns.set('echo.test', { a: ['127.0.0.33'] });
    dns.set('open.test', { a: ['127.0.0.31'] });
    proxy = new ProxyServer({
      clock: systemClock,
      resolver: new DnsResolver({ servers: [dns.server] }),
      accessLog: (info) => { infos.push(info); lines.push(formatEnvoyText(info)); },
    });
    proxy.swap(compile(configSet({
      serviceEntries: [
        serviceEntry({ name: 'api' }, { hosts: ['api.test'], ports: [{ number: web.port, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' }),
        serviceEntry({ name: 'echo' }, { hosts: ['echo.test'], ports: [{ number: echo.port, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' }),
        serviceEntry({ name: 'refused' }, { hosts: ['refused.test'], ports: [{ number: 9, name: 'http', protocol: 'HTTP' }], resolution: 'STATIC', endpoints: [{ address: '127.0.0.34' }] }),
      ],
      virtualServices: [virtualService({ name: 'api' }, { hosts: ['api.test'], http: [{ name: 'slow', match: [{ uri: { prefix: '/delay' } }], timeout: '500ms', route: [{ destination: { host: 'api.test' } }] }, { route: [{ destination: { host: 'api.test' } }] }] })],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    }), { namespace: 'default', version: '1' }));
    const { port } = await proxy.listen(0, '127.0.0.1');
    proxyUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await proxy.stop(100);
    await Promise.all([web.close(), web2.close(), echo.close(), dns.close()]);
  });

  void test('absolute-form GET is routed by the URI authority and spread over every A record', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const r = await curl(['-x', proxyUrl, '-H', 'Host: evil.example', `http://api.test:${web.port}/headers`]);
      assert.equal(r.status, 200);
      assert.equal(JSON.parse(r.body).headers.Host, `api.test:${web.port}`);
      seen.add(r.headers['x-upstream']!);
    }
    assert.deepEqual([...seen].sort(), ['web-a', 'web-b']);
    const info = infos.at(-1)!;
    assert.equal(info.upstreamCluster, `outbound|${web.port}||api.test`);
    assert.equal(info.responseCodeDetails, 'via_upstream');
  });

  void test('route timeout: 504 upstream request timeout, UT', async () => {
    const r = await curl(['-x', proxyUrl, `http://api.test:${web.port}/delay/2`]);
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(r.timeTotal < 1.5, `took ${r.timeTotal}s`);
    assert.match(lines.at(-1)!, / 504 UT response_timeout /);
    assert.match(lines.at(-1)!, / slow\n$/);
  });

  void test('POST bodies stream through', async () => {
    const r = await curl(['-x', proxyUrl, '--data-binary', 'x'.repeat(100_000), `http://api.test:${web.port}/post`]);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).data.length, 100_000);
    assert.equal(infos.at(-1)!.bytesReceived, 100_000);
  });

  void test('REGISTRY_ONLY: unknown HTTP host 502 block_all; unknown CONNECT 502 BlackHoleCluster UH', async () => {
    const r = await curl(['-x', proxyUrl, `http://open.test:${web.port}/get`]);
    assert.equal(r.status, 502);
    assert.equal(r.body, '');
    assert.match(lines.at(-1)!, /" 502 - direct_response - .* "open\.test:\d+" "-" - - .* block_all\n$/);
    const c = await curl(['-x', proxyUrl, '-p', 'https://open.test:8443/']);
    assert.match(c.rawHeaders, /^HTTP\/1\.1 502 /);
    assert.match(lines.at(-1)!, /"- - -" 502 UH .* "open\.test:8443" "-" BlackHoleCluster - open\.test:8443 [0-9.:]+ open\.test -\n$/);
  });

  void test('connect failure: 503 UF,URX after the default retries', async () => {
    const r = await curl(['-x', proxyUrl, 'http://refused.test:9/']);
    assert.equal(r.status, 503);
    assert.match(r.body, /^upstream connect error or disconnect\/reset before headers\. retried and the latest reset reason: connection failure/);
    assert.equal(infos.at(-1)!.responseFlags(), 'UF,URX');
  });

  void test('CONNECT to a TCP service tunnels bytes untouched', async () => {
    const { connect } = await import('node:net');
    const port = Number(new URL(proxyUrl).port);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => s.write(`CONNECT echo.test:${echo.port} HTTP/1.1\r\nHost: echo.test:${echo.port}\r\n\r\n`));
      let data = '';
      s.on('data', (d) => {
        data += d.toString();
        if (data.includes('\r\n\r\n') && !data.includes('ping')) s.write('ping');
        if (data.endsWith('ping')) { s.end(); resolve(data); }
      });
      s.on('error', reject);
    });
    assert.equal(reply, 'HTTP/1.1 200 OK\r\n\r\nping');
    await new Promise((r) => setTimeout(r, 50));
    assert.match(lines.at(-1)!, new RegExp(`"- - -" 0 - - - "-" 4 4 \\d+ - "-" "-" "-" "echo.test:${echo.port}" "127.0.0.33:${echo.port}" outbound\\|${echo.port}\\|\\|echo.test `));
  });

  void test('oversized headers 431, over-long URI 414', async () => {
    const big = await curl(['-x', proxyUrl, '-H', `x-big: ${'a'.repeat(70_000)}`, `http://api.test:${web.port}/get`]);
    assert.equal(big.status, 431);
    const long = await curl(['-x', proxyUrl, `http://api.test:${web.port}/${'a'.repeat(20_000)}`]);
    assert.equal(long.status, 414);
  });
});
