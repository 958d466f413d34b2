// Stage 3a: turns validated ServiceEntries into services, one per host, as Istio's conversion.go does.
import type { CompileCache } from '../compiler/compile-cache.ts';
import type { ServiceEntryResource } from '../config/model.ts';
import type { Service, ServiceEndpoint, ServicePort } from './service.ts';

/** Every service of every ServiceEntry, before visibility; sorted by hostname, then age. */
export function buildRegistry(
  serviceEntries: readonly ServiceEntryResource[],
  defaultExportTo: readonly string[],
  cache?: CompileCache,
): Service[] {
  const services: Service[] = [];
  for (const se of serviceEntries) {
    const built =
      cache === undefined
        ? entryServices(se, defaultExportTo)
        : cache.services(se, defaultExportTo, () => entryServices(se, defaultExportTo));
    for (const service of built) services.push(service);
  }
  return services;
}

/** The services of one ServiceEntry: one per host. */
function entryServices(se: ServiceEntryResource, defaultExportTo: readonly string[]): Service[] {
  const spec = se.spec;
  const ports = spec.ports.map((p): ServicePort => {
    const port = { name: p.name ?? '', number: p.number ?? 0, protocol: (p.protocol ?? '').toUpperCase() };
    // Literals without conditional spreads: a spread goes through the runtime for every port and service.
    return p.targetPort !== undefined && p.targetPort !== 0 ? { ...port, targetPort: p.targetPort } : port;
  });
  // The model is frozen, so its lists are shared rather than copied for every host of every entry.
  const exportTo = spec.exportTo.length > 0 ? spec.exportTo : defaultExportTo;
  const addresses = normaliseAddresses(spec.addresses);
  const subjectAltNames = spec.subjectAltNames ?? NONE;
  return spec.hosts.map((rawHost): Service => {
    const hostname = rawHost.toLowerCase();
    const service: Service = {
      hostname,
      namespace: se.key.namespace,
      ports,
      resolution: spec.resolution,
      location: spec.location,
      addresses,
      endpoints: buildEndpoints(se, hostname, ports),
      exportTo,
      subjectAltNames,
      source: se.key,
      position: se.source,
    };
    return se.creationTimestamp === undefined ? service : { ...service, creationTimestamp: se.creationTimestamp };
  });
}

const NONE: readonly string[] = Object.freeze([]);
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** A /32 (or /128) CIDR is a plain IP to Istio. */
function normaliseAddresses(addresses: readonly string[]): readonly string[] {
  return addresses.some(isHostCidr)
    ? addresses.map((a) => (isHostCidr(a) ? a.slice(0, a.lastIndexOf('/')) : a))
    : addresses;
}

function isHostCidr(address: string): boolean {
  return address.endsWith('/32') || address.endsWith('/128');
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
      return [{ address: hostname, ports: portMap(ports, undefined), labels: NO_LABELS, weight: 1 }];
    }
    return [];
  }
  return spec.endpoints.map((ep): ServiceEndpoint => {
    const endpoint = {
      address: ep.address ?? '',
      ports: portMap(ports, ep.ports),
      labels: ep.labels ?? NO_LABELS,
      weight: ep.weight !== undefined && ep.weight > 0 ? ep.weight : 1,
    };
    return ep.locality === undefined ? endpoint : { ...endpoint, locality: ep.locality };
  });
}

function portMap(
  ports: readonly ServicePort[],
  endpointPorts: Readonly<Record<string, number>> | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of ports) out[p.name] = endpointPorts?.[p.name] ?? p.targetPort ?? p.number;
  return out;
}
