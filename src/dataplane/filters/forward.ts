// The router filter's forwarding path for one HTTP request: header operations and rewrites, mirrors, the
// route timeout around retried upstream attempts, and the streamed response with its header operations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Snapshot } from '../../compiler/snapshot.ts';
import { RouteTimeoutError, StreamIdleTimeoutError } from '../../errors.ts';
import { PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import type { Clock } from '../clock.ts';
import { sendLocalReply } from '../local-reply.ts';
import { onStreamIdle } from '../stream-idle.ts';
import { causeOf, rescue } from '../rescue.ts';
import type { HttpDecision } from '../router/http-router.ts';
import type { StreamInfo } from '../stream-info.ts';
import type { ClusterManager } from '../upstream/cluster-manager.ts';
import { sendUpstream, type UpstreamResponse } from '../upstream/http-upstream.ts';
import { applyHeaderMutation, type HeaderMap } from './header-mutation.ts';
import { startMirrors } from './mirror.ts';
import { BODY_REPLAY_LIMIT, ReplayableBody } from './request-body.ts';
import { rewritePath } from './rewrite.ts';

export interface ForwardDeps {
  readonly clusters: ClusterManager;
  readonly clock: Clock;
  readonly random: () => number;
  readonly trace?: ((line: string) => void) | undefined;
}

export interface ForwardRequest {
  /** Upstream request headers before the route's operations (hop-by-hop removed, host set). */
  readonly headers: HeaderMap;
  /** CORS headers to add to the response, for an allowed origin. */
  readonly corsHeaders: Readonly<Record<string, string>> | undefined;
  readonly hasBody: boolean;
  /** A captured connection's original destination: ORIGINAL_DST clusters dial it instead of the Host. */
  readonly originalDestination?: { readonly host: string; readonly port: number } | undefined;
}

type Forwarded = Extract<HttpDecision, { kind: 'forward' }>;

/** Responses meshgate itself cut short (an upstream failure mid-body): their close is not the client's doing. */
export const resetByProxy = new WeakSet<ServerResponse>();

/**
 * Records the route's cluster and destination service on the stream. Envoy resolves them with the route,
 * before any filter runs, so a fault abort or CORS reply on a forwarding route is logged with them too.
 */
export function recordDestination(
  info: StreamInfo,
  snapshot: Snapshot,
  clusterName: string,
  requestedHost: string,
): Snapshot['clusters'][string] | undefined {
  const cluster = snapshot.clusters[clusterName];
  info.upstreamCluster = clusterName;
  if (cluster === undefined) return undefined;
  info.destinationServiceName =
    cluster.service?.hostname ?? (cluster.name === PASSTHROUGH_CLUSTER ? PASSTHROUGH_CLUSTER : undefined);
  info.destinationServiceHost = cluster.service?.hostname ?? requestedHost;
  if (cluster.service !== undefined) info.destinationServiceNamespace = cluster.service.namespace;
  return cluster;
}

export async function forward(
  deps: ForwardDeps,
  snapshot: Snapshot,
  decision: Forwarded,
  req: IncomingMessage,
  res: ServerResponse,
  info: StreamInfo,
  target: { host: string; port: number; authority: string; path: string },
  request: ForwardRequest,
): Promise<void> {
  const { action, route, weighted } = decision;
  // Envoy applies the destination's operations first and the route's after them, so the route's `set` wins.
  const headers = request.headers;
  applyHeaderMutation(headers, weighted.headers?.request);
  applyHeaderMutation(headers, route.headers?.request);
  if (action.rewrite?.authority !== undefined) headers.host = action.rewrite.authority;
  const path = rewritePath(target.path, action.rewrite);
  if (path !== target.path) headers['x-envoy-original-path'] = target.path;

  const cluster = recordDestination(info, snapshot, decision.cluster, target.host);
  if (cluster === undefined) return sendLocalReply(res, info, rescue({ kind: 'cluster_not_found' }));
  // Captured traffic dials its original destination; a dynamic forward proxy always resolves the Host.
  const original = request.originalDestination;
  const requestedHost =
    original !== undefined && cluster.type !== 'DYNAMIC_FORWARD_PROXY' ? original.host : target.host;
  const requestedPort = original?.port ?? target.port;

  const mirrors = action.mirrors ?? [];
  // Bodies are kept only when something may need them again: a retry or a mirror.
  const keep = action.retryPolicy !== null || mirrors.length > 0 ? BODY_REPLAY_LIMIT : 0;
  const body = request.hasBody
    ? new ReplayableBody(req, keep, (n) => {
        info.bytesReceived += n;
      })
    : null;
  if (mirrors.length > 0) {
    const shadowed = startMirrors(deps, snapshot, mirrors, {
      method: req.method ?? 'GET',
      path,
      headers: { ...headers },
      body: body === null ? null : body.whenComplete(),
      requestedHost,
      requestedPort,
    });
    if (shadowed.length > 0) deps.trace?.(`router: mirrored to ${shadowed.join(', ')}`);
  }

  const controller = new AbortController();
  const timeoutMs = action.timeoutMs;
  let timedOut = false;
  const timer =
    timeoutMs > 0
      ? setTimeout(() => {
          timedOut = true;
          controller.abort(new RouteTimeoutError(timeoutMs));
        }, timeoutMs)
      : undefined;
  let idled = false;
  const forgetIdle = onStreamIdle(req.socket, () => {
    if (res.headersSent) {
      // Mid-response: as for a route timeout, the only signal left is a reset.
      info.addResponseFlag('SI');
      info.responseCodeDetails = 'stream_idle_timeout';
      resetByProxy.add(res);
      res.destroy();
      return;
    }
    idled = true;
    controller.abort(new StreamIdleTimeoutError(req.complete));
  });
  res.once('close', () => {
    clearTimeout(timer);
    forgetIdle();
    if (!res.writableFinished) controller.abort();
  });

  const outcome = await sendUpstream(
    deps,
    {
      cluster,
      requestedHost,
      requestedPort,
      method: req.method ?? 'GET',
      path,
      headers,
      body: body === null ? null : { [Symbol.asyncIterator]: () => body.reader()[Symbol.asyncIterator]() },
      // A body larger than the replay buffer cannot be sent twice, so such a request is not retried.
      bodyStarted: () => body !== null && !body.replayable,
      retryPolicy: action.retryPolicy,
      signal: controller.signal,
    },
    info,
  );

  if (!outcome.ok) {
    clearTimeout(timer);
    if (res.destroyed) return;
    const cause = timedOut
      ? { kind: 'route_timeout' as const }
      : idled
        ? { kind: 'stream_idle_timeout' as const, requestIncomplete: !req.complete }
        : causeOf(outcome.error, outcome.retried);
    return sendLocalReply(res, info, rescue(cause));
  }
  const responseHeaders = upstreamResponseHeaders(outcome.response.headers, info.upstreamServiceTimeMs);
  applyHeaderMutation(responseHeaders, weighted.headers?.response);
  applyHeaderMutation(responseHeaders, route.headers?.response);
  if (request.corsHeaders !== undefined) Object.assign(responseHeaders, request.corsHeaders);
  streamResponse(res, info, outcome.response, responseHeaders, () => timedOut, timer);
}

function upstreamResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
  serviceTimeMs: number | undefined,
): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding')
      out[name] = value;
  if (serviceTimeMs !== undefined) out['x-envoy-upstream-service-time'] = String(serviceTimeMs);
  return out;
}

function streamResponse(
  res: ServerResponse,
  info: StreamInfo,
  response: UpstreamResponse,
  headers: HeaderMap,
  timedOut: () => boolean,
  timer: NodeJS.Timeout | undefined,
): void {
  info.responseCode = response.statusCode;
  info.responseCodeDetails = 'via_upstream';
  res.writeHead(response.statusCode, headers);
  const upstream = response.body;
  if (response.statusCode === 204 || response.statusCode === 304) {
    // No body by definition, whatever Content-Length says (it may describe the representation). The
    // upstream client calls such a length a mismatch and fails the body; the response is complete anyway.
    clearTimeout(timer);
    upstream.on('error', () => {});
    upstream.destroy();
    response.release();
    res.end();
    return;
  }
  upstream.on('data', (chunk: Buffer) => {
    info.bytesSent += chunk.length;
  });
  upstream.on('error', () => {
    // Mid-body failure: the status line is gone, so the only honest signal left is a reset.
    info.addResponseFlag(timedOut() ? 'UT' : 'UC');
    resetByProxy.add(res);
    res.destroy();
  });
  upstream.on('end', () => {
    clearTimeout(timer);
    response.release();
  });
  res.once('close', () => {
    response.release();
    upstream.destroy();
  });
  upstream.pipe(res);
}
