// Formats response heads for the fast lane byte for byte as Node's HTTP server writes them for the full
// path: the headers given, then `Date` (unless present), `Connection` with `Keep-Alive`, and
// `Transfer-Encoding: chunked` when the body has no length, so a client cannot tell which lane answered.
import { STATUS_CODES } from 'node:http';
import type { Clock } from './clock.ts';

export interface ConnectionHeaders {
  /** The connection stays open after this response. */
  readonly keepAlive: boolean;
  /** `Keep-Alive: timeout=N`, the idle timeout in seconds. */
  readonly keepAliveSeconds: number;
  /** Append `Transfer-Encoding: chunked`. */
  readonly chunked: boolean;
}

let dateSecond = -1;
let dateText = '';

/** RFC 9110 IMF-fixdate, computed at most once a second. */
export function httpDate(clock: Clock): string {
  const ms = clock.now();
  const second = Math.floor(ms / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(ms).toUTCString();
  }
  return dateText;
}

/** `headers` is a flat `[name, value, ...]` list, written in order. */
export function formatResponseHead(
  status: number,
  headers: readonly string[],
  clock: Clock,
  connection: ConnectionHeaders,
): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n`;
  let hasDate = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name === 'date') hasDate = true;
    head += `${name}: ${headers[i + 1]}\r\n`;
  }
  if (!hasDate) head += `Date: ${httpDate(clock)}\r\n`;
  head += connection.keepAlive
    ? `Connection: keep-alive\r\nKeep-Alive: timeout=${connection.keepAliveSeconds}\r\n`
    : 'Connection: close\r\n';
  if (connection.chunked) head += 'Transfer-Encoding: chunked\r\n';
  return `${head}\r\n`;
}
