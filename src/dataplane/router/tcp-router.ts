// Routes a CONNECT (or any opaque stream) by destination port and requested host: address chains, then the
// host/SNI chains (exact, then longest wildcard), then the port's match-all service, else the catch-all (spec §3.4, §7).
import { isIP } from 'node:net';
import type { Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { lookupDomain, normaliseDomain } from '../../model/vhost-domains.ts';

export interface TunnelDecision {
  /** `0.0.0.0_<port>`, or `virtualOutbound` when no service uses the port. */
  readonly listener: string;
  readonly cluster: string;
  /** The filter chain that matched (its cluster name), or `PassthroughFilterChain` for the catch-all. */
  readonly chain: string;
  readonly reason: string;
}

/** IPv4 CIDR containment (IPv6 addresses match only exactly). */
function inCidr(ip: string, cidr: string): boolean {
  const slash = cidr.indexOf('/');
  if (slash < 0) return ip === cidr;
  const base = cidr.slice(0, slash);
  const bits = Number(cidr.slice(slash + 1));
  if (isIP(ip) !== 4 || isIP(base) !== 4) return false;
  const toInt = (a: string): number => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  const block = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(base) / block);
}

export function routeTunnel(snapshot: Snapshot, host: string, port: number): TunnelDecision {
  const catchAll = snapshot.outboundTrafficPolicy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  const listener = snapshot.listeners[String(port)];
  if (listener === undefined) {
    return { listener: 'virtualOutbound', cluster: catchAll, chain: 'PassthroughFilterChain', reason: `no service on port ${port}; outbound policy ${snapshot.outboundTrafficPolicy}` };
  }
  const name = normaliseDomain(host.startsWith('[') ? host.slice(1, -1) : host);
  if (isIP(name) !== 0) {
    const hit = listener.addressChains.find((c) => inCidr(name, c.address));
    if (hit !== undefined) return { listener: listener.name, cluster: hit.cluster, chain: hit.cluster, reason: `${name} is in ${hit.address}` };
  }
  const index = lookupDomain(listener.serverNameIndex, name);
  const chain = index >= 0 ? listener.chains[index] : undefined;
  if (chain !== undefined) return { listener: listener.name, cluster: chain.cluster, chain: chain.name, reason: `${name} matched server name ${chain.serverNames.join(',')}` };
  if (listener.matchAllCluster !== undefined) {
    return { listener: listener.name, cluster: listener.matchAllCluster, chain: listener.matchAllCluster, reason: `port ${port} belongs to ${listener.matchAllCluster}` };
  }
  return { listener: listener.name, cluster: catchAll, chain: 'PassthroughFilterChain', reason: `${name} matches no service on port ${port}; outbound policy ${snapshot.outboundTrafficPolicy}` };
}
