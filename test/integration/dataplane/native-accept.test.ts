// The outbound port accepted on the tunnel relay's thread (native-accept.ts): a CONNECT whose head arrives
// complete becomes a tunnel with no Node socket, and everything else is served as a socket Node accepted.
// Each case runs on both accept paths and expects the same replies and the same access-log lines.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { ProxyServer } from '../../../src/dataplane/proxy-server.ts';
import { kernelRelayAvailable } from '../../../src/dataplane/upstream/kernel-relay.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { systemClock } from '../../../src/system-clock.ts';
import { formatEnvoyText } from '../../../src/observability/access-log/envoy-format.ts';
import { serviceEntry, staticTcpService } from '../../helpers/config-set.ts';
import { startInProcessProxy, type InProcessProxy } from '../../helpers/in-process-proxy.ts';

const native = kernelRelayAvailable();
const skip = native ? false : 'the tunnel relay addon is not built here (or MESHGATE_TUNNEL_RELAY=node)';

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as { port: number }).port)));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Connects, writes `parts` with `gapMs` between them, and resolves with everything received until the
 * proxy closes or `endAfter` matches what has arrived (then this side ends the connection).
 */
function exchange(
  port: number,
  parts: readonly string[],
  { gapMs = 0, endAfter, host = '127.0.0.1' }: { gapMs?: number; endAfter?: RegExp; host?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (endAfter?.test(received) === true) socket.end();
    });
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
    socket.once('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0 && gapMs > 0) await pause(gapMs);
        socket.write(part);
      }
    });
  });
}

async function logged(running: InProcessProxy, count: number): Promise<void> {
  for (let waited = 0; running.infos.length < count; waited += 10) {
    if (waited > 5000) throw new Error(`${running.infos.length} of ${count} streams logged`);
    await pause(10);
  }
}

/** Waits until `done()` holds, for at most 3 s (timers run late on a loaded machine); false if it never did. */
async function until(done: () => boolean): Promise<boolean> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 3000) return false;
    await pause(10);
  }
  return true;
}

/** A log line with what differs between two runs (times, ports the kernel picked) blanked. */
function comparable(line: string): string {
  return line
    .replace(/^\[[^\]]+\]/, '[time]')
    .replace(/(127\.0\.0\.1|::ffff:127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+/g, '$1:port')
    .replace(/" (\d+) (\d+) \d+ (?:\d+|-) "/, '" $1 $2 duration service-time "')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'request-id');
}

/** A server that says `greeting` to each connection and closes it. */
function closingServer(greeting: string): Server {
  return createServer((socket) => {
    socket.on('error', () => undefined);
    socket.end(greeting);
  });
}

/** Descriptors this process holds now. */
const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

void describe('outbound port accepted on the relay thread', { skip }, () => {
  const servers: Server[] = [];
  let bannerPort = 0;
  const proxies: Record<'relay' | 'node', InProcessProxy> = {} as Record<'relay' | 'node', InProcessProxy>;
  const connections = { relay: 0, node: 0 };

  /** The banner server: speaks first, echoes until the client half-closes, then closes. */
  const banner = createServer({ allowHalfOpen: true }, (socket: Socket) => {
    socket.on('error', () => undefined);
    socket.write('220 hello\r\n');
    socket.pipe(socket);
  });

  const config = (): Parameters<typeof startInProcessProxy>[0] => ({
    serviceEntries: [staticTcpService('relay', 'relay.test', bannerPort, '127.0.0.52')],
  });

  before(async () => {
    servers.push(banner);
    bannerPort = await listen(banner, '127.0.0.52');
    for (const mode of ['relay', 'node'] as const) {
      proxies[mode] = await startInProcessProxy(config(), {
        acceptOnRelay: mode === 'relay',
        limits: { idleTimeoutMs: 400 },
        connections: (_kind, delta) => (connections[mode] += delta),
      });
    }
  });

  after(async () => {
    for (const running of Object.values(proxies)) await running.stop();
    for (const server of servers) server.close();
  });

  const connectHead = (): string =>
    `CONNECT relay.test:${bannerPort} HTTP/1.1\r\nHost: relay.test:${bannerPort}\r\n\r\n`;

  /** Runs `client` against both proxies; returns what each got back and the log lines it added. */
  async function both(
    client: (port: number) => Promise<string>,
    lines: number,
  ): Promise<Record<'relay' | 'node', { reply: string; log: string[] }>> {
    const out = {} as Record<'relay' | 'node', { reply: string; log: string[] }>;
    for (const mode of ['relay', 'node'] as const) {
      const running = proxies[mode];
      const before = running.infos.length;
      const reply = await client(running.port);
      await logged(running, before + lines);
      await pause(20);
      out[mode] = { reply, log: running.infos.slice(before).map((info) => comparable(formatEnvoyText(info))) };
    }
    return out;
  }

  void test('the port is accepted on the relay thread where the relay is built, and by Node when asked', () => {
    assert.equal(proxies.relay.proxy.acceptsOnRelay, true);
    assert.equal(proxies.node.proxy.acceptsOnRelay, false);
  });

  void test('a CONNECT tunnels and is logged the same on both paths, bytes after its head included', async () => {
    const runs = await both((port) => exchange(port, [`${connectHead()}ping\r\n`], { endAfter: /ping\r\n$/ }), 1);
    assert.equal(runs.relay.reply, 'HTTP/1.1 200 OK\r\n\r\n220 hello\r\nping\r\n');
    assert.equal(runs.relay.reply, runs.node.reply);
    assert.deepEqual(runs.relay.log, runs.node.log);
    assert.match(runs.relay.log[0]!, /" 0 - - - "-" 6 17 duration /);
  });

  void test('a CONNECT head split across writes, or stalled past the 100 ms peek, still tunnels', async () => {
    for (const gapMs of [20, 250]) {
      const head = connectHead();
      const runs = await both(
        (port) => exchange(port, [head.slice(0, 11), head.slice(11), 'ping\r\n'], { gapMs, endAfter: /ping\r\n$/ }),
        1,
      );
      assert.equal(runs.relay.reply, 'HTTP/1.1 200 OK\r\n\r\n220 hello\r\nping\r\n', `gap ${gapMs} ms`);
      assert.deepEqual(runs.relay.log, runs.node.log, `gap ${gapMs} ms`);
    }
  });

  void test('refused and unusual requests get the same replies and log lines as on Node-accepted sockets', async () => {
    const cases: [string, number][] = [
      ['CONNECT relay.test HTTP/1.1\r\nHost: relay.test\r\n\r\n', 1], // no port: 400
      [`CONNECT relay.test:${bannerPort} HTTP/1.1\r\n\r\n`, 1], // no Host header: Node's parser takes it
      ['GET / HTTP/1.1\r\nHost: relay.test\r\n\r\n', 1], // a direct hit on the proxy port
      ['connect relay.test:1 HTTP/1.1\r\n\r\n', 1], // not a method: 400 from Node's parser
      [`CONNECT relay.test:${bannerPort} HTTP/1.1\r\nHost: relay.test\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`, 1],
    ];
    for (const [request, lines] of cases) {
      const runs = await both((port) => exchange(port, [request], { endAfter: /\r\n\r\n/ }), lines);
      const label = request.slice(0, 40);
      assert.equal(runs.relay.reply.split('\r\n')[0], runs.node.reply.split('\r\n')[0], label);
      assert.deepEqual(runs.relay.log, runs.node.log, label);
    }
  });

  void test('a client that leaves before sending anything is not logged, and the connection gauge returns to 0', async () => {
    const running = proxies.relay;
    const before = running.infos.length;
    for (let i = 0; i < 5; i++) await exchange(running.port, []).catch(() => '');
    const closers = Array.from({ length: 5 }, () => {
      const socket = connect(running.port, '127.0.0.1');
      socket.on('error', () => undefined);
      return new Promise<void>((resolve) => socket.once('connect', () => resolve(void socket.destroy())));
    });
    await Promise.all(closers);
    // An idle connection meets the 400 ms idle timeout from when the relay thread hands it over.
    assert.ok(await until(() => connections.relay === 0), `${connections.relay} connections still counted`);
    assert.equal(running.infos.length, before);
  });

  void test('200 tunnels at once, each opened, used and closed, are all relayed and logged with exact counts', async () => {
    const running = proxies.relay;
    const burst = async (): Promise<number> => {
      const before = running.infos.length;
      const replies = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          exchange(running.port, [`${connectHead()}tunnel-${i}\r\n`], { endAfter: new RegExp(`tunnel-${i}\\r\\n$`) }),
        ),
      );
      for (const [i, reply] of replies.entries())
        assert.equal(reply, `HTTP/1.1 200 OK\r\n\r\n220 hello\r\ntunnel-${i}\r\n`);
      await logged(running, before + 200);
      for (const info of running.infos.slice(before)) {
        assert.equal(info.responseFlags(), '');
        assert.equal(info.bytesSent, 11 + info.bytesReceived);
      }
      assert.ok(await until(() => connections.relay === 0), `${connections.relay} connections still counted`);
      await pause(50);
      return openDescriptors();
    };
    // The relay keeps up to 64 empty pipes for reuse after a burst; a second burst must add nothing.
    const afterFirst = await burst();
    const afterSecond = await burst();
    assert.ok(
      afterSecond <= afterFirst + 2,
      `${afterSecond} descriptors after the second burst, ${afterFirst} after the first`,
    );
  });

  void test('no descriptor is left behind by tunnels, refusals and clients that leave early', async () => {
    const running = proxies.relay;
    await exchange(running.port, [`${connectHead()}x`], { endAfter: /x$/ });
    await pause(50);
    const baseline = openDescriptors();
    for (let i = 0; i < 30; i++) {
      await exchange(running.port, [`${connectHead()}x`], { endAfter: /x$/ });
      await exchange(running.port, ['CONNECT relay.test HTTP/1.1\r\nHost: relay.test\r\n\r\n']);
      const early = connect(running.port, '127.0.0.1');
      early.on('error', () => undefined);
      early.once('connect', () => early.destroy());
    }
    assert.ok(await until(() => connections.relay === 0), `${connections.relay} connections still counted`);
    assert.ok(
      await until(() => openDescriptors() <= baseline + 2),
      `${openDescriptors()} descriptors, ${baseline} before`,
    );
  });
});

void describe('relay-thread listener lifecycle', { skip }, () => {
  void test('a port in use fails exactly as node:net reports it', async () => {
    const holder = createServer();
    const port = await listen(holder, '127.0.0.1');
    try {
      const nodeError = await new Promise<Error>((resolve) => {
        const second = createServer();
        second.once('error', resolve);
        second.listen(port, '127.0.0.1');
      });
      const proxy = new ProxyServer({
        clock: systemClock,
        resolver: new DnsResolver({ servers: ['127.0.0.1:1'] }),
        accessLog: () => undefined,
      });
      const relayError = await proxy.listen(port, '127.0.0.1').then(
        () => new Error('listened on a port in use'),
        (error: Error) => error,
      );
      assert.equal(relayError.message, nodeError.message);
      assert.equal((relayError as NodeJS.ErrnoException).code, 'EADDRINUSE');
      assert.equal((relayError as NodeJS.ErrnoException).syscall, 'listen');
    } finally {
      holder.close();
    }
  });

  void test('stop() closes a connection still being peeked at and resolves', async () => {
    const running = await startInProcessProxy({});
    const socket = connect(running.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('CONN');
    await pause(20);
    await running.stop();
    await closed;
  });

  void test('a drain while a CONNECT target is still being resolved logs DC before stop resolves and answers nothing', async () => {
    // A DNS server that never answers holds the tunnel in name resolution.
    const quiet = createSocket('udp4');
    await new Promise<void>((resolve) => quiet.bind(0, '127.0.0.54', resolve));
    const config = {
      serviceEntries: [
        serviceEntry(
          { name: 'quiet' },
          { hosts: ['quiet.test'], ports: [{ number: 443, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' },
        ),
      ],
    };
    try {
      for (const acceptOnRelay of [true, false]) {
        const resolver = new DnsResolver({ servers: [`127.0.0.54:${quiet.address().port}`] });
        const running = await startInProcessProxy(config, { acceptOnRelay, resolver });
        const client = connect(running.port, '127.0.0.1', () =>
          client.write('CONNECT quiet.test:443 HTTP/1.1\r\nHost: quiet.test:443\r\n\r\n'),
        );
        let received = '';
        client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
        client.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        await pause(100);
        await running.stop();
        const label = acceptOnRelay ? 'relay-thread accept' : 'Node accept';
        assert.equal(running.infos.length, 1, `${label}: logged before stop resolved`);
        assert.equal(running.infos[0]!.responseFlags(), 'DC', label);
        await closed;
        assert.equal(received, '', `${label}: nothing was answered`);
      }
    } finally {
      quiet.close();
    }
  });

  void test('a dual-stack listener on :: logs IPv4 clients as Node-accepted sockets do', async () => {
    const banner = closingServer('220 bye\r\n');
    const port = await listen(banner, '127.0.0.52');
    const config = { serviceEntries: [staticTcpService('bye', 'bye.test', port, '127.0.0.52')] };
    const lines: string[] = [];
    try {
      for (const acceptOnRelay of [true, false]) {
        const running = await startInProcessProxy(config, { acceptOnRelay }, '::');
        assert.equal(running.proxy.acceptsOnRelay, acceptOnRelay);
        const reply = await exchange(running.port, [`CONNECT bye.test:${port} HTTP/1.1\r\nHost: bye.test\r\n\r\n`]);
        assert.equal(reply, 'HTTP/1.1 200 OK\r\n\r\n220 bye\r\n');
        await logged(running, 1);
        lines.push(comparable(formatEnvoyText(running.infos[0]!)));
        await running.stop();
      }
      assert.equal(lines[0], lines[1]);
    } finally {
      banner.close();
    }
  });

  void test('with no descriptor left, accepts wait without spinning and the backlog is served once there are', async () => {
    const banner = closingServer('220 bye\r\n');
    const bannerPort = await listen(banner, '127.0.0.53');
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'ulimit -n 256 && exec "$0" --import tsx test/fixtures/relay/accept-without-descriptors.ts "$1" "$2"',
        process.execPath,
        '127.0.0.53',
        String(bannerPort),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    try {
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      let partial = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        partial += chunk.toString();
        const parts = partial.split('\n');
        partial = parts.pop()!;
        lines.push(...parts);
        for (const wake of waiters.splice(0)) wake();
      });
      const line = async (wanted: (text: string) => boolean): Promise<string> => {
        for (;;) {
          const found = lines.find(wanted);
          if (found !== undefined) return found;
          await new Promise<void>((resolve) => waiters.push(resolve));
        }
      };
      const proxyPort = Number(await line((text) => /^\d+$/.test(text)));
      const cpuTicks = (): number => {
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
        return Number(fields[11]) + Number(fields[12]);
      };
      child.stdin!.write('exhaust\n');
      await line((text) => text === 'exhausted');
      const before = cpuTicks();
      const reply = exchange(proxyPort, [`CONNECT banner.test:${bannerPort} HTTP/1.1\r\nHost: banner.test\r\n\r\n`]);
      await line((text) => text === 'released');
      const spent = cpuTicks() - before;
      assert.equal(await reply, 'HTTP/1.1 200 OK\r\n\r\n220 bye\r\n');
      // 500 ms without descriptors: a thread retrying accept in a loop would burn ~50 ticks of 10 ms.
      assert.ok(spent < 25, `${spent} ticks of CPU while no descriptor was left`);
      child.stdin!.write('stop\n');
      await new Promise((resolve) => child.once('exit', resolve));
    } finally {
      child.kill();
      banner.close();
    }
  });
});
