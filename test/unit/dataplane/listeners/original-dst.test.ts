// Checks the SO_ORIGINAL_DST addon on sockets that were not redirected: it must never throw and the
// self-loop guard must call them "not captured". Redirected sockets are covered by the capture e2e test.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import {
  decideCapture,
  formatEndpoint,
  getOriginalDestination,
  originalDstAvailability,
  queryOriginalDestination,
  requireOriginalDst,
  unmapIPv4,
} from '../../../../src/dataplane/listeners/original-dst.ts';

async function acceptedPair(host: string): Promise<{ server: net.Server; client: net.Socket; accepted: net.Socket }> {
  const server = net.createServer();
  server.listen(0, host);
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const acceptedPromise = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, host);
  await once(client, 'connect');
  const [accepted] = await acceptedPromise;
  return { server, client, accepted };
}

async function closeAll(pair: { server: net.Server; client: net.Socket; accepted: net.Socket }): Promise<void> {
  pair.client.destroy();
  pair.accepted.destroy();
  await new Promise((resolve) => pair.server.close(resolve));
}

describe('original destination addon', () => {
  test(
    'is built and loads on Linux',
    { skip: process.platform !== 'linux' && 'SO_ORIGINAL_DST exists only on Linux' },
    () => {
      assert.deepEqual(originalDstAvailability(), { available: true });
      assert.doesNotThrow(() => requireOriginalDst());
    },
  );

  for (const host of ['127.0.0.1', '::1']) {
    test(`a direct connection to ${host} is not captured`, async () => {
      const pair = await acceptedPair(host);
      try {
        const query = queryOriginalDestination(pair.accepted);
        // Without a NAT entry the kernel answers ENOENT; with the nat table active it reports the
        // listener itself. Both must end as "not captured".
        if (query.ok) {
          assert.equal(query.destination.port, pair.accepted.localPort);
          const decision = decideCapture(pair.accepted, { query });
          assert.equal(!decision.captured && decision.reason, 'self-loop');
        } else {
          assert.equal(query.code, 'ENOENT');
          const decision = decideCapture(pair.accepted, { query });
          assert.deepEqual(decision, {
            captured: false,
            reason: 'no-original-dst',
            detail: 'SO_ORIGINAL_DST failed: ENOENT',
          });
          assert.equal(getOriginalDestination(pair.accepted), undefined);
        }
      } finally {
        await closeAll(pair);
      }
    });
  }

  test('a destroyed socket answers EBADF instead of throwing', async () => {
    const pair = await acceptedPair('127.0.0.1');
    await closeAll(pair);
    const query = queryOriginalDestination(pair.accepted);
    assert.deepEqual(query, { ok: false, errno: 9, code: 'EBADF' });
    assert.equal(getOriginalDestination(pair.accepted), undefined);
    assert.equal(decideCapture(pair.accepted).captured, false);
  });

  test('a socket that never connected answers EBADF', () => {
    assert.equal(getOriginalDestination(new net.Socket()), undefined);
  });

  test('a socket whose original destination is elsewhere is captured', async () => {
    const pair = await acceptedPair('127.0.0.1');
    try {
      const destination = { address: '10.1.2.3', port: 80, family: 'IPv4' } as const;
      assert.deepEqual(decideCapture(pair.accepted, { query: { ok: true, destination } }), {
        captured: true,
        destination,
      });
      const self = { address: '::ffff:127.0.0.1', port: pair.accepted.localPort ?? 0, family: 'IPv6' } as const;
      assert.equal(decideCapture(pair.accepted, { query: { ok: true, destination: self } }).captured, false);
    } finally {
      await closeAll(pair);
    }
  });

  test('an original destination equal to a specific listening address is a self-loop; a wildcard adds nothing', async () => {
    const pair = await acceptedPair('127.0.0.1');
    try {
      const destination = { address: '10.0.0.5', port: 15001, family: 'IPv4' } as const;
      const query = { ok: true, destination } as const;
      assert.deepEqual(decideCapture(pair.accepted, { query, listening: { address: '10.0.0.5', port: 15001 } }), {
        captured: false,
        reason: 'self-loop',
        detail: 'original destination 10.0.0.5:15001 is this listener',
      });
      assert.equal(
        decideCapture(pair.accepted, { query, listening: { address: '0.0.0.0', port: 15001 } }).captured,
        true,
      );
      assert.equal(
        decideCapture(pair.accepted, { query, listening: { address: '10.0.0.5', port: 15002 } }).captured,
        true,
      );
    } finally {
      await closeAll(pair);
    }
  });
});

describe('endpoint formatting', () => {
  test('prints IPv4 and bracketed IPv6 as Envoy does', () => {
    assert.equal(formatEndpoint({ address: '10.0.0.1', port: 80, family: 'IPv4' }), '10.0.0.1:80');
    assert.equal(formatEndpoint({ address: 'fd00::1', port: 443, family: 'IPv6' }), '[fd00::1]:443');
  });

  test('unmaps IPv4-mapped IPv6 addresses only', () => {
    assert.equal(unmapIPv4('::ffff:10.0.0.1'), '10.0.0.1');
    assert.equal(unmapIPv4('::FFFF:10.0.0.1'), '10.0.0.1');
    assert.equal(unmapIPv4('::ffff:a00:1'), '::ffff:a00:1');
    assert.equal(unmapIPv4('fd00::1'), 'fd00::1');
  });
});
