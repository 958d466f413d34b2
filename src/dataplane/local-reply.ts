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
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
  info.bytesSent = Buffer.byteLength(reply.body);
}

/** A configured reply (VirtualService directResponse, block_all): details `direct_response`. */
export function sendDirectResponse(res: ServerResponse, info: StreamInfo, status: number, body: string): void {
  info.responseCode = status;
  info.responseCodeDetails = 'direct_response';
  const headers: Record<string, string> = body === '' ? { 'content-length': '0', server: 'envoy' } : { 'content-length': String(Buffer.byteLength(body)), 'content-type': 'text/plain', server: 'envoy' };
  res.writeHead(status, headers);
  res.end(body);
  info.bytesSent = Buffer.byteLength(body);
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
