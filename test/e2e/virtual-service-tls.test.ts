// VirtualService tls[] and tcp[] routes end to end: curl's CONNECT to a TLS service is routed by SNI to
// another backend (the TLS passes through untouched), and a raw TCP tunnel follows a tcp[] route.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { makeTestCa, type TestCa } from '../helpers/certs.ts';
import { curl } from '../helpers/curl.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startEchoServer, startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

function serviceEntry(name: string, host: string, port: number, protocol: string, upstream: TestUpstream): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: { name: ${name}, namespace: shop }
spec:
  hosts: [${host}]
  ports: [{ number: ${port}, name: p, protocol: ${protocol} }]
  resolution: STATIC
  endpoints: [{ address: ${upstream.host}, ports: { p: ${upstream.port} } }]
---
`;
}

/** Opens a CONNECT tunnel through the proxy, sends `payload`, and resolves with what comes back. */
function tunnel(proxyUrl: string, target: string, payload: string): Promise<string> {
  const { hostname, port } = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    let open = false;
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (!open && received.includes('\r\n\r\n')) {
        if (!received.startsWith('HTTP/1.1 200')) return reject(new Error(received));
        open = true;
        received = received.slice(received.indexOf('\r\n\r\n') + 4);
        socket.write(payload);
      }
      if (open && received.length >= payload.length) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  });
}

void describe('VirtualService tls[] and tcp[] through the real proxy', () => {
  let ca: TestCa;
  let tlsA: TestUpstream;
  let tlsB: TestUpstream;
  let dbPrimary: TestUpstream;
  let dbReplica: TestUpstream;
  let dir: TmpConfigDir;
  let proxy: RunningProxy;

  before(async () => {
    ca = await makeTestCa();
    const cert = await ca.issue(['tls.test']);
    tlsA = await startHttpUpstream({ name: 'tls-a', tls: cert });
    tlsB = await startHttpUpstream({ name: 'tls-b', tls: cert });
    dbPrimary = await startEchoServer({ name: 'primary' });
    dbReplica = await startEchoServer({ name: 'replica' });
    dir = await TmpConfigDir.create();
    await dir.write(
      'tls.yaml',
      [
        serviceEntry('tls', 'tls.test', 443, 'TLS', tlsA),
        serviceEntry('tls-b', 'tls-b.test', 443, 'TLS', tlsB),
        serviceEntry('db', 'db.test', 5432, 'TCP', dbPrimary),
        serviceEntry('db-replica', 'db-replica.test', 5432, 'TCP', dbReplica),
        `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: tls, namespace: shop }
spec:
  hosts: [tls.test]
  tls:
  - match: [{ sniHosts: [tls.test], port: 443 }]
    route: [{ destination: { host: tls-b.test, port: { number: 443 } } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: db, namespace: shop }
spec:
  hosts: [db.test]
  tcp:
  - match: [{ port: 5432 }]
    route: [{ destination: { host: db-replica.test } }]
`,
      ].join(''),
    );
    proxy = await startProxy(['--config', dir.path, '--namespace', 'shop']);
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all([
      tlsA?.close(),
      tlsB?.close(),
      dbPrimary?.close(),
      dbReplica?.close(),
      dir?.cleanup(),
      ca?.cleanup(),
    ]);
  });

  void test('CONNECT tls.test:443 follows the tls[] route by SNI to tls-b.test; TLS is untouched end to end', async () => {
    const r = await curl(['-x', proxy.proxyUrl, '--cacert', ca.caCertPath, 'https://tls.test/headers']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-upstream'], 'tls-b');
    assert.equal(tlsA.requests.length, 0);
    await proxy.waitForLog(
      /"- - -" 0 - - - "-" \d+ \d+ \d+ - "-" "-" "-" "tls\.test:443" "127\.0\.0\.1:\d+" outbound\|443\|\|tls-b\.test .* tls\.test -\n$/,
    );
  });

  void test('a TCP tunnel to db.test:5432 follows the tcp[] route to db-replica.test', async () => {
    const echoed = await tunnel(proxy.proxyUrl, 'db.test:5432', 'SELECT 1;');
    assert.equal(echoed, 'SELECT 1;');
    assert.equal(dbReplica.requests.length, 1);
    assert.equal(dbPrimary.requests.length, 0);
    await proxy.waitForLog(/outbound\|5432\|\|db-replica\.test /);
  });
});
