// Scrapes the real proxy after known traffic, on the admin port and on --metrics-port, and checks Istio's
// series exactly: a registered HTTP request, a REGISTRY_ONLY 502 (BlackHoleCluster), a CONNECT tunnel's
// bytes and opened/closed counts, a refused CONNECT, and ALLOW_ANY passthrough.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { curl } from '../../helpers/curl.ts';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import {
  istioHttpLabels,
  istioTcpLabels,
  parsePrometheus,
  seriesOf,
  valueOf,
  type Sample,
} from '../../helpers/prometheus.ts';
import { startProxy, type RunningProxy } from '../../helpers/start-proxy.ts';
import { TmpConfigDir } from '../../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

const NS = 'telemetry';

function serviceEntry(name: string, host: string, port: number, protocol: string): string {
  return (
    `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\n  namespace: egress\nspec:\n  hosts: [${host}]\n` +
    `  ports:\n  - number: ${port}\n    name: p${port}\n    protocol: ${protocol}\n  resolution: DNS\n`
  );
}

async function scrape(url: string): Promise<{ status: number; type: string; samples: Sample[]; text: string }> {
  const res = await fetch(`${url}/stats/prometheus`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', samples: parsePrometheus(text), text };
}

void describe('Istio metrics scraped from the real proxy', () => {
  let dns: TestDnsServer;
  let web: TestUpstream;
  let tunnelled: TestUpstream;
  let config: TmpConfigDir;
  let strict: RunningProxy;
  let open: RunningProxy;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.12.1', name: 'web' });
    tunnelled = await startHttpUpstream({ host: '127.0.12.2', name: 'tunnelled' });
    dns = await TestDnsServer.start();
    for (const name of ['web.test', 'blocked.test', 'elsewhere.test']) dns.set(name, { a: ['127.0.12.1'] });
    dns.set('tunnel.test', { a: ['127.0.12.2'] });
    config = await TmpConfigDir.create();
    await config.write('web.yaml', serviceEntry('web', 'web.test', web.port, 'HTTP'));
    await config.write('tunnel.yaml', serviceEntry('tunnel', 'tunnel.test', tunnelled.port, 'TCP'));
    await config.write('registry-only.mesh', 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    const common = [
      '--config',
      join(config.path, 'web.yaml'),
      '--config',
      join(config.path, 'tunnel.yaml'),
      '--dns-server',
      dns.server,
      '--namespace',
      NS,
    ];
    [strict, open] = await Promise.all([
      startProxy([...common, '--mesh-config', join(config.path, 'registry-only.mesh')]),
      startProxy([...common, '--metrics-passthrough-hosts']),
    ]);
  });

  after(async () => {
    await Promise.all([strict?.stop(), open?.stop()]);
    await Promise.all([web?.close(), tunnelled?.close(), dns?.close(), config?.cleanup()]);
  });

  void test('after known traffic, both ports serve the same exact istio_* series', async () => {
    for (let i = 0; i < 2; i++)
      assert.equal((await curl(['-x', strict.proxyUrl, `http://web.test:${web.port}/bytes/100`])).status, 200);
    assert.equal((await curl(['-x', strict.proxyUrl, `http://blocked.test:${web.port}/`])).status, 502);
    const tunnel = await curl(['-p', '-x', strict.proxyUrl, `http://tunnel.test:${tunnelled.port}/bytes/1000`]);
    assert.equal(tunnel.status, 200);
    const refused = await curl(['-p', '-x', strict.proxyUrl, `http://blocked.test:${web.port}/`]);
    assert.match(refused.rawHeaders, /^HTTP\/1\.1 502 /);
    // Every stream is recorded when it ends, with its access-log line: wait for the last two lines.
    const tunnelLine = await strict.waitForLog(/"- - -" 0 - - - "-" \d+ \d+ \d+ - .*tunnel\.test/);
    await strict.waitForLog(/"- - -" 502 UH .*BlackHoleCluster/);
    const [, received, sent] = /"- - -" 0 - - - "-" (\d+) (\d+) /.exec(tunnelLine)!.map(Number);

    const admin = await scrape(strict.adminUrl);
    const port = await scrape(strict.metricsUrl);
    assert.equal(admin.status, 200);
    assert.equal(port.status, 200);
    assert.match(port.type, /^text\/plain; version=0\.0\.4/);

    for (const { samples } of [admin, port]) {
      assert.deepEqual(seriesOf(samples, 'istio_requests_total'), [
        {
          labels: istioHttpLabels(
            {
              destination_service: 'web.test',
              destination_service_name: 'web.test',
              destination_service_namespace: 'egress',
              response_code: '200',
            },
            NS,
          ),
          value: 2,
        },
        {
          labels: istioHttpLabels({ destination_service_name: 'BlackHoleCluster', response_code: '502' }, NS),
          value: 1,
        },
      ]);
      const web200 = { destination_service_name: 'web.test', response_code: '200' };
      assert.equal(valueOf(samples, 'istio_response_bytes_sum', web200), 200);
      assert.equal(valueOf(samples, 'istio_response_bytes_count', web200), 2);
      assert.equal(valueOf(samples, 'istio_request_bytes_sum', web200), 0);
      assert.equal(valueOf(samples, 'istio_request_duration_milliseconds_count', web200), 2);
      assert.equal(valueOf(samples, 'istio_request_duration_milliseconds_bucket', { ...web200, le: '+Inf' }), 2);

      const tunnelLabels = istioTcpLabels(
        {
          destination_service: 'tunnel.test',
          destination_service_name: 'tunnel.test',
          destination_service_namespace: 'egress',
        },
        NS,
      );
      const blackhole = istioTcpLabels({ destination_service_name: 'BlackHoleCluster', response_flags: 'UH' }, NS);
      assert.deepEqual(seriesOf(samples, 'istio_tcp_connections_opened_total'), [
        { labels: tunnelLabels, value: 1 },
        { labels: blackhole, value: 1 },
      ]);
      assert.deepEqual(seriesOf(samples, 'istio_tcp_connections_closed_total'), [
        { labels: tunnelLabels, value: 1 },
        { labels: blackhole, value: 1 },
      ]);
      // A refused tunnel moved no bytes; its byte series exist at 0, as Envoy creates a counter on first use.
      assert.deepEqual(seriesOf(samples, 'istio_tcp_sent_bytes_total'), [
        { labels: tunnelLabels, value: sent },
        { labels: blackhole, value: 0 },
      ]);
      assert.deepEqual(seriesOf(samples, 'istio_tcp_received_bytes_total'), [
        { labels: tunnelLabels, value: received },
        { labels: blackhole, value: 0 },
      ]);
    }
    // The tunnel carried exactly curl's request out and the upstream's response back (curl's header dump
    // also holds the proxy's 19-byte `HTTP/1.1 200 OK` CONNECT reply, which is not tunnel payload).
    const request = tunnelled.requests.at(-1)!;
    const headerBytes = Object.entries(request.headers).reduce(
      (n, [name, value]) => n + name.length + 2 + String(value).length + 2,
      0,
    );
    assert.equal(received, Buffer.byteLength(`GET /bytes/1000 HTTP/1.1\r\n`) + headerBytes + 2);
    assert.equal(sent, Buffer.byteLength(tunnel.rawHeaders) - Buffer.byteLength('HTTP/1.1 200 OK\r\n\r\n') + 1000);
  });

  void test('a tunnel still open shows its bytes at each scrape, and is counted closed once it ends', async () => {
    const labels = { destination_service_name: 'tunnel.test' };
    const before = parsePrometheus(await (await fetch(`${strict.metricsUrl}/stats/prometheus`)).text());
    const opened0 = valueOf(before, 'istio_tcp_connections_opened_total', labels) ?? 0;
    const closed0 = valueOf(before, 'istio_tcp_connections_closed_total', labels) ?? 0;
    const received0 = valueOf(before, 'istio_tcp_received_bytes_total', labels) ?? 0;
    // A long-lived connection (a client holding a keep-alive tunnel), opened with a raw CONNECT.
    const proxy = new URL(strict.proxyUrl);
    const socket = connect({ host: proxy.hostname, port: Number(proxy.port) });
    const data: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => data.push(chunk));
    socket.write(`CONNECT tunnel.test:${tunnelled.port} HTTP/1.1\r\nHost: tunnel.test:${tunnelled.port}\r\n\r\n`);
    const request = `GET /bytes/10 HTTP/1.1\r\nHost: tunnel.test\r\n\r\n`;
    while (!Buffer.concat(data).toString('latin1').includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 5));
    socket.write(request);
    while (!Buffer.concat(data).toString('latin1').endsWith('\x07\x08\x09')) await new Promise((r) => setTimeout(r, 5));
    const during = parsePrometheus(await (await fetch(`${strict.metricsUrl}/stats/prometheus`)).text());
    assert.equal(valueOf(during, 'istio_tcp_connections_opened_total', labels), opened0 + 1);
    assert.equal(valueOf(during, 'istio_tcp_connections_closed_total', labels), closed0);
    assert.equal(valueOf(during, 'istio_tcp_received_bytes_total', labels), received0 + request.length);
    socket.end();
    await new Promise((r) => socket.once('close', r));
    await strict.waitForLog(new RegExp(`"- - -" 0 - - - "-" ${request.length} `));
    const after = parsePrometheus(await (await fetch(`${strict.metricsUrl}/stats/prometheus`)).text());
    assert.equal(valueOf(after, 'istio_tcp_connections_closed_total', labels), closed0 + 1);
    assert.equal(
      valueOf(after, 'istio_tcp_received_bytes_total', labels),
      received0 + request.length,
      'bytes already reported are not counted again',
    );
  });

  void test('ALLOW_ANY passthrough is PassthroughCluster; the host is a label only when asked', async () => {
    assert.equal((await curl(['-x', open.proxyUrl, `http://elsewhere.test:${web.port}/status/204`])).status, 204);
    await open.waitForLog(/"GET \/status\/204 HTTP\/1\.1" 204 .*PassthroughCluster/);
    // --metrics-passthrough-hosts: destination_service is the Host as the client sent it, as Istio reports it.
    assert.deepEqual(seriesOf((await scrape(open.metricsUrl)).samples, 'istio_requests_total'), [
      {
        labels: istioHttpLabels(
          {
            destination_service: `elsewhere.test:${web.port}`,
            destination_service_name: 'PassthroughCluster',
            response_code: '204',
          },
          NS,
        ),
        value: 1,
      },
    ]);
    // By default (the REGISTRY_ONLY proxy here) refused hosts are not labels: series stay bounded.
    const strictSamples = (await scrape(strict.metricsUrl)).samples;
    assert.ok(
      !strictSamples.some((s) => Object.values(s.labels).some((v) => v.startsWith('blocked.test'))),
      'no series names a refused host',
    );
  });

  void test('the metrics port serves only /stats/prometheus', async () => {
    assert.equal((await fetch(`${open.metricsUrl}/clusters`)).status, 404);
    assert.equal((await fetch(`${open.metricsUrl}/stats/prometheus`, { method: 'POST' })).status, 405);
  });
});
