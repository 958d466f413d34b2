// Builder: per HTTP port, one route config of virtual hosts (VirtualService hosts, then services without one,
// then the allow_any / block_all catch-all), each with ordered routes, as Istio's httproute.go builds them.
import type { DeepReadonly, VirtualServiceResource } from '../config/model.ts';
import type { HTTPMatchRequest, HTTPRoute, HTTPRetry } from '../config/wire/virtual-service.ts';
import { outboundClusterName, PASSTHROUGH_CLUSTER } from '../model/cluster-name.ts';
import { qualifyShortName } from '../model/hostname.ts';
import { buildDomainIndex } from '../model/vhost-domains.ts';
import { HostIndex } from '../registry/host-index.ts';
import { isHttpProtocol, type Diagnostic, type Service } from '../registry/service.ts';
import { destinationCluster, totalWeight, weightedClusters, type DestinationContext } from './destinations.ts';
import { durationMs } from './duration.ts';
import { compileRouteMatch } from './matchers.ts';
import { buildRetryPolicy, DEFAULT_RETRY_POLICY } from './retry-policy.ts';
import { compileRedirect, compileRewrite } from './rewrite-redirect.ts';
import { compileCors, compileFault, compileHeaderOperations, compileMirrors } from './route-policies.ts';
import type { OutboundPolicy, Route, RouteConfig, VirtualHost } from './snapshot.ts';
import { staticMatchApplies, type ProxyIdentity } from './static-match.ts';

export interface RouteInputs {
  readonly services: readonly Service[];
  /** VirtualServices that apply to this proxy (exported to it, gateway `mesh`), oldest first. */
  readonly virtualServices: readonly VirtualServiceResource[];
  readonly outboundPolicy: OutboundPolicy;
  readonly meshRetryPolicy?: DeepReadonly<HTTPRetry>;
  /** The proxy's namespace and labels, for `sourceNamespace` / `sourceLabels` matches. */
  readonly proxy?: ProxyIdentity;
  /** `services` by hostname, when the caller has built it already. */
  readonly hosts?: HostIndex;
  /** httpPorts(services), when the caller has worked it out already. */
  readonly httpPorts?: readonly number[];
}

export interface BuiltRoutes {
  readonly routeConfigs: Record<string, RouteConfig>;
  readonly diagnostics: Diagnostic[];
}

/** HTTP ports: ports where some service speaks an HTTP-family protocol or leaves the protocol to sniffing. */
export function httpPorts(services: readonly Service[]): number[] {
  const ports = new Set<number>();
  for (const s of services)
    for (const p of s.ports) if (isHttpProtocol(p.protocol) || p.protocol === '') ports.add(p.number);
  return [...ports].sort((a, b) => a - b);
}

export function buildRoutes(inputs: RouteInputs): BuiltRoutes {
  const routeConfigs: Record<string, RouteConfig> = {};
  const diagnostics: Diagnostic[] = [];
  const hosts = inputs.hosts ?? new HostIndex(inputs.services);
  for (const port of inputs.httpPorts ?? httpPorts(inputs.services)) {
    const vhosts = [
      ...virtualServiceHosts(inputs, hosts, port, diagnostics),
      catchAllVirtualHost(inputs.outboundPolicy),
    ];
    const built = buildDomainIndex(vhosts.map((v, i) => ({ domains: v.domains, target: i })));
    for (const d of built.duplicates) {
      diagnostics.push({
        code: 'DuplicatedDomains',
        message: `domain ${d.domain} on port ${port} is served by ${vhosts[d.kept]!.name}; ${vhosts[d.dropped]!.name} does not get it`,
      });
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
function virtualServiceHosts(
  inputs: RouteInputs,
  hosts: HostIndex,
  port: number,
  diagnostics: Diagnostic[],
): VirtualHost[] {
  const vhosts: VirtualHost[] = [];
  const claimed = new Set<Service>();
  // Sidecars do not merge VirtualServices: the oldest one for a host owns it (they arrive oldest first).
  const owner = new Map<string, VirtualServiceResource>();
  for (const vs of inputs.virtualServices) {
    if (vs.spec.http.length === 0) continue;
    for (const rawHost of vs.spec.hosts) {
      const host = qualifyShortName(rawHost.toLowerCase(), vs.key.namespace);
      const matching = hosts.matching(host);
      // A VirtualService host that names no service still gets a vhost on every HTTP port (Istio does the same).
      if (matching.length > 0 && !matching.some((s) => servesHttpOn(s, port))) continue;
      const older = owner.get(host);
      if (older !== undefined) {
        diagnostics.push({
          code: 'DuplicateVirtualServiceHost',
          message: `host ${host} of VirtualService/${vs.key.namespace}/${vs.key.name} is ignored on port ${port}: VirtualService/${older.key.namespace}/${older.key.name} is older and routes it (sidecars do not merge VirtualServices)`,
          resource: `VirtualService/${vs.key.namespace}/${vs.key.name}`,
          position: vs.source,
        });
        continue;
      }
      owner.set(host, vs);
      for (const s of matching)
        if (s.hostname === host || (host.startsWith('*') && s.hostname.endsWith(host.slice(1)))) claimed.add(s);
      const addresses = matching.find((s) => s.hostname === host)?.addresses ?? [];
      vhosts.push({
        name: `${host}:${port}`,
        domains: domainsFor(host, addresses),
        routes: virtualServiceRoutes(vs, port, inputs, hosts, diagnostics),
      });
    }
  }
  for (const s of inputs.services) {
    if (claimed.has(s) || !servesHttpOn(s, port)) continue;
    vhosts.push({
      name: `${s.hostname}:${port}`,
      domains: domainsFor(s.hostname, s.addresses),
      routes: [defaultRoute(s.hostname, port)],
    });
  }
  return vhosts;
}

/** Shared by every default route: 10k services would otherwise allocate (and freeze) 10k empty lists. */
const NO_MATCHES: Route['matches'] = Object.freeze([]);

/** No VirtualService: one `default` route to the service's own cluster, with Istio's default retries. */
function defaultRoute(host: string, port: number): Route {
  return {
    name: 'default',
    matches: NO_MATCHES,
    action: {
      kind: 'route',
      clusters: [{ name: outboundClusterName(port, '', host), weight: 100 }],
      totalWeight: 100,
      timeoutMs: 0,
      retryPolicy: DEFAULT_RETRY_POLICY,
    },
  };
}

function catchAllVirtualHost(policy: OutboundPolicy): VirtualHost {
  if (policy === 'REGISTRY_ONLY') {
    return {
      name: 'block_all',
      domains: ['*'],
      routes: [{ name: 'block_all', matches: [], action: { kind: 'direct', status: 502, body: '' } }],
    };
  }
  return {
    name: 'allow_any',
    domains: ['*'],
    routes: [
      {
        name: 'allow_any',
        matches: [],
        action: {
          kind: 'route',
          clusters: [{ name: PASSTHROUGH_CLUSTER, weight: 100 }],
          totalWeight: 100,
          timeoutMs: 0,
          retryPolicy: null,
        },
      },
    ],
  };
}

/**
 * Each match entry becomes its own route (Istio names it `<route>.<match>`); entries for other ports, other
 * gateways or another source workload are dropped, and a route whose every entry was dropped disappears.
 */
function virtualServiceRoutes(
  vs: VirtualServiceResource,
  port: number,
  inputs: RouteInputs,
  hosts: HostIndex,
  diagnostics: Diagnostic[],
): Route[] {
  const routes: Route[] = [];
  const ctx: DestinationContext = { hosts, port, namespace: vs.key.namespace };
  vs.spec.http.forEach((http, index) => {
    if (http.delegate !== undefined) {
      diagnostics.push({
        code: 'UnsupportedDelegate',
        message: `VirtualService/${vs.key.namespace}/${vs.key.name} http[${index}] delegates to another VirtualService; delegation is not supported by meshgate and the route is skipped`,
        position: vs.source,
      });
      return;
    }
    const written = http.match ?? [];
    const matches = written.filter(
      (m) =>
        (m.port === undefined || m.port === 0 || m.port === port) &&
        (m.gateways === undefined || m.gateways.length === 0 || m.gateways.includes('mesh')) &&
        staticMatchApplies(m, inputs.proxy),
    );
    if (written.length > 0 && matches.length === 0) return;
    const name = http.name ?? '';
    const entries: (DeepReadonly<HTTPMatchRequest> | undefined)[] = matches.length === 0 ? [undefined] : matches;
    for (const m of entries) {
      const action = routeAction(http, m, ctx, inputs);
      if (action === undefined) {
        diagnostics.push({
          code: 'UnsupportedRoute',
          message: `VirtualService/${vs.key.namespace}/${vs.key.name} http[${index}] has no route, redirect or directResponse`,
          position: vs.source,
        });
        return;
      }
      const headers = compileHeaderOperations(http.headers);
      const fault = compileFault(http.fault);
      const cors = compileCors(http.corsPolicy);
      routes.push({
        name: m?.name !== undefined && m.name !== '' ? `${name}.${m.name}` : name,
        matches: m === undefined ? [] : [compileRouteMatch(m)],
        action,
        ...(headers !== undefined ? { headers } : {}),
        ...(fault !== undefined ? { fault } : {}),
        ...(cors !== undefined ? { cors } : {}),
      });
    }
  });
  return routes;
}

function routeAction(
  http: DeepReadonly<HTTPRoute>,
  match: DeepReadonly<HTTPMatchRequest> | undefined,
  ctx: DestinationContext,
  inputs: RouteInputs,
): Route['action'] | undefined {
  if (http.redirect !== undefined) return compileRedirect(http.redirect, match);
  if (http.directResponse !== undefined) {
    const body = http.directResponse.body;
    if (body?.bytes !== undefined)
      return { kind: 'direct', status: http.directResponse.status ?? 200, body: body.bytes, bodyIsBase64: true };
    return { kind: 'direct', status: http.directResponse.status ?? 200, body: body?.string ?? '' };
  }
  if (http.route === undefined || http.route.length === 0) return undefined;
  const clusters = weightedClusters(http.route, ctx);
  const rewrite = compileRewrite(http.rewrite, match);
  const mirrors = compileMirrors(http, (d) => destinationCluster(d, ctx));
  return {
    kind: 'route',
    clusters,
    totalWeight: totalWeight(clusters),
    timeoutMs: durationMs(http.timeout, 0),
    retryPolicy: buildRetryPolicy(http.retries, inputs.meshRetryPolicy),
    ...(rewrite !== undefined ? { rewrite } : {}),
    ...(mirrors.length > 0 ? { mirrors } : {}),
  };
}
