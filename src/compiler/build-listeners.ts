// Builder: one outbound listener per service port, with the host (SNI), address and match-all chains that
// CONNECT and captured TLS/TCP streams are matched against (spec §3.4), and the port's HTTP route config.
import { outboundClusterName } from '../model/cluster-name.ts';
import { buildDomainIndex } from '../model/vhost-domains.ts';
import { HostIndex } from '../registry/host-index.ts';
import { compareAge, isHttpProtocol, isTlsProtocol, type Diagnostic, type Service } from '../registry/service.ts';
import { istioHostMatches } from '../registry/visibility.ts';
import { buildL4Routes, type L4RouteTable } from './build-l4-routes.ts';
import type { L4Route, Listener, TunnelChain } from './snapshot.ts';
import type { ProxyIdentity } from './static-match.ts';
import type { VirtualServiceResource } from '../config/model.ts';

export interface ListenerInputs {
  readonly services: readonly Service[];
  /** Ports that have an HTTP route config. */
  readonly httpPorts: readonly number[];
  /** VirtualServices for this proxy, oldest first: their `tls[]` and `tcp[]` routes join the chains. */
  readonly virtualServices?: readonly VirtualServiceResource[];
  readonly proxy?: ProxyIdentity;
  /** `services` by hostname, when the caller has built it already. */
  readonly hosts?: HostIndex;
}

export interface BuiltListeners {
  readonly listeners: Record<string, Listener>;
  readonly diagnostics: Diagnostic[];
}

export function buildListeners(inputs: ListenerInputs): BuiltListeners {
  const diagnostics: Diagnostic[] = [];
  // Oldest service first, so that a conflict keeps the oldest as Istio does; sorted once, then split by
  // port (a stable sort, so each port's list is what sorting it on its own would give).
  const byPort = new Map<number, Service[]>();
  for (const s of [...inputs.services].sort(compareAge)) {
    for (const p of s.ports) {
      const onPort = byPort.get(p.number);
      if (onPort === undefined) byPort.set(p.number, [s]);
      else if (onPort[onPort.length - 1] !== s) onPort.push(s);
    }
  }
  const hosts = inputs.hosts ?? new HostIndex(inputs.services);
  const listeners: Record<string, Listener> = {};
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    listeners[String(port)] = buildListener(port, byPort.get(port)!, hosts, inputs, diagnostics);
  }
  return { listeners, diagnostics };
}

/**
 * TLS routes for SNI names that are not a service's own host get a chain of their own, placed first so that
 * they win a tie; when none of their routes applies, the chain falls back to the service that covers the name.
 */
function sniRouteChains(port: number, onPort: readonly Service[], table: L4RouteTable): TunnelChain[] {
  const chains: TunnelChain[] = [];
  for (const [sni, routes] of table.bySni) {
    if (onPort.some((s) => s.hostname === sni)) continue;
    const covering = onPort
      .filter((s) => istioHostMatches(s.hostname, sni) && s.hostname.startsWith('*'))
      .sort((a, b) => b.hostname.length - a.hostname.length)[0];
    chains.push({
      name: `${sni}:${port}`,
      serverNames: [sni],
      cluster: covering === undefined ? '' : outboundClusterName(port, '', covering.hostname),
      routes,
    });
  }
  return chains;
}

const NO_ROUTES: readonly L4Route[] = Object.freeze([]);

function withRoutes<T extends object>(value: T, routes: readonly L4Route[]): T & { routes?: readonly L4Route[] } {
  return routes.length > 0 ? { ...value, routes } : value;
}

function buildListener(
  port: number,
  onPort: readonly Service[],
  hosts: HostIndex,
  inputs: ListenerInputs,
  diagnostics: Diagnostic[],
): Listener {
  const addressChains: { address: string; cluster: string; routes?: readonly L4Route[] }[] = [];
  let matchAll: { cluster: string; service: Service } | undefined;
  const table = buildL4Routes(
    { services: inputs.services, virtualServices: inputs.virtualServices ?? [], proxy: inputs.proxy, hosts },
    port,
  );
  const chains: TunnelChain[] = sniRouteChains(port, onPort, table);
  for (const service of onPort) {
    const servicePort = service.ports.find((p) => p.number === port)!;
    const cluster = outboundClusterName(port, '', service.hostname);
    const tcpRoutes = table.byService.get(service.hostname) ?? NO_ROUTES;
    const sniRoutes = table.bySni.get(service.hostname) ?? NO_ROUTES;
    const chain = { name: cluster, serverNames: [service.hostname], cluster };
    // Most services have no TLS or TCP routes: no list to build for them.
    chains.push(sniRoutes.length + tcpRoutes.length === 0 ? chain : withRoutes(chain, [...sniRoutes, ...tcpRoutes]));
    const opaque = !isHttpProtocol(servicePort.protocol) && !isTlsProtocol(servicePort.protocol);
    const ips = service.addresses.length === 0 ? service.addresses : service.addresses.filter((a) => a !== '0.0.0.0');
    for (const address of ips) addressChains.push(withRoutes({ address, cluster }, tcpRoutes));
    // A TCP (or protocol-less) service without addresses takes every destination on its port.
    if (opaque && ips.length === 0 && !service.hostname.startsWith('*')) {
      if (matchAll === undefined) matchAll = { cluster, service };
      else {
        diagnostics.push({
          code: 'ConflictingTcpListener',
          message: `port ${port}: TCP service ${service.hostname} without addresses is dropped; ${matchAll.service.hostname} already takes every destination on this port`,
          resource: `ServiceEntry/${service.source.namespace}/${service.source.name}`,
          position: service.position,
        });
      }
    }
  }
  const built = buildDomainIndex(chains.map((c, i) => ({ domains: c.serverNames, target: i })));
  return {
    name: `0.0.0.0_${port}`,
    port,
    ...(inputs.httpPorts.includes(port) ? { routeConfigName: String(port) } : {}),
    chains,
    serverNameIndex: built.index,
    addressChains,
    ...(matchAll !== undefined ? { matchAllCluster: matchAll.cluster } : {}),
    ...(matchAll !== undefined && (table.byService.get(matchAll.service.hostname) ?? []).length > 0
      ? { matchAllRoutes: table.byService.get(matchAll.service.hostname)! }
      : {}),
  };
}
