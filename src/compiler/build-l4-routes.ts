// Builder: a VirtualService's `tls[]` and `tcp[]` routes for one port, as the listener builder needs them:
// TLS routes keyed by SNI host (each becomes or joins a server-name chain), TCP routes keyed by the service
// they apply to (its name, address and match-all chains). Istio's rules from core/listener.go and tls.go.
import type { VirtualServiceResource } from '../config/model.ts';
import { qualifyShortName } from '../model/hostname.ts';
import { HostIndex } from '../registry/host-index.ts';
import { isHttpProtocol, type Service } from '../registry/service.ts';
import { totalWeight, weightedClusters, type DestinationContext } from './destinations.ts';
import type { L4Route } from './snapshot.ts';
import { staticMatchApplies, type ProxyIdentity } from './static-match.ts';

export interface L4RouteTable {
  /** SNI host (lower-case, may be a wildcard) → TLS routes, in VirtualService order. */
  readonly bySni: ReadonlyMap<string, readonly L4Route[]>;
  /** Service hostname → TCP routes, in VirtualService order. */
  readonly byService: ReadonlyMap<string, readonly L4Route[]>;
}

export interface L4Inputs {
  readonly services: readonly Service[];
  /** VirtualServices for this proxy, oldest first. */
  readonly virtualServices: readonly VirtualServiceResource[];
  readonly proxy?: ProxyIdentity | undefined;
  /** `services` by hostname, when the caller has built it already. */
  readonly hosts?: HostIndex | undefined;
}

interface L4Match {
  readonly port?: number;
  readonly gateways?: readonly string[];
  readonly destinationSubnets?: readonly string[];
  readonly sourceNamespace?: string;
  readonly sourceLabels?: Readonly<Record<string, string>>;
}

function applies(m: L4Match, port: number, proxy: ProxyIdentity | undefined): boolean {
  return (
    (m.port === undefined || m.port === 0 || m.port === port) &&
    (m.gateways === undefined || m.gateways.length === 0 || m.gateways.includes('mesh')) &&
    staticMatchApplies(m, proxy)
  );
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Services on `port` that a VirtualService's hosts bind and that carry opaque (non-HTTP) traffic there. */
function boundServices(vs: VirtualServiceResource, port: number, index: HostIndex): Service[] {
  const hosts = vs.spec.hosts.map((h) => qualifyShortName(h.toLowerCase(), vs.key.namespace));
  return index.matchingAny(hosts).filter((s) => s.ports.some((p) => p.number === port && !isHttpProtocol(p.protocol)));
}

export function buildL4Routes(inputs: L4Inputs, port: number): L4RouteTable {
  const bySni = new Map<string, L4Route[]>();
  const byService = new Map<string, L4Route[]>();
  let index = inputs.hosts;
  for (const vs of inputs.virtualServices) {
    if (vs.spec.tls.length === 0 && vs.spec.tcp.length === 0) continue;
    index ??= new HostIndex(inputs.services);
    const bound = boundServices(vs, port, index);
    if (bound.length === 0) continue;
    const ctx: DestinationContext = { hosts: index, port, namespace: vs.key.namespace };
    const id = `${vs.key.namespace}/${vs.key.name}`;
    vs.spec.tls.forEach((tls, i) => {
      const clusters = weightedClusters(tls.route ?? [], ctx);
      for (const m of tls.match ?? []) {
        if (!applies(m, port, inputs.proxy)) continue;
        const route: L4Route = {
          name: `${id} tls[${i}]`,
          destinationSubnets: m.destinationSubnets ?? [],
          clusters,
          totalWeight: totalWeight(clusters),
        };
        for (const sni of m.sniHosts ?? []) push(bySni, sni.toLowerCase(), route);
      }
    });
    vs.spec.tcp.forEach((tcp, i) => {
      const clusters = weightedClusters(tcp.route ?? [], ctx);
      const matches: readonly L4Match[] = tcp.match === undefined || tcp.match.length === 0 ? [{}] : tcp.match;
      for (const m of matches) {
        if (!applies(m, port, inputs.proxy)) continue;
        const route: L4Route = {
          name: `${id} tcp[${i}]`,
          destinationSubnets: m.destinationSubnets ?? [],
          clusters,
          totalWeight: totalWeight(clusters),
        };
        for (const s of bound) push(byService, s.hostname, route);
      }
    });
  }
  return { bySni, byService };
}
