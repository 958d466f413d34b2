// Parses the first bytes of a connection as a TLS ClientHello and extracts SNI and ALPN, the way
// Envoy's tls_inspector does before a filter chain is chosen. Input is untrusted: it never throws.

/** What the first bytes say: wait for more, not TLS (route as opaque TCP), or TLS with its names. */
export type ClientHelloResult =
  | { readonly kind: 'needMore' }
  | { readonly kind: 'notTls'; readonly reason: string }
  | { readonly kind: 'tls'; readonly sni?: string; readonly alpn?: readonly string[] };

const CONTENT_TYPE_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;
// RFC 8446 §5.1: a plaintext record carries at most 2^14 bytes.
const MAX_RECORD = 16384;
// Envoy's tls_inspector gives up on ClientHellos above 64 KiB; so do we, so memory stays bounded.
export const MAX_CLIENT_HELLO = 64 * 1024;
// version(2) + random(32) + session id length(1) + one cipher suite(2+2) + one compression method(1+1).
const MIN_CLIENT_HELLO_BODY = 41;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;
const SNI_HOST_NAME = 0;

const NEED_MORE: ClientHelloResult = Object.freeze({ kind: 'needMore' });

function notTls(reason: string): ClientHelloResult {
  return { kind: 'notTls', reason };
}

/**
 * Classifies `data`, the bytes received so far. A strict prefix of a valid ClientHello always gives
 * needMore; every check looks only at bytes that are present, so an answer never changes later.
 * A ClientHello may span several handshake records; bytes after it are ignored.
 */
export function parseClientHello(data: Uint8Array): ClientHelloResult {
  const fragments: Uint8Array[] = [];
  let collected = 0;
  let offset = 0;
  for (;;) {
    const available = data.length - offset;
    if (available < 1) return NEED_MORE;
    if (data[offset] !== CONTENT_TYPE_HANDSHAKE) {
      return notTls(
        offset === 0 ? 'first byte is not a TLS handshake record' : 'ClientHello interrupted by a non-handshake record',
      );
    }
    if (available >= 2 && data[offset + 1] !== 3) return notTls('record version is not 3.x');
    if (available >= 3 && (data[offset + 2] ?? 0) > 4) return notTls('record version is newer than TLS 1.3');
    if (available < RECORD_HEADER) return NEED_MORE;
    const recordLength = readU16(data, offset + 3);
    if (recordLength === 0 || recordLength > MAX_RECORD) return notTls(`record length ${recordLength} is out of range`);

    const start = offset + RECORD_HEADER;
    const fragment = data.subarray(start, Math.min(start + recordLength, data.length));
    fragments.push(fragment);
    collected += fragment.length;

    const verdict = checkHandshake(fragments, collected);
    if (verdict !== undefined) return verdict;
    if (fragment.length < recordLength) return NEED_MORE;
    offset = start + recordLength;
  }
}

// Looks at the handshake bytes gathered so far: undefined means "read the next record".
function checkHandshake(fragments: readonly Uint8Array[], collected: number): ClientHelloResult | undefined {
  const first = fragments[0];
  if (first === undefined || collected < 1) return undefined;
  const head = first.length >= HANDSHAKE_HEADER ? first : concat(fragments, Math.min(collected, HANDSHAKE_HEADER));
  if (head[0] !== HANDSHAKE_CLIENT_HELLO) return notTls('first handshake message is not a ClientHello');
  if (collected < HANDSHAKE_HEADER) return undefined;
  const bodyLength = ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0);
  if (bodyLength < MIN_CLIENT_HELLO_BODY) return notTls(`ClientHello length ${bodyLength} is too short`);
  if (bodyLength > MAX_CLIENT_HELLO) return notTls(`ClientHello length ${bodyLength} exceeds ${MAX_CLIENT_HELLO}`);
  const total = HANDSHAKE_HEADER + bodyLength;
  if (collected < total) return undefined;
  // The common case (one record) reads in place; a hello split over records is joined once.
  const message = first.length >= total ? first : concat(fragments, total);
  return parseBody(new Cursor(message, HANDSHAKE_HEADER, total));
}

function concat(fragments: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const fragment of fragments) {
    if (at >= length) break;
    const take = Math.min(fragment.length, length - at);
    out.set(fragment.subarray(0, take), at);
    at += take;
  }
  return out;
}

function readU16(data: Uint8Array, at: number): number {
  return ((data[at] ?? 0) << 8) | (data[at + 1] ?? 0);
}

/**
 * A bounds-checked cursor over a window of the input: every read that would run past the window
 * returns undefined. Windows share the input, so skipping an extension allocates nothing.
 */
class Cursor {
  #at: number;
  readonly #end: number;
  constructor(
    private readonly data: Uint8Array,
    start = 0,
    end = data.length,
  ) {
    this.#at = start;
    this.#end = end;
  }

  get remaining(): number {
    return this.#end - this.#at;
  }

  u8(): number | undefined {
    if (this.remaining < 1) return undefined;
    return this.data[this.#at++];
  }

  u16(): number | undefined {
    if (this.remaining < 2) return undefined;
    const value = readU16(this.data, this.#at);
    this.#at += 2;
    return value;
  }

  skip(length: number): boolean {
    if (length > this.remaining) return false;
    this.#at += length;
    return true;
  }

  /** The next `length` bytes as their own cursor. */
  window(length: number): Cursor | undefined {
    if (length > this.remaining) return undefined;
    const inner = new Cursor(this.data, this.#at, this.#at + length);
    this.#at += length;
    return inner;
  }

  /** The next `length` bytes as Latin-1 text, or undefined if any byte fails `accept`. */
  text(length: number, accept: (byte: number) => boolean): string | undefined {
    if (length > this.remaining) return undefined;
    let out = '';
    for (let i = this.#at; i < this.#at + length; i++) {
      const byte = this.data[i] ?? 0;
      if (!accept(byte)) return undefined;
      out += String.fromCharCode(byte);
    }
    this.#at += length;
    return out;
  }
}

function malformed(what: string): ClientHelloResult {
  return notTls(`malformed ClientHello: ${what}`);
}

function parseBody(cursor: Cursor): ClientHelloResult {
  const version = cursor.u16();
  if (version === undefined || version >> 8 !== 3) return malformed('legacy_version is not 3.x');
  if (!cursor.skip(32)) return malformed('random is truncated');
  const sessionIdLength = cursor.u8();
  if (sessionIdLength === undefined || sessionIdLength > 32 || !cursor.skip(sessionIdLength)) {
    return malformed('bad session id');
  }
  const suitesLength = cursor.u16();
  if (suitesLength === undefined || suitesLength < 2 || suitesLength % 2 !== 0 || !cursor.skip(suitesLength)) {
    return malformed('bad cipher suites');
  }
  const compressionLength = cursor.u8();
  if (compressionLength === undefined || compressionLength < 1 || !cursor.skip(compressionLength)) {
    return malformed('bad compression methods');
  }
  // Extensions are optional (SSL 3.0 style hellos have none); then there is no SNI and no ALPN.
  if (cursor.remaining === 0) return { kind: 'tls' };
  const extensionsLength = cursor.u16();
  if (extensionsLength === undefined || extensionsLength !== cursor.remaining)
    return malformed('extensions length does not match');
  return parseExtensions(cursor);
}

function parseExtensions(cursor: Cursor): ClientHelloResult {
  const seen: number[] = [];
  let sni: string | undefined;
  let alpn: readonly string[] | undefined;
  while (cursor.remaining > 0) {
    const type = cursor.u16();
    const length = cursor.u16();
    const body = length === undefined ? undefined : cursor.window(length);
    if (type === undefined || body === undefined) return malformed('extension runs past the end');
    // RFC 8446 §4.2: an extension type must not appear twice; TLS libraries reject such hellos.
    if (seen.includes(type)) return malformed(`extension ${type} appears twice`);
    seen.push(type);
    if (type === EXT_SERVER_NAME) {
      const parsed = parseServerName(body);
      if (typeof parsed === 'object') return parsed;
      sni = parsed;
    } else if (type === EXT_ALPN) {
      const parsed = parseAlpn(body);
      if (!Array.isArray(parsed)) return parsed;
      alpn = parsed;
    }
  }
  return { kind: 'tls', ...(sni === undefined ? {} : { sni }), ...(alpn === undefined ? {} : { alpn }) };
}

// RFC 6066 §3: a list of (name_type, name); only host_name exists. Returns the host name, undefined
// for an empty list, or a result for a malformed list.
function parseServerName(cursor: Cursor): string | undefined | ClientHelloResult {
  const listLength = cursor.u16();
  if (listLength === undefined || listLength !== cursor.remaining)
    return malformed('server_name list length does not match');
  if (listLength === 0) return undefined;
  // The list was meant to be extensible, but TLS libraries (BoringSSL, OpenSSL) accept exactly one
  // host_name entry and nothing else; a hello they would reject names no host we should trust.
  const nameType = cursor.u8();
  const nameLength = cursor.u16();
  if (nameType === undefined || nameLength === undefined || nameLength > cursor.remaining)
    return malformed('server_name entry runs past the end');
  if (nameType !== SNI_HOST_NAME || cursor.remaining !== nameLength)
    return malformed('server_name must hold exactly one host_name');
  const name = nameLength === 0 || nameLength > 255 ? undefined : cursor.text(nameLength, isHostNameByte);
  if (name === undefined) return malformed('server_name is not a printable ASCII host name');
  return name;
}

function isHostNameByte(byte: number): boolean {
  return byte > 0x20 && byte < 0x7f;
}

function anyByte(): boolean {
  return true;
}

// RFC 7301 §3.1: a non-empty list of non-empty protocol names, each with a one-byte length.
function parseAlpn(cursor: Cursor): string[] | ClientHelloResult {
  const listLength = cursor.u16();
  if (listLength === undefined || listLength < 2 || listLength !== cursor.remaining)
    return malformed('ALPN list length does not match');
  const protocols: string[] = [];
  while (cursor.remaining > 0) {
    const length = cursor.u8();
    const name = length === undefined || length === 0 ? undefined : cursor.text(length, anyByte);
    if (name === undefined) return malformed('bad ALPN protocol name');
    protocols.push(name);
  }
  return protocols;
}
