// The upstream half of a tunnel is relayed from the socket's reads: a server that speaks first, a large
// transfer with a slow reader (backpressure) and a half-close all reach the client intact and in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
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

void describe('tunnel upstream relay', () => {
  let running: InProcessProxy;
  let proxyPort: number;
  const servers: Server[] = [];
  let bannerPort: number;
  let bulkPort: number;

  before(async () => {
    // Speaks first, then echoes what it gets until the client half-closes, then closes.
    const banner = createServer({ allowHalfOpen: true }, (socket) => {
      socket.write('220 hello\r\n');
      socket.pipe(socket);
    });
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
});
