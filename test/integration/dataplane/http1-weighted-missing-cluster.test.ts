// A weighted route whose destinations include one with no cluster (a subset no DestinationRule defines):
// requests weighted to it get 503 NC, the others reach the upstream, on whichever lane serves them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessProxy, type InProcessProxy } from '../../helpers/in-process-proxy.ts';
import { serviceEntry, virtualService } from '../../helpers/config-set.ts';
import { curl } from '../../helpers/curl.ts';
import { startHttpUpstream, type TestUpstream } from '../../helpers/upstream.ts';

void describe('weighted route with a destination that has no cluster', () => {
  let running: InProcessProxy;
  let port: number;
  let web: TestUpstream;

  before(async () => {
    web = await startHttpUpstream({ host: '127.0.0.61', name: 'web' });
    running = await startInProcessProxy({
      serviceEntries: [
        serviceEntry(
          { name: 'web' },
          {
            hosts: ['web.test'],
            ports: [{ number: web.port, name: 'http', protocol: 'HTTP' }],
            resolution: 'STATIC',
            endpoints: [{ address: '127.0.0.61' }],
          },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'web' },
          {
            hosts: ['web.test'],
            http: [
              {
                route: [
                  { destination: { host: 'web.test' }, weight: 50 },
                  { destination: { host: 'web.test', subset: 'missing' }, weight: 50 },
                ],
              },
            ],
          },
        ),
      ],
    });
    port = running.port;
  });

  after(async () => {
    await running.stop();
    await web.close();
  });

  void test('both outcomes occur, and a 503 NC is never sent upstream', async () => {
    const before = web.requests.length;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push((await curl(['-x', `http://127.0.0.1:${port}`, `http://web.test:${web.port}/`])).status);
    const ok = statuses.filter((s) => s === 200).length;
    const nc = running.infos.filter((info) => info.responseCode === 503 && info.responseFlags() === 'NC').length;
    assert.equal(ok + nc, 40, `statuses: ${statuses.join(',')}`);
    assert.ok(ok > 0 && nc > 0, `40 draws at 50/50 gave ${ok} x 200 and ${nc} x 503 NC`);
    assert.equal(web.requests.length - before, ok, 'only the 200s reached the upstream');
  });
});
