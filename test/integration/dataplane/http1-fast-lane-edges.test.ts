// Exact bytes in, exact bytes out: edge-case requests and upstream responses sent to the fast lane and to
// the full path (`fastLane: false`), whose answers must match line for line — header case and order
// included — apart from Date, upstream service time and how a chunked body is cut into chunks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rawExchange } from '../../helpers/raw-socket.ts';
import {
  comparableLogLine,
  laneOf,
  startFastLaneRig,
  type FastLaneRig,
  type Lane,
} from '../../helpers/fast-lane-rig.ts';

interface Edge {
  readonly name: string;
  /** Request head lines after the request line; `{api}` / `{wire}` become the upstreams' host:port. */
  readonly request: string;
  /** `{pad}` in `request` grows until the head (or, for `target`, the request target) is this long. */
  readonly pad?: { readonly to: number; readonly of: 'head' | 'target' };
  /** Bytes after the head. */
  readonly body?: string;
  /** Expected status line. */
  readonly status: string;
  /** The fast-lane proxy hands this request to Node's HTTP server (it still reaches the upstream). */
  readonly handedOff?: boolean;
  /** The upstream echoes the request as JSON (see `echoed`). */
  readonly echoes?: boolean;
}

const edges: Edge[] = [
  { name: 'a plain GET', request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n', status: '200 OK' },
  {
    name: 'HEAD answered with transfer-encoding: chunked',
    request: 'HEAD http://{wire}/chunked HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'chunked with extensions and trailers',
    request: 'GET http://{wire}/chunked HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an upstream that says Connection: close',
    request: 'GET http://{wire}/conn-close HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an HTTP/1.0 upstream with a body until close',
    request: 'GET http://{wire}/http10 HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'hop-by-hop response headers, two Set-Cookie, mixed-case names',
    request: 'GET http://{wire}/hop HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'request headers as the upstream sees them',
    request:
      'GET http://{api}/headers?q=a%20b HTTP/1.1\r\nHost: {api}\r\nContent-Length: 0\r\nX-Dup: a\r\nX-Dup: b\r\n' +
      'X-Latin: caf\xe9\r\nX-Spaces:   v  \r\nProxy-Connection: Keep-Alive\r\nUser-Agent: edge/1\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'an upper-case scheme and host',
    request: 'GET HTTP://{WIRE}/fixed HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an unusual status code',
    request: 'GET http://{wire}/odd-status HTTP/1.1\r\nHost: {wire}\r\n',
    status: '299 unknown',
  },
  {
    name: 'a status line without a reason phrase',
    request: 'GET http://{wire}/no-reason HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  {
    name: 'an upstream response with both content-length and chunked',
    request: 'GET http://{wire}/cl-te HTTP/1.1\r\nHost: {wire}\r\n',
    status: '503 Service Unavailable',
  },
  {
    name: 'an upstream that does not speak HTTP',
    request: 'GET http://{wire}/garbage HTTP/1.1\r\nHost: {wire}\r\n',
    status: '503 Service Unavailable',
  },
  {
    name: 'a bodiless POST (content-length: 0)',
    request: 'POST http://{api}/anything HTTP/1.1\r\nHost: {api}\r\nContent-Length: 0\r\nX-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'OPTIONS with X-Forwarded-For and an empty header value',
    request:
      'OPTIONS http://{api}/anything HTTP/1.1\r\nHost: {api}\r\nX-Forwarded-For: 10.1.2.3\r\nX-Empty:\r\n' +
      'X-Request-Id: edge\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'TE: trailers (handed to the full path)',
    handedOff: true,
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nTE: trailers\r\n',
    status: '200 OK',
  },
  {
    name: 'a chunked request body (handed to the full path)',
    handedOff: true,
    request: 'POST http://{api}/post HTTP/1.1\r\nHost: {api}\r\nTransfer-Encoding: chunked\r\nX-Request-Id: edge\r\n',
    body: '5\r\nhello\r\n0\r\n\r\n',
    status: '200 OK',
    echoes: true,
  },
  {
    name: 'a Host header that differs from the URI',
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: elsewhere.example\r\n',
    status: '200 OK',
  },
  {
    name: 'a fragment in the target',
    request: 'GET http://{wire}/fixed#part HTTP/1.1\r\nHost: {wire}\r\n',
    status: '200 OK',
  },
  { name: 'PURGE', request: 'PURGE http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\n', status: '200 OK' },
  {
    name: 'a head over the header limit',
    request: `GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Big: ${'b'.repeat(62 * 1024)}\r\n`,
    status: '431 Request Header Fields Too Large',
  },
  {
    name: 'a target over the URI limit',
    request: `GET http://{wire}/${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: {wire}\r\n`,
    status: '414 URI Too Long',
  },
  {
    name: 'a head exactly at the 60 KiB limit',
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Pad: {pad}\r\n',
    pad: { to: 60 * 1024, of: 'head' },
    status: '200 OK',
  },
  {
    name: 'a head one byte over the limit (Node counts it differently: still served)',
    handedOff: true,
    request: 'GET http://{wire}/fixed HTTP/1.1\r\nHost: {wire}\r\nX-Pad: {pad}\r\n',
    pad: { to: 60 * 1024 + 1, of: 'head' },
    status: '200 OK',
  },
  {
    name: 'a target exactly at the 16 KiB limit',
    request: 'GET http://{wire}/{pad} HTTP/1.1\r\nHost: {wire}\r\n',
    pad: { to: 16 * 1024, of: 'target' },
    status: '404 Not Found',
  },
  {
    name: 'a target one byte over the limit',
    request: 'GET http://{wire}/{pad} HTTP/1.1\r\nHost: {wire}\r\n',
    pad: { to: 16 * 1024 + 1, of: 'target' },
    status: '414 URI Too Long',
  },
];

/** Fills `{pad}` so the head, or the request target, is exactly `pad.to` bytes. */
function padded(head: string, pad: Edge['pad']): string {
  if (pad === undefined) return head;
  const without = head.replace('{pad}', '');
  const current = pad.of === 'head' ? without.length : without.split(' ')[1]!.length;
  return head.replace('{pad}', 'p'.repeat(pad.to - current));
}

/** Removes chunk framing (and trailers): the two lanes may cut the same body into different chunks. */
function dechunk(body: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return `${out}<unterminated>`;
    const size = parseInt(body.slice(at, lineEnd), 16);
    if (size === 0 || Number.isNaN(size)) return out;
    out += body.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}

interface Seen {
  readonly head: string[];
  readonly body: unknown;
  readonly log: string[][];
}

/**
 * httpbin-style JSON without what only the upstream sees differently: the full path's upstream client adds
 * `Connection: keep-alive`, and the fast lane passes a client's `Content-Length: 0` on a GET along.
 */
function echoed(body: string): unknown {
  const parsed = JSON.parse(body) as { method?: string; headers: Record<string, string> };
  delete parsed.headers.Connection;
  if (parsed.headers['Content-Length'] === '0' && parsed.method === undefined) delete parsed.headers['Content-Length'];
  return parsed;
}

async function exchange(rig: FastLaneRig, lane: Lane, edge: Edge): Promise<Seen> {
  const api = `api.test:${rig.web.port}`;
  const wire = `wire.test:${rig.wire.port}`;
  const request = edge.request
    .replaceAll('{api}', api)
    .replaceAll('{wire}', wire)
    .replaceAll('{WIRE}', wire.toUpperCase());
  const sent = padded(`${request}Connection: close\r\n\r\n`, edge.pad);
  if (edge.pad !== undefined)
    assert.equal(edge.pad.of === 'head' ? sent.length : sent.split(' ')[1]!.length, edge.pad.to, 'padding');
  const bytes = `${sent}${edge.body ?? ''}`;
  const count = lane.lines.length;
  const received = await rawExchange(lane.port, bytes);
  // The full path logs once the response has finished; give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const split = received.indexOf('\r\n\r\n');
  const headText = split < 0 ? received : received.slice(0, split);
  let body = split < 0 ? '' : received.slice(split + 4);
  const head = headText
    .split('\r\n')
    .map((line) => line.replace(/^(date|x-envoy-upstream-service-time): .*$/i, '$1: *'));
  if (/\r\ntransfer-encoding: chunked/i.test(headText)) body = dechunk(body);
  const log = lane.lines.slice(count).map((line) => comparableLogLine(line));
  if (edge.echoes === true) {
    for (const fields of log) fields[8] = 'BYTES_SENT';
    return { head: head.map((line) => line.replace(/^(content-length): \d+$/i, '$1: *')), body: echoed(body), log };
  }
  return { head, body, log };
}

void describe('HTTP/1.1 fast lane: edge cases byte for byte against the full path', () => {
  let rig: FastLaneRig;

  before(async () => {
    rig = await startFastLaneRig({ web: '127.0.0.55', wire: '127.0.0.56' });
  });

  after(async () => {
    await rig.close();
  });

  for (const edge of edges) {
    void test(edge.name, { timeout: 10_000 }, async () => {
      const counts = [rig.wire.requests.length, rig.web.requests.length];
      const fast = await exchange(rig, rig.fast, edge);
      const servedBy =
        rig.wire.requests.length > counts[0]!
          ? laneOf(rig.wire.requests.at(-1))
          : rig.web.requests.length > counts[1]!
            ? rig.web.requests.at(-1)!.headers.connection === undefined
              ? 'fast'
              : 'full'
            : undefined;
      if (servedBy !== undefined) assert.equal(servedBy, edge.handedOff === true ? 'full' : 'fast', 'lane');
      const full = await exchange(rig, rig.full, edge);
      assert.equal(fast.head[0], `HTTP/1.1 ${edge.status}`);
      assert.deepEqual(fast.head, full.head, 'response head');
      assert.deepEqual(fast.body, full.body, 'response body');
      assert.deepEqual(fast.log, full.log, 'access log');
    });
  }

  // Where the full path itself goes wrong (see the notes on each), the fast lane is held to Envoy's answer alone.
  void test('fast lane: a 304 that announces its representation length is passed on as is', async () => {
    const seen = await exchange(rig, rig.fast, {
      name: '304',
      request: 'GET http://{wire}/not-modified HTTP/1.1\r\nHost: {wire}\r\n',
      status: '304 Not Modified',
    });
    assert.deepEqual(seen.head, [
      'HTTP/1.1 304 Not Modified',
      'etag: "v1"',
      'content-length: 99',
      'x-envoy-upstream-service-time: *',
      'Date: *',
      'Connection: close',
    ]);
    assert.equal(seen.body, '');
    assert.equal(seen.log[0]?.[2], '304');
    assert.equal(seen.log[0]?.[3], '-');
  });

  void test('fast lane: 100 and 103 before the final response are dropped', async () => {
    const seen = await exchange(rig, rig.fast, {
      name: 'interim',
      request: 'GET http://{wire}/interim HTTP/1.1\r\nHost: {wire}\r\n',
      status: '200 OK',
    });
    assert.equal(seen.head[0], 'HTTP/1.1 200 OK');
    assert.equal(seen.body, 'final');
    assert.equal(seen.log[0]?.[3], '-');
  });
});
