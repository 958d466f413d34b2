// An established tunnel's bytes are relayed in the kernel (native/tunnel_relay.cc) where the addon is built,
// else on Node's streams (tunnel-relay-node-streams.test.ts runs these same cases that way). Either way a
// server that speaks first, bytes the client sent before the 200, large transfers both ways with a slow
// reader (backpressure), a half-close, a reset and a drain all behave, and the access log counts every byte.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { kernelRelayAvailable, TUNNEL_RELAY_ENV } from '../../../src/dataplane/upstream/kernel-relay.ts';
import { startInProcessProxy, type InProcessProxy } from '../../helpers/in-process-proxy.ts';
import { serviceEntry } from '../../helpers/config-set.ts';

const BIG = Buffer.alloc(8 * 1024 * 1024, 'meshgate-');

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

/** Opens a CONNECT tunnel and resolves with the socket once the 200 is read, plus any bytes after it. */
function openTunnel(proxyPort: number, target: string): Promise<{ socket: Socket; early: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1', () =>
      socket.write(`CONNECT ${target} HTTP/1.1\r\nhost: ${target}\r\n\r\n`),
    );
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      const head = received.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(head));
      resolve({ socket, early: received.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

function readAll(socket: Socket, first: Buffer, slow: boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks = [first];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (slow) {
        socket.pause();
        setTimeout(() => socket.resume(), 2);
      }
    });
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.resume();
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Resolves once `count` tunnels have been logged. */
async function logged(running: InProcessProxy, count: number): Promise<void> {
  for (let waited = 0; running.infos.length < count; waited += 10) {
    if (waited > 5000) throw new Error(`${running.infos.length} of ${count} tunnels logged`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The banner server: speaks first, then echoes what it gets until the client half-closes, then closes. */
function bannerServer(accepted: Socket[] = []): Server {
  return createServer({ allowHalfOpen: true }, (socket) => {
    accepted.push(socket);
    socket.on('error', () => undefined);
    socket.write('220 hello\r\n');
    socket.pipe(socket);
  });
}

void test('tunnels are relayed in the kernel on Linux unless switched off', () => {
  const expected = process.platform === 'linux' && process.env[TUNNEL_RELAY_ENV] !== 'node';
  assert.equal(kernelRelayAvailable(), expected, 'the tunnel_relay addon is built by npm install');
});

void describe('tunnel upstream relay', () => {
  let running: InProcessProxy;
  let proxyPort: number;
  const servers: Server[] = [];
  let bannerPort: number;
  let bulkPort: number;
  const bannerSockets: Socket[] = [];

  before(async () => {
    const banner = bannerServer(bannerSockets);
    // Sends BIG as fast as it can, then closes.
    const bulk = createServer((socket) => {
      socket.on('error', () => undefined);
      socket.end(BIG);
    });
    servers.push(banner, bulk);
    bannerPort = await listen(banner, '127.0.0.51');
    bulkPort = await listen(bulk, '127.0.0.51');
    running = await startInProcessProxy({
      serviceEntries: [
        serviceEntry(
          { name: 'relay' },
          {
            hosts: ['relay.test'],
            ports: [
              { number: bannerPort, name: 'tcp-banner', protocol: 'TCP' },
              { number: bulkPort, name: 'tcp-bulk', protocol: 'TCP' },
            ],
            resolution: 'STATIC',
            endpoints: [{ address: '127.0.0.51' }],
          },
        ),
      ],
    });
    proxyPort = running.port;
  });

  after(async () => {
    await running.stop();
    for (const server of servers) server.close();
  });

  void test('a server that speaks first is heard after the 200, then echoes; a half-close ends it cleanly', async () => {
    const { socket, early } = await openTunnel(proxyPort, `relay.test:${bannerPort}`);
    const all = readAll(socket, early, false);
    socket.end('ping\r\n');
    assert.equal((await all).toString('latin1'), '220 hello\r\nping\r\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const info = running.infos.at(-1)!;
    assert.equal(info.bytesSent, 17, 'bytes from the upstream');
    assert.equal(info.bytesReceived, 6, 'bytes to the upstream');
  });

  void test('8 MiB to a slow reader arrive intact (backpressure pauses the upstream)', async () => {
    const { socket, early } = await openTunnel(proxyPort, `relay.test:${bulkPort}`);
    const body = await readAll(socket, early, true);
    assert.equal(body.length, BIG.length);
    assert.equal(sha(body), sha(BIG));
  });

  void test('bytes sent with the CONNECT head and before the 200 reach the upstream first, in order, and are counted', async () => {
    const before = running.infos.length;
    const socket = connect(proxyPort, '127.0.0.1');
    socket.write(`CONNECT relay.test:${bannerPort} HTTP/1.1\r\nhost: relay.test\r\n\r\nearly-1 `);
    socket.write('early-2 ');
    let received = '';
    await new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received.endsWith('early-1 early-2 ')) resolve();
      }),
    );
    const ended = new Promise((resolve) => socket.once('close', resolve));
    socket.end();
    await ended;
    assert.equal(received, 'HTTP/1.1 200 OK\r\n\r\n220 hello\r\nearly-1 early-2 ');
    await logged(running, before + 1);
    const info = running.infos.at(-1)!;
    assert.equal(info.bytesReceived, 16, 'bytes to the upstream');
    assert.equal(info.bytesSent, 27, 'bytes from the upstream');
  });

  void test('8 MiB each way at once, through a slow reader, come back intact after the banner', async () => {
    const { socket, early } = await openTunnel(proxyPort, `relay.test:${bannerPort}`);
    const all = readAll(socket, early, true);
    socket.end(BIG);
    const body = await all;
    assert.equal(body.subarray(0, 11).toString('latin1'), '220 hello\r\n');
    assert.equal(sha(body.subarray(11)), sha(BIG));
  });

  void test('a client that resets its tunnel has the upstream connection closed and the tunnel logged', async () => {
    const before = running.infos.length;
    const accepted = bannerSockets.length;
    const { socket, early } = await openTunnel(proxyPort, `relay.test:${bannerPort}`);
    // The banner arriving means the server has accepted (the 200 can come first: it follows the dial).
    let banner = early.toString('latin1');
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (banner === '220 hello\r\n') resolve();
      };
      socket.on('data', (chunk: Buffer) => {
        banner += chunk.toString('latin1');
        check();
      });
      check();
      socket.resume();
    });
    assert.equal(bannerSockets.length, accepted + 1);
    const upstreamClosed = new Promise((resolve) => bannerSockets.at(-1)!.once('close', resolve));
    socket.resetAndDestroy();
    await upstreamClosed;
    await logged(running, before + 1);
    assert.equal(running.infos.at(-1)!.bytesSent, 11, 'the banner was relayed');
  });
});

void describe('tunnel upstream connections', () => {
  let running: InProcessProxy;
  before(async () => {
    running = await startInProcessProxy({});
  });
  after(async () => {
    await running.stop();
  });

  void test('a refused upstream gets the connection-failure 503, logged UF,URX with the errno', async () => {
    const closed = createServer();
    const port = await listen(closed, '127.0.0.53');
    await new Promise((resolve) => closed.close(resolve));
    const socket = connect(running.port, '127.0.0.1');
    socket.write(`CONNECT 127.0.0.53:${port} HTTP/1.1\r\nhost: 127.0.0.53:${port}\r\n\r\n`);
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(reply, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.match(reply, /upstream connect error or disconnect\/reset before headers\. .*delayed connect error: 111/);
    await logged(running, 1);
    const info = running.infos.at(-1)!;
    assert.equal(info.responseFlags(), 'UF,URX');
    assert.equal(info.upstreamTransportFailureReason, 'delayed connect error: 111');
  });

  void test('an IPv6 upstream: bytes both ways, its local address logged in brackets, /clusters counts the connection while it is open', async () => {
    const before = running.infos.length;
    const accepted: Socket[] = [];
    const banner = bannerServer(accepted);
    const port = await listen(banner, '::1');
    try {
      const { socket, early } = await openTunnel(running.port, `[::1]:${port}`);
      const all = readAll(socket, early, false);
      assert.deepEqual(running.proxy.clusters.connectionsTo(`[::1]:${port}`), { total: 1, active: 1 });
      socket.end('v6\r\n');
      assert.equal((await all).toString('latin1'), '220 hello\r\nv6\r\n');
      await logged(running, before + 1);
      const info = running.infos.at(-1)!;
      assert.match(info.upstreamLocalAddress ?? '', /^\[::1\]:\d+$/);
      assert.equal(info.upstreamHost, `[::1]:${port}`);
      assert.deepEqual(running.proxy.clusters.connectionsTo(`[::1]:${port}`), { total: 1, active: 0 });
    } finally {
      banner.close();
    }
  });
});

void describe('tunnels at shutdown', () => {
  void test('a drain that runs out of time cuts an open tunnel, closes both sides and logs it', async () => {
    const accepted: Socket[] = [];
    const banner = bannerServer(accepted);
    const port = await listen(banner, '127.0.0.52');
    const running = await startInProcessProxy({
      serviceEntries: [
        serviceEntry(
          { name: 'drain' },
          {
            hosts: ['drain.test'],
            ports: [{ number: port, name: 'tcp', protocol: 'TCP' }],
            resolution: 'STATIC',
            endpoints: [{ address: '127.0.0.52' }],
          },
        ),
      ],
    });
    try {
      const { socket, early } = await openTunnel(running.port, `drain.test:${port}`);
      let received = early.toString('latin1');
      const echoed = new Promise<void>((resolve) =>
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.endsWith('still here')) resolve();
        }),
      );
      const clientClosed = new Promise((resolve) => socket.once('close', resolve));
      socket.resume();
      socket.write('still here');
      await echoed;
      const upstreamClosed = new Promise((resolve) => accepted[0]!.once('close', resolve));
      await running.stop();
      await Promise.all([clientClosed, upstreamClosed]);
      assert.equal(received, '220 hello\r\nstill here');
      await upstreamClosed;
      assert.equal(running.infos.length, 1);
      assert.equal(running.infos[0]!.bytesReceived, 10);
    } finally {
      banner.close();
    }
  });
});
