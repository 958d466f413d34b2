// Runs the real routers on a compiled snapshot without sockets: Call → Result, as Istio's simulation tests do
// (explicit HTTP, CONNECT, and transparently captured connections). HTTP calls also go through the route's
// CORS and fault decisions (with the call's random draws).
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import { evaluateCors } from '../../src/dataplane/filters/cors.ts';
import { decideFault } from '../../src/dataplane/filters/fault.ts';
import { redirectLocation, rewritePath } from '../../src/dataplane/filters/rewrite.ts';
import { routeHttp } from '../../src/dataplane/router/http-router.ts';
import { needsSniffing, routeCaptured, type CapturedProtocol } from '../../src/dataplane/router/capture-router.ts';
import { routeTunnel } from '../../src/dataplane/router/tcp-router.ts';

export interface Call {
  authority: string;
  port?: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** 0..1, picks among weighted clusters. */
  random?: number;
  /** 0..1, the draw for each fault percentage (default 0: a configured fault with any percentage fires). */
  faultRandom?: number;
  /** A TLS/TCP call instead of HTTP: the SNI (or CONNECT host); `authority` is then unused. */
  sni?: string;
  /** The original destination IP of a captured TLS/TCP connection. */
  destinationIp?: string;
}

export interface Result {
  listener?: string;
  routeConfig?: string | undefined;
  virtualHost?: string | undefined;
  route?: string | undefined;
  cluster?: string | undefined;
  status?: number;
  flag: string;
  /** Redirects: the Location header. */
  location?: string;
  /** Forwarded requests whose path a rewrite changed: the path sent upstream. */
  upstreamPath?: string;
  /** Clusters the route mirrors to (with their percentage), when it mirrors. */
  mirrors?: string[];
}

/** What an absolute-form HTTP request gets. */
export function simulateHttp(snapshot: Snapshot, call: Call): Result {
  const headers = call.headers ?? {};
  const method = call.method ?? 'GET';
  const path = call.path ?? '/';
  const port = call.port ?? 80;
  const d = routeHttp(
    snapshot,
    { authority: call.authority, port, method, path, scheme: 'http', header: (name) => headers[name] },
    call.random ?? 0,
  );
  if (d.kind === 'no_route') return { routeConfig: d.routeConfig, virtualHost: d.virtualHost, status: 404, flag: 'NR' };
  const base = { routeConfig: d.routeConfig, virtualHost: d.virtualHost, route: d.route.name };
  if (evaluateCors(d.route.cors, method, (name) => headers[name]).kind === 'preflight')
    return { ...base, status: 200, flag: '-' };
  if (d.kind === 'direct') return { ...base, cluster: d.cluster, status: d.status, flag: '-' };
  if (d.kind === 'redirect') {
    return {
      ...base,
      status: d.action.responseCode,
      flag: '-',
      location: redirectLocation(d.action, { scheme: 'http', authority: call.authority, port, path }),
    };
  }
  const fault = decideFault(d.route.fault, () => call.faultRandom ?? 0);
  const delayed = fault.delayMs > 0 ? 'DI' : '';
  if (fault.abort !== undefined) {
    return {
      ...base,
      cluster: d.cluster,
      status: fault.abort.httpStatus ?? 200,
      flag: delayed === '' ? 'FI' : 'DI,FI',
    };
  }
  const exists = snapshot.clusters[d.cluster] !== undefined;
  const flags = [delayed, exists ? '' : 'NC'].filter((f) => f !== '').join(',');
  const upstreamPath = rewritePath(path, d.action.rewrite);
  const mirrors = (d.action.mirrors ?? []).map((m) => `${m.cluster} ${m.percent}%`);
  return {
    ...base,
    cluster: d.cluster,
    ...(exists ? {} : { status: 503 }),
    flag: flags === '' ? '-' : flags,
    ...(upstreamPath !== path ? { upstreamPath } : {}),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}

/** One call of either kind: with `sni` it is a TLS/TCP stream on `port` (default 443), else an HTTP request. */
export function simulate(snapshot: Snapshot, call: Call): Result {
  if (call.sni === undefined) return simulateHttp(snapshot, call);
  return simulateConnect(snapshot, call.sni, call.port ?? 443, call.random ?? 0, call.destinationIp);
}

/** What a CONNECT host:port gets (the host doubles as the SNI, as for a captured TLS stream). */
export function simulateConnect(
  snapshot: Snapshot,
  host: string,
  port: number,
  random = 0,
  destinationIp?: string,
): Result {
  const d = routeTunnel(snapshot, host, port, random, destinationIp);
  return {
    listener: d.listener,
    cluster: d.cluster,
    ...(d.route !== undefined ? { route: d.route } : {}),
    flag: d.cluster === 'BlackHoleCluster' ? 'UH' : '-',
  };
}

/** A transparently captured connection: where the app dialled, and what its first bytes were. */
export interface CapturedCallInput {
  address: string;
  port: number;
  protocol: CapturedProtocol;
  sni?: string;
  /** For HTTP: the Host header. */
  host?: string;
  path?: string;
  /** The draw in [0, 1) that picks among a tls/tcp route's weighted destinations. */
  random?: number;
}

/** What a captured connection gets: its listener and, for HTTP, the route the Host picks on the original port. */
export function simulateCaptured(snapshot: Snapshot, call: CapturedCallInput): Result & { sniff: boolean } {
  const sniff = needsSniffing(snapshot, call.address, call.port);
  const d = routeCaptured(
    snapshot,
    { address: call.address, port: call.port, protocol: call.protocol, sni: call.sni },
    call.random,
  );
  if (d.kind === 'http') {
    return {
      ...simulateHttp(snapshot, { authority: call.host ?? call.address, port: call.port, path: call.path ?? '/' }),
      listener: d.listener,
      sniff,
    };
  }
  return {
    listener: d.listener,
    cluster: d.cluster,
    ...(d.route !== undefined ? { route: d.route } : {}),
    flag: d.cluster === 'BlackHoleCluster' ? 'UH' : '-',
    sniff,
  };
}
