// Routes a transparently captured connection (spec §3.4–§3.6): the original destination's port picks the
// listener; an IP-bound TCP service wins first, then HTTP goes to the port's route config, TLS is matched
// by SNI among the port's TLS/HTTPS services, then the port's match-all TCP service, else the catch-all.
// Each matched chain applies its VirtualService tls[]/tcp[] routes first, exactly as CONNECT tunnels do.
import type { Listener, Snapshot, TunnelChain } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { isHttpProtocol, isTlsProtocol, parseProtocol, type Protocol } from '../../model/protocol.ts';
import { lookupDomain, normaliseDomain } from '../../model/vhost-domains.ts';
import { chainDecision, inCidr, type TunnelDecision } from './tcp-router.ts';

/** What the first bytes of the connection turned out to be (or `tcp` when nothing was sniffed). */
export type CapturedProtocol = 'http' | 'tls' | 'tcp';

export interface CapturedCall {
  /** The original destination IP (SO_ORIGINAL_DST). */
  readonly address: string;
  readonly port: number;
  readonly protocol: CapturedProtocol;
  /** The ClientHello's server name, when the bytes were TLS and carried one. */
  readonly sni?: string | undefined;
}

export type CapturedDecision =
  | { readonly kind: 'http'; readonly listener: string; readonly routeConfig: string; readonly reason: string }
  | ({ readonly kind: 'tunnel' } & TunnelDecision);

/** Istio's chain on virtualOutbound for ports no service uses. */
export const VIRTUAL_OUTBOUND_CHAIN = 'virtualOutbound-catchall-tcp';

function protocolOf(snapshot: Snapshot, cluster: string): Protocol | undefined {
  return parseProtocol(snapshot.clusters[cluster]?.service?.protocol);
}

/**
 * The IP-bound chain for `address`, as Envoy picks the listener `<ip>_<port>` before `0.0.0.0_<port>`.
 * HTTP services' addresses only name virtual hosts, and a protocol-less service shares HTTP bytes with
 * the port's route config (Istio gives it an HTTP chain beside its TCP chain).
 */
function addressChain(
  snapshot: Snapshot,
  listener: Listener,
  call: CapturedCall,
): Listener['addressChains'][number] | undefined {
  for (const chain of listener.addressChains) {
    if (!inCidr(call.address, chain.address)) continue;
    const protocol = protocolOf(snapshot, chain.cluster);
    if (isHttpProtocol(protocol)) continue;
    if (protocol === undefined && call.protocol === 'http' && listener.routeConfigName !== undefined) continue;
    return chain;
  }
  return undefined;
}

/**
 * Whether the connection's first bytes must be read before it can be routed: only when the port has an
 * HTTP route config or TLS services (Envoy's http_inspector / tls_inspector), and the destination is not
 * bound to a TCP service by address. Otherwise the connection is routed at once, so server-first protocols work.
 */
export function needsSniffing(snapshot: Snapshot, address: string, port: number): boolean {
  const listener = snapshot.listeners[String(port)];
  if (listener === undefined) return false;
  if (addressChain(snapshot, listener, { address, port, protocol: 'tcp' }) !== undefined) return false;
  if (listener.routeConfigName !== undefined) return true;
  return listener.chains.some((chain) => sniChain(snapshot, chain));
}

/** A chain matched by SNI: a TLS/HTTPS service's, or one made only of VirtualService `tls[]` routes. */
function sniChain(snapshot: Snapshot, chain: TunnelChain): boolean {
  return chain.cluster === '' || isTlsProtocol(protocolOf(snapshot, chain.cluster));
}

/**
 * `random` in [0, 1) picks among a VirtualService route's weighted destinations.
 */
export function routeCaptured(snapshot: Snapshot, call: CapturedCall, random = 0): CapturedDecision {
  const policy = snapshot.outboundTrafficPolicy;
  const catchAll = policy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;
  const listener = snapshot.listeners[String(call.port)];
  if (listener === undefined) {
    return {
      kind: 'tunnel',
      listener: 'virtualOutbound',
      cluster: catchAll,
      chain: VIRTUAL_OUTBOUND_CHAIN,
      reason: `no service on port ${call.port}; outbound policy ${policy}`,
    };
  }
  const bound = addressChain(snapshot, listener, call);
  if (bound !== undefined) {
    const listenerName = `${call.address}_${call.port}`;
    const why = `${call.address} is in ${bound.address}`;
    const d = chainDecision(listenerName, bound.cluster, bound.cluster, bound.routes, call.address, random, why);
    if (d !== undefined) return { kind: 'tunnel', ...d };
  }
  if (call.protocol === 'http' && listener.routeConfigName !== undefined) {
    return {
      kind: 'http',
      listener: listener.name,
      routeConfig: listener.routeConfigName,
      reason: `HTTP on port ${call.port}: route config ${listener.routeConfigName}, by Host`,
    };
  }
  if (call.protocol === 'tls' && call.sni !== undefined) {
    const sni = normaliseDomain(call.sni);
    const index = lookupDomain(listener.serverNameIndex, sni);
    const chain = index >= 0 ? listener.chains[index] : undefined;
    if (chain !== undefined && sniChain(snapshot, chain)) {
      const why = `SNI ${sni} matched server name ${chain.serverNames.join(',')}`;
      const d = chainDecision(listener.name, chain.name, chain.cluster, chain.routes, call.address, random, why);
      if (d !== undefined) return { kind: 'tunnel', ...d };
    }
  }
  if (listener.matchAllCluster !== undefined) {
    const cluster = listener.matchAllCluster;
    const why = `port ${call.port} belongs to ${cluster}`;
    const d = chainDecision(listener.name, cluster, cluster, listener.matchAllRoutes, call.address, random, why);
    if (d !== undefined) return { kind: 'tunnel', ...d };
  }
  const what =
    call.protocol === 'tls'
      ? call.sni !== undefined
        ? `SNI ${normaliseDomain(call.sni)}`
        : 'TLS without SNI'
      : call.protocol === 'http'
        ? 'HTTP'
        : `${call.address}:${call.port}`;
  return {
    kind: 'tunnel',
    listener: listener.name,
    cluster: catchAll,
    chain: 'PassthroughFilterChain',
    reason: `${what} matches no service on port ${call.port}; outbound policy ${policy}`,
  };
}
