// The fast lane's upstream response reader on captured-style byte streams: each body framing, the bodiless
// cases, interim responses, every split point of the input, and the malformed messages it must refuse.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Http1ResponseReader,
  UpstreamProtocolError,
  type ResponseHead,
  type ResponseSink,
} from '../../../../src/dataplane/upstream/http1-response-reader.ts';

/** What the reader handed on for one response. */
class Recorder implements ResponseSink {
  readonly heads: ResponseHead[] = [];
  readonly parts: Buffer[] = [];
  data = 0;
  ends = 0;

  head(head: ResponseHead): void {
    assert.equal(this.ends, 0, 'head after end');
    this.heads.push(head);
  }

  body(bytes: Buffer, data: number): void {
    assert.equal(this.heads.length, 1, 'body before head');
    assert.equal(this.ends, 0, 'body after end');
    assert.ok(data >= 0 && data <= bytes.length, `payload count ${data} for ${bytes.length} bytes`);
    this.parts.push(Buffer.from(bytes));
    this.data += data;
  }

  end(): void {
    this.ends++;
  }

  get text(): string {
    return Buffer.concat(this.parts).toString('latin1');
  }
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** Feeds `pieces` to a fresh reader armed for one response; returns the recorder and the reader. */
function read(
  pieces: readonly (string | Buffer)[],
  headRequest = false,
): { sink: Recorder; reader: Http1ResponseReader } {
  const reader = new Http1ResponseReader();
  const sink = new Recorder();
  reader.start(sink, headRequest);
  for (const piece of pieces) reader.push(typeof piece === 'string' ? bytes(piece) : piece);
  return { sink, reader };
}

/** Every way of cutting `text` in two, plus one byte at a time. */
function splits(text: string): Array<[string, string[]]> {
  const out: Array<[string, string[]]> = [];
  for (let at = 0; at <= text.length; at++) out.push([`cut at ${at}`, [text.slice(0, at), text.slice(at)]]);
  out.push(['byte by byte', [...text]]);
  return out;
}

const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n';
const CHUNKED_BODY =
  '5;name=value\r\nhello\r\n' +
  '1A\r\n' +
  'abcdefghijklmnopqrstuvwxyz\r\n' +
  '3;a=1;b="q"\r\n\r\n\n\r\n' +
  '0;last\r\n' +
  'X-Checksum: abc\r\n' +
  'X-Other: 1\r\n' +
  '\r\n';
const CHUNKED_DECODED = 'hello'.length + 26 + 3;

void describe('Http1ResponseReader: body framing', () => {
  void test('content-length: head fields, the body passed on, end once, connection reusable', () => {
    const { sink } = read(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  spaced \r\n\r\nhello']);
    assert.deepEqual(sink.heads, [
      { status: 200, headers: ['content-length', '5', 'x-a', 'spaced'], framing: 'length', keepAlive: true },
    ]);
    assert.equal(sink.text, 'hello');
    assert.equal(sink.data, 5);
    assert.equal(sink.ends, 1);
  });

  void test('content-length split at every byte boundary', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world';
    for (const [name, pieces] of splits(text)) {
      const { sink } = read(pieces);
      assert.equal(sink.text, 'hello world', name);
      assert.equal(sink.data, 11, name);
      assert.equal(sink.ends, 1, name);
    }
  });

  void test('content-length 0 ends at the head', () => {
    const { sink } = read(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']);
    assert.equal(sink.heads[0]!.framing, 'none');
    assert.equal(sink.ends, 1);
    assert.equal(sink.text, '');
  });

  void test('one reader carries consecutive responses on a keep-alive connection', () => {
    const reader = new Http1ResponseReader();
    for (const body of ['first', 'second!']) {
      const sink = new Recorder();
      reader.start(sink, false);
      reader.push(bytes(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
      assert.equal(sink.text, body);
      assert.equal(sink.ends, 1);
      assert.equal(reader.active, false);
    }
  });

  void test('chunked with extensions and trailers, split at every byte boundary: bytes unchanged, payload counted', () => {
    for (const [name, pieces] of splits(CHUNKED_HEAD + CHUNKED_BODY)) {
      const { sink, reader } = read(pieces);
      assert.equal(sink.heads.length, 1, name);
      assert.equal(sink.heads[0]!.framing, 'chunked', name);
      assert.equal(sink.heads[0]!.keepAlive, true, name);
      assert.equal(sink.text, CHUNKED_BODY, name);
      assert.equal(sink.data, CHUNKED_DECODED, name);
      assert.equal(sink.ends, 1, name);
      assert.equal(reader.active, false, name);
    }
  });

  void test('chunked cut in three at every pair of points', () => {
    const text = CHUNKED_HEAD + CHUNKED_BODY;
    const start = CHUNKED_HEAD.length - 2;
    for (let a = start; a <= text.length; a++) {
      for (let b = a; b <= text.length; b++) {
        const { sink } = read([text.slice(0, a), text.slice(a, b), text.slice(b)]);
        assert.equal(sink.text, CHUNKED_BODY, `cuts ${a},${b}`);
        assert.equal(sink.data, CHUNKED_DECODED, `cuts ${a},${b}`);
        assert.equal(sink.ends, 1, `cuts ${a},${b}`);
      }
    }
  });

  void test('Transfer-Encoding: gzip, chunked is chunked', () => {
    const { sink } = read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n']);
    assert.equal(sink.heads[0]!.framing, 'chunked');
    assert.equal(sink.data, 2);
    assert.equal(sink.ends, 1);
  });

  void test('close-delimited: bytes pass on as they come, the end comes with closed()', () => {
    const { sink, reader } = read(['HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, ', 'part two']);
    assert.equal(sink.heads[0]!.framing, 'close');
    assert.equal(sink.heads[0]!.keepAlive, false);
    assert.equal(sink.text, 'part one, part two');
    assert.equal(sink.data, 18);
    assert.equal(sink.ends, 0);
    assert.equal(reader.closed(), true);
    assert.equal(sink.ends, 1);
  });

  void test('a transfer-encoding that does not end in chunked runs until close', () => {
    const { sink, reader } = read(['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz']);
    assert.equal(sink.heads[0]!.framing, 'close');
    assert.equal(reader.closed(), true);
    assert.equal(sink.text, 'zzz');
  });

  void test('closed() before a length or chunked body ended reports a cut message', () => {
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']).reader.closed(), false);
    assert.equal(read([`${CHUNKED_HEAD}5\r\nhel`]).reader.closed(), false);
    assert.equal(read(['HTTP/1.1 200 OK\r\nContent-']).reader.closed(), false);
    assert.equal(read([]).reader.closed(), false);
  });

  void test('closed() with no response expected is fine', () => {
    const { reader } = read(['HTTP/1.1 204 No Content\r\n\r\n']);
    assert.equal(reader.closed(), true);
  });

  const persistence: Array<[string, string, boolean]> = [
    ['HTTP/1.1 by default', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true],
    ['HTTP/1.1 with Connection: close', 'HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 by default', 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false],
    ['HTTP/1.0 with keep-alive', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true],
  ];
  for (const [name, text, keepAlive] of persistence) {
    void test(`keep-alive: ${name}`, () => assert.equal(read([text]).sink.heads[0]!.keepAlive, keepAlive));
  }
});

void describe('Http1ResponseReader: responses without a body', () => {
  const bodiless: Array<[string, string, boolean]> = [
    ['HEAD with a content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n', true],
    ['HEAD with chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', true],
    ['HEAD with no length', 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n', true],
    ['204 with a content-length', 'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n', false],
    ['204 with nothing', 'HTTP/1.1 204 No Content\r\n\r\n', false],
    ['304 with a content-length', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\nETag: "x"\r\n\r\n', false],
  ];
  for (const [name, text, head] of bodiless) {
    void test(name, () => {
      const { sink, reader } = read([text], head);
      assert.equal(sink.heads[0]!.framing, 'none');
      assert.equal(sink.heads[0]!.keepAlive, true);
      assert.equal(sink.ends, 1);
      assert.equal(sink.text, '');
      assert.equal(reader.active, false);
    });
  }

  void test('bytes after a bodiless response are refused (they would be the next response)', () => {
    assert.throws(() => read(['HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello'], true), UpstreamProtocolError);
  });
});

void describe('Http1ResponseReader: interim responses', () => {
  const final = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const interim: Array<[string, string]> = [
    ['100 Continue', 'HTTP/1.1 100 Continue\r\n\r\n'],
    ['103 Early Hints', 'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n'],
    ['two of them', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </b.js>\r\n\r\n'],
  ];
  for (const [name, text] of interim) {
    void test(`${name} is dropped; only the final response is handed on, at every split`, () => {
      for (const [cut, pieces] of splits(text + final)) {
        const { sink } = read(pieces);
        assert.equal(sink.heads.length, 1, cut);
        assert.equal(sink.heads[0]!.status, 200, cut);
        assert.deepEqual(sink.heads[0]!.headers, ['content-length', '2'], cut);
        assert.equal(sink.text, 'ok', cut);
        assert.equal(sink.ends, 1, cut);
      }
    });
  }
});

void describe('Http1ResponseReader: malformed upstream responses throw UpstreamProtocolError', () => {
  const malformed: Array<[string, string[], boolean?]> = [
    ['not HTTP at all', ['SSH-2.0-OpenSSH_9.6\r\n\r\n']],
    ['a two-digit status', ['HTTP/1.1 20 OK\r\n\r\n']],
    ['HTTP/2 in the status line', ['HTTP/2 200\r\n\r\n']],
    ['no space before the reason', ['HTTP/1.1 200OK\r\n\r\n']],
    ['a lower-case protocol', ['http/1.1 200 OK\r\n\r\n']],
    ['101 Switching Protocols (never asked for)', ['HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n']],
    [
      'both content-length and transfer-encoding',
      ['HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ],
    ['a non-numeric content-length', ['HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n']],
    ['a negative content-length', ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n']],
    ['two content-lengths', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc']],
    ['a header line without a colon', ['HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n']],
    ['a folded header line', ['HTTP/1.1 200 OK\r\nX-A: one\r\n two\r\nContent-Length: 0\r\n\r\n']],
    ['a chunk size that is not hex', [`${CHUNKED_HEAD}zz\r\nab\r\n0\r\n\r\n`]],
    ['a chunk size with a sign', [`${CHUNKED_HEAD}+2\r\nab\r\n0\r\n\r\n`]],
    ['an empty chunk size line', [`${CHUNKED_HEAD}\r\nab\r\n0\r\n\r\n`]],
    ['a chunk size line with a bare LF', [`${CHUNKED_HEAD}2\nab\r\n0\r\n\r\n`]],
    ['a chunk size that never ends', [`${CHUNKED_HEAD}${'1'.repeat(200)}`]],
    ['a chunk longer than announced', [`${CHUNKED_HEAD}2\r\nabc\r\n0\r\n\r\n`]],
    ['bytes after a length-delimited response', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabc']],
    ['bytes after a chunked response', [`${CHUNKED_HEAD}0\r\n\r\nHTTP/1.1 200 OK\r\n`]],
    ['bytes after a response, in a later read', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nab', 'x']],
    ['a response head over 64 KiB', ['HTTP/1.1 200 OK\r\n', `X-Big: ${'b'.repeat(70 * 1024)}`]],
  ];
  for (const [name, pieces, head] of malformed) {
    void test(name, () => {
      assert.throws(() => read(pieces, head ?? false), UpstreamProtocolError);
    });
  }

  void test('every byte split of a bad chunk size still throws', () => {
    const text = `${CHUNKED_HEAD}5\r\nhello\r\nq\r\n`;
    for (const [name, pieces] of splits(text)) assert.throws(() => read(pieces), UpstreamProtocolError, name);
  });

  void test('the error carries a stable code', () => {
    try {
      read(['garbage\r\n\r\n']);
      assert.fail('no error');
    } catch (error) {
      assert.ok(error instanceof UpstreamProtocolError);
      assert.equal(error.code, 'UPSTREAM_PROTOCOL_ERROR');
    }
  });
});
