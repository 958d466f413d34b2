// The fast lane's router filter for one bodiless HTTP/1.1 request on a plain forwarding route: attempts
// with Istio's retry policy, per-try and route timeouts, and the response streamed from the upstream
// connection to the client socket without re-encoding. Its outcomes (status, flags, details, counters)
// are the full path's (forward.ts, http-upstream.ts), so the access log and metrics cannot tell them apart.
import type { Socket } from 'node:net';
import type { Cluster, RetryPolicy } from '../../compiler/snapshot.ts';
import { NoHealthyUpstreamError, PerTryTimeoutError, RouteTimeoutError, UpstreamResetError } from '../../errors.ts';
import { flatHeader } from '../flat-headers.ts';
import { formatResponseHead } from '../http1-response-head.ts';
import { causeOf, recordLocalReply, rescue, type LocalReply } from '../rescue.ts';
import { formatSocketAddress, type StreamInfo } from '../stream-info.ts';
import type { HostStats } from '../upstream/cluster-manager.ts';
import type { UpstreamHost } from '../upstream/endpoint-resolver.ts';
import type { ExchangeHandler, Http1Connection, Http1Pool } from '../upstream/http1-pool.ts';
import { PendingReads } from '../upstream/socket-reads.ts';
import type { ResponseHead } from '../upstream/http1-response-reader.ts';
import {
  backoffMs,
  isConnectFailure,
  retriableError,
  retriableGrpcStatus,
  retriableStatus,
  retriableTimeout,
} from './retry.ts';
import type { StreamDeps } from './stream-deps.ts';

export interface Http1ForwardRequest {
  readonly client: Socket;
  readonly info: StreamInfo;
  readonly cluster: Cluster;
  readonly requestedHost: string;
  readonly requestedPort: number;
  readonly headRequest: boolean;
  /** GET, HEAD or OPTIONS: safe to send again when a reused connection turns out to be closed. */
  readonly idempotent: boolean;
  /** The upstream request head up to (not including) the attempt-count header and the blank line. */
  readonly upstreamHead: string;
  readonly retryPolicy: RetryPolicy | null;
  readonly routeTimeoutMs: number;
  /** Keep the client connection open after the response. */
  readonly keepAlive: boolean;
  readonly keepAliveSeconds: number;
  /** Called once when the exchange is over; `reusable` is false when the client connection must close. */
  readonly done: (reusable: boolean) => void;
}

/** Response headers the full path drops before writing its own connection headers. */
const DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding']);

export class Http1Forward implements ExchangeHandler {
  readonly #deps: StreamDeps;
  readonly #req: Http1ForwardRequest;
  readonly #tried = new Set<string>();
  #attempt = 0;
  #retried = false;
  #connection: Http1Connection | undefined;
  #stats: HostStats | undefined;
  #releaseHost: (() => void) | undefined;
  #host: UpstreamHost | undefined;
  #routeTimer: NodeJS.Timeout | undefined;
  #tryTimer: NodeJS.Timeout | undefined;
  #timedOut = false;
  /** The response head went to the client; failures from now on can only reset it. */
  #committed = false;
  /** The body is close-delimited upstream and chunk-encoded here. */
  #wrapChunks = false;
  #over = false;
  /** The attempt in flight went out on a kept-alive connection (which the server may have just closed). */
  #reused = false;
  /** An attempt was already re-sent on a fresh connection after a reused one failed. */
  #resent = false;
  #pool: Http1Pool | undefined;

  constructor(deps: StreamDeps, req: Http1ForwardRequest) {
    this.#deps = deps;
    this.#req = req;
  }

  start(): void {
    const timeoutMs = this.#req.routeTimeoutMs;
    if (timeoutMs > 0) this.#routeTimer = setTimeout(() => this.#onRouteTimeout(), timeoutMs);
    void this.#nextAttempt();
  }

  /** The client went away before the exchange ended. */
  clientGone(): void {
    if (this.#over) return;
    this.#abandonAttempt();
    const info = this.#req.info;
    if (!this.#committed) recordLocalReply(info, rescue({ kind: 'downstream_disconnect' }));
    else info.addResponseFlag('DC');
    this.#finish(false);
  }

  async #nextAttempt(): Promise<void> {
    const { cluster, info } = this.#req;
    const clusters = this.#deps.clusters;
    let hosts;
    try {
      hosts = await clusters.hostsFor(cluster, this.#req.requestedHost, this.#req.requestedPort);
    } catch {
      return this.#reply(rescue(causeOf(new NoHealthyUpstreamError(cluster.name), this.#retried)));
    }
    if (this.#over) return;
    const policy = this.#req.retryPolicy;
    const exclude = policy?.retryOtherHosts === false ? new Set<string>() : this.#tried;
    const host = clusters.lb.pick(cluster, hosts, exclude, this.#deps.random());
    if (host === undefined || clusters.isSelf(host)) return this.#reply(rescue({ kind: 'no_healthy_upstream' }));
    this.#tried.add(host.key);
    info.upstreamHost = host.key;
    const stats = clusters.stats(cluster.name, host);
    this.#stats = stats;
    stats.rqTotal++;
    this.#releaseHost = clusters.lb.track(host);
    this.#host = host;
    const pool = clusters.http1Pool(cluster, host);
    this.#pool = pool;
    const idle = pool.take();
    if (idle !== undefined) return this.#send(idle);
    await this.#dial();
  }

  /** Opens a new connection to the attempt's host and sends on it. */
  async #dial(): Promise<void> {
    let connection: Http1Connection;
    try {
      const reads = new PendingReads();
      const socket = await this.#deps.clusters.connectTcp(this.#req.cluster, this.#host!, reads.onread);
      connection = this.#pool!.adopt(socket, reads);
    } catch (error) {
      return this.#attemptFailed(error as Error);
    }
    if (this.#over) return connection.abandon();
    this.#send(connection);
  }

  #send(connection: Http1Connection): void {
    const info = this.#req.info;
    this.#connection = connection;
    this.#reused = connection.uses > 0;
    const socket = connection.socket;
    if (socket.localAddress !== undefined)
      info.upstreamLocalAddress = formatSocketAddress(socket.localAddress, socket.localPort ?? 0);
    const policy = this.#req.retryPolicy;
    if (policy !== null && policy.perTryTimeoutMs > 0)
      this.#tryTimer = setTimeout(() => this.#onPerTryTimeout(policy.perTryTimeoutMs), policy.perTryTimeoutMs);
    info.markUpstreamRequestSent(this.#deps.clock);
    // Istio sets include_request_attempt_count: the upstream sees which try this is.
    const head = `${this.#req.upstreamHead}x-envoy-attempt-count: ${this.#attempt + 1}\r\n\r\n`;
    connection.send(head, this.#req.headRequest, this);
  }

  head(head: ResponseHead): void {
    clearTimeout(this.#tryTimer);
    const { info, retryPolicy: policy } = this.#req;
    info.markUpstreamResponseHeaders(this.#deps.clock);
    if (head.status >= 500) this.#stats!.rqError++;
    else this.#stats!.rqSuccess++;
    const retriable =
      policy !== null &&
      (retriableStatus(policy, head.status) || retriableGrpcStatus(policy, flatHeader(head.headers, 'grpc-status')));
    if (retriable && this.#canRetry()) {
      this.#abandonAttempt();
      return this.#retryLater();
    }
    if (retriable && this.#attempt >= policy.numRetries && policy.numRetries > 0) info.addResponseFlag('URX');
    this.#commit(head);
  }

  #commit(head: ResponseHead): void {
    const { info, client } = this.#req;
    info.responseCode = head.status;
    info.responseCodeDetails = 'via_upstream';
    const out: string[] = [];
    const upstream = head.headers;
    for (let i = 0; i < upstream.length; i += 2)
      if (!DROPPED.has(upstream[i]!)) out.push(upstream[i]!, upstream[i + 1]!);
    if (info.upstreamServiceTimeMs !== undefined)
      out.push('x-envoy-upstream-service-time', String(info.upstreamServiceTimeMs));
    const chunked = head.framing === 'chunked' || head.framing === 'close';
    this.#wrapChunks = head.framing === 'close';
    this.#committed = true;
    client.cork();
    client.write(
      formatResponseHead(head.status, out, this.#deps.clock, {
        keepAlive: this.#req.keepAlive,
        keepAliveSeconds: this.#req.keepAliveSeconds,
        chunked,
      }),
      'latin1',
    );
    process.nextTick(uncork, client);
  }

  body(bytes: Buffer, data: number): void {
    if (bytes.length === 0) return;
    const client = this.#req.client;
    this.#req.info.bytesSent += data;
    const flushed = this.#wrapChunks
      ? client.write(`${bytes.length.toString(16)}\r\n`, 'latin1') && client.write(bytes) && client.write('\r\n')
      : client.write(bytes);
    if (!flushed && this.#connection !== undefined) {
      const connection = this.#connection;
      connection.pause();
      client.once('drain', () => connection.resume());
    }
  }

  end(): void {
    if (this.#wrapChunks) this.#req.client.write('0\r\n\r\n', 'latin1');
    this.#connection = undefined;
    this.#finish(this.#req.keepAlive);
  }

  fail(error: Error, headSeen: boolean): void {
    if (!headSeen && this.#reused && !this.#resent && this.#req.idempotent && error instanceof UpstreamResetError) {
      // A kept-alive connection the server closed as the request went out: the request never reached
      // anyone, so it goes again on a new connection, as browsers and curl do; not a retry.
      this.#resent = true;
      clearTimeout(this.#tryTimer);
      this.#connection = undefined;
      void this.#dial();
      return;
    }
    if (!headSeen && !this.#committed) return this.#attemptFailed(error);
    // Mid-body: the status line is gone, so the only honest signal left is a reset.
    this.#connection = undefined;
    this.#req.info.addResponseFlag(this.#timedOut ? 'UT' : 'UC');
    this.#req.client.destroy();
    this.#finish(false);
  }

  #attemptFailed(error: Error): void {
    clearTimeout(this.#tryTimer);
    this.#connection = undefined;
    this.#hostDone();
    const stats = this.#stats!;
    stats.rqError++;
    if (isConnectFailure(error)) stats.cxConnectFail++;
    const policy = this.#req.retryPolicy;
    if (policy !== null && this.#canRetry() && retriableError(policy, error)) return this.#retryLater();
    this.#reply(rescue(causeOf(error, this.#retried)));
  }

  #onPerTryTimeout(timeoutMs: number): void {
    this.#stats!.rqTimeout++;
    this.#stats!.rqError++;
    this.#abandonAttempt();
    const policy = this.#req.retryPolicy!;
    if (this.#canRetry() && retriableTimeout(policy)) return this.#retryLater();
    this.#reply(rescue(causeOf(new PerTryTimeoutError(timeoutMs), this.#retried)));
  }

  #onRouteTimeout(): void {
    if (this.#over) return;
    this.#timedOut = true;
    if (this.#connection !== undefined) this.#stats!.rqTimeout++;
    this.#abandonAttempt();
    if (!this.#committed) return this.#reply(rescue(causeOf(new RouteTimeoutError(this.#req.routeTimeoutMs))));
    this.#req.info.addResponseFlag('UT');
    this.#req.client.destroy();
    this.#finish(false);
  }

  /**
   * Envoy's stream idle timeout: nothing moved on the client connection while the request waited (or its
   * response stalled). Before the response head: 504 `stream timeout` (SI); after it, a reset.
   */
  streamIdle(): void {
    if (this.#over) return;
    this.#abandonAttempt();
    if (!this.#committed) return this.#reply(rescue({ kind: 'stream_idle_timeout' }));
    const info = this.#req.info;
    info.addResponseFlag('SI');
    info.responseCodeDetails = 'stream_idle_timeout';
    this.#req.client.destroy();
    this.#finish(false);
  }

  #canRetry(): boolean {
    const policy = this.#req.retryPolicy;
    return policy !== null && this.#attempt < policy.numRetries && !this.#timedOut;
  }

  #retryLater(): void {
    const policy = this.#req.retryPolicy!;
    const wait = backoffMs(policy, this.#attempt, this.#deps.random());
    this.#retried = true;
    this.#attempt++;
    setTimeout(() => {
      if (!this.#over) void this.#nextAttempt();
    }, wait);
  }

  /** Stops the attempt in flight, if any: its connection is closed and its host released. */
  #abandonAttempt(): void {
    clearTimeout(this.#tryTimer);
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.abandon();
    this.#hostDone();
  }

  #hostDone(): void {
    const release = this.#releaseHost;
    this.#releaseHost = undefined;
    release?.();
  }

  #reply(reply: LocalReply): void {
    if (this.#over) return;
    const { info, client } = this.#req;
    recordLocalReply(info, reply);
    const headers: string[] = [];
    for (const name in reply.headers) headers.push(name, reply.headers[name]!);
    const keepAlive = this.#req.keepAlive;
    client.write(
      formatResponseHead(reply.status, headers, this.#deps.clock, {
        keepAlive,
        keepAliveSeconds: this.#req.keepAliveSeconds,
        chunked: false,
      }) + reply.body,
      'latin1',
    );
    info.bytesSent = Buffer.byteLength(reply.body);
    this.#finish(keepAlive);
  }

  #finish(reusable: boolean): void {
    if (this.#over) return;
    this.#over = true;
    clearTimeout(this.#routeTimer);
    clearTimeout(this.#tryTimer);
    this.#hostDone();
    this.#req.done(reusable);
  }
}

function uncork(socket: Socket): void {
  socket.uncork();
}
