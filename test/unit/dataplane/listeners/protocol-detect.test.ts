// Protocol sniffing on first bytes (pure) and on live sockets: TLS vs HTTP/1.x vs CONNECT vs TCP,
// partial input, server-first protocols that send nothing, and clients that leave early.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {
  detectOnSocket,
  detectProtocol,
  type DetectOptions,
  type Detection,
} from '../../../../src/dataplane/listeners/protocol-detect.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

describe('detectProtocol on first bytes', () => {
  const decided: Array<[string, string | Buffer, unknown]> = [
    [
      'a curl ClientHello',
      fixture('curl-httpbin.org.bin'),
      { kind: 'tls', sni: 'httpbin.org', alpn: ['h2', 'http/1.1'] },
    ],
    [
      'a GET request',
      'GET /status/200 HTTP/1.1\r\nHost: httpbin.org\r\n\r\n',
      { kind: 'http', method: 'GET', target: '/status/200', version: 'HTTP/1.1' },
    ],
    [
      'an absolute-form HTTP/1.0 POST',
      'POST http://a.example/x HTTP/1.0\r\n',
      { kind: 'http', method: 'POST', target: 'http://a.example/x', version: 'HTTP/1.0' },
    ],
    [
      'an extension method',
      'PROPFIND /dav HTTP/1.1\r\n',
      { kind: 'http', method: 'PROPFIND', target: '/dav', version: 'HTTP/1.1' },
    ],
    [
      'a CONNECT request',
      'CONNECT httpbin.org:443 HTTP/1.1\r\nHost: httpbin.org:443\r\n\r\n',
      { kind: 'connect', authority: 'httpbin.org:443', version: 'HTTP/1.1' },
    ],
    [
      'the HTTP/2 prior-knowledge preface',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0',
      { kind: 'http', method: 'PRI', target: '*', version: 'HTTP/2.0' },
    ],
  ];
  for (const [name, input, expected] of decided) {
    test(`${name} is recognised, and every prefix waits`, () => {
      const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
      assert.deepEqual(detectProtocol(bytes), expected);
      const lineEnd = typeof input === 'string' ? bytes.indexOf('\r\n') + 2 : bytes.length;
      const decidingLength = name.includes('HTTP/2') ? 24 : lineEnd;
      for (let length = 0; length < decidingLength; length++) {
        assert.deepEqual(
          detectProtocol(bytes.subarray(0, length)),
          { kind: 'needMore' },
          `prefix ${JSON.stringify(bytes.subarray(0, length).toString('latin1'))}`,
        );
      }
    });
  }

  const opaque: Array<[string, string | Buffer]> = [
    ['an SSH banner', 'SSH-2.0-OpenSSH_9.2p1\r\n'],
    ['a Redis command', '*1\r\n$4\r\nPING\r\n'],
    ['a PostgreSQL startup message', Buffer.from([0, 0, 0, 8, 4, 0xd2, 0x16, 0x2f])],
    ['an HTTP/0.9 request', 'GET /\r\n'],
    ['an unknown HTTP version', 'GET / HTTP/1.2\r\n'],
    ['lower-case http', 'GET / http/1.1\r\n'],
    ['two spaces after the method', 'GET  / HTTP/1.1\r\n'],
    ['a leading space', ' GET / HTTP/1.1\r\n'],
    ['a control byte in the target', 'GET /\x01 HTTP/1.1\r\n'],
    ['a method longer than any real one', `${'A'.repeat(40)} / HTTP/1.1\r\n`],
    ['PRI without the rest of the preface', 'PRI * HTTP/2.0\r\n\r\nXX'],
    ['a TLS alert', Buffer.from([21, 3, 3, 0, 2, 2, 40])],
    ['a malformed ClientHello', Buffer.from([22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0])],
  ];
  for (const [name, input] of opaque) {
    test(`${name} is TCP`, () => {
      const verdict = detectProtocol(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
      assert.equal(verdict.kind, 'tcp');
    });
  }

  test('random bytes never throw', () => {
    let state = 7;
    const next = (): number => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(Array.from({ length: next() }, next));
      if (i % 3 === 0) bytes.write('GET ', 0, 'latin1');
      assert.doesNotThrow(() => detectProtocol(bytes));
    }
  });
});

/** Accepts one connection, runs detection on it, and lets `client` drive the other end. */
async function detectLive(
  options: DetectOptions,
  client: (socket: net.Socket) => void | Promise<void>,
): Promise<{ detection: Detection; accepted: net.Socket; ms: number }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const [serverSide] = await accepted;
    serverSide.on('error', () => undefined);
    const started = performance.now();
    const detection = detectOnSocket(serverSide, options);
    await client(socket);
    const result = await detection;
    const ms = performance.now() - started;
    socket.destroy();
    return { detection: result, accepted: serverSide, ms };
  } finally {
    server.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('detectOnSocket on live connections', () => {
  test('an HTTP request written in pieces is HTTP, and replaying head gives the full request', async () => {
    const request = 'GET /headers HTTP/1.1\r\nHost: httpbin.org\r\n\r\n';
    const { detection, accepted } = await detectLive({ timeoutMs: 2000 }, async (socket) => {
      for (const piece of ['GE', 'T /hea', 'ders HTTP/1', '.1\r', '\nHost: httpbin.org\r\n\r\n']) {
        socket.write(piece);
        await sleep(15);
      }
    });
    assert.deepEqual(detection.protocol, { kind: 'http', method: 'GET', target: '/headers', version: 'HTTP/1.1' });
    assert.equal(detection.timedOut, false);
    assert.ok(request.startsWith(detection.head.toString()));
    accepted.unshift(detection.head);
    let replayed = '';
    accepted.on('data', (chunk: Buffer) => (replayed += chunk.toString()));
    accepted.resume();
    while (replayed.length < request.length) await sleep(5);
    assert.equal(replayed, request);
    accepted.destroy();
  });

  test('a real TLS client is TLS with its SNI', async () => {
    const { detection } = await detectLive({ timeoutMs: 2000 }, (socket) => {
      const client = tls.connect({ socket, servername: 'api.example.com', ALPNProtocols: ['http/1.1'] });
      client.on('error', () => undefined);
    });
    assert.deepEqual(detection.protocol, { kind: 'tls', sni: 'api.example.com', alpn: ['http/1.1'] });
  });

  test('a silent client (server-first protocol) is TCP after the detection timeout', async () => {
    const { detection, ms } = await detectLive({ timeoutMs: 100 }, () => undefined);
    assert.deepEqual(detection.protocol, { kind: 'tcp', reason: 'no verdict within 100 ms' });
    assert.equal(detection.timedOut, true);
    assert.equal(detection.head.length, 0);
    assert.ok(ms >= 95 && ms < 1000, `took ${ms} ms`);
  });

  test('a partial request line that stalls is TCP after the timeout, keeping its bytes', async () => {
    const { detection } = await detectLive({ timeoutMs: 100 }, (socket) => void socket.write('GET /x'));
    assert.equal(detection.protocol.kind, 'tcp');
    assert.equal(detection.timedOut, true);
    assert.equal(detection.head.toString(), 'GET /x');
  });

  test('timeout 0 waits for the client, as Istio does', async () => {
    const { detection, ms } = await detectLive({ timeoutMs: 0 }, async (socket) => {
      await sleep(150);
      socket.write('CONNECT db.example:5432 HTTP/1.1\r\n\r\n');
    });
    assert.deepEqual(detection.protocol, { kind: 'connect', authority: 'db.example:5432', version: 'HTTP/1.1' });
    assert.ok(ms >= 140, `took ${ms} ms`);
  });

  test('a client that closes without a full verdict is TCP and closed', async () => {
    const { detection } = await detectLive({ timeoutMs: 2000 }, (socket) => void socket.end('GET'));
    assert.equal(detection.protocol.kind, 'tcp');
    assert.equal(detection.closed, true);
    assert.equal(detection.head.toString(), 'GET');
  });

  test('an opaque protocol is TCP at once, without waiting for the timeout', async () => {
    const { detection, ms } = await detectLive(
      { timeoutMs: 5000 },
      (socket) => void socket.write('SSH-2.0-OpenSSH_9.2\r\n'),
    );
    assert.equal(detection.protocol.kind, 'tcp');
    assert.equal(detection.timedOut, false);
    assert.ok(ms < 1000, `took ${ms} ms`);
  });

  test('too many undecided bytes are TCP', async () => {
    const { detection } = await detectLive(
      { timeoutMs: 5000, maxBytes: 64 },
      (socket) => void socket.write(`GET /${'a'.repeat(100)}`),
    );
    assert.deepEqual(detection.protocol.kind, 'tcp');
    assert.ok(detection.head.length >= 64);
  });

  test('a socket already destroyed answers at once', async () => {
    const socket = new net.Socket();
    socket.destroy();
    const detection = await detectOnSocket(socket, { timeoutMs: 1000 });
    assert.equal(detection.closed, true);
    assert.equal(detection.protocol.kind, 'tcp');
  });
});
