// Upstream connect timeouts (DestinationRule tcp.connectTimeout): 503 UF with Envoy's text, for HTTP after
// Istio's default retries and for CONNECT tunnels. The silent upstream is a listener whose accept queue is
// full, so new SYNs are dropped: a real connect that never completes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { compile } from '../../../src/compiler/compile.ts';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { configSet, destinationRule, serviceEntry } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';

const SILENT_IP = '127.0.0.37';
const FILL_BACKLOG = `
import socket, sys, time
s = socket.socket(); s.bind(('${SILENT_IP}', 0)); s.listen(0)
port = s.getsockname()[1]
held = []
for _ in range(3):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(('${SILENT_IP}', port))
    except BlockingIOError: pass
    held.append(c)
time.sleep(0.3)
print(port, flush=True)
time.sleep(120)
`;
const havePython = spawnSync('python3', ['-c', 'pass']).status === 0;

void describe(
  'upstream connect timeout',
  { skip: havePython ? false : 'python3 is needed to hold a listener whose accept queue is full' },
  () => {
    let silent: ChildProcess;
    let port: number;
    let proxy: ProxyServer;
    let proxyUrl: string;
    const infos: StreamInfo[] = [];
    let snapshot: ReturnType<typeof compile>;

    before(async () => {
      silent = spawn('python3', ['-c', FILL_BACKLOG], { stdio: ['ignore', 'pipe', 'inherit'] });
      port = await new Promise<number>((resolve) =>
        silent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))),
      );
      proxy = new ProxyServer({
        clock: systemClock,
        resolver: new DnsResolver(),
        accessLog: (info) => infos.push(info),
      });
      const ports = [{ number: port, name: 'http', protocol: 'HTTP' }];
      snapshot = compile(
        configSet({
          serviceEntries: [
            serviceEntry(
              { name: 'silent' },
              { hosts: ['silent.test'], ports, resolution: 'STATIC', endpoints: [{ address: SILENT_IP }] },
            ),
            serviceEntry(
              { name: 'silent-tcp' },
              {
                hosts: ['silent-tcp.test'],
                ports: [{ number: 443, name: 'tcp', protocol: 'TCP' }],
                resolution: 'STATIC',
                endpoints: [{ address: SILENT_IP, ports: { tcp: port } }],
              },
            ),
          ],
          destinationRules: [
            destinationRule(
              { name: 'silent' },
              { host: 'silent.test', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '300ms' } } } },
            ),
            destinationRule(
              { name: 'silent-tcp' },
              { host: 'silent-tcp.test', trafficPolicy: { connectionPool: { tcp: { connectTimeout: '300ms' } } } },
            ),
          ],
        }),
        { namespace: 'default', version: '1' },
      );
      proxy.swap(snapshot);
      const listening = await proxy.listen(0, '127.0.0.1');
      proxyUrl = `http://127.0.0.1:${listening.port}`;
    });

    after(async () => {
      await proxy?.stop(100);
      silent?.kill();
    });

    void test('HTTP: 503 connection failure after 3 attempts of 300 ms, UF,URX', async () => {
      const r = await curl(['-x', proxyUrl, `http://silent.test:${port}/`]);
      assert.equal(r.status, 503);
      assert.equal(
        r.body,
        'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: connection failure',
      );
      assert.ok(r.timeTotal >= 0.85 && r.timeTotal < 2.5, `took ${r.timeTotal}s`);
      assert.equal(infos.at(-1)!.responseFlags(), 'UF,URX');
    });

    void test('CONNECT: 503 with the connection-failure text after 300 ms, logged UF,URX', async () => {
      const r = await curl(['-x', proxyUrl, '-p', 'http://silent-tcp.test:443/']);
      assert.match(r.rawHeaders, /^HTTP\/1\.1 503 /);
      assert.ok(r.timeTotal >= 0.25 && r.timeTotal < 1.5, `took ${r.timeTotal}s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const info = infos.at(-1)!;
      assert.equal(info.responseFlags(), 'UF,URX');
      assert.equal(info.upstreamCluster, 'outbound|443||silent-tcp.test');
    });

    for (const acceptOnRelay of [true, false]) {
      void test(`a drain while a CONNECT upstream is still connecting closes the client and logs DC before stop resolves (accepted ${acceptOnRelay ? 'on the relay thread' : 'by Node'})`, async () => {
        const lines: StreamInfo[] = [];
        const draining = new ProxyServer({
          clock: systemClock,
          resolver: new DnsResolver(),
          accessLog: (info) => lines.push(info),
          acceptOnRelay,
        });
        draining.swap(snapshot);
        const { port: proxyPort } = await draining.listen(0, '127.0.0.1');
        const client = connect(proxyPort, '127.0.0.1', () =>
          client.write('CONNECT silent-tcp.test:443 HTTP/1.1\r\nHost: silent-tcp.test:443\r\n\r\n'),
        );
        let received = '';
        client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        client.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        await new Promise((resolve) => setTimeout(resolve, 80));
        await draining.stop(20);
        assert.equal(lines.length, 1, 'logged before stop resolved');
        assert.equal(lines[0]!.responseFlags(), 'DC');
        assert.equal(lines[0]!.upstreamCluster, 'outbound|443||silent-tcp.test');
        await closed;
        assert.equal(received, '', 'nothing was answered');
        // The connect's outcome, when it comes, changes nothing.
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.equal(lines.length, 1);
      });
    }
  },
);
