// The outbound listener on --bind:--outbound-port: an HTTP/1 server that takes explicit-proxy traffic
// (absolute-form requests and CONNECT), with header limits, header/idle timeouts and a bounded drain; each
// accepted socket first passes the capture check, and transparently captured ones are dispatched elsewhere.
// Where the tunnel relay is built, the port is accepted on the relay's thread (native-accept.ts) and a
// CONNECT reaches the tunnel handler without a socket; node:http's server then serves the sockets it is given.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Clock } from '../clock.ts';
import { capturedDestinationOf } from './captured-connection.ts';
import { decideCapture, formatEndpoint, type OriginalDestination } from './original-dst.ts';
import { writeRawReply } from '../local-reply.ts';
import { rescue } from '../rescue.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';
import type { StreamDeps } from '../filters/stream-deps.ts';
import { Http1Session, type Http1SessionDeps } from './http1-session.ts';
import { streamIdled } from '../stream-idle.ts';
import type { AcceptedClient, Closable } from './accepted-client.ts';
import { parseRequestHead } from './http1-request-head.ts';
import { type AcceptedConnect, NativeListener } from './native-accept.ts';

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
  readonly connect: (target: string, client: Socket | AcceptedClient, head: Buffer) => void;
  readonly log: (info: StreamInfo) => void;
  readonly clock: Clock;
  /** Told when a client connection opens (+1) or closes (-1); a CONNECT moves it from `http` to `connect`. */
  readonly connections?: ((kind: 'http' | 'connect', delta: 1 | -1) => void) | undefined;
  /** Takes a transparently captured socket (original destination ≠ this listener); without it, none is looked for. */
  readonly captured?: ((socket: Socket, destination: OriginalDestination) => void) | undefined;
  /** Serve plain explicit-proxy requests on the fast lane (http1-session.ts); without it, Node's server takes all. */
  readonly fastLane?: StreamDeps | undefined;
  /** Accept on the tunnel relay's thread where it is built (default true); false keeps node:net's accepts. */
  readonly acceptOnRelay?: boolean | undefined;
}

/** Bytes a CONNECT client sent after its head: none yet, on a head the relay thread peeked at. */
const NO_EARLY_BYTES = Buffer.alloc(0);

export class OutboundListener {
  readonly #server: Server;
  #inFlight = 0;
  #idleWaiters: (() => void)[] = [];
  /** Node's own connection handler (the HTTP parser), called only for sockets that are HTTP traffic. */
  readonly #httpConnection: (socket: Socket) => void;
  readonly #tunnels = new WeakSet<Socket>();
  readonly #count: OutboundListenerHandlers['connections'];
  #bound: { address: string; port: number } | undefined;
  /** Captured sockets still open: one still being sniffed belongs to no server or tunnel set, so a drain ends them here. */
  readonly #captured = new Set<Socket>();
  /** Connections the fast lane still serves. */
  readonly #sessions = new Set<Http1Session>();
  readonly #fastLane: Http1SessionDeps | undefined;
  #draining = false;
  readonly #handlers: OutboundListenerHandlers;
  readonly #limits: ListenerLimits;
  /** Set when the port is accepted on the relay's thread. */
  #native: NativeListener | undefined;

  constructor(handlers: OutboundListenerHandlers, limits: ListenerLimits) {
    this.#handlers = handlers;
    this.#limits = limits;
    this.#server = createServer({
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // Streamed uploads may take as long as they take; only header reads and idleness are bounded.
      requestTimeout: 0,
      keepAliveTimeout: limits.idleTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, limits.headersTimeoutMs),
    });
    this.#server.timeout = limits.idleTimeoutMs;
    // An idle connection closes; a request in flight meets its stream idle timeout (stream-idle.ts).
    this.#server.on('timeout', (socket: Socket) => {
      if (!streamIdled(socket)) socket.destroy();
    });
    // Every socket is checked for capture before Node's HTTP parser sees a byte: take its handler over.
    const [parser] = this.#server.listeners('connection') as ((socket: Socket) => void)[];
    if (parser === undefined) throw new Error('node:http server without a connection handler');
    this.#httpConnection = parser;
    this.#server.removeListener('connection', parser);
    const captured = handlers.captured;
    const fastLane =
      handlers.fastLane === undefined ? undefined : this.#sessionDeps(handlers.fastLane, limits, handlers.connect);
    this.#fastLane = fastLane;
    this.#server.on('connection', (socket: Socket) => {
      if (captured !== undefined) {
        const decision = decideCapture(socket, this.#bound !== undefined ? { listening: this.#bound } : {});
        if (decision.captured) {
          this.#captured.add(socket);
          socket.once('close', () => this.#captured.delete(socket));
          return captured(socket, decision.destination);
        }
      }
      if (fastLane !== undefined && !this.#draining) return this.#startSession(fastLane, socket);
      this.#httpConnection.call(this.#server, socket);
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#track(res);
      handlers.request(req, res);
    });
    const count = handlers.connections;
    this.#count = count;
    const tunnels = this.#tunnels;
    if (count !== undefined) {
      this.#server.on('connection', (socket: Socket) => {
        count('http', 1);
        socket.once('close', () => count(tunnels.has(socket) ? 'connect' : 'http', -1));
      });
    }
    this.#server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.trackTunnel(socket);
      handlers.connect(req.url ?? '', socket, head);
    });
    this.#server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      this.#clientError(error, socket, handlers),
    );
  }

  /**
   * A CONNECT the relay thread accepted: a plain one becomes a tunnel with no socket, as the fast lane would
   * have started it; anything the fast lane would not take is served as a socket.
   */
  #acceptedConnect(native: NativeListener, accepted: AcceptedConnect): void {
    const { maxHeaderBytes, maxUriBytes } = this.#limits;
    const head =
      this.#fastLane === undefined || this.#draining
        ? 'unsupported'
        : parseRequestHead(accepted.head, maxHeaderBytes, maxUriBytes);
    if (typeof head === 'string' || head.method !== 'CONNECT' || head.length !== accepted.head.length) {
      const socket = native.adopt(accepted);
      if (socket !== undefined) this.#server.emit('connection', socket);
      return;
    }
    const client = native.take(accepted, head.length);
    if (client === undefined) return;
    const count = this.#count;
    count?.('connect', 1);
    this.#inFlight++;
    client.onClose(() => {
      count?.('connect', -1);
      this.#release();
    });
    this.#handlers.connect(head.target, client, NO_EARLY_BYTES);
  }

  /** A socket becomes a tunnel (CONNECT, captured TLS/TCP): it counts as `connect` and holds a drain open. */
  trackTunnel(socket: Socket): void {
    if (this.#count !== undefined && !this.#tunnels.has(socket)) {
      this.#tunnels.add(socket);
      this.#count('http', -1);
      this.#count('connect', 1);
    }
    this.#inFlight++;
    socket.once('close', () => this.#release());
  }

  /**
   * Hands a captured socket whose first bytes are HTTP to Node's HTTP server. The parser reads the socket's
   * handle directly, so bytes already read while sniffing are given to it as a `data` event.
   */
  serveHttp(socket: Socket, head: Buffer): void {
    this.#httpConnection.call(this.#server, socket);
    if (head.length > 0) socket.emit('data', head);
  }

  /** What every fast-lane session is given, built once per listener rather than per connection. */
  #sessionDeps(
    deps: StreamDeps,
    limits: ListenerLimits,
    connect: OutboundListenerHandlers['connect'],
  ): Http1SessionDeps {
    return {
      ...deps,
      maxHeaderBytes: limits.maxHeaderBytes,
      maxUriBytes: limits.maxUriBytes,
      idleTimeoutMs: limits.idleTimeoutMs,
      handOff: (handed, unread) => this.serveHttp(handed, unread),
      tunnel: (client, target, early) => {
        this.trackTunnel(client);
        connect(target, client, early);
      },
      begin: () => {
        this.#inFlight++;
        let released = false;
        return () => {
          if (released) return;
          released = true;
          this.#release();
        };
      },
    };
  }

  #startSession(deps: Http1SessionDeps, socket: Socket, initial?: Buffer): void {
    const session: Http1Session = new Http1Session(deps, socket, () => this.#sessions.delete(session));
    this.#sessions.add(session);
    if (initial !== undefined) session.feed(initial);
  }

  /**
   * Serves a captured socket whose first bytes are HTTP: on the fast lane when it is on (which hands the
   * connection to Node's server as for explicit traffic), else on Node's server directly.
   */
  serveCapturedHttp(socket: Socket, head: Buffer): void {
    if (this.#fastLane === undefined || this.#draining) return this.serveHttp(socket, head);
    this.#startSession(this.#fastLane, socket, head);
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
    if (socket.remoteAddress !== undefined)
      info.downstreamRemoteAddress = formatSocketAddress(socket.remoteAddress, socket.remotePort ?? 0);
    const captured = capturedDestinationOf(socket);
    if (captured !== undefined) info.downstreamLocalAddress = formatEndpoint(captured);
    const kind =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 'headers_too_large'
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 'bad_request'
          : 'bad_request';
    writeRawReply(socket, info, rescue({ kind }));
    info.finish(handlers.clock);
    handlers.log(info);
  }

  listen(port: number, host: string): Promise<{ address: string; port: number }> {
    if (this.#handlers.acceptOnRelay !== false) {
      let native: NativeListener | undefined;
      try {
        native = NativeListener.listen(host, port, this.#handlers.captured !== undefined, {
          socket: (socket) => this.#server.emit('connection', socket),
          connect: (accepted) => this.#acceptedConnect(native!, accepted),
        });
      } catch (error) {
        return Promise.reject(error as Error);
      }
      if (native !== undefined) {
        this.#native = native;
        // node:http sets up its header-timeout checks and connection list when it starts listening; the
        // sockets it serves here come from the relay thread instead.
        this.#server.emit('listening');
        this.#bound = { address: native.address, port: native.port };
        return Promise.resolve({ ...this.#bound });
      }
    }
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const addr = this.#server.address();
        if (addr === null || typeof addr === 'string') return reject(new Error('listener has no address'));
        this.#bound = { address: addr.address, port: addr.port };
        resolve({ address: addr.address, port: addr.port });
      });
    });
  }

  /** Whether the port is accepted on the tunnel relay's thread (known once listening). */
  get acceptsOnRelay(): boolean {
    return this.#native !== undefined;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Stops accepting, closes idle keep-alive connections, waits for in-flight requests and tunnels up to
   * `timeoutMs`, then closes whatever is left. Resolves with the number of streams cut off.
   */
  async drain(timeoutMs: number, openTunnels: Set<Closable>): Promise<number> {
    this.#draining = true;
    // Without a handle of its own (relay-thread accepts), node:http reports "not running": still closed.
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    if (this.#native !== undefined) {
      // Connections the relay thread was still peeking at are handed over before it reports having stopped;
      // they are then idle ones like any other.
      await this.#native.stop();
    }
    this.#server.closeIdleConnections();
    for (const session of this.#sessions) session.drain();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.#idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const cut = this.#inFlight;
    for (const socket of openTunnels) socket.destroy();
    for (const socket of this.#captured) socket.destroy();
    for (const session of this.#sessions) session.destroy();
    this.#server.closeAllConnections();
    // A destroyed socket's 'close' (which logs a cut tunnel) comes after the loop's close phase: two turns
    // of the check phase make sure it has been emitted before the drain reports done.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await closed;
    return cut;
  }
}
