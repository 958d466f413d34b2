// Handles one explicit-proxy HTTP request: target from the absolute URI, route on the snapshot current at
// its start, local reply or upstream forward with route timeout and retries, streamed bodies both ways,
// and exactly one access-log line from its StreamInfo when the response closes.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { RouteTimeoutError } from '../../errors.ts';
import type { Clock } from '../clock.ts';
import { sendDirectResponse, sendLocalReply } from '../local-reply.ts';
import { causeOf, rescue } from '../rescue.ts';
import { routeHttp, type HttpDecision } from '../router/http-router.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';
import type { ClusterManager } from '../upstream/cluster-manager.ts';
import { sendUpstream, type UpstreamResponse } from '../upstream/http-upstream.ts';
import { parseRequestTarget } from './request-target.ts';

export interface HttpDeps {
  /** The snapshot live right now; a request keeps the one it started with. */
  readonly snapshot: () => Snapshot;
  readonly clusters: ClusterManager;
  readonly clock: Clock;
  readonly random: () => number;
  readonly log: (info: StreamInfo) => void;
  readonly maxUriBytes: number;
  /** Set when MESHGATE_TRACE includes `router`. */
  readonly trace?: ((line: string) => void) | undefined;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and proxy credentials never go upstream. */
const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function upstreamHeaders(headers: IncomingHttpHeaders, authority: string, requestId: string): Record<string, string | string[]> {
  // Headers named in Connection are hop-by-hop too; the common case (none) allocates no set.
  let drop = HOP_BY_HOP;
  if (headers.connection !== undefined) {
    const named = new Set(HOP_BY_HOP);
    for (const token of headers.connection.split(',')) named.add(token.trim().toLowerCase());
    drop = named;
  }
  const out: Record<string, string | string[]> = { host: authority };
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !drop.has(name)) out[name] = value;
  }
  out['x-request-id'] = requestId;
  out['x-forwarded-proto'] ??= 'http';
  return out;
}

function responseHeaders(headers: Record<string, string | string[] | undefined>, serviceTimeMs: number | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') out[name] = value;
  if (serviceTimeMs !== undefined) out['x-envoy-upstream-service-time'] = String(serviceTimeMs);
  return out;
}

/** Responses meshgate itself cut short (an upstream failure mid-body): their close is not the client's doing. */
const resetByProxy = new WeakSet<ServerResponse>();

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
}

export function createHttpHandler(deps: HttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const info = new StreamInfo(deps.clock, 'http');
    const snapshot = deps.snapshot();
    // A client that vanishes mid-body makes these emit; the close handler below reports it, nothing may throw.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    let logged = false;
    res.on('close', () => {
      if (logged) return;
      logged = true;
      if (!res.writableFinished && !res.headersSent) sendLocalReply(res, info, rescue({ kind: 'downstream_disconnect' }));
      else if (!res.writableFinished && !resetByProxy.has(res)) info.addResponseFlag('DC');
      info.finish(deps.clock);
      deps.log(info);
    });
    handle(deps, snapshot, req, res, info).catch((error: unknown) => {
      // A broken invariant must not take the proxy down; the client gets Envoy's reset reply.
      if (!res.headersSent) sendLocalReply(res, info, rescue(causeOf(error)));
      else {
        resetByProxy.add(res);
        res.destroy();
      }
    });
  };
}

async function handle(deps: HttpDeps, snapshot: Snapshot, req: IncomingMessage, res: ServerResponse, info: StreamInfo): Promise<void> {
  info.method = req.method;
  info.protocol = `HTTP/${req.httpVersion}`;
  info.userAgent = req.headers['user-agent'];
  info.forwardedFor = req.headers['x-forwarded-for'] as string | undefined;
  const requestId = typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'] !== '' ? req.headers['x-request-id'] : randomUUID();
  info.requestId = requestId;
  const socket = req.socket;
  if (socket.remoteAddress !== undefined) info.downstreamRemoteAddress = formatSocketAddress(socket.remoteAddress, socket.remotePort ?? 0);

  const target = parseRequestTarget(req.url ?? '', req.headers.host, deps.maxUriBytes);
  if (target.kind === 'error') {
    info.path = req.url;
    return sendLocalReply(res, info, rescue({ kind: target.reply }));
  }
  info.path = target.path;
  info.authority = target.authority;
  info.downstreamLocalAddress = target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;

  const decision = routeHttp(snapshot, {
    authority: target.authority, port: target.port, method: req.method ?? 'GET', path: target.path, scheme: 'http',
    header: (name) => { const v = req.headers[name]; return Array.isArray(v) ? v.join(',') : v; },
  }, deps.random());
  deps.trace?.(`router: ${req.method} http://${target.authority}${target.path} → ${describe(decision)}`);
  return dispatch(deps, snapshot, decision, req, res, info, target, requestId);
}

function describe(d: HttpDecision): string {
  if (d.kind === 'no_route') return `404 NR (${d.reason})`;
  if (d.kind === 'direct') return `direct ${d.status} via route ${d.route.name} (${d.reason})`;
  return `cluster ${d.cluster} via route ${d.route.name || '-'} (${d.reason})`;
}

async function dispatch(
  deps: HttpDeps, snapshot: Snapshot, decision: HttpDecision, req: IncomingMessage, res: ServerResponse, info: StreamInfo,
  target: { host: string; port: number; authority: string; path: string }, requestId: string,
): Promise<void> {
  if (decision.kind === 'no_route') return sendLocalReply(res, info, rescue({ kind: 'route_not_found' }));
  if (decision.route.name !== '') info.routeName = decision.route.name;
  if (decision.kind === 'direct') {
    if (decision.route.name === 'block_all') {
      info.destinationServiceName = BLACKHOLE_CLUSTER;
      return sendLocalReply(res, info, rescue({ kind: 'block_all' }));
    }
    return sendDirectResponse(res, info, decision.status, decision.body);
  }
  const cluster = snapshot.clusters[decision.cluster];
  info.upstreamCluster = decision.cluster;
  if (cluster === undefined) return sendLocalReply(res, info, rescue({ kind: 'cluster_not_found' }));
  info.destinationServiceName = cluster.service?.hostname ?? (cluster.name === PASSTHROUGH_CLUSTER ? PASSTHROUGH_CLUSTER : undefined);
  info.destinationServiceHost = cluster.service?.hostname ?? target.host;
  if (cluster.service !== undefined) info.destinationServiceNamespace = cluster.service.namespace;

  const controller = new AbortController();
  const timeoutMs = decision.action.timeoutMs;
  let timedOut = false;
  const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; controller.abort(new RouteTimeoutError(timeoutMs)); }, timeoutMs) : undefined;
  res.once('close', () => { clearTimeout(timer); if (!res.writableFinished) controller.abort(); });

  let bodyStarted = false;
  let source: AsyncIterator<Buffer> | undefined;
  // The request body is read only when an attempt starts sending it, so a failed connect can still be retried.
  const body: AsyncIterable<Uint8Array> | null = hasBody(req)
    ? {
        [Symbol.asyncIterator]: (): AsyncIterator<Uint8Array> => ({
          next: async () => {
            bodyStarted = true;
            source ??= req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
            const r = await source.next();
            if (r.done !== true) info.bytesReceived += r.value.length;
            return r;
          },
          return: async () => (source?.return !== undefined ? source.return() : { done: true, value: undefined }),
        }),
      }
    : null;

  const outcome = await sendUpstream(deps, {
    cluster, requestedHost: target.host, requestedPort: target.port, method: req.method ?? 'GET', path: target.path,
    headers: upstreamHeaders(req.headers, target.authority, requestId), body, bodyStarted: () => bodyStarted, retryPolicy: decision.action.retryPolicy, signal: controller.signal,
  }, info);

  if (!outcome.ok) {
    clearTimeout(timer);
    if (res.destroyed) return;
    const cause = timedOut ? { kind: 'route_timeout' as const } : causeOf(outcome.error, outcome.retried);
    return sendLocalReply(res, info, rescue(cause));
  }
  streamResponse(res, info, outcome.response, () => timedOut, timer);
}

function streamResponse(res: ServerResponse, info: StreamInfo, response: UpstreamResponse, timedOut: () => boolean, timer: NodeJS.Timeout | undefined): void {
  info.responseCode = response.statusCode;
  info.responseCodeDetails = 'via_upstream';
  res.writeHead(response.statusCode, responseHeaders(response.headers, info.upstreamServiceTimeMs));
  const upstream = response.body;
  upstream.on('data', (chunk: Buffer) => { info.bytesSent += chunk.length; });
  upstream.on('error', () => {
    // Mid-body failure: the status line is gone, so the only honest signal left is a reset.
    info.addResponseFlag(timedOut() ? 'UT' : 'UC');
    resetByProxy.add(res);
    res.destroy();
  });
  upstream.on('end', () => { clearTimeout(timer); response.release(); });
  res.once('close', () => { response.release(); upstream.destroy(); });
  upstream.pipe(res);
}
