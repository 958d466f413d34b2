// Handles one HTTP request, explicit or transparently captured: target from the absolute URI, route on the snapshot current at
// its start, local reply or upstream forward with route timeout and retries, streamed bodies both ways,
// and exactly one access-log line from its StreamInfo when the response closes.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Route, Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER } from '../../model/cluster-name.ts';
import { sendCorsPreflight, sendDirectResponse, sendLocalReply, sendRedirect } from '../local-reply.ts';
import { causeOf, rescue } from '../rescue.ts';
import { onStreamIdle } from '../stream-idle.ts';
import { routeHttp, type HttpDecision } from '../router/http-router.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';
import { evaluateCors, type CorsOutcome } from './cors.ts';
import { decideFault } from './fault.ts';
import { capturedDestinationOf } from '../listeners/captured-connection.ts';
import { formatEndpoint } from '../listeners/original-dst.ts';
import { forward, recordDestination, resetByProxy } from './forward.ts';
import { applyHeaderMutation, type HeaderMap } from './header-mutation.ts';
import { HOP_BY_HOP } from './hop-by-hop.ts';
import { parseRequestTarget, type RequestTarget } from './request-target.ts';
import { redirectLocation } from './rewrite.ts';
import type { StreamDeps } from './stream-deps.ts';

export interface HttpDeps extends StreamDeps {
  readonly maxUriBytes: number;
}

function upstreamHeaders(
  headers: IncomingHttpHeaders,
  authority: string,
  requestId: string,
): Record<string, string | string[]> {
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

function hasBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0')
  );
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
      if (!res.writableFinished && !res.headersSent)
        sendLocalReply(res, info, rescue({ kind: 'downstream_disconnect' }));
      else if (!res.writableFinished && !resetByProxy.has(res)) info.addResponseFlag('DC');
      info.finish(deps.clock);
      deps.log(info);
    });
    handle(deps, snapshot, req, res, info).catch((error: unknown) => {
      deps.bug?.(error);
      // A broken invariant must not take the proxy down; the client gets Envoy's reset reply.
      if (!res.headersSent) sendLocalReply(res, info, rescue(causeOf(error)));
      else {
        resetByProxy.add(res);
        res.destroy();
      }
    });
  };
}

async function handle(
  deps: HttpDeps,
  snapshot: Snapshot,
  req: IncomingMessage,
  res: ServerResponse,
  info: StreamInfo,
): Promise<void> {
  info.method = req.method;
  info.protocol = `HTTP/${req.httpVersion}`;
  info.userAgent = req.headers['user-agent'];
  info.forwardedFor = req.headers['x-forwarded-for'] as string | undefined;
  const requestId =
    typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'] !== ''
      ? req.headers['x-request-id']
      : randomUUID();
  info.requestId = requestId;
  const socket = req.socket;
  if (socket.remoteAddress !== undefined)
    info.downstreamRemoteAddress = formatSocketAddress(socket.remoteAddress, socket.remotePort ?? 0);

  const target = parseRequestTarget(req.url ?? '', req.headers.host, deps.maxUriBytes);
  if (target.kind === 'error') {
    info.path = req.url;
    return sendLocalReply(res, info, rescue({ kind: target.reply }));
  }
  info.path = target.path;
  info.authority = target.authority;
  // Captured: the listener is the original port's (the Host's port is ignored, as Istio strips it), and
  // ORIGINAL_DST clusters dial the original IP. Explicit: both come from the request target (spec §7).
  const captured = capturedDestinationOf(socket);
  const original = captured !== undefined ? { host: captured.address, port: captured.port } : undefined;
  info.downstreamLocalAddress =
    captured !== undefined ? formatEndpoint(captured) : formatSocketAddress(target.host, target.port);

  const decision = routeHttp(
    snapshot,
    {
      authority: target.authority,
      port: original?.port ?? target.port,
      method: req.method ?? 'GET',
      path: target.path,
      scheme: 'http',
      header: headerReader(req),
    },
    deps.random(),
  );
  deps.trace?.(`router: ${req.method} http://${target.authority}${target.path} → ${describeDecision(decision)}`);
  return dispatch(deps, snapshot, decision, req, res, info, target, original, requestId);
}

/** One line for the router trace: what the decision is and why. */
export function describeDecision(d: HttpDecision): string {
  if (d.kind === 'no_route') return `404 NR (${d.reason})`;
  if (d.kind === 'direct') return `direct ${d.status} via route ${d.route.name} (${d.reason})`;
  if (d.kind === 'redirect') return `redirect ${d.action.responseCode} via route ${d.route.name || '-'} (${d.reason})`;
  return `cluster ${d.cluster} via route ${d.route.name || '-'} (${d.reason})`;
}

async function dispatch(
  deps: HttpDeps,
  snapshot: Snapshot,
  decision: HttpDecision,
  req: IncomingMessage,
  res: ServerResponse,
  info: StreamInfo,
  target: Extract<RequestTarget, { kind: 'ok' }>,
  original: { host: string; port: number } | undefined,
  requestId: string,
): Promise<void> {
  if (decision.kind === 'no_route') return sendLocalReply(res, info, rescue({ kind: 'route_not_found' }));
  if (decision.route.name !== '') info.routeName = decision.route.name;
  if (decision.kind === 'forward' && snapshot.clusters[decision.cluster] !== undefined)
    recordDestination(info, snapshot, decision.cluster, target.host);
  const header = headerReader(req);
  // Envoy's filter order in an Istio sidecar: CORS, then fault, then the router.
  const cors = evaluateCors(decision.route.cors, req.method ?? 'GET', header);
  if (cors.kind === 'preflight') return sendCorsPreflight(res, info, cors.headers);
  if (decision.kind === 'direct') {
    if (decision.route.name === 'block_all') {
      info.destinationServiceName = BLACKHOLE_CLUSTER;
      return sendLocalReply(res, info, rescue({ kind: 'block_all' }));
    }
    const action = decision.route.action;
    const body =
      action.kind === 'direct' && action.bodyIsBase64 === true ? Buffer.from(decision.body, 'base64') : decision.body;
    return sendDirectResponse(res, info, decision.status, body, configuredReplyHeaders(decision.route, cors));
  }
  if (decision.kind === 'redirect') {
    const location = redirectLocation(decision.action, {
      scheme: 'http',
      authority: target.authority,
      port: target.port,
      path: target.path,
    });
    return sendRedirect(
      res,
      info,
      decision.action.responseCode,
      location,
      configuredReplyHeaders(decision.route, cors),
    );
  }
  const fault = decideFault(decision.route.fault, deps.random);
  if (fault.delayMs > 0) {
    info.addResponseFlag('DI');
    const idled = await delay(fault.delayMs, req, res);
    if (res.destroyed) return;
    if (idled)
      return sendLocalReply(res, info, rescue({ kind: 'stream_idle_timeout', requestIncomplete: !req.complete }));
  }
  if (fault.abort !== undefined) {
    return sendLocalReply(
      res,
      info,
      rescue({
        kind: 'fault_abort',
        ...(fault.abort.httpStatus !== undefined ? { faultStatus: fault.abort.httpStatus } : {}),
        ...(fault.abort.grpcStatus !== undefined ? { faultGrpcStatus: fault.abort.grpcStatus } : {}),
      }),
    );
  }
  return forward(deps, snapshot, decision, req, res, info, target, {
    headers: upstreamHeaders(req.headers, target.authority, requestId),
    corsHeaders: cors.kind === 'forward' ? cors.responseHeaders : undefined,
    hasBody: hasBody(req),
    originalDestination: original,
  });
}

/** Envoy finalizes direct responses and redirects with the route's response headers, and its CORS filter adds its own. */
function configuredReplyHeaders(route: Route, cors: CorsOutcome): HeaderMap {
  const headers: HeaderMap = cors.kind === 'forward' ? { ...cors.responseHeaders } : {};
  applyHeaderMutation(headers, route.headers?.response);
  return headers;
}

function headerReader(req: IncomingMessage): (name: string) => string | undefined {
  return (name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
}

/** Holds the request for a fault delay; ends early when the client goes away. */
/**
 * Holds a request for its fault delay. Envoy's stream idle timeout keeps running meanwhile (nothing moves
 * on a delayed stream), so a delay longer than it ends early: resolves true when that is what ended it.
 */
function delay(ms: number, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (idled: boolean): void => {
      clearTimeout(timer);
      forgetIdle();
      resolve(idled);
    };
    const timer = setTimeout(() => done(false), ms);
    const forgetIdle = onStreamIdle(req.socket, () => done(true));
    res.once('close', () => done(false));
  });
}
