// The seed walk-through end to end: the real `meshgate proxy` process, a real DNS server answering
// httpbin.org and www.google.com with loopback addresses, local upstreams on the ServiceEntries' ports,
// and real curl through the proxy, exactly as the seed runs it from the sleep pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { makeTestCa, type TestCa } from '../helpers/certs.ts';
import { curl } from '../helpers/curl.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import { freePort } from '../helpers/ports.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

/** Splits an Istio TEXT access-log line into its 22 fields (quoted and bracketed fields stay whole). */
function textFields(line: string): string[] {
  return line.trimEnd().match(/\[[^\]]*\]|"[^"]*"|\S+/g) ?? [];
}

// As root the upstreams take the seed's real ports; otherwise the ServiceEntries name free ports instead.
const ROOT = process.getuid?.() === 0;
const HTTPBIN_IP = '127.0.7.1';
const GOOGLE_IP = '127.0.7.2';

void describe('seed walk-through (examples/seed)', () => {
  let dns: TestDnsServer;
  let ca: TestCa;
  let httpbin: TestUpstream;
  let google: TestUpstream;
  let config: TmpConfigDir;
  let proxy: RunningProxy;
  let httpPort: number;
  let httpsPort: number;
  let httpbinUrl: string;

  /** The seed's YAML, with the port swapped only when the test cannot bind 80/443. */
  async function seedFile(name: string): Promise<string> {
    const text = await readFile(new URL(`../../examples/seed/${name}`, import.meta.url), 'utf8');
    return text.replace('number: 80', `number: ${httpPort}`).replace('number: 443', `number: ${httpsPort}`);
  }

  before(async () => {
    httpPort = ROOT ? 80 : await freePort(HTTPBIN_IP);
    httpsPort = ROOT ? 443 : await freePort(GOOGLE_IP);
    httpbinUrl = `http://httpbin.org${httpPort === 80 ? '' : `:${httpPort}`}`;
    dns = await TestDnsServer.start();
    dns.set('httpbin.org', { a: [HTTPBIN_IP] });
    dns.set('www.httpbin.org', { a: [HTTPBIN_IP] });
    dns.set('www.google.com', { a: [GOOGLE_IP] });
    ca = await makeTestCa();
    const cert = await ca.issue(['www.google.com']);
    httpbin = await startHttpUpstream({ host: HTTPBIN_IP, port: httpPort, name: 'httpbin' });
    google = await startHttpUpstream({
      host: GOOGLE_IP,
      port: httpsPort,
      tls: { cert: cert.cert, key: cert.key },
      name: 'google',
    });
    config = await TmpConfigDir.create();
    await config.write('httpbin-service-entry.yaml', await seedFile('httpbin-service-entry.yaml'));
    await config.write('google-service-entry.yaml', await seedFile('google-service-entry.yaml'));
    proxy = await startProxy([
      '--config',
      config.path,
      '--mesh-config',
      new URL('../../examples/mesh-config.yaml', import.meta.url).pathname,
      '--namespace',
      'foo',
      '--dns-server',
      dns.server,
    ]);
  });

  after(async () => {
    // Release everything before asserting, so a failed start-up cannot leave sockets that keep the run alive.
    const code = await proxy?.stop();
    await Promise.all([httpbin?.close(), google?.close(), dns?.close(), config?.cleanup(), ca?.cleanup()]);
    if (proxy !== undefined) assert.equal(code, 0, 'SIGTERM drains and exits 0');
  });

  void test('startup says where it listens and how many services it loaded', () => {
    assert.match(proxy.stderr(), /outbound listener on 127\.0\.0\.1:\d+ .*admin on 127\.0\.0\.1:\d+/);
    assert.match(proxy.stderr(), /loaded 3 services from 2 files \(REGISTRY_ONLY, namespace foo/);
  });

  void test('1. REGISTRY_ONLY with the httpbin.org ServiceEntry: /delay/5 answers 200 after ~5 s', async () => {
    const r = await curl(['-x', proxy.proxyUrl, '-o', '/dev/null', `${httpbinUrl}/delay/5`]);
    assert.equal(r.status, 200);
    assert.ok(r.timeTotal >= 4.9 && r.timeTotal < 6.5, `took ${r.timeTotal}s`);
    const line = await proxy.waitForLog(/"GET \/delay\/5 HTTP\/1\.1" 200 /);
    const f = textFields(line);
    assert.equal(f.length, 22, line);
    assert.match(f[0]!, /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\]$/);
    assert.deepEqual(f.slice(1, 8), ['"GET /delay/5 HTTP/1.1"', '200', '-', 'via_upstream', '-', '"-"', '0']);
    assert.ok(Number(f[8]) > 0, 'bytes sent');
    assert.ok(Number(f[9]) >= 4900 && Number(f[10]) >= 4900, 'duration and upstream service time');
    assert.equal(f[11], '"-"');
    assert.match(f[12]!, /^"curl\/[^"]+"$/);
    assert.match(f[13]!, /^"[0-9a-f-]{36}"$/);
    assert.equal(f[14], `"httpbin.org${httpPort === 80 ? '' : `:${httpPort}`}"`);
    assert.equal(f[15], `"127.0.7.1:${httpPort}"`);
    assert.equal(f[16], `outbound|${httpPort}||httpbin.org`);
    assert.match(f[17]!, /^127\.0\.0\.1:\d+$/, 'upstream local address');
    assert.equal(f[18], `httpbin.org:${httpPort}`);
    assert.match(f[19]!, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(f.slice(20), ['-', 'default']);
  });

  void test('2. writing the seed VirtualService (timeout 3s) makes the same request 504 after ~3 s', async () => {
    await config.write('httpbin-virtual-service.yaml', await seedFile('httpbin-virtual-service.yaml'));
    await proxy.waitForStderr(/config version 2 live/, 3000);
    const from = proxy.logLines.length;
    const r = await curl(['-x', proxy.proxyUrl, `${httpbinUrl}/delay/5`]);
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.ok(r.timeTotal >= 2.9 && r.timeTotal < 4, `took ${r.timeTotal}s`);
    const line = await proxy.waitForLog(/"GET \/delay\/5 HTTP\/1\.1" 504 /, 5000, from);
    assert.match(
      line,
      /" 504 UT response_timeout - "-" 0 24 3\d\d\d - "-" "curl\/[^"]+" "[0-9a-f-]{36}" "httpbin\.org(:\d+)?" "127\.0\.7\.1:\d+" outbound\|\d+\|\|httpbin\.org /,
    );
  });

  void test('3. the HTTPS ServiceEntry lets curl https://www.google.com through untouched, logged as outbound|443||www.google.com', async () => {
    const url = `https://www.google.com${httpsPort === 443 ? '' : `:${httpsPort}`}/headers`;
    const r = await curl(['-x', proxy.proxyUrl, '--cacert', ca.caCertPath, url]);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'google');
    assert.match(r.rawHeaders, /^HTTP\/1\.1 200 OK\r\n\r\n/, 'the CONNECT answer comes first');
    const line = await proxy.waitForLog(/^\[[^\]]+\] "- - -" 0 /);
    assert.match(
      line,
      new RegExp(
        `"- - -" 0 - - - "-" \\d+ \\d+ \\d+ - "-" "-" "-" "www\\.google\\.com:${httpsPort}" "127\\.0\\.7\\.2:${httpsPort}" outbound\\|${httpsPort}\\|\\|www\\.google\\.com [\\d.:]+ www\\.google\\.com:${httpsPort} [\\d.:]+ www\\.google\\.com -\\n$`,
      ),
    );
  });

  void test('an unregistered host is refused: plain HTTP 502 block_all, CONNECT 502 BlackHoleCluster UH', async () => {
    dns.set('example.org', { a: [HTTPBIN_IP] });
    const r = await curl(['-x', proxy.proxyUrl, 'http://example.org/']);
    assert.equal(r.status, 502);
    assert.equal(r.body, '');
    await proxy.waitForLog(
      /"GET \/ HTTP\/1\.1" 502 - direct_response .* "example\.org" "-" - - example\.org:80 [\d.:]+ - block_all\n$/,
    );
    const c = await curl(['-x', proxy.proxyUrl, 'https://example.org/']);
    assert.match(c.rawHeaders, /^HTTP\/1\.1 502 /);
    await proxy.waitForLog(
      /"- - -" 502 UH - - "-" 0 0 \d+ - "-" "-" "-" "example\.org:443" "-" BlackHoleCluster - example\.org:443 [\d.:]+ example\.org -\n$/,
    );
  });

  void test('admin: /ready, /config_dump with the live version, /clusters with resolved endpoints', async () => {
    assert.equal((await proxy.admin('/ready')).status, 200);
    const dump = JSON.parse((await proxy.admin('/config_dump')).body);
    assert.equal(dump.version, '2');
    assert.deepEqual(dump.rejected, []);
    assert.ok(dump.snapshot.clusters[`outbound|${httpPort}||httpbin.org`]);
    const clusters = (await proxy.admin('/clusters')).body;
    assert.match(
      clusters,
      new RegExp(`outbound\\|${httpPort}\\|\\|httpbin\\.org::127\\.0\\.7\\.1:${httpPort}::health_flags::healthy`),
    );
  });

  void test('admin: Istio metrics at /stats/prometheus', async () => {
    const { status, body } = await proxy.admin('/stats/prometheus');
    assert.equal(status, 200);
    assert.match(
      body,
      /istio_requests_total\{[^}]*destination_service="httpbin\.org"[^}]*destination_service_name="httpbin\.org",destination_service_namespace="foo"[^}]*response_code="504"[^}]*response_flags="UT"[^}]*\} 1/,
    );
    assert.match(
      body,
      /istio_requests_total\{[^}]*destination_service_name="BlackHoleCluster"[^}]*response_code="502"[^}]*\} 1/,
    );
    assert.match(body, /istio_tcp_connections_closed_total\{[^}]*destination_service_name="www\.google\.com"[^}]*\} 1/);
    assert.match(body, /meshgate_config_version 2/);
    assert.match(body, /meshgate_upstream_pool_connections\{cluster="outbound\|\d+\|\|httpbin\.org"\} \d/);
  });
});
