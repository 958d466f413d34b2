// Hot reload through the real proxy: a good change goes live within ~1 s, a broken file is rejected whole
// (its last good version keeps serving, the error is logged with file:line and shown in /config_dump),
// a deleted file takes its resources with it; plus the JSON access log, parsed field by field.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { curl } from '../helpers/curl.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import { startProxy, type RunningProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

function entry(name: string, host: string, port: number, extra = ''): string {
  return `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: ${name}\nspec:\n  hosts: [${host}]\n  ports:\n  - number: ${port}\n    name: http\n    protocol: HTTP\n  resolution: DNS\n${extra}`;
}

void describe('config reload and the JSON access log', () => {
  let dns: TestDnsServer;
  let web: TestUpstream;
  let config: TmpConfigDir;
  let logDir: TmpConfigDir;
  let proxy: RunningProxy;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.10.1', name: 'web' });
    dns = await TestDnsServer.start();
    for (const name of ['one.test', 'two.test']) dns.set(name, { a: ['127.0.10.1'] });
    config = await TmpConfigDir.create();
    logDir = await TmpConfigDir.create('meshgate-log-');
    await config.write('registry-only.mesh', 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    await config.write('one.yaml', entry('one', 'one.test', web.port));
    proxy = await startProxy([
      '--config',
      config.path,
      '--mesh-config',
      join(config.path, 'registry-only.mesh'),
      '--dns-server',
      dns.server,
      '--access-log',
      join(logDir.path, 'access.log'),
      '--access-log-format',
      'json',
    ]);
  });

  after(async () => {
    // Release everything before asserting, so a failed start-up cannot leave sockets that keep the run alive.
    const code = await proxy?.stop();
    await Promise.all([web?.close(), dns?.close(), config?.cleanup(), logDir?.cleanup()]);
    if (proxy !== undefined) assert.equal(code, 0);
  });

  const get = async (host: string): Promise<number> =>
    (await curl(['-x', proxy.proxyUrl, `http://${host}:${web.port}/headers`])).status;

  async function configVersion(): Promise<{
    version: string;
    rejected: { file: string; errors: string[]; servingLastGood: boolean }[];
  }> {
    return JSON.parse((await proxy.admin('/config_dump')).body);
  }

  void test('a new file goes live within about a second', async () => {
    assert.equal(await get('two.test'), 502);
    const started = Date.now();
    await config.write('two.yaml', entry('two', 'two.test', web.port));
    await proxy.waitForStderr(/config version 2 live: 2 services/, 3000);
    assert.ok(Date.now() - started < 1500, `reload took ${Date.now() - started} ms`);
    assert.equal(await get('two.test'), 200);
  });

  void test('a broken edit is rejected whole; the last good version keeps serving', async () => {
    await config.writeInPlace('two.yaml', `${entry('two', 'two.test', web.port)}  location: NOWHERE\n`);
    // stderr arrives line by line: wait for the error line itself, not only its heading.
    await proxy.waitForStderr(
      /rejected .*two\.yaml \(its last good version stays live\):\n.*two\.yaml:\d+:\d+: error: /,
      3000,
    );
    assert.equal(await get('two.test'), 200);
    const dump = await configVersion();
    assert.equal(dump.rejected.length, 1);
    assert.match(dump.rejected[0]!.file, /two\.yaml$/);
    assert.equal(dump.rejected[0]!.servingLastGood, true);
    assert.match(dump.rejected[0]!.errors[0]!, /two\.yaml:12:\d+: error: /);
  });

  void test('a file that never parsed serves nothing and says why', async () => {
    await config.write(
      'bad.yaml',
      'apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: bad\nspec: [\n',
    );
    await proxy.waitForStderr(/rejected .*bad\.yaml:\n.*bad\.yaml:\d+:\d+: error: /, 3000);
    const dump = await configVersion();
    assert.ok(dump.rejected.some((r) => r.file.endsWith('bad.yaml') && !r.servingLastGood));
    assert.equal(await get('one.test'), 200);
  });

  void test('deleting a file removes its resources', async () => {
    await config.remove('two.yaml');
    await config.remove('bad.yaml');
    await proxy.waitForStderr(/live: 1 services/, 3000);
    assert.equal(await get('two.test'), 502);
    assert.deepEqual((await configVersion()).rejected, []);
  });

  void test('the mesh config is watched too: switching to ALLOW_ANY lets unknown hosts through', async () => {
    await config.write('registry-only.mesh', 'outboundTrafficPolicy:\n  mode: ALLOW_ANY\n');
    await proxy.waitForStderr(/config version \d+ live: 1 services[\s\S]*config version \d+ live: 1 services/, 3000);
    assert.equal(await get('two.test'), 200);
    await config.write('registry-only.mesh', 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    for (let i = 0; i < 40 && (await get('two.test')) !== 502; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await get('two.test'), 502, proxy.stderr());
  });

  void test('JSON access log: one object per request with typed fields', async () => {
    const before = Date.now();
    assert.equal(await get('one.test'), 200);
    let record: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && record === undefined; i++) {
      const lines = (await readFile(join(logDir.path, 'access.log'), 'utf8').catch(() => ''))
        .trim()
        .split('\n')
        .filter((l) => l !== '');
      // Only this test's request: earlier tests also asked for one.test.
      record = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((r) => r.authority === `one.test:${web.port}` && Date.parse(String(r.start_time)) >= before);
      if (record === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(record, 'a line for the request was written');
    assert.equal(record.method, 'GET');
    assert.equal(record.path, '/headers');
    assert.equal(record.protocol, 'HTTP/1.1');
    assert.equal(record.response_code, 200);
    assert.equal(record.response_flags, null);
    assert.equal(record.response_code_details, 'via_upstream');
    assert.equal(record.upstream_cluster, `outbound|${web.port}||one.test`);
    assert.equal(record.upstream_host, `127.0.10.1:${web.port}`);
    assert.equal(record.route_name, 'default');
    assert.equal(record.downstream_local_address, `one.test:${web.port}`);
    assert.match(String(record.downstream_remote_address), /^127\.0\.0\.1:\d+$/);
    assert.equal(typeof record.bytes_sent, 'number');
    assert.ok((record.bytes_sent as number) > 0);
    assert.equal(record.bytes_received, 0);
    assert.match(String(record.request_id), /^[0-9a-f-]{36}$/);
    assert.match(String(record.user_agent), /^curl\//);
  });
});
