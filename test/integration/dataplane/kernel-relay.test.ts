// The native tunnel relay's contract, on real socket pairs: what it is handed goes first, EOF is passed
// on as a half-close, the end is reported once with its reason and byte counts (closed, idle-timeout,
// failed, aborted), live counts are readable meanwhile, and no descriptor is left behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  dialInKernel,
  dropKernelUpstream,
  kernelRelayAvailable,
  type KernelRelayEnd,
  startKernelRelay,
} from '../../../src/dataplane/upstream/kernel-relay.ts';
import { PendingReads } from '../../../src/dataplane/upstream/socket-reads.ts';

const unavailable = kernelRelayAvailable() ? false : 'the tunnel_relay addon is not built here (Linux only)';

/** A connected pair of sockets: `outer` is what a peer holds, `inner` what the proxy holds. */
interface Pair {
  readonly outer: Socket;
  readonly inner: Socket;
}

let server: Server;
let port: number;
/** Accepted sockets by their peer's port; a dial's connection may be accepted after the next pair's. */
const accepted = new Map<number, Socket>();
const everyAccepted: Socket[] = [];
const acceptWaiters = new Map<number, (socket: Socket) => void>();

function acceptedFrom(localPort: number): Promise<Socket> {
  const socket = accepted.get(localPort);
  accepted.delete(localPort); // ports are reused later
  if (socket !== undefined) return Promise.resolve(socket);
  return new Promise((resolve) => acceptWaiters.set(localPort, resolve));
}

async function pair(reads?: PendingReads): Promise<Pair> {
  const inner = connect({ port, host: '127.0.0.61', ...(reads !== undefined ? { onread: reads.onread } : {}) });
  await new Promise((resolve) => inner.once('connect', resolve));
  const outer = await acceptedFrom(inner.localPort!);
  outer.on('error', () => undefined);
  inner.on('error', () => undefined);
  return { outer, inner };
}

function collect(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.once('end', () => resolve(text));
  });
}

function relay(
  client: Pair,
  upstream: Pair,
  reads: PendingReads,
  idleTimeoutMs = 0,
): { ended: Promise<KernelRelayEnd>; live: () => { toUpstream: number; toClient: number } | undefined } {
  let onEnd!: (end: KernelRelayEnd) => void;
  const ended = new Promise<KernelRelayEnd>((resolve) => (onEnd = resolve));
  const started = startKernelRelay(
    client.inner,
    { socket: upstream.inner, reads },
    Buffer.from('greeting;'),
    Buffer.from('head;'),
    idleTimeoutMs,
    (end) => {
      client.inner.destroy();
      upstream.inner.destroy();
      onEnd(end);
    },
  );
  assert.ok(started, 'the relay started');
  return { ended, live: () => started.liveBytes() };
}

const openFds = (): number => readdirSync('/proc/self/fd').length;

void describe('kernel relay', { skip: unavailable }, () => {
  before(async () => {
    server = createServer({ allowHalfOpen: true }, (socket) => {
      everyAccepted.push(socket);
      const from = socket.remotePort!;
      const waiter = acceptWaiters.get(from);
      acceptWaiters.delete(from);
      if (waiter !== undefined) waiter(socket);
      else accepted.set(from, socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.61', resolve));
    port = (server.address() as { port: number }).port;
  });
  after(() => {
    for (const socket of everyAccepted) socket.destroy();
    server.close();
  });

  void test('handed bytes go first, then both directions; EOFs pass as half-closes; the end is "closed" with exact counts', async () => {
    const reads = new PendingReads();
    const client = await pair();
    const upstream = await pair(reads);
    upstream.outer.write('already-read;');
    await new Promise((resolve) => setTimeout(resolve, 50)); // the upstream socket reads it into `reads`
    const { ended, live } = relay(client, upstream, reads);
    const toClient = collect(client.outer);
    const toUpstream = collect(upstream.outer);
    client.outer.write('from-client');
    upstream.outer.write('from-upstream');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(live(), { toUpstream: 16, toClient: 26 });
    client.outer.end();
    assert.equal(await toUpstream, 'head;from-client');
    upstream.outer.end('bye');
    assert.equal(await toClient, 'greeting;already-read;from-upstreambye');
    const end = await ended;
    assert.deepEqual(end, { reason: 'closed', errno: 0, toUpstream: 16, toClient: 29 });
    assert.equal(live(), undefined);
  });

  void test('nothing moving for the idle time ends it as "idle-timeout"; activity keeps it open', async () => {
    const reads = new PendingReads();
    const client = await pair();
    const upstream = await pair(reads);
    const { ended } = relay(client, upstream, reads, 500);
    // A byte every 50 ms for 700 ms: ten times the write interval is left for a busy machine.
    let written = 0;
    const keepAlive = setInterval(() => {
      client.outer.write('.');
      written++;
    }, 50);
    await new Promise((resolve) => setTimeout(resolve, 700));
    clearInterval(keepAlive);
    const stoppedWriting = Date.now();
    const end = await ended;
    assert.equal(end.reason, 'idle-timeout');
    // Not before the bytes stopped (they held it open), and about the idle time after the last one.
    assert.ok(Date.now() - stoppedWriting >= 400, `ended ${Date.now() - stoppedWriting} ms after the last byte`);
    assert.equal(end.toUpstream, 5 + written, 'the head and every keep-alive byte');
  });

  void test('a reset from a peer ends it as "failed" with the errno', async () => {
    const reads = new PendingReads();
    const client = await pair();
    const upstream = await pair(reads);
    const { ended } = relay(client, upstream, reads);
    upstream.outer.resetAndDestroy();
    const end = await ended;
    assert.equal(end.reason, 'failed');
    assert.equal(end.errno, 104, 'ECONNRESET');
  });

  void test('closing the client socket here ends it at once as "aborted", with the bytes so far', async () => {
    const reads = new PendingReads();
    const client = await pair();
    const upstream = await pair(reads);
    const { ended } = relay(client, upstream, reads);
    let received = '';
    const upstreamGotIt = new Promise<void>((resolve) =>
      upstream.outer.on('data', (chunk: Buffer) => {
        received += chunk.toString('latin1');
        if (received === 'head;x') resolve();
      }),
    );
    client.outer.write('x');
    await upstreamGotIt;
    const upstreamClosed = new Promise((resolve) => upstream.outer.once('end', resolve));
    client.inner.destroy();
    const end = await ended;
    assert.equal(end.reason, 'aborted');
    assert.equal(end.toUpstream, 6);
    await upstreamClosed; // the upstream is closed too
    assert.equal(received, 'head;x');
  });

  void test('a dial to a closed port reports ECONNREFUSED; a dial that connects carries its local address', async () => {
    const client = await pair();
    const refused = createServer();
    await new Promise<void>((resolve) => refused.listen(0, '127.0.0.61', resolve));
    const closedPort = (refused.address() as { port: number }).port;
    await new Promise((resolve) => refused.close(resolve));
    let opens = 0;
    let closes = 0;
    const counted = (): (() => void) => {
      opens++;
      return () => closes++;
    };
    const failed = await dialInKernel(client.inner, '127.0.0.61', closedPort, 1000, counted);
    assert.deepEqual(failed, { connected: false, errno: 111 });
    assert.equal(opens, 0, 'a failed dial opened no connection');
    const connected = await dialInKernel(client.inner, '127.0.0.61', port, 1000, counted);
    assert.ok(connected?.connected);
    assert.equal(connected.upstream.localAddress, '127.0.0.1');
    assert.ok(connected.upstream.localPort > 0);
    assert.deepEqual([opens, closes], [1, 0]);
    dropKernelUpstream(connected.upstream);
    assert.equal(closes, 1, 'dropping the connection counts it closed');
    client.inner.destroy();
  });

  void test('fifty tunnels later, no descriptor is left open', async () => {
    const once = async (): Promise<void> => {
      const reads = new PendingReads();
      const client = await pair();
      const upstream = await pair(reads);
      const { ended } = relay(client, upstream, reads);
      const drained = Promise.all([collect(client.outer), collect(upstream.outer)]);
      client.outer.end('ping');
      upstream.outer.end('pong');
      await ended;
      await drained;
      client.outer.destroy();
      upstream.outer.destroy();
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await once(); // the relay thread's epoll, eventfd and one spare pipe pair exist from here on
    const baseline = openFds();
    for (let i = 0; i < 50; i++) await once();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(openFds(), baseline);
  });

  void test('with no descriptor left for the relay, a tunnel stays on Node streams losing nothing; a dialled one is closed', async () => {
    // A child process with a low descriptor limit, so that using them all up is quick and harms nothing here.
    const child = spawnSync(
      'bash',
      ['-c', 'ulimit -n 128 && exec "$0" --import tsx test/fixtures/relay/out-of-descriptors.ts', process.execPath],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(child.status, 0, child.stderr);
    const outcome = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as unknown;
    assert.deepEqual(outcome, {
      relayed: {
        toClient: 'greeting;early-from-upstream;late-from-upstream',
        toUpstream: 'head;early-from-client;late-from-client',
      },
      streams: { finished: true, bytesReceived: 39, bytesSent: 38 },
      dialled: { finished: true, upstreamClosed: true },
    });
  });
});
