// Kept-alive upstream connections and their end: one the server closes just as the next request goes out (an
// idempotent request is sent again, a POST gets 503 UC), and a server's Keep-Alive: timeout=N hint.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { startInProcessProxy, type InProcessProxy } from '../../helpers/in-process-proxy.ts';
import { serviceEntry } from '../../helpers/config-set.ts';
import { rawExchange } from '../../helpers/raw-socket.ts';

const RESPONSE = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok';

/** Answers the first request on each connection; the second one makes it close without a word. */
function startOneShotUpstream(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    connections++;
    let requests = 0;
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        requests++;
        if (requests === 1) socket.write(RESPONSE);
        else socket.destroy();
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.41', () =>
      resolve({ server, port: (server.address() as { port: number }).port, connections: () => connections }),
    ),
  );
}

function request(port: number, method: string): Promise<string> {
  return rawExchange(
    port,
    `${method} http://stale.test:${upstreamPort}/ HTTP/1.1\r\nhost: stale.test:${upstreamPort}\r\ncontent-length: 0\r\n\r\n`,
    { onData: (received) => complete(received) },
  );
}

/** A response head plus its Content-Length worth of body has arrived. */
function complete(received: string): boolean {
  const end = received.indexOf('\r\n\r\n');
  const length = /content-length: (\d+)/i.exec(received.slice(0, end));
  return length !== null && received.length >= end + 4 + Number(length[1]);
}

let upstreamPort = 0;

void describe('fast lane: a reused upstream connection closed under a request', () => {
  let running: InProcessProxy;
  let port: number;
  let upstream: Awaited<ReturnType<typeof startOneShotUpstream>>;

  before(async () => {
    upstream = await startOneShotUpstream();
    upstreamPort = upstream.port;
    running = await startInProcessProxy({
      serviceEntries: [
        serviceEntry(
          { name: 'stale' },
          {
            hosts: ['stale.test'],
            ports: [{ number: upstream.port, name: 'http', protocol: 'HTTP' }],
            resolution: 'STATIC',
            endpoints: [{ address: '127.0.0.41' }],
          },
        ),
      ],
    });
    port = running.port;
  });

  after(async () => {
    await running.stop();
    upstream.server.close();
  });

  void test('a GET is sent again on a new connection and answered', async () => {
    assert.match(await request(port, 'GET'), /^HTTP\/1\.1 200 OK/);
    const before = upstream.connections();
    const second = await request(port, 'GET');
    assert.match(second, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    assert.equal(upstream.connections(), before + 1, 'one new connection for the resend');
    assert.equal(running.infos.at(-1)!.responseFlags(), '', 'a resend is not a retry: no flags');
  });

  void test('a POST is not sent twice: the client gets 503 UC', async () => {
    // Leave one kept-alive connection in the pool, then POST on it.
    assert.match(await request(port, 'GET'), /^HTTP\/1\.1 200 OK/);
    const post = await request(port, 'POST');
    assert.match(post, /^HTTP\/1\.1 503 Service Unavailable/);
    assert.match(post, /reset reason: connection termination/);
    assert.equal(running.infos.at(-1)!.responseFlags(), 'UC');
  });
});

void describe('fast lane: an upstream announcing Keep-Alive: timeout=N', () => {
  let running: InProcessProxy;
  let port: number;
  let server: Server;
  let connections = 0;

  before(async () => {
    server = createServer((socket: Socket) => {
      connections++;
      let pending = '';
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        while (pending.includes('\r\n\r\n')) {
          pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
          socket.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=2\r\ncontent-length: 2\r\n\r\nok');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.42', resolve));
    upstreamPort = (server.address() as { port: number }).port;
    running = await startInProcessProxy({
      serviceEntries: [
        serviceEntry(
          { name: 'stale' },
          {
            hosts: ['stale.test'],
            ports: [{ number: upstreamPort, name: 'http', protocol: 'HTTP' }],
            resolution: 'STATIC',
            endpoints: [{ address: '127.0.0.42' }],
          },
        ),
      ],
    });
    port = running.port;
  });

  after(async () => {
    await running.stop();
    server.close();
  });

  void test('an idle connection is closed a second before the server would, and the next request dials anew', async () => {
    assert.match(await request(port, 'GET'), /^HTTP\/1\.1 200 OK/);
    assert.match(await request(port, 'GET'), /^HTTP\/1\.1 200 OK/);
    assert.equal(connections, 1, 'reused while fresh');
    await new Promise((resolve) => setTimeout(resolve, 1300));
    assert.match(await request(port, 'GET'), /^HTTP\/1\.1 200 OK/);
    assert.equal(connections, 2, 'closed after 1 s idle (timeout=2 less a second), so a new connection');
  });
});
