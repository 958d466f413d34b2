import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { makeTestCa, type TestCa } from '../../helpers/certs.ts';
import { curl } from '../../helpers/curl.ts';
import { startEchoServer, startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';
import { TmpConfigDir } from '../../helpers/tmp-config.ts';
import { freePort } from '../../helpers/ports.ts';

// The test helpers other suites build on: real upstreams, real TLS with generated certificates, real curl.
void describe('test helpers', () => {
  let ca: TestCa;
  let http: TestUpstream;
  let https: TestUpstream;
  before(async () => {
    ca = await makeTestCa();
    const cert = await ca.issue(['httpbin.org', 'www.httpbin.org', '127.0.0.3']);
    http = await startHttpUpstream({ host: '127.0.0.2', name: 'plain' });
    https = await startHttpUpstream({ host: '127.0.0.3', tls: cert, name: 'secure' });
  });
  after(async () => {
    await http.close();
    await https.close();
    await ca.cleanup();
  });

  void test('httpbin-like routes over HTTP, seen through curl', async () => {
    const headers = await curl([`${http.url}/headers`, '-H', 'X-Probe: 1']);
    assert.equal(headers.exitCode, 0);
    assert.equal(headers.status, 200);
    assert.equal(headers.headers['x-upstream'], 'plain');
    assert.equal((JSON.parse(headers.body) as { headers: Record<string, string> }).headers['X-Probe'], '1');
    assert.equal((await curl([`${http.url}/status/418`])).status, 418);
    const bytes = await curl([`${http.url}/bytes/300`]);
    assert.equal(bytes.bodyBytes.length, 300);
    assert.equal(bytes.bodyBytes[257], 1);
    const stream = await curl([`${http.url}/stream/3`]);
    assert.equal(stream.body.trim().split('\n').length, 3);
    const post = await curl([`${http.url}/post`, '--data', '{"a":1}', '-H', 'content-type: application/json']);
    assert.deepEqual((JSON.parse(post.body) as { json: unknown }).json, { a: 1 });
    assert.equal((await curl([`${http.url}/echo`, '--data-binary', 'hello'])).body, 'hello');
    assert.equal(http.requests.at(-1)?.method, 'POST');
  });

  void test('/delay takes as long as asked; curl reports time_total', async () => {
    const result = await curl([`${http.url}/delay/0.3`]);
    assert.equal(result.status, 200);
    assert.ok(result.timeTotal >= 0.3 && result.timeTotal < 2, `time_total ${result.timeTotal}`);
  });

  void test('/reset gives curl an empty reply (exit 52)', async () => {
    const result = await curl([`${http.url}/reset`]);
    assert.equal(result.exitCode, 52);
    assert.equal(result.status, 0);
  });

  void test('HTTPS with a generated certificate verifies against the generated CA', async () => {
    const ok = await curl([
      '--cacert',
      ca.caCertPath,
      '--resolve',
      `httpbin.org:${https.port}:127.0.0.3`,
      `https://httpbin.org:${https.port}/status/204`,
    ]);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.equal(ok.status, 204);
    const untrusted = await curl([`https://127.0.0.3:${https.port}/`]);
    assert.equal(untrusted.exitCode, 60, 'curl rejects a certificate it cannot verify');
  });

  void test('echo server over plain TCP and TLS', async () => {
    const cert = await ca.issue(['echo.test']);
    const echo = await startEchoServer({ tls: cert });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: echo.host, port: echo.port, servername: 'echo.test', ca: ca.caCert }, () =>
          socket.end('ping'),
        );
        let data = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => {
          data += chunk;
        });
        socket.on('end', () => resolve(data));
        socket.on('error', reject);
      });
      assert.equal(reply, 'ping');
    } finally {
      await echo.close();
    }
  });

  void test('config folder and free ports', async () => {
    const dir = await TmpConfigDir.create();
    try {
      await dir.write('se.yaml', 'kind: ServiceEntry\n');
      await dir.write('se.yaml', 'kind: VirtualService\n');
      await dir.writeInPlace('b.yaml', 'x: 1\n');
      assert.deepEqual(await dir.list(), ['b.yaml', 'se.yaml']);
      await dir.remove('se.yaml');
      assert.deepEqual(await dir.list(), ['b.yaml']);
    } finally {
      await dir.cleanup();
    }
    const port = await freePort();
    const fixed = await startHttpUpstream({ port });
    assert.equal(fixed.port, port);
    await fixed.close();
  });
});
