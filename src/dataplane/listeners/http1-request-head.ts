// Reads one HTTP/1.1 request head from the bytes a client sent, for the fast lane. It accepts only plain,
// unambiguous heads; anything else (bodies, upgrades, folding, odd syntax, HTTP/1.0) is "not mine" and the
// connection goes to Node's full HTTP parser, which keeps the last word on every edge case.
import { METHODS } from 'node:http';

export interface RequestHead {
  readonly method: string;
  readonly target: string;
  /** Lower-cased names and raw values, in arrival order, `[name0, value0, name1, value1, ...]`. */
  readonly headers: readonly string[];
  /** The `host` header (exactly one: a head without it is not the fast lane's). */
  readonly host: string;
  /** The client asked to close after this exchange (`connection: close`). */
  readonly close: boolean;
  /** Bytes of the head including the blank line that ends it. */
  readonly length: number;
}

/** `incomplete`: no blank line yet. `unsupported`: valid or not, the full parser must take it. */
export type HeadParse = RequestHead | 'incomplete' | 'unsupported';

/** Methods Node's parser (the full path) accepts; anything else gets its 400 there. */
const KNOWN_METHODS: ReadonlySet<string> = new Set(METHODS);

const CR = 13;
const LF = 10;

// RFC 9110 tchar, as a lookup table over byte values.
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
  TOKEN[c.charCodeAt(0)] = 1;

/** Headers whose presence means the request has a body, changes protocol or needs an interim reply. */
const HANDED_OFF: ReadonlySet<string> = new Set(['transfer-encoding', 'upgrade', 'expect', 'te', 'trailer']);

function findHeadEnd(buffer: Buffer, maxBytes: number): number {
  const end = buffer.indexOf('\r\n\r\n', 0, 'latin1');
  if (end < 0 || end + 4 > maxBytes) return -1;
  return end + 4;
}

/** Whether a field value is free of control characters other than HTAB (NUL, bare CR/LF are smuggling tools). */
function cleanValue(buffer: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buffer[i]!;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/**
 * Parses the head at the start of `buffer`. Heads over `maxHeadBytes` or with a target over `maxUriBytes`
 * are `unsupported`, so the full parser answers them (431, 414) exactly as for any other connection.
 */
export function parseRequestHead(buffer: Buffer, maxHeadBytes: number, maxUriBytes: number): HeadParse {
  const headEnd = findHeadEnd(buffer, maxHeadBytes);
  if (headEnd < 0) return buffer.length >= maxHeadBytes ? 'unsupported' : 'incomplete';
  const lineEnd = buffer.indexOf(CR, 0);
  if (buffer[lineEnd + 1] !== LF) return 'unsupported';
  // Request line: method SP target SP HTTP/1.1
  let i = 0;
  while (i < lineEnd && TOKEN[buffer[i]!] === 1) i++;
  if (i === 0 || buffer[i] !== 0x20) return 'unsupported';
  const method = buffer.toString('latin1', 0, i);
  if (!KNOWN_METHODS.has(method)) return 'unsupported';
  const targetStart = i + 1;
  const targetEnd = buffer.indexOf(0x20, targetStart);
  if (targetEnd < 0 || targetEnd >= lineEnd || targetEnd === targetStart) return 'unsupported';
  if (targetEnd - targetStart > maxUriBytes) return 'unsupported';
  for (let j = targetStart; j < targetEnd; j++) {
    const c = buffer[j]!;
    if (c <= 0x20 || c >= 0x7f) return 'unsupported';
  }
  if (lineEnd - targetEnd !== 9 || buffer.toString('latin1', targetEnd + 1, lineEnd) !== 'HTTP/1.1')
    return 'unsupported';
  const target = buffer.toString('latin1', targetStart, targetEnd);

  const headers: string[] = [];
  let host: string | undefined;
  let close = false;
  let sawLength = false;
  let pos = lineEnd + 2;
  const last = headEnd - 2;
  while (pos < last) {
    const end = buffer.indexOf(CR, pos);
    if (end < 0 || buffer[end + 1] !== LF) return 'unsupported';
    let colon = pos;
    while (colon < end && TOKEN[buffer[colon]!] === 1) colon++;
    // No name, a space before the colon, or a folded line (starts with whitespace): not ours.
    if (colon === pos || buffer[colon] !== 0x3a) return 'unsupported';
    let valueStart = colon + 1;
    while (valueStart < end && (buffer[valueStart] === 0x20 || buffer[valueStart] === 0x09)) valueStart++;
    let valueEnd = end;
    while (valueEnd > valueStart && (buffer[valueEnd - 1] === 0x20 || buffer[valueEnd - 1] === 0x09)) valueEnd--;
    if (!cleanValue(buffer, valueStart, valueEnd)) return 'unsupported';
    const name = buffer.toString('latin1', pos, colon).toLowerCase();
    const value = buffer.toString('latin1', valueStart, valueEnd);
    if (HANDED_OFF.has(name)) return 'unsupported';
    if (name === 'content-length') {
      // A body (or a malformed or repeated length) is the full parser's business.
      if (value !== '0' || sawLength) return 'unsupported';
      sawLength = true;
    } else if (name === 'host') {
      if (host !== undefined) return 'unsupported';
      host = value;
    } else if (name === 'connection') {
      const token = value.toLowerCase();
      if (token === 'close') close = true;
      else if (token !== 'keep-alive') return 'unsupported';
    }
    headers.push(name, value);
    pos = end + 2;
  }
  // HTTP/1.1 requires Host; the full path answers its absence with 400.
  if (host === undefined) return 'unsupported';
  return { method, target, headers, host, close, length: headEnd };
}
