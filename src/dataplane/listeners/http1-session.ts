// The fast lane for one explicit-proxy client connection: while requests are plain (a bodiless HTTP/1.1
// absolute-form request on a route with no filters to run), meshgate reads the head itself, forwards it with
// Http1Forward and writes the response straight to the socket. The first request that is anything else —
// a body, an upgrade, a CONNECT, a route with faults, CORS, mirrors, rewrites or header operations, a head
// split across reads — hands the connection, with every unread byte, to Node's HTTP server for good.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Snapshot } from '../../compiler/snapshot.ts';
import { flatHeader } from '../flat-headers.ts';
import { describeDecision } from '../filters/http-connection-manager.ts';
import { Http1Forward } from '../filters/http1-forward.ts';
import { recordDestination } from '../filters/forward.ts';
import { HOP_BY_HOP } from '../filters/hop-by-hop.ts';
import { parseRequestTarget } from '../filters/request-target.ts';
import type { StreamDeps } from '../filters/stream-deps.ts';
import { routeHttp, type HttpCall, type HttpDecision } from '../router/http-router.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';
import { capturedDestinationOf } from './captured-connection.ts';
import { parseRequestHead, type RequestHead } from './http1-request-head.ts';
import { formatEndpoint } from './original-dst.ts';

export interface Http1SessionDeps extends StreamDeps {
  readonly maxHeaderBytes: number;
  readonly maxUriBytes: number;
  readonly idleTimeoutMs: number;
  /** Gives the socket and the bytes read but not consumed to Node's HTTP server. */
  readonly handOff: (socket: Socket, unread: Buffer) => void;
  /** Starts a CONNECT tunnel on the socket; `early` holds bytes the client sent after the request head. */
  readonly tunnel: (socket: Socket, target: string, early: Buffer) => void;
  /** Counts a request in flight until the returned function is called (drain waits for them). */
  readonly begin: () => () => void;
}

type Forwarded = Extract<HttpDecision, { kind: 'forward' }>;

/** Whether the route needs nothing but forwarding: no filter of the full path would act on it. */
function plainForward(decision: HttpDecision): decision is Forwarded {
  if (decision.kind !== 'forward') return false;
  const { route, action } = decision;
  if (route.fault !== undefined || route.cors !== undefined || route.headers !== undefined) return false;
  if (action.rewrite !== undefined || (action.mirrors !== undefined && action.mirrors.length > 0)) return false;
  for (const weighted of action.clusters) if (weighted.headers !== undefined) return false;
  return true;
}

export class Http1Session {
  readonly #deps: Http1SessionDeps;
  readonly #socket: Socket;
  #unread: Buffer | undefined;
  #exchange: Http1Forward | undefined;
  #draining = false;
  #handedOff = false;
  readonly #onData = (chunk: Buffer): void => this.#received(chunk);
  readonly #onClose = (): void => this.#closed();
  // Node's HTTP server accepts half-open sockets; a client that stops sending has left (Envoy: DC).
  readonly #onEnd = (): void => {
    this.#closed();
    this.#socket.destroy();
  };
  // Nothing moved on the connection for the idle time: an idle connection closes; a request in flight
  // meets Envoy's stream idle timeout (the same 5 minutes by default) and is answered or reset.
  readonly #onTimeout = (): void => {
    if (this.#exchange !== undefined) this.#exchange.streamIdle();
    else this.#socket.destroy();
  };
  /** Told when the session ends, by close or hand-off. */
  #ended: (() => void) | undefined;

  constructor(deps: Http1SessionDeps, socket: Socket, ended: () => void) {
    this.#deps = deps;
    this.#socket = socket;
    this.#ended = ended;
    socket.setNoDelay(true);
    socket.setTimeout(deps.idleTimeoutMs);
    socket.on('data', this.#onData);
    socket.on('close', this.#onClose);
    socket.on('end', this.#onEnd);
    socket.on('timeout', this.#onTimeout);
    socket.on('error', noop);
    // A captured socket arrives paused by the protocol sniffer; a new 'data' listener would not resume it.
    socket.resume();
  }

  /** Serves bytes already read from the socket (a captured connection's sniffed head). */
  feed(bytes: Buffer): void {
    if (bytes.length > 0) this.#received(bytes);
  }

  get busy(): boolean {
    return this.#exchange !== undefined;
  }

  /** Stop taking requests: an idle connection closes now, a busy one after its response. */
  drain(): void {
    this.#draining = true;
    if (this.#exchange === undefined) this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #received(chunk: Buffer): void {
    this.#unread = this.#unread === undefined ? chunk : Buffer.concat([this.#unread, chunk]);
    if (this.#exchange !== undefined) {
      // Pipelined bytes wait for the response in flight; past a head's worth, stop reading until then.
      if (this.#unread.length > this.#deps.maxHeaderBytes) this.#socket.pause();
      return;
    }
    this.#next();
  }

  #next(): void {
    const unread = this.#unread;
    if (unread === undefined || this.#draining) return;
    const head = parseRequestHead(unread, this.#deps.maxHeaderBytes, this.#deps.maxUriBytes);
    if (typeof head === 'string') return this.#handOff();
    // A CONNECT line on a captured connection is the application's own business: the full path decides.
    if (head.method === 'CONNECT') {
      if (capturedDestinationOf(this.#socket) !== undefined) return this.#handOff();
      return this.#tunnel(head, unread);
    }
    if (!this.#serve(head, unread)) return this.#handOff();
  }

  /** Starts forwarding `head`; false when the request is not the fast lane's to serve. */
  #serve(head: RequestHead, unread: Buffer): boolean {
    const deps = this.#deps;
    const target = parseRequestTarget(head.target, head.host, deps.maxUriBytes);
    if (target.kind === 'error') return false;
    // Explicit mode: origin-form requests (a direct hit on the proxy port) stay with the full path.
    // Captured: the listener is the original port's, and ORIGINAL_DST clusters dial the original address.
    const captured = capturedDestinationOf(this.#socket);
    if (captured === undefined && head.target.startsWith('/')) return false;
    const snapshot = deps.snapshot();
    const call: HttpCall = {
      authority: target.authority,
      port: captured?.port ?? target.port,
      method: head.method,
      path: target.path,
      scheme: 'http',
      header: (name) => flatHeader(head.headers, name),
    };
    // Routed once without spending a random draw, so a request handed off sees the same draws it would have.
    const probe = routeHttp(snapshot, call, 0);
    if (!plainForward(probe)) return false;
    // A destination without a cluster is answered 503 NC by the full path, whichever weight would pick it.
    for (const weighted of probe.action.clusters) if (snapshot.clusters[weighted.name] === undefined) return false;
    const draw = deps.random();
    const decision = probe.action.clusters.length > 1 ? routeHttp(snapshot, call, draw) : probe;
    if (!plainForward(decision)) return false;
    const cluster = snapshot.clusters[decision.cluster]!;

    this.#unread = unread.length === head.length ? undefined : unread.subarray(head.length);
    const info = this.#requestInfo(head, target, snapshot, decision);
    if (captured !== undefined) info.downstreamLocalAddress = formatEndpoint(captured);
    const dialOriginal = captured !== undefined && cluster.type !== 'DYNAMIC_FORWARD_PROXY';
    deps.trace?.(`router: ${head.method} http://${target.authority}${target.path} → ${describeDecision(decision)}`);
    const release = deps.begin();
    const keepAlive = !head.close && !this.#draining;
    const exchange = new Http1Forward(deps, {
      client: this.#socket,
      info,
      cluster,
      requestedHost: dialOriginal ? captured.address : target.host,
      requestedPort: captured?.port ?? target.port,
      headRequest: head.method === 'HEAD',
      idempotent: head.method === 'GET' || head.method === 'HEAD' || head.method === 'OPTIONS',
      upstreamHead: upstreamHead(head, target.authority, target.path, info.requestId!),
      retryPolicy: decision.action.retryPolicy,
      routeTimeoutMs: decision.action.timeoutMs,
      keepAlive,
      keepAliveSeconds: Math.floor(deps.idleTimeoutMs / 1000),
      done: (reusable) => {
        this.#exchange = undefined;
        info.finish(deps.clock);
        deps.log(info);
        release();
        this.#afterExchange(reusable && keepAlive);
      },
    });
    this.#exchange = exchange;
    exchange.start();
    return true;
  }

  #requestInfo(
    head: RequestHead,
    target: { host: string; port: number; authority: string; path: string },
    snapshot: Snapshot,
    decision: Forwarded,
  ): StreamInfo {
    const deps = this.#deps;
    const info = new StreamInfo(deps.clock, 'http');
    info.method = head.method;
    info.protocol = 'HTTP/1.1';
    info.userAgent = flatHeader(head.headers, 'user-agent');
    info.forwardedFor = flatHeader(head.headers, 'x-forwarded-for');
    const requestId = flatHeader(head.headers, 'x-request-id');
    info.requestId = requestId !== undefined && requestId !== '' ? requestId : randomUUID();
    const socket = this.#socket;
    if (socket.remoteAddress !== undefined)
      info.downstreamRemoteAddress = formatSocketAddress(socket.remoteAddress, socket.remotePort ?? 0);
    info.path = target.path;
    info.authority = target.authority;
    info.downstreamLocalAddress = formatSocketAddress(target.host, target.port);
    if (decision.route.name !== '') info.routeName = decision.route.name;
    recordDestination(info, snapshot, decision.cluster, target.host);
    return info;
  }

  #afterExchange(reusable: boolean): void {
    const socket = this.#socket;
    if (socket.destroyed) return;
    if (!reusable || this.#draining) {
      socket.end();
      return;
    }
    if (socket.isPaused()) socket.resume();
    this.#next();
  }

  /** The connection becomes a CONNECT tunnel: the session lets go of it. */
  #tunnel(head: RequestHead, unread: Buffer): void {
    // Nothing may flow until the tunnel pipes the socket, or the client's first bytes would be lost.
    this.#socket.pause();
    this.#detach();
    this.#unread = undefined;
    this.#deps.tunnel(this.#socket, head.target, unread.subarray(head.length));
  }

  #handOff(): void {
    if (this.#handedOff) return;
    this.#detach();
    const unread = this.#unread ?? Buffer.alloc(0);
    this.#unread = undefined;
    if (this.#socket.isPaused()) this.#socket.resume();
    this.#deps.handOff(this.#socket, unread);
  }

  /** Removes the session from the socket, which then belongs to whoever takes it next. */
  #detach(): void {
    this.#handedOff = true;
    const socket = this.#socket;
    socket.off('data', this.#onData);
    socket.off('close', this.#onClose);
    socket.off('end', this.#onEnd);
    socket.off('timeout', this.#onTimeout);
    socket.off('error', noop);
    socket.setTimeout(0);
    this.#ended?.();
    this.#ended = undefined;
  }

  #closed(): void {
    this.#exchange?.clientGone();
    this.#ended?.();
    this.#ended = undefined;
  }
}

function noop(): void {}

/** The request as it goes upstream: hop-by-hop headers dropped, host and request id set (as the full path). */
function upstreamHead(head: RequestHead, authority: string, path: string, requestId: string): string {
  let out = `${head.method} ${path} HTTP/1.1\r\nhost: ${authority}\r\n`;
  let forwardedProto = false;
  const headers = head.headers;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    // Set by meshgate for each attempt (Istio's include_request_attempt_count), never passed on.
    if (HOP_BY_HOP.has(name) || name === 'x-request-id' || name === 'x-envoy-attempt-count') continue;
    if (name === 'x-forwarded-proto') forwardedProto = true;
    out += `${name}: ${headers[i + 1]}\r\n`;
  }
  out += `x-request-id: ${requestId}\r\n`;
  if (!forwardedProto) out += 'x-forwarded-proto: http\r\n';
  return out;
}
