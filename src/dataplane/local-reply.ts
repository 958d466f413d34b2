// Writes a reply that meshgate makes itself (decided by rescue() or configured as a direct response).
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { recordLocalReply, type LocalReply } from './rescue.ts';
import type { StreamInfo } from './stream-info.ts';

/** Sends `reply` on an HTTP response not yet started, records it on the stream, and counts the body bytes. */
export function sendLocalReply(res: ServerResponse, info: StreamInfo, reply: LocalReply): void {
  recordLocalReply(info, reply);
  if (reply.status === 0 || res.headersSent || res.destroyed) return;
  keepAliveOnlyIfRead(res);
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
  info.bytesSent = Buffer.byteLength(reply.body);
}

/**
 * A reply sent before the request body was read closes the connection afterwards: otherwise the unread
 * body would be parsed as the next request (Envoy closes in that case too).
 */
function keepAliveOnlyIfRead(res: ServerResponse): void {
  if (!res.req.complete) res.shouldKeepAlive = false;
}

/** A configured reply (VirtualService directResponse, block_all): details `direct_response`. */
export function sendDirectResponse(
  res: ServerResponse,
  info: StreamInfo,
  status: number,
  body: string | Buffer,
  extraHeaders: Readonly<Record<string, string | string[]>> = {},
): void {
  keepAliveOnlyIfRead(res);
  info.responseCode = status;
  info.responseCodeDetails = 'direct_response';
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  const headers: Record<string, string> =
    length === 0
      ? { 'content-length': '0', server: 'envoy' }
      : { 'content-length': String(length), 'content-type': 'text/plain', server: 'envoy' };
  res.writeHead(status, { ...headers, ...extraHeaders });
  res.end(body);
  info.bytesSent = length;
}

/** A VirtualService `redirect`: the status and Location, no body; Envoy logs it as a direct response. */
export function sendRedirect(
  res: ServerResponse,
  info: StreamInfo,
  status: number,
  location: string,
  extraHeaders: Readonly<Record<string, string | string[]>> = {},
): void {
  sendDirectResponse(res, info, status, '', { ...extraHeaders, location });
}

/** A CORS preflight the proxy answers itself (Envoy's CORS filter): 200, details `cors_response`. */
export function sendCorsPreflight(
  res: ServerResponse,
  info: StreamInfo,
  headers: Readonly<Record<string, string>>,
): void {
  keepAliveOnlyIfRead(res);
  info.responseCode = 200;
  info.responseCodeDetails = 'cors_response';
  res.writeHead(200, { 'content-length': '0', server: 'envoy', ...headers });
  res.end();
}

/** The same reply written on a raw socket (CONNECT, or a request Node's parser rejected), then closed. */
export function writeRawReply(socket: Socket, info: StreamInfo | undefined, reply: LocalReply): void {
  if (info !== undefined) recordLocalReply(info, reply);
  if (reply.status === 0 || socket.destroyed || !socket.writable) return;
  const head = [`HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}`];
  for (const [name, value] of Object.entries(reply.headers)) head.push(`${name}: ${value}`);
  head.push('connection: close');
  socket.end(`${head.join('\r\n')}\r\n\r\n${reply.body}`);
}
