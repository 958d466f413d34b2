// ClientHello parsing over real captured hellos (fixtures and fresh captures from curl, Node and
// openssl), every truncation, hellos split across records and reads, hostile lengths, and a fuzz run.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  MAX_CLIENT_HELLO,
  parseClientHello,
  type ClientHelloResult,
} from '../../../../src/dataplane/listeners/client-hello.ts';
import { captureFirstBytes, curlClient, nodeClient, opensslClient } from '../../../helpers/client-hello-capture.ts';

const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/tls/${name}`, import.meta.url));

const FIXTURES: Record<string, ClientHelloResult> = {
  'curl-httpbin.org.bin': { kind: 'tls', sni: 'httpbin.org', alpn: ['h2', 'http/1.1'] },
  'curl-tls12-http1.bin': { kind: 'tls', sni: 'api.example.com', alpn: ['http/1.1'] },
  'node-h2-alpn.bin': { kind: 'tls', sni: 'www.google.com', alpn: ['h2', 'http/1.1'] },
  'node-no-sni.bin': { kind: 'tls' },
  'openssl-s_client.bin': { kind: 'tls', sni: 'Mixed.Case.Example.ORG', alpn: ['h2', 'http/1.1'] },
  'openssl-tls12-no-sni.bin': { kind: 'tls' },
};

/** Builds a ClientHello record from parts, so tests can state exactly which bytes lie. */
function clientHello(extensions: Buffer[] | undefined, options: { extensionsLength?: number } = {}): Buffer {
  const parts: Buffer[] = [
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    Buffer.from([0, 2, 0x13, 0x01]),
    Buffer.from([1, 0]),
  ];
  if (extensions !== undefined) {
    const body = Buffer.concat(extensions);
    parts.push(u16(options.extensionsLength ?? body.length), body);
  }
  const hello = Buffer.concat(parts);
  const message = Buffer.concat([
    Buffer.from([1, hello.length >> 16, (hello.length >> 8) & 0xff, hello.length & 0xff]),
    hello,
  ]);
  return records(message, message.length);
}

function u16(value: number): Buffer {
  return Buffer.from([value >> 8, value & 0xff]);
}

function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

function sniExtension(name: string): Buffer {
  const entry = Buffer.concat([Buffer.from([0]), u16(name.length), Buffer.from(name, 'latin1')]);
  return extension(0, Buffer.concat([u16(entry.length), entry]));
}

function alpnExtension(protocols: string[]): Buffer {
  const list = Buffer.concat(protocols.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p)])));
  return extension(16, Buffer.concat([u16(list.length), list]));
}

/** Frames a handshake message into TLS records of at most `size` bytes each. */
function records(message: Buffer, size: number): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < message.length; at += size) {
    const chunk = message.subarray(at, at + size);
    out.push(Buffer.from([22, 3, 1]), u16(chunk.length), chunk);
  }
  return Buffer.concat(out);
}

/** The handshake message inside a single-record fixture. */
function handshakeOf(record: Buffer): Buffer {
  return record.subarray(5, 5 + record.readUInt16BE(3));
}

describe('captured ClientHellos', () => {
  for (const [name, expected] of Object.entries(FIXTURES)) {
    test(`${name} gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseClientHello(fixture(name)), expected);
    });

    test(`${name}: every strict prefix needs more bytes`, () => {
      const bytes = fixture(name);
      for (let length = 0; length < bytes.length; length++) {
        assert.deepEqual(
          parseClientHello(bytes.subarray(0, length)),
          { kind: 'needMore' },
          `prefix of ${length} bytes`,
        );
      }
    });

    test(`${name}: split over records of 1, 7 and 100 bytes gives the same answer`, () => {
      for (const size of [1, 7, 100]) {
        const split = records(handshakeOf(fixture(name)), size);
        assert.deepEqual(parseClientHello(split), expected, `records of ${size} bytes`);
        assert.deepEqual(parseClientHello(split.subarray(0, split.length - 1)), { kind: 'needMore' });
      }
    });

    test(`${name}: bytes after the hello are ignored`, () => {
      const withTail = Buffer.concat([
        fixture(name),
        Buffer.from([23, 3, 3, 0, 5, 1, 2, 3, 4, 5]),
        Buffer.from('garbage'),
      ]);
      assert.deepEqual(parseClientHello(withTail), expected);
    });
  }
});

describe('ClientHellos from live clients', () => {
  const live: Array<[string, (port: number) => void, ClientHelloResult]> = [
    ['curl', curlClient('httpbin.org'), { kind: 'tls', sni: 'httpbin.org', alpn: ['h2', 'http/1.1'] }],
    [
      'Node tls.connect',
      nodeClient({ servername: 'api.example.com', alpn: ['http/1.1'] }),
      { kind: 'tls', sni: 'api.example.com', alpn: ['http/1.1'] },
    ],
    ['Node tls.connect to an IP (no SNI)', nodeClient({}), { kind: 'tls' }],
    [
      'openssl s_client -servername',
      opensslClient(['-servername', 'db.internal.example']),
      { kind: 'tls', sni: 'db.internal.example' },
    ],
  ];
  for (const [name, client, expected] of live) {
    test(name, async () => {
      assert.deepEqual(parseClientHello(await captureFirstBytes(client)), expected);
    });
  }
});

describe('hand-built ClientHellos', () => {
  test('no extensions at all: TLS without SNI', () => {
    assert.deepEqual(parseClientHello(clientHello(undefined)), { kind: 'tls' });
  });

  test('SNI and ALPN in any order, unknown extensions skipped', () => {
    const hello = clientHello([extension(0xff01, Buffer.from([0])), alpnExtension(['h2']), sniExtension('a.example')]);
    assert.deepEqual(parseClientHello(hello), { kind: 'tls', sni: 'a.example', alpn: ['h2'] });
  });

  const lies: Array<[string, Buffer]> = [
    ['extensions length larger than the message', clientHello([sniExtension('a.example')], { extensionsLength: 500 })],
    ['extensions length smaller than the message', clientHello([sniExtension('a.example')], { extensionsLength: 3 })],
    ['an extension longer than the block', clientHello([Buffer.concat([u16(0), u16(400), Buffer.alloc(4)])])],
    ['SNI list length that lies', clientHello([extension(0, Buffer.concat([u16(40), Buffer.from([0, 0, 1, 0x61])]))])],
    ['SNI name length that lies', clientHello([extension(0, Buffer.concat([u16(4), Buffer.from([0, 0, 9, 0x61])]))])],
    [
      'two host names',
      clientHello([extension(0, Buffer.concat([u16(8), Buffer.from([0, 0, 1, 0x61, 0, 0, 1, 0x62])]))]),
    ],
    ['SNI with a NUL byte', clientHello([sniExtension('evil.example\0.good.example')])],
    ['an empty SNI name', clientHello([sniExtension('')])],
    ['the SNI extension twice', clientHello([sniExtension('a.example'), sniExtension('b.example')])],
    ['an empty ALPN protocol', clientHello([extension(16, Buffer.from([0, 1, 0]))])],
    ['an empty ALPN list', clientHello([extension(16, Buffer.from([0, 0]))])],
  ];
  for (const [name, bytes] of lies) {
    test(`${name}: not TLS, no name trusted`, () => {
      const result = parseClientHello(bytes);
      assert.equal(result.kind, 'notTls');
      assert.match(result.kind === 'notTls' ? result.reason : '', /^malformed ClientHello/);
    });
  }
});

describe('bytes that are not a ClientHello', () => {
  const cases: Array<[string, Buffer | string]> = [
    ['an HTTP request line', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n'],
    ['an SSLv2-style hello', Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15])],
    ['an alert record', Buffer.from([21, 3, 3, 0, 2, 2, 40])],
    ['a handshake record of the wrong version', Buffer.from([22, 2, 0])],
    ['a record version newer than TLS 1.3', Buffer.from([22, 3, 9])],
    ['an empty handshake record', Buffer.from([22, 3, 1, 0, 0])],
    ['a record over 16 KiB', Buffer.from([22, 3, 1, 0x40, 0x01])],
    ['a ServerHello', Buffer.from([22, 3, 3, 0, 60, 2, 0, 0, 56])],
    ['a ClientHello too short to be one', Buffer.from([22, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0])],
    ['a ClientHello over 64 KiB', Buffer.from([22, 3, 1, 0, 4, 1, 0x01, 0x00, 0x01])],
    [
      'a ClientHello interrupted by another record',
      Buffer.concat([records(handshakeOf(fixture('node-no-sni.bin')), 100).subarray(0, 105), Buffer.from([23, 3, 3])]),
    ],
  ];
  for (const [name, input] of cases) {
    test(name, () => {
      assert.equal(parseClientHello(typeof input === 'string' ? Buffer.from(input) : input).kind, 'notTls');
    });
  }

  test('nothing yet needs more', () => {
    assert.deepEqual(parseClientHello(new Uint8Array(0)), { kind: 'needMore' });
  });

  test("the 64 KiB limit is Envoy tls_inspector's", () => {
    assert.equal(MAX_CLIENT_HELLO, 65536);
  });
});

/** mulberry32: a small deterministic PRNG so a fuzz failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(input: Buffer, random: () => number): Buffer {
  const bytes = Buffer.from(input);
  const at = Math.floor(random() * bytes.length);
  switch (Math.floor(random() * 6)) {
    case 0:
      bytes[at] = Math.floor(random() * 256);
      return bytes;
    case 1:
      bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8));
      return bytes;
    case 2:
      bytes[at] = random() < 0.5 ? 0 : 0xff;
      return bytes;
    case 3:
      return bytes.subarray(0, at);
    case 4:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 256))),
        bytes.subarray(at),
      ]);
    default:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(Math.floor(random() * bytes.length))]);
  }
}

describe('fuzzing', () => {
  test('20,000 mutated hellos never throw and answer in time', () => {
    const random = prng(0x5eed);
    const seeds = Object.keys(FIXTURES).map(fixture);
    const started = process.hrtime.bigint();
    const kinds = { needMore: 0, notTls: 0, tls: 0 };
    for (let i = 0; i < 20000; i++) {
      let input = seeds[i % seeds.length] ?? Buffer.alloc(0);
      const rounds = 1 + Math.floor(random() * 4);
      for (let r = 0; r < rounds; r++) input = mutate(input, random);
      const result = parseClientHello(input);
      kinds[result.kind]++;
      if (result.kind === 'tls' && result.sni !== undefined) assert.match(result.sni, /^[\x21-\x7e]{1,255}$/);
      if (result.kind === 'tls' && result.alpn !== undefined)
        assert.ok(result.alpn.length > 0 && result.alpn.every((p) => p.length > 0));
    }
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(elapsedMs < 3000, `fuzzing took ${elapsedMs} ms`);
    // Each outcome shows up, so the mutations reach every branch family.
    assert.ok(kinds.needMore > 0 && kinds.notTls > 0 && kinds.tls > 0, JSON.stringify(kinds));
  });

  test('random garbage never throws', () => {
    const random = prng(42);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 300);
      const bytes = Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
      if (random() < 0.5 && length > 0) bytes[0] = 22;
      if (random() < 0.5 && length > 1) bytes[1] = 3;
      assert.doesNotThrow(() => parseClientHello(bytes));
    }
  });
});
