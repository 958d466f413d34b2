// Stage 3a: turns validated ServiceEntries into services, one per host, as Istio's conversion.go does.
import type { ServiceEntryResource } from '../config/model.ts';
import type { Service, ServiceEndpoint, ServicePort } from './service.ts';

/** Every service of every ServiceEntry, before visibility; sorted by hostname, then age. */
export function buildRegistry(
  serviceEntries: readonly ServiceEntryResource[],
  defaultExportTo: readonly string[],
): Service[] {
  const services: Service[] = [];
  for (const se of serviceEntries) {
    const spec = se.spec;
    const ports: ServicePort[] = spec.ports.map((p) => ({
      name: p.name ?? '',
      number: p.number ?? 0,
      protocol: (p.protocol ?? '').toUpperCase(),
      ...(p.targetPort !== undefined && p.targetPort !== 0 ? { targetPort: p.targetPort } : {}),
    }));
    const exportTo = spec.exportTo.length > 0 ? [...spec.exportTo] : [...defaultExportTo];
    for (const rawHost of spec.hosts) {
      const hostname = rawHost.toLowerCase();
      services.push({
        hostname,
        namespace: se.key.namespace,
        ports,
        resolution: spec.resolution,
        location: spec.location,
        addresses: normaliseAddresses(spec.addresses),
        endpoints: buildEndpoints(se, hostname, ports),
        exportTo,
        subjectAltNames: [...(spec.subjectAltNames ?? [])],
        source: se.key,
        position: se.source,
        ...(se.creationTimestamp !== undefined ? { creationTimestamp: se.creationTimestamp } : {}),
      });
    }
  }
  return services;
}

/** A /32 (or /128) CIDR is a plain IP to Istio. */
function normaliseAddresses(addresses: readonly string[]): string[] {
  return addresses.map((a) => (a.endsWith('/32') || a.endsWith('/128') ? a.slice(0, a.lastIndexOf('/')) : a));
}

/**
 * DNS/DNS_ROUND_ROBIN with no endpoints resolve the host itself; otherwise each endpoint keeps its own
 * address with the port chosen per service port: endpoint ports[name] > targetPort > number.
 */
function buildEndpoints(se: ServiceEntryResource, hostname: string, ports: readonly ServicePort[]): ServiceEndpoint[] {
  const spec = se.spec;
  if (spec.endpoints.length === 0) {
    if (
      (spec.resolution === 'DNS' || spec.resolution === 'DNS_ROUND_ROBIN') &&
      spec.workloadSelector === undefined &&
      !hostname.startsWith('*')
    ) {
      return [{ address: hostname, ports: portMap(ports, undefined), labels: {}, weight: 1 }];
    }
    return [];
  }
  return spec.endpoints.map((ep) => ({
    address: ep.address ?? '',
    ports: portMap(ports, ep.ports),
    labels: { ...(ep.labels ?? {}) },
    weight: ep.weight !== undefined && ep.weight > 0 ? ep.weight : 1,
    ...(ep.locality !== undefined ? { locality: ep.locality } : {}),
  }));
}

function portMap(
  ports: readonly ServicePort[],
  endpointPorts: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of ports) out[p.name] = endpointPorts?.[p.name] ?? p.targetPort ?? p.number;
  return out;
}
