// VirtualService retries against a real flaky upstream: retryOn 5xx / status codes, attempts, perTryTimeout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { compile } from '../../../src/compiler/compile.ts';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { configSet, serviceEntry, virtualService } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';

void describe('retries', () => {
  let flaky: Server;
  let port: number;
  let proxy: ProxyServer;
  let proxyUrl: string;
  let failuresLeft = 0;
  let hits = 0;
  const infos: StreamInfo[] = [];

  before(async () => {
    // Fails the next `failuresLeft` requests with 503 (or hangs on /slow), then answers 200.
    flaky = createServer((req, res) => {
      hits++;
      if (req.url === '/slow' && failuresLeft-- > 0) return;
      if (failuresLeft-- > 0) {
        res.writeHead(503, { 'content-length': '4' }).end('busy');
        return;
      }
      res.writeHead(200, { 'content-length': '2' }).end('ok');
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.39', resolve));
    port = (flaky.address() as { port: number }).port;
    const se = (name: string): ReturnType<typeof serviceEntry> =>
      serviceEntry(
        { name },
        {
          hosts: [`${name}.test`],
          ports: [{ number: port, name: 'http', protocol: 'HTTP' }],
          resolution: 'STATIC',
          endpoints: [{ address: '127.0.0.39' }],
        },
      );
    const vs = (name: string, retries: object): ReturnType<typeof virtualService> =>
      virtualService(
        { name },
        { hosts: [`${name}.test`], http: [{ retries, route: [{ destination: { host: `${name}.test` } }] }] },
      );
    proxy = new ProxyServer({ clock: systemClock, resolver: new DnsResolver(), accessLog: (info) => infos.push(info) });
    proxy.swap(
      compile(
        configSet({
          serviceEntries: [se('plain'), se('fivexx'), se('codes'), se('pertry')],
          virtualServices: [
            vs('fivexx', { attempts: 2, retryOn: '5xx', backoff: '1ms' }),
            vs('codes', { attempts: 1, retryOn: '503', backoff: '1ms' }),
            vs('pertry', { attempts: 2, perTryTimeout: '200ms', retryOn: 'gateway-error', backoff: '1ms' }),
          ],
        }),
        { namespace: 'default', version: '1' },
      ),
    );
    proxyUrl = `http://127.0.0.1:${(await proxy.listen(0, '127.0.0.1')).port}`;
  });

  after(async () => {
    await proxy.stop(100);
    await new Promise((resolve) => flaky.close(resolve));
  });

  async function call(host: string, failures: number, path = '/'): Promise<{ status: number; attempts: number }> {
    failuresLeft = failures;
    hits = 0;
    const r = await curl(['-x', proxyUrl, `http://${host}:${port}${path}`]);
    return { status: r.status, attempts: hits };
  }

  void test("Istio's default policy does not retry a 503 answer", async () => {
    assert.deepEqual(await call('plain.test', 1), { status: 503, attempts: 1 });
  });

  void test('retryOn 5xx with 2 attempts: two failures are absorbed, a third is not', async () => {
    assert.deepEqual(await call('fivexx.test', 2), { status: 200, attempts: 3 });
    assert.deepEqual(await call('fivexx.test', 3), { status: 503, attempts: 3 });
  });

  void test('a numeric retryOn retries exactly that status', async () => {
    assert.deepEqual(await call('codes.test', 1), { status: 200, attempts: 2 });
  });

  void test('perTryTimeout: a hung attempt is abandoned and retried', async () => {
    const r = await call('pertry.test', 1, '/slow');
    assert.deepEqual(r, { status: 200, attempts: 2 });
    const timedOut = await call('pertry.test', 3, '/slow');
    assert.equal(timedOut.status, 504);
    assert.equal(infos.at(-1)!.responseFlags(), 'UT,URX');
  });
});
