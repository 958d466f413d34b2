// Routes one HTTP request on a snapshot: port → route config → virtual host (Envoy ranking) → first matching
// route → weighted cluster. Returns what matched and why, for the access log, the trace and simulation tests.
import type { RedirectAction, Route, RouteAction, Snapshot, WeightedCluster } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { hostOfAuthority, lookupDomain } from '../../model/vhost-domains.ts';
import { matchRoute, type RequestFacts } from './route-matchers.ts';

export interface HttpCall extends RequestFacts {
  /** The destination port (explicit mode: the absolute URI's port, default 80). */
  readonly port: number;
}

export type HttpDecision =
  | {
      readonly kind: 'forward';
      readonly routeConfig: string | undefined;
      readonly virtualHost: string;
      readonly route: Route;
      readonly cluster: string;
      readonly action: Extract<RouteAction, { kind: 'route' }>;
      /** The chosen destination, with its own header operations. */
      readonly weighted: WeightedCluster;
      readonly reason: string;
    }
  | {
      readonly kind: 'redirect';
      readonly routeConfig: string | undefined;
      readonly virtualHost: string;
      readonly route: Route;
      readonly action: RedirectAction;
      readonly reason: string;
    }
  | {
      readonly kind: 'direct';
      readonly routeConfig: string | undefined;
      readonly virtualHost: string;
      readonly route: Route;
      readonly status: number;
      readonly body: string;
      /** Logged as the upstream cluster for metrics only (BlackHoleCluster for block_all); never dialled. */
      readonly cluster: string | undefined;
      readonly reason: string;
    }
  | {
      readonly kind: 'no_route';
      readonly routeConfig: string | undefined;
      readonly virtualHost: string | undefined;
      readonly reason: string;
    };

const ALLOW_ANY_ROUTE: Route = Object.freeze({
  name: 'allow_any',
  matches: Object.freeze([]),
  action: Object.freeze({
    kind: 'route',
    clusters: Object.freeze([Object.freeze({ name: PASSTHROUGH_CLUSTER, weight: 100 })]),
    totalWeight: 100,
    timeoutMs: 0,
    retryPolicy: null,
  }),
}) as Route;
const BLOCK_ALL_ROUTE: Route = Object.freeze({
  name: 'block_all',
  matches: Object.freeze([]),
  action: Object.freeze({ kind: 'direct', status: 502, body: '' }),
}) as Route;

/** Picks a destination by weight; `random` is in [0, 1). */
export function pickWeightedCluster(
  clusters: readonly WeightedCluster[],
  totalWeight: number,
  random: number,
): WeightedCluster {
  if (clusters.length === 1) return clusters[0]!;
  let point = random * totalWeight;
  for (let i = 0; i < clusters.length; i++) {
    point -= clusters[i]!.weight;
    if (point < 0) return clusters[i]!;
  }
  return clusters[clusters.length - 1]!;
}

/** Picks a cluster name by weight; `random` is in [0, 1). */
export function pickWeighted(action: Extract<RouteAction, { kind: 'route' }>, random: number): string {
  return pickWeightedCluster(action.clusters, action.totalWeight, random).name;
}

function decide(
  route: Route,
  routeConfig: string | undefined,
  virtualHost: string,
  random: number,
  reason: string,
): HttpDecision {
  const action = route.action;
  if (action.kind === 'direct') {
    const blocked = route.name === 'block_all';
    return {
      kind: 'direct',
      routeConfig,
      virtualHost,
      route,
      status: action.status,
      body: action.body,
      cluster: blocked ? BLACKHOLE_CLUSTER : undefined,
      reason,
    };
  }
  if (action.kind === 'redirect') return { kind: 'redirect', routeConfig, virtualHost, route, action, reason };
  const weighted = pickWeightedCluster(action.clusters, action.totalWeight, random);
  return { kind: 'forward', routeConfig, virtualHost, route, cluster: weighted.name, action, weighted, reason };
}

/** A route with no match entries matches everything; otherwise any one entry must hold. */
function matchesAny(route: Route, call: HttpCall): boolean {
  const matches = route.matches;
  if (matches.length === 0) return true;
  for (let i = 0; i < matches.length; i++) if (matchRoute(matches[i]!, call)) return true;
  return false;
}

export function routeHttp(snapshot: Snapshot, call: HttpCall, random: number): HttpDecision {
  const listener = snapshot.listeners[String(call.port)];
  const configName = listener?.routeConfigName;
  const config = configName !== undefined ? snapshot.routeConfigs[configName] : undefined;
  if (config === undefined) {
    // No HTTP listener on this port: explicit HTTP is treated as unknown traffic (spec §7).
    const route = snapshot.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLOCK_ALL_ROUTE : ALLOW_ANY_ROUTE;
    return decide(
      route,
      undefined,
      route.name,
      random,
      `no HTTP service on port ${call.port}; outbound policy ${snapshot.outboundTrafficPolicy}`,
    );
  }
  const host = hostOfAuthority(call.authority);
  const index = lookupDomain(config.domainIndex, host);
  const vhost = index >= 0 ? config.virtualHosts[index] : undefined;
  if (vhost === undefined)
    return {
      kind: 'no_route',
      routeConfig: config.name,
      virtualHost: undefined,
      reason: `no virtual host for ${host} in route config ${config.name}`,
    };
  // Indexed loops: snapshot arrays are frozen, and V8 iterates frozen arrays several times slower with
  // for-of or callbacks (measured in bench/micro/route-match.ts).
  const routes = vhost.routes;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    if (matchesAny(route, call)) {
      return decide(
        route,
        config.name,
        vhost.name,
        random,
        `${host} matched virtual host ${vhost.name}, route ${route.name === '' ? '(unnamed)' : route.name}`,
      );
    }
  }
  return {
    kind: 'no_route',
    routeConfig: config.name,
    virtualHost: vhost.name,
    reason: `no route of virtual host ${vhost.name} matches ${call.method} ${call.path}`,
  };
}
