// Many requests through the real proxy, SIGTERM in the middle of them, then every line of the access-log
// file counted: one per request the upstream saw and per response curl got, none torn, none lost; in JSON,
// each line parsed with Istio's keys and typed values.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import { startProxy } from '../../helpers/start-proxy.ts';
import { TmpConfigDir } from '../../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

const REQUESTS = 800;
/** SIGTERM once this many responses are in: well into the run, well before its end. */
const SIGTERM_AFTER = 250;

/** Istio's JSON access-log keys (spec §3.10) and the JSON type each must have when set. */
const JSON_KEYS: Readonly<Record<string, 'string' | 'number'>> = {
  start_time: 'string',
  route_name: 'string',
  method: 'string',
  path: 'string',
  protocol: 'string',
  response_code: 'number',
  response_flags: 'string',
  response_code_details: 'string',
  connection_termination_details: 'string',
  bytes_received: 'number',
  bytes_sent: 'number',
  duration: 'number',
  upstream_service_time: 'string',
  x_forwarded_for: 'string',
  user_agent: 'string',
  request_id: 'string',
  authority: 'string',
  upstream_host: 'string',
  upstream_cluster: 'string',
  upstream_local_address: 'string',
  downstream_local_address: 'string',
  downstream_remote_address: 'string',
  requested_server_name: 'string',
  upstream_transport_failure_reason: 'string',
};

/** The 22 fields of Istio's TEXT line (spec §3.10), for a request forwarded upstream. */
const TEXT_LINE =
  /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET \/anything\/\w+-\d+ HTTP\/1\.1" (\d{3}|0) (\S+) (\S+) - "-" \d+ \d+ \d+ (\d+|-) "-" "curl\/[\d.]+" "[0-9a-f-]{36}" "[\w.]+:\d+" "(\S+)" (\S+) (\S+) (\S+) (\S+) - (\S+)$/;

interface Run {
  /** Status per transfer as curl reports it (`000` when it got no response). */
  readonly statuses: string[];
  readonly exitCode: number | null;
}

/** curl fetching `url` (a curl glob) 16 transfers at a time through the proxy. */
function curlMany(proxyUrl: string, url: string): Promise<Run> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k)));
  const child = spawn(
    'curl',
    ['-s', '--parallel', '--parallel-max', '16', '-x', proxyUrl, '-o', '/dev/null', '-w', '%{http_code}\\n', url],
    { env, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  return new Promise((resolve) =>
    child.once('close', (exitCode) => resolve({ statuses: out.split('\n').filter((s) => s !== ''), exitCode })),
  );
}

void describe('access log on SIGTERM', () => {
  let dns: TestDnsServer;
  let web: TestUpstream;
  let config: TmpConfigDir;
  let logDir: TmpConfigDir;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.14.1' });
    dns = await TestDnsServer.start();
    dns.set('web.test', { a: ['127.0.14.1'] });
    config = await TmpConfigDir.create();
    logDir = await TmpConfigDir.create('meshgate-log-');
    await config.write(
      'web.yaml',
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: web\nspec:\n  hosts: [web.test]\n  ports:\n  - number: ${web.port}\n    name: http\n    protocol: HTTP\n  resolution: DNS\n`,
    );
  });

  after(async () => {
    await Promise.all([web?.close(), dns?.close(), config?.cleanup(), logDir?.cleanup()]);
  });

  /** Runs the requests, SIGTERMs the proxy mid-run, and returns what curl saw and the log file's lines. */
  async function runAndStop(format: 'text' | 'json'): Promise<{ lines: string[]; ok: number; upstreamSaw: number }> {
    const file = join(logDir.path, `${format}.log`);
    const proxy = await startProxy([
      '--config',
      config.path,
      '--dns-server',
      dns.server,
      '--access-log',
      file,
      '--access-log-format',
      format,
    ]);
    const seen = (): number => web.requests.filter((r) => r.url.startsWith(`/anything/${format}-`)).length;
    const running = curlMany(proxy.proxyUrl, `http://web.test:${web.port}/anything/${format}-[1-${REQUESTS}]`);
    // curl buffers its -w output when piped, so progress is read from the upstream's side.
    while (seen() < SIGTERM_AFTER) await new Promise((r) => setTimeout(r, 2));
    assert.equal(await proxy.stop('SIGTERM'), 0, 'the proxy exits 0 after draining');
    const run = await running;
    const text = await readFile(file, 'utf8');
    assert.ok(text.endsWith('\n'), 'the last line is whole');
    const ok = run.statuses.filter((s) => s === '200').length;
    assert.ok(ok >= SIGTERM_AFTER && ok < REQUESTS, `SIGTERM landed mid-run (${ok} of ${REQUESTS} answered)`);
    return { lines: text.slice(0, -1).split('\n'), ok, upstreamSaw: seen() };
  }

  void test('TEXT: every answered request has its line, none is lost or torn', async () => {
    const { lines, ok, upstreamSaw } = await runAndStop('text');
    const parsed = lines.map((line) => {
      const m = TEXT_LINE.exec(line);
      assert.ok(m, `an Istio TEXT line: ${line}`);
      return { code: m[1], cluster: m[6] };
    });
    assert.equal(parsed.filter((p) => p.code === '200').length, ok, 'one 200 line per 200 curl got');
    assert.equal(
      parsed.filter((p) => p.cluster === `outbound|${web.port}||web.test`).length,
      upstreamSaw,
      'one line per request the upstream saw',
    );
  });

  void test('JSON: every line parses, with Istio keys and typed values', async () => {
    const { lines, ok, upstreamSaw } = await runAndStop('json');
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records) {
      assert.deepEqual(Object.keys(r).sort(), Object.keys(JSON_KEYS).sort());
      for (const [key, type] of Object.entries(JSON_KEYS)) {
        if (r[key] !== null) assert.equal(typeof r[key], type, `${key} is a ${type}: ${JSON.stringify(r)}`);
      }
    }
    const answered = records.filter((r) => r.response_code === 200);
    assert.equal(answered.length, ok, 'one 200 record per 200 curl got');
    assert.equal(records.filter((r) => r.upstream_cluster === `outbound|${web.port}||web.test`).length, upstreamSaw);
    for (const r of answered) {
      assert.equal(r.method, 'GET');
      assert.equal(r.response_flags, null);
      assert.equal(r.response_code_details, 'via_upstream');
      assert.equal(r.route_name, 'default');
      assert.equal(r.upstream_host, `127.0.14.1:${web.port}`);
      assert.match(String(r.upstream_service_time), /^\d+$/);
      assert.ok(Number.isInteger(r.duration) && Number.isInteger(r.bytes_sent) && (r.bytes_sent as number) > 0);
    }
  });
});
