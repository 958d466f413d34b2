// The HTTP/1.1 fast lane while an exchange is in flight: an upstream reset cuts the client (UC); a client
// that leaves or half-closes is logged DC with code 0; a stream with nothing moving for the idle timeout
// gets Envoy's stream idle timeout (504 or a reset, SI), all as on the full path; a large body
// streams with backpressure instead of being buffered; a drain lets the response in flight finish.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { curl } from '../../helpers/curl.ts';
import { rawExchange } from '../../helpers/raw-socket.ts';
import { comparableLogLine, laneOf, logged, startFastLaneRig, type FastLaneRig } from '../../helpers/fast-lane-rig.ts';
import type { WireRequest } from '../../helpers/wire-upstream.ts';

const BIG = 64 * 1024 * 1024;
const FIRST = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 0);
for (let i = 0; i < PIECE.length; i++) PIECE[i] = (i * 7) % 251;

/** The `/big` upstream: FIRST bytes, then it waits for the test's go, then the rest as fast as it is read. */
class BigBody {
  written = 0;
  #go: () => void = () => undefined;
  #gate = new Promise<void>((resolve) => (this.#go = resolve));

  go(): void {
    this.#go();
  }

  readonly serve = async (_request: WireRequest, socket: Socket): Promise<void> => {
    this.written = 0;
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${BIG}\r\n\r\n`);
    while (this.written < BIG && !socket.destroyed) {
      if (this.written === FIRST) await this.#gate;
      const flushed = socket.write(PIECE);
      this.written += PIECE.length;
      if (!flushed)
        await new Promise<void>((resolve) => {
          const done = (): void => {
            socket.off('drain', done);
            socket.off('close', done);
            resolve();
          };
          socket.on('drain', done);
          socket.on('close', done);
        });
    }
  };
}

function expectedDigest(): string {
  const hash = createHash('sha256');
  for (let n = 0; n < BIG; n += PIECE.length) hash.update(PIECE);
  return hash.digest('hex');
}

void describe('HTTP/1.1 fast lane: bodies in flight', () => {
  let rig: FastLaneRig;
  const big = new BigBody();

  before(async () => {
    rig = await startFastLaneRig({ web: '127.0.0.53', wire: '127.0.0.54' }, { '/big': big.serve });
  });

  after(async () => {
    big.go();
    await rig.close();
  });

  for (const name of ['fast', 'full'] as const) {
    void test(`${name}: an upstream reset in the middle of the body cuts the client; logged 200 UC`, async () => {
      const lane = rig[name];
      const count = lane.infos.length;
      const r = await curl(['-x', `http://127.0.0.1:${lane.port}`, '--max-time', '5', rig.url('wire', '/cut')]);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-length'], '100000');
      assert.equal(r.bodyBytes.length, 1000);
      assert.equal(laneOf(rig.wire.requests.at(-1)), name);
      // 18: transfer closed with outstanding read data remaining; 56: failure receiving data.
      assert.ok(r.exitCode === 18 || r.exitCode === 56, `curl exit ${r.exitCode}: ${r.stderr}`);
      const info = await logged(lane, count + 1);
      assert.equal(info.responseCode, 200);
      assert.equal(info.responseFlags(), 'UC');
      assert.equal(info.bytesSent, 1000);
    });

    void test(`${name}: a client that leaves while the upstream thinks is logged DC with code 0`, async () => {
      const lane = rig[name];
      const count = lane.infos.length;
      const seen = rig.wire.requests.length;
      const socket = connect(lane.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(`GET ${rig.url('wire', '/hang')} HTTP/1.1\r\nHost: wire.test\r\nUser-Agent: leaver/1\r\n\r\n`);
      const deadline = performance.now() + 3000;
      while (rig.wire.requests.length === seen && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(rig.wire.requests.length, seen + 1, 'the request reached the upstream');
      assert.equal(laneOf(rig.wire.requests.at(-1)), name);
      socket.destroy();
      const info = await logged(lane, count + 1);
      assert.equal(info.responseCode, 0);
      assert.equal(info.responseFlags(), 'DC');
      assert.match(lane.lines.at(-1)!, /^\[[^\]]+\] "GET \/hang HTTP\/1\.1" 0 DC downstream_remote_disconnect /);
    });
  }

  void test('a client that half-closes after its request is logged DC on both lanes, and gets nothing', async () => {
    const seen: string[][] = [];
    for (const lane of [rig.fast, rig.full]) {
      const count = lane.lines.length;
      const received = await new Promise<string>((resolve) => {
        let got = '';
        const socket = connect(lane.port, '127.0.0.1', () =>
          socket.end(`GET ${rig.url('wire', '/say?word=hi&delay=100')} HTTP/1.1\r\nHost: wire.test\r\n\r\n`),
        );
        socket.on('data', (chunk: Buffer) => (got += chunk.toString('latin1')));
        socket.on('close', () => resolve(got));
        socket.on('error', () => undefined);
      });
      assert.equal(received, '', lane.name);
      await logged(lane, count + 1);
      const fields = comparableLogLine(lane.lines.at(-1)!);
      // Whether the upstream connection was up before the FIN was read is a race: its address may be `-`.
      fields[17] = 'UPSTREAM_LOCAL_ADDRESS';
      seen.push(fields);
    }
    assert.equal(seen[0]![2], '0');
    assert.equal(seen[0]![3], 'DC');
    assert.deepEqual(seen[0], seen[1]);
  });

  void test('a request whose upstream stays silent past the idle timeout: 504 stream timeout (SI) on both lanes', async () => {
    const seen: string[][] = [];
    for (const fastLane of [true, false]) {
      const lane = await rig.startLane(fastLane, { idleTimeoutMs: 300 });
      const started = performance.now();
      const received = await rawExchange(
        lane.port,
        `GET ${rig.url('wire', '/say?word=late&delay=800')} HTTP/1.1\r\nHost: wire.test\r\nConnection: close\r\n\r\n`,
      );
      const took = performance.now() - started;
      assert.match(received, /^HTTP\/1\.1 504 Gateway Timeout\r\n/, lane.name);
      assert.ok(received.endsWith('\r\n\r\nstream timeout'), `${lane.name}: ${received}`);
      assert.ok(took >= 250 && took < 700, `${lane.name}: answered after ${Math.round(took)} ms`);
      await logged(lane, 1);
      assert.match(lane.lines[0]!, /" 504 SI stream_idle_timeout /, lane.name);
      seen.push(comparableLogLine(lane.lines[0]!));
      await lane.proxy.stop(100);
    }
    assert.deepEqual(seen[0], seen[1]);
  });

  void test('a response that stalls past the idle timeout is reset: 200 SI on both lanes', async () => {
    const seen: string[][] = [];
    for (const fastLane of [true, false]) {
      const lane = await rig.startLane(fastLane, { idleTimeoutMs: 150 });
      const received = await rawExchange(
        lane.port,
        `GET ${rig.url('wire', '/slow')} HTTP/1.1\r\nHost: wire.test\r\n\r\n`,
      );
      assert.match(received, /^HTTP\/1\.1 200 OK\r\n/, lane.name);
      assert.ok(received.endsWith('\r\n\r\nfirst-half|'), `${lane.name}: ${received}`);
      await logged(lane, 1);
      assert.match(lane.lines[0]!, /" 200 SI stream_idle_timeout /, lane.name);
      seen.push(comparableLogLine(lane.lines[0]!));
      await lane.proxy.stop(100);
    }
    assert.deepEqual(seen[0], seen[1]);
  });

  void test('a request body that stops arriving: 408 stream timeout (SI)', async () => {
    // Requests with bodies are the full path's on either lane.
    const lane = await rig.startLane(true, { idleTimeoutMs: 200 });
    const received = await rawExchange(
      lane.port,
      `POST ${rig.url('api', '/post')} HTTP/1.1\r\nHost: api.test\r\nContent-Length: 10\r\n\r\nabc`,
      { onData: (text) => text.includes('stream timeout') },
    );
    assert.match(received, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.ok(received.endsWith('\r\n\r\nstream timeout'), received);
    await logged(lane, 1);
    assert.match(lane.lines[0]!, /" 408 SI stream_idle_timeout /);
    await lane.proxy.stop(100);
  });

  void test('a fault delay longer than the stream idle timeout ends with 504 stream timeout (DI,SI)', async () => {
    // Faults are the full path's on either lane; Envoy's stream idle timer keeps running through a delay.
    for (const fastLane of [true, false]) {
      const lane = await rig.startLane(fastLane, { idleTimeoutMs: 200 });
      const started = performance.now();
      const r = await curl(['-x', `http://127.0.0.1:${lane.port}`, rig.url('api', '/held')]);
      const took = performance.now() - started;
      assert.equal(r.status, 504);
      assert.equal(r.body, 'stream timeout');
      assert.ok(
        took < 3000,
        `${fastLane ? 'fast' : 'full'}: answered after ${Math.round(took)} ms, not the 10 s delay`,
      );
      await logged(lane, 1);
      assert.match(lane.lines[0]!, /" 504 DI,SI stream_idle_timeout /);
      await lane.proxy.stop(100);
    }
  });

  void test('an idle keep-alive connection is closed after the idle timeout, with nothing logged', async () => {
    for (const fastLane of [true, false]) {
      const lane = await rig.startLane(fastLane, { idleTimeoutMs: 200 });
      const socket = connect(lane.port, '127.0.0.1');
      const closed = new Promise<number>((resolve) => {
        const opened = performance.now();
        socket.on('close', () => resolve(performance.now() - opened));
      });
      socket.on('error', () => undefined);
      const after = await closed;
      assert.ok(after >= 150 && after < 600, `${fastLane ? 'fast' : 'full'}: closed after ${Math.round(after)} ms`);
      assert.equal(lane.lines.length, 0);
      await lane.proxy.stop(100);
    }
  });

  void test('a route timeout in the middle of the body cuts the client; 200 UT on both lanes', async () => {
    const seen: string[][] = [];
    for (const lane of [rig.fast, rig.full]) {
      const count = lane.lines.length;
      const received = await rawExchange(
        lane.port,
        `GET ${rig.url('wire', '/trickle')} HTTP/1.1\r\nHost: wire.test\r\n\r\n`,
      );
      assert.match(received, /^HTTP\/1\.1 200 OK\r\n/, lane.name);
      assert.ok(received.endsWith('\r\n\r\nfirst|'), `${lane.name}: ${received}`);
      await logged(lane, count + 1);
      assert.equal(laneOf(rig.wire.requests.at(-1)), lane.name);
      seen.push(comparableLogLine(lane.lines.at(-1)!));
    }
    assert.equal(seen[0]![2], '200');
    assert.equal(seen[0]![3], 'UT');
    assert.equal(seen[0]![21], 'trickle');
    assert.deepEqual(seen[0], seen[1]);
  });

  void test('a client that leaves in the middle of the body: 200 DC on both lanes', async () => {
    const seen: string[][] = [];
    for (const lane of [rig.fast, rig.full]) {
      const count = lane.lines.length;
      await rawExchange(lane.port, `GET ${rig.url('wire', '/slow')} HTTP/1.1\r\nHost: wire.test\r\n\r\n`, {
        onData: (received) => received.endsWith('first-half|'),
      });
      await logged(lane, count + 1);
      assert.equal(laneOf(rig.wire.requests.at(-1)), lane.name);
      seen.push(comparableLogLine(lane.lines.at(-1)!));
    }
    assert.equal(seen[0]![2], '200');
    assert.equal(seen[0]![3], 'DC');
    assert.deepEqual(seen[0], seen[1]);
  });

  void test('fast: a 64 MiB body streams through without being buffered', async () => {
    const agent = new Agent({ keepAlive: false });
    const digest = expectedDigest();
    const count = rig.fast.infos.length;
    const result = await new Promise<{
      status: number;
      length: number;
      digest: string;
      firstAt: number;
      pausedAt: number;
    }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: rig.fast.port, path: rig.url('wire', '/big'), agent });
      req.on('error', reject);
      req.on('response', (res) => {
        const hash = createHash('sha256');
        let length = 0;
        let firstAt = -1;
        let pausedAt = -1;
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          length += chunk.length;
          if (firstAt >= 0) return;
          // The first bytes are here while the upstream still waits to send the rest: nothing was held back.
          firstAt = big.written;
          res.pause();
          big.go();
          // Not reading for a while: backpressure must stop the upstream far short of the whole body.
          setTimeout(() => {
            pausedAt = big.written;
            res.resume();
          }, 500);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, length, digest: hash.digest('hex'), firstAt, pausedAt }),
        );
        res.on('error', reject);
      });
      req.end();
    });
    agent.destroy();
    assert.equal(result.status, 200);
    assert.equal(laneOf(rig.wire.requests.at(-1)), 'fast');
    assert.equal(result.firstAt, FIRST, 'the first bytes arrived while the upstream held the rest back');
    assert.equal(result.length, BIG);
    assert.equal(result.digest, digest);
    assert.ok(
      result.pausedAt < BIG / 2,
      `upstream wrote ${result.pausedAt} of ${BIG} bytes while the client read none`,
    );
    const info = await logged(rig.fast, count + 1);
    assert.equal(info.bytesSent, BIG);
    assert.equal(info.responseFlags(), '');
  });

  void test('fast: a drain lets the response in flight finish, then closes', async () => {
    const lane = await rig.startLane(true);
    const agent = new Agent({ keepAlive: true });
    let stopped: Promise<number> | undefined;
    const r = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: lane.port, path: rig.url('wire', '/slow'), agent });
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (chunk: string) => {
          body += chunk;
          // Half the body is here, the rest 300 ms away: the drain starts now.
          stopped ??= lane.proxy.stop(2000);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        res.on('error', reject);
      });
      req.end();
    });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'first-half|second-half');
    assert.equal(laneOf(rig.wire.requests.at(-1)), 'fast');
    assert.ok(stopped !== undefined);
    assert.equal(await stopped, 0, 'no connection had to be cut');
    const info = await logged(lane, 1);
    assert.equal(info.responseCode, 200);
    assert.equal(info.responseFlags(), '');
    assert.equal(lane.proxy.inFlight, 0);
    agent.destroy();
  });
});
