// Builder: per HTTP port, one route config of virtual hosts (VirtualService hosts, then services without one,
// then the allow_any / block_all catch-all), each with ordered routes, as Istio's httproute.go builds them.
import type { DeepReadonly, VirtualServiceResource } from '../config/model.ts';
import type { HTTPRoute, HTTPRouteDestination, HTTPRetry } from '../config/wire/virtual-service.ts';
import { outboundClusterName, PASSTHROUGH_CLUSTER } from '../model/cluster-name.ts';
import { buildDomainIndex } from '../model/vhost-domains.ts';
import { isHttpProtocol, type Diagnostic, type Service } from '../registry/service.ts';
import { istioHostMatches } from '../registry/visibility.ts';
import { durationMs } from './duration.ts';
import { compileRouteMatch } from './matchers.ts';
import { buildRetryPolicy, DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import type { OutboundPolicy, Route, RouteConfig, VirtualHost, WeightedCluster } from './snapshot.ts';

export interface RouteInputs {
  readonly services: readonly Service[];
  /** VirtualServices that apply to this proxy (exported to it, gateway `mesh`), oldest first. */
  readonly virtualServices: readonly VirtualServiceResource[];
  readonly outboundPolicy: OutboundPolicy;
  readonly meshRetryPolicy?: DeepReadonly<HTTPRetry>;
}

export interface BuiltRoutes {
  readonly routeConfigs: Record<string, RouteConfig>;
  readonly diagnostics: Diagnostic[];
}

/** HTTP ports: ports where some service speaks an HTTP-family protocol or leaves the protocol to sniffing. */
export function httpPorts(services: readonly Service[]): number[] {
  const ports = new Set<number>();
  for (const s of services) for (const p of s.ports) if (isHttpProtocol(p.protocol) || p.protocol === '') ports.add(p.number);
  return [...ports].sort((a, b) => a - b);
}

export function buildRoutes(inputs: RouteInputs): BuiltRoutes {
  const routeConfigs: Record<string, RouteConfig> = {};
  const diagnostics: Diagnostic[] = [];
  for (const port of httpPorts(inputs.services)) {
    const vhosts = [...virtualServiceHosts(inputs, port, diagnostics), catchAllVirtualHost(inputs.outboundPolicy)];
    const built = buildDomainIndex(vhosts.map((v, i) => ({ domains: v.domains, target: i })));
    for (const d of built.duplicates) {
      diagnostics.push({ code: 'DuplicatedDomains', message: `domain ${d.domain} on port ${port} is served by ${vhosts[d.kept]!.name}; ${vhosts[d.dropped]!.name} does not get it` });
    }
    routeConfigs[String(port)] = { name: String(port), virtualHosts: vhosts, domainIndex: built.index };
  }
  return { routeConfigs, diagnostics };
}

function servesHttpOn(service: Service, port: number): boolean {
  return service.ports.some((p) => p.number === port && (isHttpProtocol(p.protocol) || p.protocol === ''));
}

function domainsFor(host: string, addresses: readonly string[]): string[] {
  const domains = [host];
  if (host !== '*') domains.push(`${host}.`);
  for (const a of addresses) if (a !== '0.0.0.0' && !a.includes('/')) domains.push(a);
  return domains;
}

/** VirtualService vhosts first (oldest VirtualService first), then one default vhost per service no VirtualService claims. */
function virtualServiceHosts(inputs: RouteInputs, port: number, diagnostics: Diagnostic[]): VirtualHost[] {
  const vhosts: VirtualHost[] = [];
  const claimed = new Set<Service>();
  for (const vs of inputs.virtualServices) {
    if (vs.spec.http.length === 0) continue;
    for (const rawHost of vs.spec.hosts) {
      const host = rawHost.toLowerCase();
      const matching = inputs.services.filter((s) => istioHostMatches(host, s.hostname));
      // A VirtualService host that names no service still gets a vhost on every HTTP port (Istio does the same).
      if (matching.length > 0 && !matching.some((s) => servesHttpOn(s, port))) continue;
      for (const s of matching) if (s.hostname === host || (host.startsWith('*') && s.hostname.endsWith(host.slice(1)))) claimed.add(s);
      const addresses = matching.find((s) => s.hostname === host)?.addresses ?? [];
      vhosts.push({ name: `${host}:${port}`, domains: domainsFor(host, addresses), routes: virtualServiceRoutes(vs, port, inputs, diagnostics) });
    }
  }
  for (const s of inputs.services) {
    if (claimed.has(s) || !servesHttpOn(s, port)) continue;
    vhosts.push({ name: `${s.hostname}:${port}`, domains: domainsFor(s.hostname, s.addresses), routes: [defaultRoute(s.hostname, port)] });
  }
  return vhosts;
}

/** No VirtualService: one `default` route to the service's own cluster, with Istio's default retries. */
function defaultRoute(host: string, port: number): Route {
  return {
    name: 'default',
    matches: [],
    action: { kind: 'route', clusters: [{ name: outboundClusterName(port, '', host), weight: 100 }], totalWeight: 100, timeoutMs: 0, retryPolicy: DEFAULT_RETRY_POLICY },
  };
}

function catchAllVirtualHost(policy: OutboundPolicy): VirtualHost {
  if (policy === 'REGISTRY_ONLY') {
    return { name: 'block_all', domains: ['*'], routes: [{ name: 'block_all', matches: [], action: { kind: 'direct', status: 502, body: '' } }] };
  }
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [{ name: 'allow_any', matches: [], action: { kind: 'route', clusters: [{ name: PASSTHROUGH_CLUSTER, weight: 100 }], totalWeight: 100, timeoutMs: 0, retryPolicy: null } }],
  };
}


/** Each match entry becomes its own route (Istio names it `<route>.<match>`); entries for other ports are dropped. */
function virtualServiceRoutes(vs: VirtualServiceResource, port: number, inputs: RouteInputs, diagnostics: Diagnostic[]): Route[] {
  const routes: Route[] = [];
  vs.spec.http.forEach((http, index) => {
    const action = routeAction(http, port, inputs);
    if (action === undefined) {
      diagnostics.push({ code: 'UnsupportedRoute', message: `VirtualService/${vs.key.namespace}/${vs.key.name} http[${index}] has no route, directResponse is the only other action served`, position: vs.source });
      return;
    }
    const matches = (http.match ?? []).filter((m) => (m.port === undefined || m.port === port) && (m.gateways === undefined || m.gateways.length === 0 || m.gateways.includes('mesh')));
    if ((http.match ?? []).length > 0 && matches.length === 0) return;
    const name = http.name ?? '';
    if (matches.length === 0) {
      routes.push({ name, matches: [], action });
      return;
    }
    for (const m of matches) {
      routes.push({ name: m.name !== undefined && m.name !== '' ? `${name}.${m.name}` : name, matches: [compileRouteMatch(m)], action });
    }
  });
  return routes;
}

function routeAction(http: DeepReadonly<HTTPRoute>, port: number, inputs: RouteInputs): Route['action'] | undefined {
  if (http.directResponse !== undefined) {
    const body = http.directResponse.body;
    const text = body?.string ?? (body?.bytes !== undefined ? Buffer.from(body.bytes, 'base64').toString('latin1') : '');
    return { kind: 'direct', status: http.directResponse.status ?? 200, body: text };
  }
  if (http.route === undefined || http.route.length === 0) return undefined;
  const clusters = weightedClusters(http.route, port, inputs.services);
  return {
    kind: 'route',
    clusters,
    totalWeight: clusters.reduce((sum, c) => sum + c.weight, 0),
    timeoutMs: durationMs(http.timeout, 0),
    retryPolicy: buildRetryPolicy(http.retries, inputs.meshRetryPolicy),
  };
}

/** A single destination gets 100; weight 0 beside others is never chosen and is dropped, as Istio does. */
function weightedClusters(destinations: readonly DeepReadonly<HTTPRouteDestination>[], port: number, services: readonly Service[]): WeightedCluster[] {
  const named = destinations.map((d) => ({ name: destinationCluster(d, port, services), weight: destinations.length === 1 ? 100 : (d.weight ?? 0) }));
  const kept = named.filter((c) => c.weight > 0);
  // Weights left unset on every destination share equally.
  return kept.length > 0 ? kept : named.map((c) => ({ name: c.name, weight: 1 }));
}

/** Port: the destination's, else the service's only port, else the listener port (Istio's GetDestinationCluster). */
function destinationCluster(route: DeepReadonly<HTTPRouteDestination>, port: number, services: readonly Service[]): string {
  const host = (route.destination?.host ?? '').toLowerCase();
  let destPort = route.destination?.port?.number;
  if (destPort === undefined) {
    const svc = services.find((s) => s.hostname === host);
    destPort = svc !== undefined && svc.ports.length === 1 ? svc.ports[0]!.number : port;
  }
  return outboundClusterName(destPort, route.destination?.subset ?? '', host);
}
