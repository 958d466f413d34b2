// Sniffs a captured connection's first bytes to pick a filter chain: TLS (ClientHello → SNI), an
// HTTP/1.x request line (→ Host routing), CONNECT, or opaque TCP; like Envoy's tls_inspector and
// http_inspector, with mesh protocolDetectionTimeout deciding how long a silent client may take.
import type { Socket } from 'node:net';
import { MAX_CLIENT_HELLO, parseClientHello } from './client-hello.ts';

export type HttpVersion = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2.0';

/** The verdict on the bytes seen so far. */
export type DetectedProtocol =
  | { readonly kind: 'needMore' }
  | { readonly kind: 'tls'; readonly sni?: string; readonly alpn?: readonly string[] }
  | { readonly kind: 'http'; readonly method: string; readonly target: string; readonly version: HttpVersion }
  | { readonly kind: 'connect'; readonly authority: string; readonly version: HttpVersion }
  | { readonly kind: 'tcp'; readonly reason: string };

export type FinalProtocol = Exclude<DetectedProtocol, { kind: 'needMore' }>;

const TLS_HANDSHAKE = 0x16;
// A request line longer than this is not worth waiting for; Envoy's default header limit is 60 KiB.
export const MAX_REQUEST_LINE = 64 * 1024;
const MAX_METHOD = 32;
const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
// Prior-knowledge HTTP/2 starts with this request line (RFC 9113 §3.4); Envoy reports it as h2c.
const H2_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';
const VERSIONS: readonly HttpVersion[] = ['HTTP/1.0', 'HTTP/1.1'];

const NEED_MORE: DetectedProtocol = Object.freeze({ kind: 'needMore' });

/** Decides what the first bytes of a connection are; never throws, whatever the bytes. */
export function detectProtocol(data: Uint8Array): DetectedProtocol {
  if (data.length === 0) return NEED_MORE;
  if (data[0] === TLS_HANDSHAKE) {
    const hello = parseClientHello(data);
    if (hello.kind === 'notTls') return { kind: 'tcp', reason: hello.reason };
    return hello;
  }
  return detectRequestLine(data);
}

// RFC 9110 §5.6.2 token characters, which is what an HTTP method is made of.
function isTchar(byte: number): boolean {
  if ((byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)) return true;
  return "!#$%&'*+-.^_`|~".includes(String.fromCharCode(byte));
}

function ascii(data: Uint8Array, from: number, to: number): string {
  let out = '';
  for (let i = from; i < to; i++) out += String.fromCharCode(data[i] ?? 0);
  return out;
}

// Matches `METHOD SP request-target SP HTTP/1.x CRLF`, checking each byte as it arrives so a
// consistent prefix waits and anything else becomes TCP at the first byte that cannot be HTTP.
function detectRequestLine(data: Uint8Array): DetectedProtocol {
  let at = 0;
  while (at < data.length && isTchar(data[at] ?? 0)) {
    if (++at > MAX_METHOD) return tcp('method token too long');
  }
  if (at === data.length) return NEED_MORE;
  if (data[at] !== SP || at === 0) return tcp('no HTTP method token');
  const method = ascii(data, 0, at);
  const targetStart = ++at;
  while (at < data.length && (data[at] ?? 0) > SP && (data[at] ?? 0) < 0x7f) {
    if (at - targetStart >= MAX_REQUEST_LINE) return tcp('request target too long');
    at++;
  }
  if (at === data.length) return NEED_MORE;
  if (data[at] !== SP || at === targetStart) return tcp('no HTTP request target');
  const target = ascii(data, targetStart, at);
  const versionStart = ++at;
  const candidates = method === 'PRI' && target === '*' ? (['HTTP/2.0'] as const) : VERSIONS;
  for (const version of candidates) {
    const line = `${version}\r\n`;
    const seen = Math.min(line.length, data.length - versionStart);
    if (ascii(data, versionStart, versionStart + seen) !== line.slice(0, seen)) continue;
    if (seen < line.length) return NEED_MORE;
    return finishRequestLine(data, method, target, version);
  }
  return tcp(data[versionStart] === CR || data[versionStart] === LF ? 'HTTP/0.9 request line' : 'no HTTP/1.x version');
}

function finishRequestLine(data: Uint8Array, method: string, target: string, version: HttpVersion): DetectedProtocol {
  if (version === 'HTTP/2.0') {
    const seen = Math.min(H2_PREFACE.length, data.length);
    if (ascii(data, 0, seen) !== H2_PREFACE.slice(0, seen)) return tcp('broken HTTP/2 preface');
    if (seen < H2_PREFACE.length) return NEED_MORE;
  }
  if (method === 'CONNECT') return { kind: 'connect', authority: target, version };
  return { kind: 'http', method, target, version };
}

function tcp(reason: string): DetectedProtocol {
  return { kind: 'tcp', reason };
}

/** What a connection turned out to be, and the bytes read to find out (to replay upstream). */
export interface Detection {
  readonly protocol: FinalProtocol;
  readonly head: Buffer;
  /** True when the timeout, not the bytes, decided: a server-first protocol or a slow client. */
  readonly timedOut: boolean;
  /** True when the client ended or the socket failed before a verdict. */
  readonly closed: boolean;
}

export interface DetectOptions {
  /** Mesh protocolDetectionTimeout in ms; 0 or less waits for bytes forever, as Istio does. */
  readonly timeoutMs: number;
  /** Stop waiting and call it TCP once this many bytes are buffered without a verdict. */
  readonly maxBytes?: number;
}

/**
 * Reads from `socket` until the bytes decide, the timeout fires, or the client goes away. On return
 * the socket is paused with no listeners of ours left; the caller replays `head` (write it upstream
 * first, or `socket.unshift(head)`) and then pipes the rest. Never rejects.
 */
export function detectOnSocket(socket: Socket, options: DetectOptions): Promise<Detection> {
  const maxBytes = options.maxBytes ?? Math.max(MAX_CLIENT_HELLO + 5 * 5, MAX_REQUEST_LINE + 64);
  if (socket.destroyed || socket.readableEnded) {
    return Promise.resolve({
      protocol: { kind: 'tcp', reason: 'connection closed before the protocol was known' },
      head: Buffer.alloc(0),
      timedOut: false,
      closed: true,
    });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const finish = (protocol: FinalProtocol, timedOut: boolean, closed: boolean): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onClose);
      socket.off('error', onError);
      socket.pause();
      resolve({ protocol, head: Buffer.concat(chunks, size), timedOut, closed });
    };
    const verdictAtEnd = (reason: string): FinalProtocol => {
      const verdict = detectProtocol(Buffer.concat(chunks, size));
      return verdict.kind === 'needMore' ? { kind: 'tcp', reason } : verdict;
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const verdict = detectProtocol(chunks.length === 1 ? chunk : Buffer.concat(chunks, size));
      if (verdict.kind !== 'needMore') finish(verdict, false, false);
      else if (size >= maxBytes) finish({ kind: 'tcp', reason: `no verdict after ${size} bytes` }, false, false);
    };
    const onEnd = (): void => finish(verdictAtEnd('client closed before the protocol was known'), false, true);
    const onClose = (): void => finish(verdictAtEnd('connection closed before the protocol was known'), false, true);
    // The caller owns error handling after detection; until then an error just ends the wait.
    const onError = (): void => finish(verdictAtEnd('connection failed before the protocol was known'), false, true);

    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onClose);
    socket.on('error', onError);
    if (options.timeoutMs > 0) {
      timer = setTimeout(
        () => finish(verdictAtEnd(`no verdict within ${options.timeoutMs} ms`), true, false),
        options.timeoutMs,
      );
    }
    socket.resume();
  });
}
