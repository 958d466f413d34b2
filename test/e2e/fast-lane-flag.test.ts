// `meshgate proxy --no-fast-lane`: the same answers and log lines, every request served by Node's HTTP
// server. Which lane served shows upstream: the full path (undici) sends `connection: keep-alive`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { startProxy } from '../helpers/start-proxy.ts';
import { type OneService, startOneService } from '../helpers/one-service.ts';
import type { TmpConfigDir } from '../helpers/tmp-config.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

void describe('meshgate proxy --no-fast-lane', () => {
  let service: OneService;
  let web: TestUpstream;
  let config: TmpConfigDir;

  before(async () => {
    service = await startOneService('127.0.12.1', 'HTTP');
    ({ web, config } = service);
  });

  after(async () => {
    await service?.close();
  });

  for (const [flags, lane] of [
    [[], 'fast'],
    [['--no-fast-lane'], 'full'],
  ] as const) {
    void test(`${flags.length === 0 ? 'default' : flags.join(' ')}: 200, logged via_upstream, served by the ${lane} path`, async () => {
      const proxy = await startProxy(['--config', config.path, ...flags]);
      try {
        const before = web.requests.length;
        const r = await curl(['-x', proxy.proxyUrl, `http://web.test:${web.port}/`]);
        assert.equal(r.status, 200);
        const line = await proxy.waitForLog(/"GET \/ HTTP\/1\.1" 200 - via_upstream/);
        assert.match(line, /outbound\|\d+\|\|web\.test/);
        const seen = web.requests[before]!;
        assert.equal(seen.headers.connection === 'keep-alive' ? 'full' : 'fast', lane);
      } finally {
        await proxy.stop('SIGTERM');
      }
    });
  }
});
