// The data plane in-process: real listener, real DNS server, real upstreams, real curl.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../../src/compiler/compile.ts';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { formatEnvoyText } from '../../../src/observability/access-log/envoy-format.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { configSet, destinationRule, serviceEntry, virtualService } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import { rawExchange } from '../../helpers/raw-socket.ts';
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
      accessLog: (info) => {
        infos.push(info);
        lines.push(formatEnvoyText(info));
      },
    });
    proxy.swap(
      compile(
        configSet({
          serviceEntries: [
            serviceEntry(
              { name: 'api' },
              { hosts: ['api.test'], ports: [{ number: web.port, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' },
            ),
            serviceEntry(
              { name: 'echo' },
              { hosts: ['echo.test'], ports: [{ number: echo.port, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' },
            ),
            serviceEntry(
              { name: 'idle' },
              {
                hosts: ['idle.test'],
                ports: [{ number: 7, name: 'tcp', protocol: 'TCP' }],
                resolution: 'STATIC',
                endpoints: [{ address: '127.0.0.33', ports: { tcp: echo.port } }],
              },
            ),
            serviceEntry(
              { name: 'refused' },
              {
                hosts: ['refused.test'],
                ports: [{ number: 9, name: 'http', protocol: 'HTTP' }],
                resolution: 'STATIC',
                endpoints: [{ address: '127.0.0.34' }],
              },
            ),
          ],
          destinationRules: [
            destinationRule(
              { name: 'idle' },
              { host: 'idle.test', trafficPolicy: { connectionPool: { tcp: { idleTimeout: '300ms' } } } },
            ),
          ],
          virtualServices: [
            virtualService(
              { name: 'api' },
              {
                hosts: ['api.test'],
                http: [
                  {
                    name: 'slow',
                    match: [{ uri: { prefix: '/delay' } }, { uri: { prefix: '/echo' } }],
                    timeout: '500ms',
                    route: [{ destination: { host: 'api.test' } }],
                  },
                  { route: [{ destination: { host: 'api.test' } }] },
                ],
              },
            ),
          ],
          mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
        }),
        { namespace: 'default', version: '1' },
      ),
    );
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

  void test('a route timeout in the middle of the body resets the client, logged UT (not DC)', async () => {
    // /echo answers at once and then streams whatever the client sends; the client never finishes.
    const { request } = await import('node:http');
    const port = Number(new URL(proxyUrl).port);
    const outcome = await new Promise<string>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `http://api.test:${web.port}/echo`,
        headers: { 'content-type': 'text/plain' },
      });
      req.on('response', (res) => {
        res.on('data', () => undefined);
        res.on('error', () => resolve(`reset after ${res.statusCode}`));
        res.on('aborted', () => resolve(`reset after ${res.statusCode}`));
        res.on('end', () => resolve(`complete ${res.statusCode}`));
      });
      req.on('error', () => resolve('request error'));
      req.write('x');
    });
    assert.equal(outcome, 'reset after 200');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const info = infos.at(-1)!;
    assert.equal(info.responseCode, 200);
    assert.equal(info.responseFlags(), 'UT');
    assert.equal(info.routeName, 'slow');
  });

  void test('Expect: 100-continue is answered by the proxy and not sent upstream', async () => {
    const r = await curl([
      '-x',
      proxyUrl,
      '-H',
      'Expect: 100-continue',
      '--data-binary',
      'hello',
      `http://api.test:${web.port}/post`,
    ]);
    assert.equal(r.status, 200);
    assert.equal(JSON.parse(r.body).data, 'hello');
    assert.equal(JSON.parse(r.body).headers.Expect, undefined);
  });

  void test('a local reply before the request body was read closes the connection', async () => {
    const r = await curl([
      '-x',
      proxyUrl,
      '-H',
      'Expect:',
      '--data-binary',
      'x'.repeat(100_000),
      `http://open.test:${web.port}/`,
    ]);
    assert.equal(r.status, 502);
    assert.equal(r.headers.connection, 'close');
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
    assert.match(
      lines.at(-1)!,
      /"- - -" 502 UH .* "open\.test:8443" "-" BlackHoleCluster - open\.test:8443 [0-9.:]+ open\.test -\n$/,
    );
  });

  void test('connect failure: 503 UF,URX after the default retries', async () => {
    const r = await curl(['-x', proxyUrl, 'http://refused.test:9/']);
    assert.equal(r.status, 503);
    assert.match(
      r.body,
      /^upstream connect error or disconnect\/reset before headers\. retried and the latest reset reason: connection failure/,
    );
    assert.equal(infos.at(-1)!.responseFlags(), 'UF,URX');
  });

  void test('CONNECT to a TCP service tunnels bytes untouched', async () => {
    const reply = await rawExchange(
      Number(new URL(proxyUrl).port),
      `CONNECT echo.test:${echo.port} HTTP/1.1\r\nHost: echo.test:${echo.port}\r\n\r\n`,
      {
        onData: (data, write) => {
          if (data === 'HTTP/1.1 200 OK\r\n\r\n') write('ping');
          return data.endsWith('ping');
        },
      },
    );
    assert.equal(reply, 'HTTP/1.1 200 OK\r\n\r\nping');
    await new Promise((r) => setTimeout(r, 50));
    assert.match(
      lines.at(-1)!,
      new RegExp(
        `"- - -" 0 - - - "-" 4 4 \\d+ - "-" "-" "-" "echo.test:${echo.port}" "127.0.0.33:${echo.port}" outbound\\|${echo.port}\\|\\|echo.test `,
      ),
    );
  });

  void test('a tunnel idle longer than the DestinationRule tcp.idleTimeout is closed', async () => {
    const started = Date.now();
    await rawExchange(Number(new URL(proxyUrl).port), 'CONNECT idle.test:7 HTTP/1.1\r\nHost: idle.test:7\r\n\r\n');
    const took = Date.now() - started;
    assert.ok(took >= 250 && took < 2000, `closed after ${took} ms`);
  });

  void test('oversized headers 431, over-long URI 414', async () => {
    const big = await curl(['-x', proxyUrl, '-H', `x-big: ${'a'.repeat(70_000)}`, `http://api.test:${web.port}/get`]);
    assert.equal(big.status, 431);
    const long = await curl(['-x', proxyUrl, `http://api.test:${web.port}/${'a'.repeat(20_000)}`]);
    assert.equal(long.status, 414);
  });

  void test('garbage and unusable targets get 400, logged with DPE', async () => {
    const send = (bytes: string): Promise<string> => rawExchange(Number(new URL(proxyUrl).port), bytes);
    assert.match(await send('NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(infos.at(-1)!.responseFlags(), 'DPE');
    assert.match(
      await send('GET ftp://api.test/ HTTP/1.1\r\nHost: api.test\r\nConnection: close\r\n\r\n'),
      /^HTTP\/1\.1 400 Bad Request\r\n/,
    );
    assert.match(await send('CONNECT api.test HTTP/1.1\r\nHost: api.test\r\n\r\n'), /^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

void describe('ProxyServer robustness', () => {
  let dns: TestDnsServer;
  let proxy: ProxyServer;
  let port: number;
  let web: TestUpstream;
  const infos: StreamInfo[] = [];

  before(async () => {
    dns = await TestDnsServer.start();
    web = await startHttpUpstream({ host: '127.0.0.35', name: 'web' });
    dns.set('web.test', { a: ['127.0.0.35'] });
    proxy = new ProxyServer({
      clock: systemClock,
      resolver: new DnsResolver({ servers: [dns.server] }),
      accessLog: (info) => infos.push(info),
      limits: { headersTimeoutMs: 300, idleTimeoutMs: 2000 },
    });
    proxy.swap(
      compile(
        configSet({
          serviceEntries: [
            serviceEntry(
              { name: 'web' },
              { hosts: ['web.test'], ports: [{ number: web.port, name: 'http', protocol: 'HTTP' }], resolution: 'DNS' },
            ),
          ],
        }),
        { namespace: 'default', version: '1' },
      ),
    );
    ({ port } = await proxy.listen(0, '127.0.0.1'));
  });

  after(async () => {
    await proxy.stop(100);
    await Promise.all([web.close(), dns.close()]);
  });

  void test('the upstream local address is logged for HTTP', async () => {
    const r = await curl(['-x', `http://127.0.0.1:${port}`, `http://web.test:${web.port}/`]);
    assert.equal(r.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(infos.at(-1)!.upstreamLocalAddress ?? '', /^127\.0\.0\.1:\d+$/);
  });

  void test('a client that goes away cancels its upstream request (DC, code 0)', async () => {
    const before = web.requests.length;
    const r = await curl([
      '-x',
      `http://127.0.0.1:${port}`,
      '--max-time',
      '0.5',
      `http://web.test:${web.port}/delay/3`,
    ]);
    assert.equal(r.exitCode, 28);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(web.requests.length, before + 1);
    const info = infos.at(-1)!;
    assert.equal(info.responseCode, 0);
    assert.equal(info.responseFlags(), 'DC');
    assert.ok((info.durationMs ?? 0) < 1500, 'logged when the client left, not when the upstream would have answered');
  });

  void test('a client that never finishes its headers is cut off by the header timeout', async () => {
    const started = Date.now();
    const closed = await rawExchange(port, 'GET http://web.test/ HTTP/1.1\r\nHost: web.test\r\n');
    assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);
    assert.match(closed, /^(HTTP\/1\.1 (408|400) |$)/);
  });

  void test('a snapshot swap does not touch requests in flight', async () => {
    const pending = curl(['-x', `http://127.0.0.1:${port}`, `http://web.test:${web.port}/delay/1`]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    proxy.swap(
      compile(configSet({ mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' } }), {
        namespace: 'default',
        version: '2',
      }),
    );
    assert.equal((await pending).status, 200, 'the request finished on the snapshot it started with');
    assert.equal((await curl(['-x', `http://127.0.0.1:${port}`, `http://web.test:${web.port}/`])).status, 502);
  });
});
