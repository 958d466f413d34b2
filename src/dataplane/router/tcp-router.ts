// Routes a CONNECT (or any opaque stream) by destination port and requested host: address chains, then the
// host/SNI chains (exact, then longest wildcard), then the port's match-all service, else the catch-all (spec §3.4, §7).
import { isIP } from 'node:net';
import type { L4Route, Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { lookupDomain, normaliseDomain } from '../../model/vhost-domains.ts';
import { pickWeightedCluster } from './http-router.ts';

export interface TunnelDecision {
  /** `0.0.0.0_<port>`, or `virtualOutbound` when no service uses the port. */
  readonly listener: string;
  readonly cluster: string;
  /** The filter chain that matched (its cluster name), or `PassthroughFilterChain` for the catch-all. */
  readonly chain: string;
  /** The VirtualService `tls[]` / `tcp[]` route that chose the cluster, if one did. */
  readonly route?: string;
  readonly reason: string;
}

/** IPv4 CIDR containment (IPv6 addresses match only exactly). */
export function inCidr(ip: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  if (slash < 0) return ip === cidr;
  const base = cidr.slice(0, slash);
  const bits = Number(cidr.slice(slash + 1));
  if (isIP(ip) !== 4 || isIP(base) !== 4) return false;
  const toInt = (a: string): number => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const block = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(base) / block);
}

/** The first VirtualService route whose subnets hold the destination IP (no subnets: any destination). */
function pickL4Route(routes: readonly L4Route[] | undefined, ip: string | undefined): L4Route | undefined {
  if (routes === undefined) return undefined;
  for (let i = 0; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.destinationSubnets.length === 0 || (ip !== undefined && r.destinationSubnets.some((c) => inCidr(ip, c))))
      return r;
  }
  return undefined;
}

/**
 * Chooses the cluster of one chain: its VirtualService routes first (weighted by `random`), else the
 * service's own cluster; undefined when a routes-only chain has no route for this destination.
 * Captured TLS/TCP connections decide their chains with it too, so both paths match routes alike.
 */
export function chainDecision(
  listener: string,
  chain: string,
  cluster: string,
  routes: readonly L4Route[] | undefined,
  ip: string | undefined,
  random: number,
  why: string,
): TunnelDecision | undefined {
  const route = pickL4Route(routes, ip);
  if (route !== undefined) {
    const picked = pickWeightedCluster(route.clusters, route.totalWeight, random);
    return { listener, cluster: picked.name, chain, route: route.name, reason: `${why}; route ${route.name}` };
  }
  if (cluster === '') return undefined;
  return { listener, cluster, chain, reason: why };
}

/**
 * `host` is the SNI (or CONNECT host); `destinationIp` the original destination of a captured connection,
 * which explicit CONNECT lacks (then an IP-literal host stands in). `random` in [0, 1) picks among a
 * VirtualService route's weighted destinations.
 */
export function routeTunnel(
  snapshot: Snapshot,
  host: string,
  port: number,
  random = 0,
  destinationIp?: string,
): TunnelDecision {
  const catchAll = snapshot.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  const listener = snapshot.listeners[String(port)];
  if (listener === undefined) {
    return {
      listener: 'virtualOutbound',
      cluster: catchAll,
      chain: 'PassthroughFilterChain',
      reason: `no service on port ${port}; outbound policy ${snapshot.outboundTrafficPolicy}`,
    };
  }
  const name = normaliseDomain(host.startsWith('[') ? host.slice(1, -1) : host);
  const ip = destinationIp ?? (ipLiteral(name) ? name : undefined);
  if (ip !== undefined) {
    const hit = listener.addressChains.find((c) => inCidr(ip, c.address));
    if (hit !== undefined) {
      const d = chainDecision(
        listener.name,
        hit.cluster,
        hit.cluster,
        hit.routes,
        ip,
        random,
        `${ip} is in ${hit.address}`,
      );
      if (d !== undefined) return d;
    }
  }
  const index = lookupDomain(listener.serverNameIndex, name);
  const chain = index >= 0 ? listener.chains[index] : undefined;
  if (chain !== undefined) {
    const d = chainDecision(
      listener.name,
      chain.name,
      chain.cluster,
      chain.routes,
      ip,
      random,
      `${name} matched server name ${chain.serverNames.join(',')}`,
    );
    if (d !== undefined) return d;
  }
  if (listener.matchAllCluster !== undefined) {
    const d = chainDecision(
      listener.name,
      listener.matchAllCluster,
      listener.matchAllCluster,
      listener.matchAllRoutes,
      ip,
      random,
      `port ${port} belongs to ${listener.matchAllCluster}`,
    );
    if (d !== undefined) return d;
  }
  return {
    listener: listener.name,
    cluster: catchAll,
    chain: 'PassthroughFilterChain',
    reason: `${name} matches no service on port ${port}; outbound policy ${snapshot.outboundTrafficPolicy}`,
  };
}

/**
 * Whether a CONNECT target is an IP address. Only a name with a colon or a leading digit can be one; the
 * others (nearly every target) skip node:net's IPv6 pattern, the costliest check on a tunnel's route.
 */
function ipLiteral(name: string): boolean {
  const first = name.charCodeAt(0);
  return (name.includes(':') || (first >= 48 && first <= 57)) && isIP(name) !== 0;
}
