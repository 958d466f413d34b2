// Passthrough hosts come and go: like Envoy's ORIGINAL_DST clusters (cleanup_interval), meshgate forgets a
// host nobody used for a whole interval, with its /clusters row, counters and idle connections, and keeps
// one that has a request in flight. Without it a proxy passing traffic to ever new addresses grows for good.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clustersText } from '../../../src/admin/clusters-view.ts';
import { compile } from '../../../src/compiler/compile.ts';
import type { Snapshot } from '../../../src/compiler/snapshot.ts';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { configSet, serviceEntry } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';
import { startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

const INTERVAL_MS = 250;

void describe('upstream host cleanup', () => {
  let proxy: ProxyServer;
  let proxyUrl: string;
  let snapshot: Snapshot;
  let a: TestUpstream;
  let b: TestUpstream;

  before(async () => {
    a = await startHttpUpstream({ host: '127.0.14.1', name: 'a' });
    b = await startHttpUpstream({ host: '127.0.14.2', name: 'b' });
    proxy = new ProxyServer({
      clock: systemClock,
      resolver: new DnsResolver({ servers: ['127.0.0.1:1'] }),
      accessLog: () => undefined,
      hostCleanupIntervalMs: INTERVAL_MS,
    });
    snapshot = compile(configSet({}), { namespace: 'default', version: '1' });
    proxy.swap(snapshot);
    const { port } = await proxy.listen(0, '127.0.0.1');
    proxyUrl = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await proxy?.stop(100);
    await Promise.all([a?.close(), b?.close()]);
  });

  /** PassthroughCluster's /clusters rows for `upstream`, as `stat::value`. */
  const rows = (upstream: TestUpstream): string[] => {
    const prefix = `PassthroughCluster::${upstream.host}:${upstream.port}::`;
    return clustersText(snapshot, proxy.clusters)
      .split('\n')
      .filter((line) => line.startsWith(prefix))
      .map((line) => line.slice(prefix.length));
  };
  const settle = (intervals: number): Promise<void> =>
    new Promise((resolve) => setTimeout(resolve, INTERVAL_MS * intervals + 50));

  void test('a host unused for an interval leaves /clusters with its counters; a new request starts it afresh', async () => {
    // One plain GET (fast lane) and one POST (full path) to each.
    for (const upstream of [a, b]) {
      assert.equal((await curl(['-x', proxyUrl, `${upstream.url}/status/200`])).status, 200);
      assert.equal((await curl(['-x', proxyUrl, '-d', 'x', `${upstream.url}/status/201`])).status, 201);
      assert.ok(rows(upstream).includes('rq_total::2'), rows(upstream).join(' '));
    }
    await settle(3);
    assert.deepEqual(rows(a), []);
    assert.deepEqual(rows(b), []);

    assert.equal((await curl(['-x', proxyUrl, `${a.url}/status/200`])).status, 200);
    assert.ok(rows(a).includes('rq_total::1'), rows(a).join(' '));
    assert.ok(rows(a).includes('cx_total::1'), 'connections are counted afresh');
    assert.deepEqual(rows(b), []);
  });

  void test('a host with a request in flight stays, however long the request takes', async () => {
    await settle(3);
    const slow = curl(['-x', proxyUrl, `${b.url}/delay/1.5`]);
    await settle(2);
    assert.ok(rows(b).includes('rq_active::1'), rows(b).join(' '));
    await settle(1);
    assert.ok(rows(b).includes('rq_active::1'), rows(b).join(' '));
    assert.equal((await slow).status, 200);
    // Still there a while after it ended: being busy at a sweep counts as use for the next interval.
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS / 2));
    assert.ok(rows(b).includes('rq_success::1'), rows(b).join(' '));
  });

  void test('a tunnel to a forgotten host works as the first one did', async () => {
    await settle(3);
    assert.deepEqual(rows(a), []);
    const viaTunnel = await curl(['-p', '-x', proxyUrl, `${a.url}/status/200`]);
    assert.equal(viaTunnel.status, 200);
    assert.ok(rows(a).includes('rq_total::1'), rows(a).join(' '));
  });

  void test('a reload that removes a cluster drops its hosts and counters', async () => {
    const cluster = `outbound|${a.port}||static.test`;
    const withService = compile(
      configSet({
        serviceEntries: [
          serviceEntry(
            { name: 'static' },
            {
              hosts: ['static.test'],
              ports: [{ number: a.port, name: 'http', protocol: 'HTTP' }],
              resolution: 'STATIC',
              endpoints: [{ address: a.host }],
            },
          ),
        ],
      }),
      { namespace: 'default', version: '2' },
    );
    proxy.swap(withService);
    assert.equal((await curl(['-x', proxyUrl, `http://static.test:${a.port}/status/200`])).status, 200);
    assert.deepEqual(
      proxy.clusters.lastHosts(cluster)?.map((h) => h.key),
      [`${a.host}:${a.port}`],
    );
    assert.equal(proxy.clusters.statsFor(cluster)[0]?.rqTotal, 1);

    proxy.swap(snapshot);
    assert.equal(proxy.clusters.lastHosts(cluster), undefined);
    assert.deepEqual(proxy.clusters.statsFor(cluster), []);
  });
});
