// Builder: one outbound listener per service port, with the host (SNI), address and match-all chains that
// CONNECT and captured TLS/TCP streams are matched against (spec §3.4), and the port's HTTP route config.
import { outboundClusterName } from '../model/cluster-name.ts';
import { buildDomainIndex } from '../model/vhost-domains.ts';
import { compareAge, isHttpProtocol, isTlsProtocol, type Diagnostic, type Service } from '../registry/service.ts';
import type { Listener, TunnelChain } from './snapshot.ts';

export interface ListenerInputs {
  readonly services: readonly Service[];
  /** Ports that have an HTTP route config. */
  readonly httpPorts: readonly number[];
}

export interface BuiltListeners {
  readonly listeners: Record<string, Listener>;
  readonly diagnostics: Diagnostic[];
}

export function buildListeners(inputs: ListenerInputs): BuiltListeners {
  const diagnostics: Diagnostic[] = [];
  const ports = new Set<number>();
  for (const s of inputs.services) for (const p of s.ports) ports.add(p.number);
  const listeners: Record<string, Listener> = {};
  for (const port of [...ports].sort((a, b) => a - b)) {
    listeners[String(port)] = buildListener(port, inputs, diagnostics);
  }
  return { listeners, diagnostics };
}

function buildListener(port: number, inputs: ListenerInputs, diagnostics: Diagnostic[]): Listener {
  const chains: TunnelChain[] = [];
  const addressChains: { address: string; cluster: string }[] = [];
  let matchAll: { cluster: string; service: Service } | undefined;
  // Oldest service first, so that a conflict keeps the oldest as Istio does.
  const onPort = inputs.services.filter((s) => s.ports.some((p) => p.number === port)).sort(compareAge);
  for (const service of onPort) {
    const servicePort = service.ports.find((p) => p.number === port)!;
    const cluster = outboundClusterName(port, '', service.hostname);
    chains.push({ name: cluster, serverNames: [service.hostname], cluster });
    const opaque = !isHttpProtocol(servicePort.protocol) && !isTlsProtocol(servicePort.protocol);
    const ips = service.addresses.filter((a) => a !== '0.0.0.0');
    for (const address of ips) addressChains.push({ address, cluster });
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
  };
}
