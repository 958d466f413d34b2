// A raw TCP upstream that reads HTTP/1.1 request heads and lets each test write the response bytes itself,
// for exact control of framing, timing and connection teardown that node:http would smooth over.
import { createServer, type Socket } from 'node:net';

export interface WireRequest {
  readonly method: string;
  /** The request target as sent (origin-form from a proxy). */
  readonly path: string;
  /** The whole head as received, request line included. */
  readonly head: string;
  /** Which accepted connection carried it, counting from 1. */
  readonly connection: number;
}

/** Writes the response for `request` on `socket`, now or later; requests on one connection wait their turn. */
export type WireHandler = (request: WireRequest, socket: Socket) => void | Promise<void>;

export interface WireUpstream {
  readonly host: string;
  readonly port: number;
  readonly requests: WireRequest[];
  /** Connections accepted so far. */
  readonly connections: () => number;
  close(): Promise<void>;
}

function lengthOf(head: string): number {
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return match === null ? 0 : Number(match[1]);
}

export async function startWireUpstream(host: string, handler: WireHandler): Promise<WireUpstream> {
  const requests: WireRequest[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    const connection = ++accepted;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    let busy = false;
    const next = (): void => {
      if (busy) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.toString('latin1', 0, end + 4);
      const bodyLength = lengthOf(head);
      if (buffered.length < end + 4 + bodyLength) return;
      buffered = buffered.subarray(end + 4 + bodyLength);
      const [method = '', path = ''] = head.split('\r\n', 1)[0]!.split(' ');
      const request = { method, path, head, connection };
      requests.push(request);
      busy = true;
      void Promise.resolve(handler(request, socket)).finally(() => {
        busy = false;
        if (!socket.destroyed) next();
      });
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    host,
    port,
    requests,
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
