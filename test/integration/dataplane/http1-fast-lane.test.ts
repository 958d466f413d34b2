// The HTTP/1.1 fast lane as a client sees it: for the same request it answers exactly as the full path
// (`fastLane: false`) does — status, headers, body, access-log line — and it keeps HTTP/1.1's connection
// rules: pipelined requests in order, a hand-off mid-connection, folded headers refused, stale upstream
// connections not reused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { rawExchange } from '../../helpers/raw-socket.ts';
import {
  comparableLogLine,
  laneOf,
  logged,
  send,
  startFastLaneRig,
  type FastLaneRig,
  type Lane,
  type Response,
} from '../../helpers/fast-lane-rig.ts';

/** Header pairs with the values that differ run to run (Date, upstream service time) blanked. */
function comparableHeaders(headers: readonly string[]): string[] {
  return headers.map((item, i) =>
    i % 2 === 1 && (headers[i - 1] === 'date' || headers[i - 1] === 'x-envoy-upstream-service-time') ? '*' : item,
  );
}

/** httpbin-style JSON (one document, or one per line) with the upstream's `Connection` header left out. */
function echoed(body: string): unknown[] {
  const documents = body.startsWith('{\n') ? [body] : body.trim().split('\n');
  return documents.map((text) => {
    const parsed = JSON.parse(text) as { headers: Record<string, string> };
    delete parsed.headers.Connection;
    return parsed;
  });
}

function header(response: Response, name: string): string | undefined {
  const at = response.headers.indexOf(name);
  return at >= 0 && at % 2 === 0 ? response.headers[at + 1] : undefined;
}

interface Case {
  readonly name: string;
  readonly upstream: 'api' | 'wire' | 'refused' | 'open';
  readonly method: string;
  /** `LANE` is replaced by the lane's name where the upstream counts requests per path. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /**
   * The upstream echoes the request it saw as JSON. Two differences there are not the client's to see:
   * the full path's upstream client adds `Connection: keep-alive` (HTTP/1.1's default anyway), and the
   * fast lane moves `x-request-id` after the client's other headers. So the echoes are compared as JSON
   * (header order aside) without `Connection`, and the lengths that follow (content-length, bytes sent) blanked.
   */
  readonly echoes?: boolean;
  readonly check?: (response: Response, logLine: string) => void;
}

const cases: Case[] = [
  {
    name: 'resets before headers, retried on reset: 503 URX,UC',
    upstream: 'api',
    method: 'GET',
    path: '/reset',
    headers: { 'x-retry': 'per-try' },
    status: 503,
  },
  { name: 'GET with a content-length', upstream: 'api', method: 'GET', path: '/', status: 200 },
  {
    name: 'the request headers the upstream sees',
    upstream: 'api',
    method: 'GET',
    path: '/headers',
    status: 200,
    echoes: true,
    check: (r) => {
      const seen = (JSON.parse(r.body.toString()) as { headers: Record<string, string> }).headers;
      assert.equal(seen['X-Envoy-Attempt-Count'], '1');
      assert.equal(seen['X-Forwarded-Proto'], 'http');
    },
  },
  {
    name: 'a chunked body from node:http',
    upstream: 'api',
    method: 'GET',
    path: '/stream/3',
    status: 200,
    echoes: true,
  },
  { name: 'binary bytes', upstream: 'api', method: 'GET', path: '/bytes/3000', status: 200 },
  {
    name: 'HEAD keeps the length and sends no body',
    upstream: 'api',
    method: 'HEAD',
    path: '/bytes/100',
    status: 200,
    check: (r) => {
      assert.equal(header(r, 'content-length'), '100');
      assert.equal(r.body.length, 0);
    },
  },
  { name: 'HEAD on a scripted upstream', upstream: 'wire', method: 'HEAD', path: '/fixed', status: 200 },
  { name: '404 with a body', upstream: 'api', method: 'GET', path: '/nope', status: 404 },
  { name: '204', upstream: 'api', method: 'GET', path: '/status/204', status: 204 },
  { name: '304', upstream: 'api', method: 'GET', path: '/status/304', status: 304 },
  {
    name: 'chunked with extensions and trailers arrives intact',
    upstream: 'wire',
    method: 'GET',
    path: '/chunked',
    status: 200,
    check: (r) => {
      assert.equal(r.body.toString(), 'hello, world!');
      assert.equal(header(r, 'transfer-encoding'), 'chunked');
    },
  },
  {
    name: 'a close-delimited body arrives chunked and intact, the connection kept',
    upstream: 'wire',
    method: 'GET',
    path: '/close',
    status: 200,
    check: (r) => {
      assert.equal(r.body.toString(), 'until the upstream closes');
      assert.equal(header(r, 'transfer-encoding'), 'chunked');
      assert.equal(header(r, 'connection'), 'keep-alive');
    },
  },
  {
    name: 'route timeout: 504 UT',
    upstream: 'api',
    method: 'GET',
    path: '/delay/2',
    status: 504,
    check: (r, line) => {
      assert.equal(r.body.toString(), 'upstream request timeout');
      assert.match(line, / 504 UT response_timeout /);
    },
  },
  {
    name: "Istio's default retry policy leaves a 503 alone",
    upstream: 'api',
    method: 'GET',
    path: '/flaky/1/503/LANE',
    status: 503,
    check: (_r, line) => assert.match(line, / 503 - via_upstream /),
  },
  {
    name: 'retries on 5xx: 503 twice, then 200',
    upstream: 'api',
    method: 'GET',
    path: '/flaky/2/503/LANE',
    headers: { 'x-retry': '5xx' },
    status: 200,
    echoes: true,
    check: (r, line) => {
      const body = JSON.parse(r.body.toString()) as { attempt: number; headers: Record<string, string> };
      assert.equal(body.attempt, 3);
      assert.equal(body.headers['X-Envoy-Attempt-Count'], '3');
      assert.match(line, / 200 - via_upstream .* retry-5xx\n$/);
    },
  },
  {
    name: 'retries on 5xx: 503 three times, 503 URX',
    upstream: 'api',
    method: 'GET',
    path: '/flaky/3/503/LANE',
    headers: { 'x-retry': '5xx' },
    status: 503,
    check: (_r, line) => assert.match(line, / 503 URX via_upstream /),
  },
  {
    name: 'per-try timeouts, retried on gateway-error: 504 UT',
    upstream: 'api',
    method: 'GET',
    path: '/delay/1',
    headers: { 'x-retry': 'per-try' },
    status: 504,
  },
  {
    name: 'a host no ServiceEntry knows goes through PassthroughCluster (ALLOW_ANY)',
    upstream: 'open',
    method: 'GET',
    path: '/fixed',
    status: 200,
    check: (r, line) => {
      assert.equal(r.body.toString(), 'hello');
      assert.match(line, / PassthroughCluster .* allow_any\n$/);
    },
  },
  {
    name: 'upstream reset before headers: 503 UC',
    upstream: 'api',
    method: 'GET',
    path: '/reset',
    status: 503,
    check: (_r, line) => assert.match(line, / 503 UC upstream_reset_before_response_started/),
  },
  {
    name: 'connection refused: 503 UF after the connect-failure retries',
    upstream: 'refused',
    method: 'GET',
    path: '/',
    status: 503,
    check: (_r, line) => assert.match(line, / 503 URX,UF | 503 UF,URX /),
  },
];

void describe('HTTP/1.1 fast lane', () => {
  let rig: FastLaneRig;

  before(async () => {
    rig = await startFastLaneRig({ web: '127.0.0.51', wire: '127.0.0.52' });
  });

  after(async () => {
    await rig.close();
  });

  const upstreamRequests = (upstream: Case['upstream']): number =>
    upstream === 'api'
      ? rig.web.requests.length
      : upstream === 'wire' || upstream === 'open'
        ? rig.wire.requests.length
        : 0;

  /**
   * Which lane sent the last upstream request. The full path's upstream client always sends
   * `Connection: keep-alive`; the fast lane sends no Connection header (HTTP/1.1 keeps alive by default).
   */
  const lastLane = (upstream: Case['upstream']): 'fast' | 'full' => {
    const connection =
      upstream === 'api'
        ? rig.web.requests.at(-1)?.headers.connection
        : /\r\nconnection:/i.exec(rig.wire.requests.at(-1)?.head ?? '')?.[0];
    return connection === undefined ? 'fast' : 'full';
  };

  void describe('answers exactly as the full path does', () => {
    for (const c of cases) {
      void test(c.name, async () => {
        const seen: Array<{ headers: string[]; body: unknown; line: string[] }> = [];
        for (const lane of [rig.fast, rig.full]) {
          // Per-lane paths of one length where the upstream counts requests per path; compared as `LANE`.
          const path = c.path.replace('LANE', lane.name);
          const count = lane.infos.length;
          const upstreamCount = upstreamRequests(c.upstream);
          const response = await send(lane, c.method, rig.url(c.upstream, path), {
            'user-agent': 'parity/1',
            'x-request-id': 'parity-request',
            ...c.headers,
          });
          await logged(lane, count + 1);
          const line = lane.lines.at(-1)!;
          assert.equal(lane.infos.length, count + 1, `${lane.name}: one log entry`);
          assert.equal(response.status, c.status, `${lane.name}: ${line}`);
          if (upstreamRequests(c.upstream) > upstreamCount)
            assert.equal(lastLane(c.upstream), lane.name, 'the lane under test served the request');
          c.check?.(response, line);
          const body = response.body.toString('latin1').replaceAll(path, c.path);
          const fields = comparableLogLine(line.replaceAll(path, c.path));
          const headers = comparableHeaders(response.headers);
          if (c.echoes === true) {
            fields[8] = 'BYTES_SENT';
            headers[headers.indexOf('content-length') + 1] = '*';
          }
          seen.push({
            headers,
            body: c.echoes === true ? echoed(body) : body,
            line: fields,
          });
        }
        const [fast, full] = seen as [(typeof seen)[0], (typeof seen)[0]];
        assert.deepEqual(fast.headers, full.headers, 'headers');
        assert.deepEqual(fast.body, full.body, 'body');
        assert.deepEqual(fast.line, full.line, 'access log');
      });
    }
  });

  void describe('connection behaviour, on both lanes', () => {
    for (const name of ['fast', 'full'] as const) {
      const lane = (): Lane => rig[name];

      void test(`${name}: pipelined requests on one connection are answered in order`, async () => {
        const say = (word: string, delay: number, last = false): string =>
          `GET ${rig.url('wire', `/say?word=${word}&delay=${delay}`)} HTTP/1.1\r\nHost: wire.test\r\n` +
          `${last ? 'Connection: close\r\n' : ''}\r\n`;
        const received = await rawExchange(lane().port, say('one', 60) + say('two', 0) + say('three', 30, true));
        const statuses = received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
        assert.deepEqual(statuses, ['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200'], received);
        const bodies = received
          .split('\r\n\r\n')
          .slice(1)
          .map((part) => part.split('HTTP/1.1')[0]);
        assert.deepEqual(bodies, ['one', 'two', 'three']);
        for (const request of rig.wire.requests.slice(-3))
          assert.equal(/\r\nconnection:/i.test(request.head) ? 'full' : 'fast', name, request.head);
      });

      void test(`${name}: 400 pipelined requests, more than a head's worth, come back complete and in order`, async () => {
        let bytes = '';
        for (let i = 0; i < 400; i++)
          bytes +=
            `GET ${rig.url('wire', `/say?word=w${i}`)} HTTP/1.1\r\nHost: wire.test\r\nUser-Agent: pipeline/1\r\n` +
            `X-Padding: ${'p'.repeat(100)}\r\n${i === 399 ? 'Connection: close\r\n' : ''}\r\n`;
        assert.ok(bytes.length > 60 * 1024);
        const received = await rawExchange(lane().port, bytes);
        const bodies = received
          .split(/HTTP\/1\.1 200 OK\r\n/i)
          .slice(1)
          .map((response) => response.slice(response.indexOf('\r\n\r\n') + 4));
        assert.equal(bodies.length, 400, received.slice(-300));
        assert.deepEqual(
          bodies,
          Array.from({ length: 400 }, (_, i) => `w${i}`),
        );
        const lanes = rig.wire.requests.slice(-400).map((request) => laneOf(request));
        assert.equal(lanes[0], name);
      });

      void test(`${name}: a GET, then a POST with a body on the same keep-alive connection`, async () => {
        const count = lane().infos.length;
        const first = await send(lane(), 'GET', rig.url('wire', '/fixed'));
        assert.equal(first.status, 200);
        assert.equal(first.body.toString(), 'hello');
        assert.equal(lastLane('wire'), name);
        const second = await send(lane(), 'POST', rig.url('api', '/post'), { 'content-type': 'text/plain' }, 'payload');
        assert.equal(second.status, 200);
        assert.equal((JSON.parse(second.body.toString()) as { data: string }).data, 'payload');
        const third = await send(lane(), 'GET', rig.url('wire', '/fixed'));
        assert.equal(third.body.toString(), 'hello');
        // The hand-off is for good: after the POST, the full path serves the rest of the connection.
        assert.equal(lastLane('wire'), 'full');
        assert.equal(lastLane('api'), 'full');
        await logged(lane(), count + 3);
        const clients = lane()
          .infos.slice(count)
          .map((info) => info.downstreamRemoteAddress);
        assert.equal(new Set(clients).size, 1, `one client connection: ${clients.join(' ')}`);
        assert.equal(lane().infos[count + 1]!.bytesReceived, 'payload'.length);
      });

      void test(`${name}: a folded header line gets 400 and never reaches the upstream`, async () => {
        const before = rig.wire.requests.length;
        const received = await rawExchange(
          lane().port,
          `GET ${rig.url('wire', '/fixed')} HTTP/1.1\r\nHost: wire.test\r\nX-Folded: one\r\n two\r\n\r\n`,
        );
        assert.match(received, /^HTTP\/1\.1 400 /);
        assert.equal(rig.wire.requests.length, before);
      });

      void test(`${name}: an upstream that closes its keep-alive connection does not fail the next request`, async () => {
        // A client connection of its own: the shared one may have been handed to the full path already.
        const client: Lane = { ...lane(), agent: new Agent({ keepAlive: true, maxSockets: 1 }) };
        try {
          for (const pause of [0, 50]) {
            const connections = rig.wire.connections();
            const bye = await send(client, 'GET', rig.url('wire', '/bye'));
            assert.equal(bye.body.toString(), 'bye');
            if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
            const next = await send(client, 'GET', rig.url('wire', '/fixed'));
            assert.equal(next.status, 200, `after a pause of ${pause} ms`);
            assert.equal(next.body.toString(), 'hello');
            assert.equal(lastLane('wire'), name);
            assert.ok(rig.wire.connections() > connections, 'the closed connection was not reused');
          }
        } finally {
          client.agent.destroy();
        }
      });
    }
  });
});
