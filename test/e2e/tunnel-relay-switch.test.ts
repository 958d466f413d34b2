// How `meshgate proxy` relays tunnels: the startup summary says it, and MESHGATE_TUNNEL_RELAY=node moves
// tunnels onto Node's streams with the same answer and the same access-log line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { startProxy } from '../helpers/start-proxy.ts';
import { type OneService, startOneService } from '../helpers/one-service.ts';
import type { TmpConfigDir } from '../helpers/tmp-config.ts';
import type { TestUpstream } from '../helpers/upstream.ts';

void describe('the tunnel relay at startup', () => {
  let service: OneService;
  let web: TestUpstream;
  let config: TmpConfigDir;

  before(async () => {
    service = await startOneService('127.0.12.2', 'TCP');
    ({ web, config } = service);
  });

  after(async () => {
    await service?.close();
  });

  // The relay is on by default on Linux, unless this test run itself switched it off.
  const native = process.platform === 'linux' && process.env.MESHGATE_TUNNEL_RELAY !== 'node';
  for (const [name, args, env, relay] of [
    [
      'by default',
      [],
      {},
      native ? /tunnel relay: native \(the outbound port is accepted, and CONNECT / : /tunnel relay: Node streams \(/,
    ],
    [
      'with --bind localhost',
      ['--bind', 'localhost'],
      {},
      native
        ? /tunnel relay: native \(.*; the outbound port is accepted by Node, as --bind is not an IP address\)/
        : /tunnel relay: Node streams \(/,
    ],
    [
      'with MESHGATE_TUNNEL_RELAY=node',
      [],
      { MESHGATE_TUNNEL_RELAY: 'node' },
      /tunnel relay: Node streams \(MESHGATE_TUNNEL_RELAY=node\)/,
    ],
  ] as const) {
    void test(`${name}: the startup line says how, and a CONNECT tunnel answers and is logged the same`, async () => {
      const proxy = await startProxy(['--config', config.path, ...args], env);
      try {
        await proxy.waitForStderr(relay);
        const r = await curl(['-x', proxy.proxyUrl, '-p', `http://web.test:${web.port}/status/200`]);
        assert.equal(r.status, 200);
        const line = await proxy.waitForLog(/"- - -" 0 - /);
        assert.match(
          line,
          new RegExp(`"web\\.test:${web.port}" "127\\.0\\.12\\.2:${web.port}" outbound\\|${web.port}\\|\\|web\\.test `),
        );
      } finally {
        await proxy.stop('SIGTERM');
      }
    });
  }
});
