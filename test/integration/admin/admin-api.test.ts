// The admin API of the real proxy: /clusters per-endpoint counts (text and JSON), meshgate's health
// metrics across a good and a bad reload, and /logging changing the log level while it runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../../helpers/curl.ts';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import { parsePrometheus, valueOf } from '../../helpers/prometheus.ts';
import { startProxy, type RunningProxy } from '../../helpers/start-proxy.ts';
import { TmpConfigDir } from '../../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

function serviceEntry(name: string, host: string, port: number): string {
  return (
    `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\nspec:\n  hosts: [${host}]\n` +
    `  ports:\n  - number: ${port}\n    name: http\n    protocol: HTTP\n  resolution: DNS\n`
  );
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

void describe('admin API', () => {
  let dns: TestDnsServer;
  let a: TestUpstream;
  let b: TestUpstream;
  let config: TmpConfigDir;
  let proxy: RunningProxy;
  let cluster: string;

  before(async () => {
    a = await startHttpUpstream({ host: '127.0.13.1', name: 'a' });
    b = await startHttpUpstream({ host: '127.0.13.2', port: a.port, name: 'b' });
    dns = await TestDnsServer.start();
    dns.set('pair.test', { a: ['127.0.13.1', '127.0.13.2'] });
    dns.set('broken.test', { fail: 'servfail' });
    config = await TmpConfigDir.create();
    await config.write('pair.yaml', serviceEntry('pair', 'pair.test', a.port));
    proxy = await startProxy(['--config', config.path, '--dns-server', dns.server]);
    cluster = `outbound|${a.port}||pair.test`;
  });

  after(async () => {
    await proxy?.stop();
    await Promise.all([a?.close(), b?.close(), dns?.close(), config?.cleanup()]);
  });

  const get = async (host: string, path: string): Promise<number> =>
    (await curl(['-x', proxy.proxyUrl, `http://${host}:${a.port}${path}`])).status;

  void test('/clusters: per-endpoint requests, failures, connections and health in Envoy text and JSON', async () => {
    // LEAST_REQUEST with no load rotates over both addresses: each gets one 200, one 503, one 200.
    for (const status of [200, 200, 503, 503, 200, 200])
      assert.equal(await get('pair.test', `/status/${status}`), status);
    const text = (await proxy.admin('/clusters')).body;
    const lines = text.split('\n').filter((l) => l.startsWith(`${cluster}::`));
    for (const address of [`127.0.13.1:${a.port}`, `127.0.13.2:${a.port}`]) {
      const host = lines
        .filter((l) => l.startsWith(`${cluster}::${address}::`))
        .map((l) => l.slice(cluster.length + address.length + 4));
      assert.deepEqual(host, [
        'cx_active::1',
        'cx_connect_fail::0',
        'cx_total::1',
        'rq_active::0',
        'rq_error::1',
        'rq_success::2',
        'rq_timeout::0',
        'rq_total::3',
        'hostname::pair.test',
        'health_flags::healthy',
        'weight::1',
        'region::',
        'zone::',
        'sub_zone::',
        'canary::false',
        'priority::0',
        'success_rate::-1',
        'local_origin_success_rate::-1',
      ]);
    }
    assert.ok(lines.includes(`${cluster}::default_priority::max_connections::4294967295`));
    assert.ok(lines.includes(`${cluster}::added_via_api::true`));

    const json = JSON.parse((await proxy.admin('/clusters?format=json')).body) as {
      cluster_statuses: {
        name: string;
        host_statuses: {
          address: { socket_address: { address: string; port_value: number } };
          stats: { name: string; value: string; type?: string }[];
          health_status: { eds_health_status: string };
        }[];
      }[];
    };
    const status = json.cluster_statuses.find((c) => c.name === cluster)!;
    assert.deepEqual(
      status.host_statuses.map((h) => h.address.socket_address),
      [
        { address: '127.0.13.1', port_value: a.port },
        { address: '127.0.13.2', port_value: a.port },
      ],
    );
    for (const h of status.host_statuses) {
      assert.equal(h.health_status.eds_health_status, 'HEALTHY');
      assert.deepEqual(Object.fromEntries(h.stats.map((s) => [s.name, s.value])), {
        cx_active: '1',
        cx_connect_fail: '0',
        cx_total: '1',
        rq_active: '0',
        rq_error: '1',
        rq_success: '2',
        rq_timeout: '0',
        rq_total: '3',
      });
      assert.equal(h.stats.find((s) => s.name === 'cx_active')!.type, 'GAUGE');
    }
    const samples = parsePrometheus((await proxy.admin('/stats/prometheus')).body);
    assert.equal(valueOf(samples, 'meshgate_upstream_pool_connections', { cluster }), 2);
  });

  void test('health metrics follow a good reload, then a rejected one', async () => {
    const scrape = async (): Promise<ReturnType<typeof parsePrometheus>> =>
      parsePrometheus(await (await fetch(`${proxy.metricsUrl}/stats/prometheus`)).text());
    let samples = await scrape();
    assert.equal(valueOf(samples, 'meshgate_config_version'), 1);
    assert.equal(valueOf(samples, 'meshgate_config_reloads_total', { result: 'applied' }), 1);
    assert.equal(valueOf(samples, 'meshgate_snapshot_build_duration_seconds_count'), 1);

    const before = Date.now() / 1000;
    await config.write('broken.yaml', serviceEntry('broken', 'broken.test', a.port));
    await until(async () => valueOf(await scrape(), 'meshgate_config_version') === 2, 'config version 2');
    assert.equal(await get('broken.test', '/'), 503, 'a name DNS cannot resolve gets 503');
    samples = await scrape();
    assert.equal(valueOf(samples, 'meshgate_config_last_reload_success'), 1);
    assert.ok(valueOf(samples, 'meshgate_config_last_reload_timestamp_seconds')! >= Math.floor(before));
    assert.equal(valueOf(samples, 'meshgate_config_rejected_files'), 0);
    assert.equal(valueOf(samples, 'meshgate_config_reloads_total', { result: 'applied' }), 2);
    assert.equal(valueOf(samples, 'meshgate_snapshot_build_duration_seconds_count'), 2);
    assert.ok(valueOf(samples, 'meshgate_dns_lookups_total')! >= 2);
    assert.ok(valueOf(samples, 'meshgate_dns_failures_total')! >= 1);
    assert.equal(valueOf(samples, 'meshgate_bug_total'), 0);
    assert.equal(valueOf(samples, 'meshgate_access_log_dropped_lines_total'), 0);
    assert.equal(valueOf(samples, 'meshgate_downstream_connections_active', { kind: 'http' }), 0);

    await config.writeInPlace('pair.yaml', `${serviceEntry('pair', 'pair.test', a.port)}  location: NOWHERE\n`);
    await until(async () => valueOf(await scrape(), 'meshgate_config_rejected_files') === 1, 'the rejected file');
    samples = await scrape();
    assert.equal(valueOf(samples, 'meshgate_config_last_reload_success'), 0);
    assert.equal(valueOf(samples, 'meshgate_config_reloads_total', { result: 'rejected' }), 1);
    assert.equal(await get('pair.test', '/status/200'), 200, 'the last good version of the file keeps serving');
  });

  void test('/logging shows the level and changes it at run time', async () => {
    assert.deepEqual(await proxy.admin('/logging'), { status: 200, body: 'active loggers:\n  meshgate: info\n' });
    assert.deepEqual(await proxy.admin('/logging?level=debug'), {
      status: 200,
      body: 'active loggers:\n  meshgate: debug\n',
    });
    await proxy.waitForStderr(/meshgate: change all log levels: level='debug'/);
    await config.write('extra.yaml', serviceEntry('extra', 'extra.test', a.port));
    await proxy.waitForStderr(/meshgate: debug: config version \d+ compiled in [\d.]+ ms: \d+ clusters/, 3000);

    const post = await fetch(`${proxy.adminUrl}/logging?level=error`, { method: 'POST' });
    assert.equal(post.status, 200);
    assert.equal(await post.text(), 'active loggers:\n  meshgate: error\n');
    const seen = proxy.stderr().length;
    await config.remove('extra.yaml');
    await until(async () => !(await proxy.admin('/config_dump')).body.includes('extra.test'), 'extra.test to go');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(proxy.stderr().slice(seen), '', 'info and debug lines are silent at level error');

    const bad = await proxy.admin('/logging?level=loud');
    assert.equal(bad.status, 400);
    assert.match(
      bad.body,
      /^error: unknown log level "loud"\n[\s\S]*levels: trace debug info warning error critical off/,
    );
    assert.match(bad.body, /meshgate: error\n$/, 'a bad request changes nothing');
    assert.equal((await proxy.admin('/logging?level=info')).status, 200);
  });
});
