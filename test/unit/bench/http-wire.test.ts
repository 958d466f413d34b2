// The benchmark load generator's response reader: it must count exactly one response per HTTP message
// however the bytes are split, or every throughput number it reports is wrong.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectBytes, requestBytes, ResponseReader } from '../../../bench/macro/load/http-wire.ts';
import { RESPONSE } from '../../../bench/macro/upstream-response.ts';

function readAll(chunks: readonly string[]): { status: number; closes: boolean }[] {
  const seen: { status: number; closes: boolean }[] = [];
  const reader = new ResponseReader((status, closes) => seen.push({ status, closes }));
  for (const c of chunks) reader.feed(Buffer.from(c, 'latin1'));
  return seen;
}

function byteByByte(text: string): string[] {
  return [...text];
}

describe('ResponseReader', () => {
  test('counts Content-Length responses split at every byte', () => {
    const two = RESPONSE.toString('latin1').repeat(2);
    assert.deepEqual(readAll(byteByByte(two)), [
      { status: 200, closes: false },
      { status: 200, closes: false },
    ]);
  });

  test('reads chunked bodies with several chunks and a zero-length last chunk', () => {
    const chunked =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n';
    assert.deepEqual(readAll([chunked + chunked]), [
      { status: 200, closes: false },
      { status: 200, closes: false },
    ]);
    assert.equal(readAll(byteByByte(chunked)).length, 1);
  });

  test('reports the status and whether the server closes after the response', () => {
    const closing = 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
    const http10 = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
    assert.deepEqual(readAll([closing, http10]), [
      { status: 502, closes: true },
      { status: 200, closes: true },
    ]);
  });

  test('a CONNECT reply leaves the tunnel bytes that came with it', () => {
    const reader = new ResponseReader(() => undefined);
    assert.equal(reader.readHeadOnly(Buffer.from('HTTP/1.1 200 Connection established\r\n')), undefined);
    const reply = reader.readHeadOnly(Buffer.from('\r\nHTTP/1.1 200'));
    assert.deepEqual({ status: reply?.status, rest: reply?.rest.toString() }, { status: 200, rest: 'HTTP/1.1 200' });
  });
});

describe('request bytes', () => {
  test('absolute-form through a proxy, origin-form direct, CONNECT with a Host header', () => {
    assert.equal(
      requestBytes({ route: 'absolute', host: 'upstream.bench.internal', port: 8080 }).toString().split('\r\n')[0],
      'GET http://upstream.bench.internal:8080/ HTTP/1.1',
    );
    assert.equal(
      requestBytes({ route: 'direct', host: '127.0.0.1', port: 8080 }).toString().split('\r\n')[0],
      'GET / HTTP/1.1',
    );
    assert.match(
      requestBytes({ route: 'tunnel', host: 'h', port: 1, close: true }).toString(),
      /\r\nConnection: close\r\n\r\n$/,
    );
    assert.equal(connectBytes('h', 443).toString(), 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n');
  });
});
