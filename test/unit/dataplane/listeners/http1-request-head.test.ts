// The fast lane's request-head reader: which heads it takes (and what it reads from them), which it waits
// on, and which it leaves to Node's full parser, one rule at a time; plus prefixes and random mutations.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestHead, type HeadParse } from '../../../../src/dataplane/listeners/http1-request-head.ts';

const MAX_HEAD = 8192;
const MAX_URI = 256;

const parse = (text: string | Buffer, maxHead = MAX_HEAD, maxUri = MAX_URI): HeadParse =>
  parseRequestHead(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, maxHead, maxUri);

/** A head with the given header lines (after `Host: a.example` unless they name a host), on an absolute-form GET. */
const get = (...lines: string[]): string => {
  const all = lines.some((line) => /^host:/i.test(line)) ? lines : ['Host: a.example', ...lines];
  return `GET http://a.example/x HTTP/1.1\r\n${all.map((line) => `${line}\r\n`).join('')}\r\n`;
};
const HOST = ['host', 'a.example'];

/** Small deterministic generator (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

void describe('parseRequestHead: accepted heads', () => {
  void test('reads method, target, lower-cased names with raw values, host, length', () => {
    const text =
      'GET http://api.example:8080/a/b?c=d HTTP/1.1\r\n' +
      'Host: api.example:8080\r\n' +
      'User-Agent: curl/8.5.0\r\n' +
      'X-Mixed-Case:  Some Value\t\r\n' +
      'Accept: */*\r\n' +
      '\r\n';
    const head = parse(text);
    assert.deepEqual(head, {
      method: 'GET',
      target: 'http://api.example:8080/a/b?c=d',
      headers: ['host', 'api.example:8080', 'user-agent', 'curl/8.5.0', 'x-mixed-case', 'Some Value', 'accept', '*/*'],
      host: 'api.example:8080',
      close: false,
      length: Buffer.byteLength(text, 'latin1'),
    });
  });

  void test('length counts only the head; bytes after it (a pipelined request) are left alone', () => {
    const first = get('Host: a.example');
    const head = parse(first + get('Host: b.example'));
    assert.ok(typeof head === 'object');
    assert.equal(head.length, Buffer.byteLength(first));
    assert.equal(head.host, 'a.example');
  });

  const accepted: Array<[string, string, Partial<Exclude<HeadParse, string>>]> = [
    [
      'only a Host header',
      'HEAD http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n',
      { method: 'HEAD', host: 'a.example' },
    ],
    ['connection: close sets the close flag', get('Host: a', 'Connection: close'), { close: true }],
    ['Connection: CLOSE in any case', get('Connection: CLOSE'), { close: true }],
    ['connection: keep-alive keeps it open', get('Connection: keep-alive'), { close: false }],
    ['content-length: 0 is no body', get('Content-Length: 0'), { headers: [...HOST, 'content-length', '0'] }],
    ['an empty value', get('X-Empty:'), { headers: [...HOST, 'x-empty', ''] }],
    ['HTAB inside a value', get('X-Tab: a\tb'), { headers: [...HOST, 'x-tab', 'a\tb'] }],
    ['obs-text (bytes >= 0x80) in a value', get('X-Latin: caf\xe9'), { headers: [...HOST, 'x-latin', 'caf\xe9'] }],
    [
      'a method Node knows beyond the common ones',
      'PURGE http://a.example/x HTTP/1.1\r\nHost: a\r\n\r\n',
      { method: 'PURGE' },
    ],
    [
      'CONNECT is read (the session tunnels it)',
      'CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n',
      { method: 'CONNECT', target: 'a.example:443' },
    ],
    ['origin-form targets are read (the session decides)', 'GET /x HTTP/1.1\r\nHost: a\r\n\r\n', { target: '/x' }],
    ['a target exactly at the URI limit', `GET /${'a'.repeat(MAX_URI - 1)} HTTP/1.1\r\nHost: a\r\n\r\n`, {}],
  ];
  for (const [name, text, expected] of accepted) {
    void test(name, () => {
      const head = parse(text);
      assert.ok(typeof head === 'object', `got ${String(head)}`);
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(head[key as keyof typeof head], value, key);
      assert.equal(head.length, Buffer.byteLength(text, 'latin1'));
    });
  }

  void test('a head exactly at the head limit is accepted', () => {
    const base = get('X-Pad: ');
    const text = get(`X-Pad: ${'p'.repeat(MAX_HEAD - base.length)}`);
    assert.equal(text.length, MAX_HEAD);
    assert.ok(typeof parse(text) === 'object');
    assert.equal(parse(text.replace('X-Pad: ', 'X-Pad: p')), 'unsupported');
  });
});

void describe('parseRequestHead: incomplete', () => {
  const incomplete: Array<[string, string]> = [
    ['nothing yet', ''],
    ['half a request line', 'GET http://a.exa'],
    ['a request line only', 'GET http://a.example/ HTTP/1.1\r\n'],
    ['headers without the blank line', 'GET http://a.example/ HTTP/1.1\r\nHost: a\r\n'],
    ['the blank line cut after CR', 'GET http://a.example/ HTTP/1.1\r\nHost: a\r\n\r'],
  ];
  for (const [name, text] of incomplete) void test(name, () => assert.equal(parse(text), 'incomplete'));

  void test('no blank line yet but already at the head limit: unsupported (the full parser answers 431)', () => {
    assert.equal(parse(`GET http://a/ HTTP/1.1\r\nX: ${'v'.repeat(MAX_HEAD)}`), 'unsupported');
  });
});

void describe('parseRequestHead: unsupported (left to the full parser)', () => {
  const cases: Array<[string, string]> = [
    ['transfer-encoding', get('Transfer-Encoding: chunked')],
    ['upgrade', get('Connection: keep-alive', 'Upgrade: websocket')],
    ['expect', get('Expect: 100-continue')],
    ['te', get('TE: trailers')],
    ['trailer', get('Trailer: x-checksum')],
    ['content-length other than 0', get('Content-Length: 5')],
    ['content-length 00', get('Content-Length: 00')],
    ['content-length repeated', get('Content-Length: 0', 'Content-Length: 0')],
    ['two host headers', get('Host: a.example', 'Host: b.example')],
    ['connection: upgrade', get('Connection: upgrade')],
    ['connection with a list', get('Connection: keep-alive, x-hop')],
    ['a folded (obs-fold) line', get('X-A: one', ' two')],
    ['a folded line with HTAB', get('X-A: one', '\ttwo')],
    ['a NUL in a value', get('X-A: a\0b')],
    ['a bare CR in a value', get('X-A: a\rb')],
    ['a bare LF in a value', get('X-A: a\nb')],
    ['DEL in a value', get('X-A: a\x7fb')],
    ['a space before the colon', get('X-A : b')],
    ['a non-token character in a name', get('X(A): b')],
    ['a header line without a colon', get('X-A')],
    ['an empty header name', get(': b')],
    ['no Host header (the full path answers 400)', 'GET http://a.example/ HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['a method Node does not know', 'FROB http://a.example/ HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['a lower-case method', 'get http://a.example/ HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['HTTP/1.0', 'GET http://a.example/ HTTP/1.0\r\n\r\n'],
    ['HTTP/2.0 text', 'GET http://a.example/ HTTP/2.0\r\n\r\n'],
    ['lower-case version', 'GET http://a.example/ http/1.1\r\n\r\n'],
    ['a non-token method', 'G(T http://a.example/ HTTP/1.1\r\n\r\n'],
    ['no method', ' http://a.example/ HTTP/1.1\r\n\r\n'],
    ['two spaces after the method', 'GET  http://a.example/ HTTP/1.1\r\n\r\n'],
    ['two spaces before the version', 'GET http://a.example/  HTTP/1.1\r\n\r\n'],
    ['no target', 'GET HTTP/1.1\r\n\r\n'],
    ['a control character in the target', 'GET http://a.example/\x01 HTTP/1.1\r\n\r\n'],
    ['a non-ASCII byte in the target', 'GET http://a.example/\xe9 HTTP/1.1\r\n\r\n'],
    ['a target over the URI limit', `GET /${'a'.repeat(MAX_URI)} HTTP/1.1\r\n\r\n`],
    ['a head over the head limit', get(`X-Pad: ${'p'.repeat(MAX_HEAD)}`)],
    ['a bare LF ending the request line', 'GET http://a.example/ HTTP/1.1\nHost: a\r\n\r\n'],
    ['a request line ending in a bare CR', 'GET http://a.example/ HTTP/1.1\rHost: a\r\n\r\n'],
  ];
  for (const [name, text] of cases) void test(name, () => assert.equal(parse(text), 'unsupported'));
});

void describe('parseRequestHead: prefixes and mutations', () => {
  const valid = Buffer.from(
    'GET http://api.example/path?q=1 HTTP/1.1\r\nHost: api.example\r\nUser-Agent: t/1\r\nAccept: */*\r\n' +
      'Connection: keep-alive\r\nContent-Length: 0\r\n\r\n',
    'latin1',
  );

  void test('every prefix of a valid head is incomplete; the whole is the head', () => {
    const whole = parse(valid);
    assert.ok(typeof whole === 'object');
    assert.equal(whole.length, valid.length);
    for (let n = 0; n < valid.length; n++) assert.equal(parse(valid.subarray(0, n)), 'incomplete', `prefix ${n}`);
  });

  void test('a valid head followed by any bytes is still the same head', () => {
    const whole = parse(valid);
    for (const tail of ['G', 'GET / HTTP/1.1\r\n', '\r\n', '\0\xff']) {
      assert.deepEqual(parse(Buffer.concat([valid, Buffer.from(tail, 'latin1')])), whole, JSON.stringify(tail));
    }
  });

  void test('random byte mutations never throw and any head read stays within the input', () => {
    const seed = 20261127;
    const random = prng(seed);
    const interesting = [0, 9, 10, 13, 32, 58, 127, 128, 255];
    for (let round = 0; round < 5000; round++) {
      const bytes = Buffer.from(valid);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * bytes.length);
        bytes[at] =
          random() < 0.5 ? interesting[Math.floor(random() * interesting.length)]! : Math.floor(random() * 256);
      }
      const cut = random() < 0.2 ? Math.floor(random() * bytes.length) : bytes.length;
      const input = bytes.subarray(0, cut);
      let result: HeadParse;
      try {
        result = parse(input);
      } catch (error) {
        assert.fail(
          `seed ${seed} round ${round}: threw ${String(error)} on ${JSON.stringify(input.toString('latin1'))}`,
        );
      }
      if (typeof result === 'object') {
        assert.ok(result.length <= input.length, `round ${round}`);
        assert.equal(input.toString('latin1', result.length - 4, result.length), '\r\n\r\n', `round ${round}`);
        assert.equal(result.headers.length % 2, 0);
        for (let i = 0; i < result.headers.length; i += 2)
          assert.match(result.headers[i]!, /^[!#$%&'*+\-.^_`|~0-9a-z]+$/, `round ${round}`);
      } else assert.ok(result === 'incomplete' || result === 'unsupported');
    }
  });
});
