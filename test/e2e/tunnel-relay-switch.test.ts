// How `meshgate proxy` relays tunnels: the startup summary says it, and MESHGATE_TUNNEL_RELAY=node moves
// tunnels onto Node's streams with the same answer and the same access-log line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { curl } from '../helpers/curl.ts';
import { startProxy } from '../helpers/start-proxy.ts';
import { TmpConfigDir } from '../helpers/tmp-config.ts';
import { startHttpUpstream, type TestUpstream } from '../helpers/upstream.ts';

void describe('the tunnel relay at startup', () => {
  let web: TestUpstream;
  let config: TmpConfigDir;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.12.2' });
    config = await TmpConfigDir.create();
    await config.write(
      'web.yaml',
      `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: web\nspec:\n  hosts: [web.test]\n  ports:\n  - number: ${web.port}\n    name: tcp\n    protocol: TCP\n  resolution: STATIC\n  endpoints:\n  - address: 127.0.12.2\n`,
    );
  });

  after(async () => {
    await Promise.all([web?.close(), config?.cleanup()]);
  });

  const native = process.platform === 'linux';
  for (const [env, relay] of [
    [{}, native ? /tunnel relay: native / : /tunnel relay: Node streams \(/],
    [{ MESHGATE_TUNNEL_RELAY: 'node' }, /tunnel relay: Node streams \(MESHGATE_TUNNEL_RELAY=node\)/],
  ] as const) {
    const name = Object.keys(env).length === 0 ? 'by default' : 'with MESHGATE_TUNNEL_RELAY=node';
    void test(`${name}: the startup line says how, and a CONNECT tunnel answers and is logged the same`, async () => {
      const proxy = await startProxy(['--config', config.path], env);
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
