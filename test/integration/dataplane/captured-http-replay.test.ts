// A captured socket whose first bytes were read while sniffing is handed to the outbound listener's HTTP
// server with those bytes replayed: every request on the connection, pipelined or later, must be served.
// Runs without root: the sniffing front end stands in for the capture check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_LIMITS, OutboundListener } from '../../../src/dataplane/listeners/outbound-listener.ts';
import { detectOnSocket } from '../../../src/dataplane/listeners/protocol-detect.ts';
import { systemClock } from '../../../src/system-clock.ts';

function exchange(port: number, chunks: readonly string[], expectedResponses: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    socket.on('data', (data: Buffer) => {
      received += data.toString();
      if ((received.match(/HTTP\/1\.1 200/g) ?? []).length === expectedResponses && received.endsWith('\n')) {
        socket.end();
        resolve(received);
      }
    });
    socket.on('error', reject);
    setTimeout(() => reject(new Error(`timed out; got:\n${received}`)), 5000).unref();
  });
}

void describe('captured HTTP handed to the HTTP server', () => {
  let listener: OutboundListener;
  let front: Server;
  let port = 0;

  before(async () => {
    listener = new OutboundListener(
      {
        request: (req, res) => res.end(`${req.method} ${req.url} host=${req.headers.host}\n`),
        connect: (_target, socket) => socket.destroy(),
        log: () => undefined,
        clock: systemClock,
      },
      DEFAULT_LIMITS,
    );
    await listener.listen(0, '127.0.0.1');
    front = createServer((socket) => {
      socket.on('error', () => socket.destroy());
      void detectOnSocket(socket, { timeoutMs: 0 }).then((detection) => {
        assert.equal(detection.protocol.kind, 'http');
        listener.serveHttp(socket, detection.head);
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    port = (front.address() as { port: number }).port;
  });

  after(async () => {
    front.close();
    await listener.drain(100, new Set());
  });

  test('pipelined requests in the sniffed bytes and a later request on the same connection', async () => {
    const reply = await exchange(
      port,
      [
        'GET /a HTTP/1.1\r\nHost: x.test\r\n\r\nGET /b HTTP/1.1\r\nHost: y.test\r\n\r\n',
        'GET /c HTTP/1.1\r\nHost: z.test\r\n\r\n',
      ],
      3,
    );
    const bodies = reply
      .split('\r\n\r\n')
      .slice(1)
      .map((part) => part.split('\n')[0]);
    assert.deepEqual(bodies, ['GET /a host=x.test', 'GET /b host=y.test', 'GET /c host=z.test']);
  });

  test('a request line split across packets', async () => {
    const reply = await exchange(port, ['GE', 'T /split HT', 'TP/1.1\r\nHo', 'st: s.test\r\n\r\n'], 1);
    assert.match(reply, /\r\n\r\nGET \/split host=s\.test\n$/);
  });
});
