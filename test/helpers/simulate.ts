// Runs the real routers on a compiled snapshot without sockets: Call → Result, as Istio's simulation tests do.
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import { routeHttp } from '../../src/dataplane/router/http-router.ts';
import { routeTunnel } from '../../src/dataplane/router/tcp-router.ts';

export interface Call {
  authority: string;
  port?: number;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** 0..1, picks among weighted clusters. */
  random?: number;
}

export interface Result {
  listener?: string;
  routeConfig?: string | undefined;
  virtualHost?: string | undefined;
  route?: string | undefined;
  cluster?: string | undefined;
  status?: number;
  flag: string;
}

/** What an absolute-form HTTP request gets. */
export function simulateHttp(snapshot: Snapshot, call: Call): Result {
  const headers = call.headers ?? {};
  const d = routeHttp(snapshot, {
    authority: call.authority,
    port: call.port ?? 80,
    method: call.method ?? 'GET',
    path: call.path ?? '/',
    scheme: 'http',
    header: (name) => headers[name],
  }, call.random ?? 0);
  if (d.kind === 'no_route') return { routeConfig: d.routeConfig, virtualHost: d.virtualHost, status: 404, flag: 'NR' };
  if (d.kind === 'direct') return { routeConfig: d.routeConfig, virtualHost: d.virtualHost, route: d.route.name, cluster: d.cluster, status: d.status, flag: '-' };
  const exists = snapshot.clusters[d.cluster] !== undefined;
  return { routeConfig: d.routeConfig, virtualHost: d.virtualHost, route: d.route.name, cluster: d.cluster, ...(exists ? {} : { status: 503 }), flag: exists ? '-' : 'NC' };
}

/** What a CONNECT host:port gets. */
export function simulateConnect(snapshot: Snapshot, host: string, port: number): Result {
  const d = routeTunnel(snapshot, host, port);
  return { listener: d.listener, cluster: d.cluster, flag: d.cluster === 'BlackHoleCluster' ? 'UH' : '-' };
}
