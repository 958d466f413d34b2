// Keep-alive HTTP/1.1 connections to one upstream address for the fast lane: a request is written as one
// pre-built head, its response read by Http1ResponseReader, and the connection goes back to the idle list
// only when the response ended cleanly and both sides agreed to keep it.
import type { Socket } from 'node:net';
import { UpstreamResetError } from '../../errors.ts';
import type { PendingReads } from './socket-reads.ts';
import { Http1ResponseReader, type ResponseHead, type ResponseSink } from './http1-response-reader.ts';

/** What one exchange is told about its response; exactly one of `end` or `fail` is called, once. */
export interface ExchangeHandler {
  head(head: ResponseHead): void;
  body(bytes: Buffer, data: number): void;
  end(): void;
  /** The connection failed; `headSeen` tells whether the response had started. */
  fail(error: Error, headSeen: boolean): void;
}

const SERVER_HINT_MARGIN_MS = 1000;

/** `Keep-Alive: timeout=N` (seconds) from a response, in ms; undefined when absent or unreadable. */
function serverIdleHint(headers: readonly string[]): number | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== 'keep-alive') continue;
    const match = /(?:^|[,\s])timeout=(\d+)/i.exec(headers[i + 1]!);
    return match === null ? undefined : Number(match[1]) * 1000;
  }
  return undefined;
}

export class Http1Connection implements ResponseSink {
  readonly socket: Socket;
  readonly #reader = new Http1ResponseReader();
  readonly #pool: Http1Pool;
  #handler: ExchangeHandler | undefined;
  #keepAlive = false;
  #ended = false;
  #closed = false;
  /** How long the server said it keeps the connection idle (`Keep-Alive: timeout=N`), if it said. */
  serverIdleMs: number | undefined;
  /** Requests this connection has carried; a reused connection may have been closed by the server meanwhile. */
  uses = 0;

  /** `reads`: the socket was opened with its `onread`; otherwise its 'data' events are read. */
  constructor(socket: Socket, pool: Http1Pool, reads?: PendingReads) {
    this.socket = socket;
    this.#pool = pool;
    if (reads !== undefined)
      reads.bind((chunk) => {
        this.#onData(chunk);
        return true;
      });
    else socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#onClose());
    socket.on('close', () => this.#onClose());
    socket.on('error', () => undefined);
    // Armed only while idle (see Http1Pool.release).
    socket.on('timeout', () => socket.destroy());
  }

  /** Writes a request head (the fast lane sends no request bodies) and reads its response into `handler`. */
  send(head: string, headRequest: boolean, handler: ExchangeHandler): void {
    this.uses++;
    this.#handler = handler;
    this.#keepAlive = false;
    this.#ended = false;
    this.#reader.start(this, headRequest);
    this.socket.write(head, 'latin1');
  }

  /** Stops reading for the current exchange and closes the connection (abort, timeout, retry). */
  abandon(): void {
    this.#handler = undefined;
    this.socket.destroy();
  }

  head(head: ResponseHead): void {
    this.#keepAlive = head.keepAlive;
    this.serverIdleMs = serverIdleHint(head.headers);
    this.#handler?.head(head);
  }

  body(bytes: Buffer, data: number): void {
    this.#handler?.body(bytes, data);
  }

  end(): void {
    this.#ended = true;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  #onData(chunk: Buffer): void {
    if (this.#handler === undefined) {
      // Bytes nobody asked for: the connection is out of step, never reuse it.
      this.socket.destroy();
      return;
    }
    try {
      this.#reader.push(chunk);
    } catch (error) {
      // Bytes past a complete response (extra body, a body on a HEAD answer): the response stands, the
      // connection is out of step and is closed.
      if (this.#ended) return this.#complete(false);
      this.#fail(error as Error);
      return;
    }
    if (this.#ended) this.#complete(true);
  }

  #complete(reusable: boolean): void {
    const handler = this.#handler;
    this.#handler = undefined;
    this.#ended = false;
    // Abandoned mid-response (a retry or timeout): the socket is already closed.
    if (handler === undefined) return;
    if (reusable && this.#keepAlive && !this.socket.destroyed) this.#pool.release(this);
    else this.socket.destroy();
    handler.end();
  }

  #onClose(): void {
    if (!this.#closed) {
      this.#closed = true;
      this.#pool.forget(this);
    }
    if (this.#handler === undefined) return;
    if (this.#reader.closed()) {
      if (this.#ended) this.#complete(false);
      return;
    }
    this.#fail(new UpstreamResetError(this.#pool.address));
  }

  #fail(error: Error): void {
    const handler = this.#handler;
    this.#handler = undefined;
    this.socket.destroy();
    handler?.fail(error, this.#reader.inBody);
  }
}

/** Idle connections to one address; new ones come from `dial` (the cluster's connect, with its timeout). */
export class Http1Pool {
  readonly #idle: Http1Connection[] = [];
  readonly #idleTimeoutMs: number;
  #open = 0;
  /** `ip:port` of the upstream. */
  readonly address: string;

  constructor(address: string, idleTimeoutMs: number) {
    this.address = address;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  /** Connections open now, idle or busy. */
  get connected(): number {
    return this.#open;
  }

  /** The most recently used idle connection (the likeliest to still be open), or undefined. */
  take(): Http1Connection | undefined {
    for (;;) {
      const connection = this.#idle.pop();
      if (connection === undefined) return undefined;
      if (connection.socket.destroyed || !connection.socket.writable) continue;
      connection.socket.setTimeout(0);
      return connection;
    }
  }

  /** Wraps a freshly connected socket. */
  adopt(socket: Socket, reads?: PendingReads): Http1Connection {
    this.#open++;
    socket.setNoDelay(true);
    return new Http1Connection(socket, this, reads);
  }

  release(connection: Http1Connection): void {
    // Closed from our side first: most servers drop idle connections after about 5 s, and a request written
    // into one they are closing fails for no fault of the client. A server announcing a shorter keep-alive
    // is taken at its word, with a second's margin (as undici does).
    const hint = connection.serverIdleMs;
    const idle = hint === undefined ? this.#idleTimeoutMs : Math.min(this.#idleTimeoutMs, hint - SERVER_HINT_MARGIN_MS);
    if (idle <= 0) {
      connection.socket.destroy();
      return;
    }
    this.#idle.push(connection);
    connection.socket.setTimeout(idle);
  }

  forget(connection: Http1Connection): void {
    this.#open--;
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  close(): void {
    for (const connection of this.#idle.splice(0)) connection.socket.destroy();
  }
}
