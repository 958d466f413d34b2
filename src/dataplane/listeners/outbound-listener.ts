// The outbound listener on --bind:--outbound-port: an HTTP/1 server that takes explicit-proxy traffic
// (absolute-form requests and CONNECT), with header limits, header/idle timeouts and a bounded drain.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { writeRawReply } from '../local-reply.ts';
import { rescue } from '../rescue.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';

export interface ListenerLimits {
  /** Request line + headers (Node counts both); beyond it the client gets 431. Envoy's default is 60 KiB. */
  readonly maxHeaderBytes: number;
  /** Request target length; beyond it the client gets 414. */
  readonly maxUriBytes: number;
  /** Time to receive a request's headers. */
  readonly headersTimeoutMs: number;
  /** An idle downstream connection (no request in flight) is closed after this. */
  readonly idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: ListenerLimits = Object.freeze({
  maxHeaderBytes: 60 * 1024,
  maxUriBytes: 16 * 1024,
  headersTimeoutMs: 60_000,
  idleTimeoutMs: 300_000,
});

export interface OutboundListenerHandlers {
  readonly request: (req: IncomingMessage, res: ServerResponse) => void;
  readonly connect: (req: IncomingMessage, socket: Socket, head: Buffer) => void;
  readonly log: (info: StreamInfo) => void;
  readonly clock: Clock;
  /** Told when a client connection opens (+1) or closes (-1); a CONNECT moves it from `http` to `connect`. */
  readonly connections?: ((kind: 'http' | 'connect', delta: 1 | -1) => void) | undefined;
}

export class OutboundListener {
  readonly #server: Server;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(handlers: OutboundListenerHandlers, limits: ListenerLimits) {
    this.#server = createServer({
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // Streamed uploads may take as long as they take; only header reads and idleness are bounded.
      requestTimeout: 0,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, limits.headersTimeoutMs),
    });
    this.#server.timeout = limits.idleTimeoutMs;
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#track(res);
      handlers.request(req, res);
    });
    const count = handlers.connections;
    const tunnels = new WeakSet<Socket>();
    if (count !== undefined) {
      this.#server.on('connection', (socket: Socket) => {
        count('http', 1);
        socket.once('close', () => count(tunnels.has(socket) ? 'connect' : 'http', -1));
      });
    }
    this.#server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      if (count !== undefined) {
        // The connection becomes a tunnel: it now counts as `connect`.
        tunnels.add(socket);
        count('http', -1);
        count('connect', 1);
      }
      this.#inFlight++;
      socket.once('close', () => this.#release());
      handlers.connect(req, socket, head);
    });
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.#clientError(error, socket, handlers));
  }

  #track(res: ServerResponse): void {
    this.#inFlight++;
    res.once('close', () => this.#release());
  }

  #release(): void {
    this.#inFlight--;
    if (this.#inFlight === 0) for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  /** Requests Node's parser rejected: 431 for oversized headers, 400 otherwise; logged like any request. */
  #clientError(error: NodeJS.ErrnoException, socket: Socket, handlers: OutboundListenerHandlers): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const info = new StreamInfo(handlers.clock, 'http');
    if (socket.remoteAddress !== undefined) info.downstreamRemoteAddress = formatSocketAddress(socket.remoteAddress, socket.remotePort ?? 0);
    const kind = error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'bad_request' : 'bad_request';
    writeRawReply(socket, info, rescue({ kind }));
    info.finish(handlers.clock);
    handlers.log(info);
  }

  listen(port: number, host: string): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const addr = this.#server.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('listener has no address'));
        resolve({ address: addr.address, port: addr.port });
      });
    });
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Stops accepting, closes idle keep-alive connections, waits for in-flight requests and tunnels up to
   * `timeoutMs`, then closes whatever is left. Resolves with the number of streams cut off.
   */
  async drain(timeoutMs: number, openTunnels: Set<Socket>): Promise<number> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#idleWaiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
    const cut = this.#inFlight;
    for (const socket of openTunnels) socket.destroy();
    this.#server.closeAllConnections();
    await closed;
    return cut;
  }
}
