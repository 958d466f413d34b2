// Turns VirtualService destinations into cluster names and weighted cluster lists (Istio's GetDestinationCluster
// and weighted-cluster translation), shared by the HTTP, TLS and TCP route builders.
import type { DeepReadonly } from '../config/model.ts';
import type { Destination } from '../config/wire/common.ts';
import type { Headers } from '../config/wire/virtual-service.ts';
import { outboundClusterName } from '../model/cluster-name.ts';
import { qualifyShortName } from '../model/hostname.ts';
import type { HostIndex } from '../registry/host-index.ts';
import { compileHeaderOperations } from './route-policies.ts';
import type { WeightedCluster } from './snapshot.ts';

export interface DestinationContext {
  /** The visible services, by hostname. */
  readonly hosts: HostIndex;
  /** The listener port the route is built for (the fallback destination port). */
  readonly port: number;
  /** The VirtualService's namespace, which completes short destination hosts. */
  readonly namespace: string;
}

/** Port: the destination's, else the service's only port, else the listener port. */
export function destinationCluster(
  destination: DeepReadonly<Destination> | undefined,
  ctx: DestinationContext,
): string {
  const host = qualifyShortName((destination?.host ?? '').toLowerCase(), ctx.namespace);
  let destPort = destination?.port?.number;
  if (destPort === undefined || destPort === 0) {
    const svc = ctx.hosts.get(host);
    destPort = svc !== undefined && svc.ports.length === 1 ? svc.ports[0]!.number : ctx.port;
  }
  return outboundClusterName(destPort, destination?.subset ?? '', host);
}

interface WeightedDestination {
  readonly destination?: DeepReadonly<Destination>;
  readonly weight?: number;
  readonly headers?: DeepReadonly<Headers>;
}

/**
 * A single destination gets 100; weight 0 beside others is never chosen and is dropped, as Istio does;
 * when every weight is unset they share equally.
 */
export function weightedClusters(
  destinations: readonly WeightedDestination[],
  ctx: DestinationContext,
): WeightedCluster[] {
  const named = destinations.map((d): WeightedCluster => {
    const headers = compileHeaderOperations(d.headers);
    return {
      name: destinationCluster(d.destination, ctx),
      weight: destinations.length === 1 ? 100 : (d.weight ?? 0),
      ...(headers !== undefined ? { headers } : {}),
    };
  });
  const kept = named.filter((c) => c.weight > 0);
  return kept.length > 0 ? kept : named.map((c) => ({ ...c, weight: 1 }));
}

export function totalWeight(clusters: readonly WeightedCluster[]): number {
  return clusters.reduce((sum, c) => sum + c.weight, 0);
}
