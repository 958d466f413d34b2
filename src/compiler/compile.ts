// Stage 4: the pure compiler. ConfigSet + proxy namespace → one frozen, versioned Snapshot; no I/O, no clock.
import type { ConfigSet, VirtualServiceResource } from '../config/model.ts';
import { buildRegistry } from '../registry/build-registry.ts';
import { ageOf, compareAge, type Diagnostic } from '../registry/service.ts';
import { buildView, isExportedTo, selectSidecar } from '../registry/visibility.ts';
import { buildClusters } from './build-clusters.ts';
import { buildListeners } from './build-listeners.ts';
import { buildRoutes, httpPorts } from './build-routes.ts';
import type { OutboundPolicy, Snapshot } from './snapshot.ts';
import { visibleDestinationRules } from './traffic-policy.ts';

export interface CompileOptions {
  /** The proxy's own namespace: decides what exportTo and Sidecars let it see. */
  readonly namespace: string;
  /** Opaque version label shown in /config_dump and logs. */
  readonly version: string;
}

export function compile(configSet: ConfigSet, options: CompileOptions): Snapshot {
  const { mesh } = configSet;
  const registry = buildRegistry(configSet.serviceEntries, mesh.defaultServiceExportTo);
  const sidecar = selectSidecar(configSet.sidecars, options.namespace, mesh.rootNamespace);
  const view = buildView(registry, options.namespace, sidecar);
  const mode = view.outboundTrafficPolicyMode ?? mesh.outboundTrafficPolicyMode;
  // ALLOW_ANY_DYNAMIC_DNS differs only for plain HTTP to unknown hosts, which an explicit proxy resolves itself anyway.
  const outboundPolicy: OutboundPolicy = mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
  const virtualServices = meshVirtualServices(configSet.virtualServices, options.namespace, mesh.defaultVirtualServiceExportTo);
  const destinationRules = visibleDestinationRules(configSet.destinationRules, options.namespace, mesh.defaultDestinationRuleExportTo);

  const clusters = buildClusters({ services: view.services, destinationRules, connectTimeoutMs: mesh.connectTimeoutMs });
  const routes = buildRoutes({
    services: view.services,
    virtualServices,
    outboundPolicy,
    ...(mesh.defaultHttpRetryPolicy !== undefined ? { meshRetryPolicy: mesh.defaultHttpRetryPolicy } : {}),
  });
  const listeners = buildListeners({ services: view.services, httpPorts: httpPorts(view.services) });
  const diagnostics: Diagnostic[] = [...view.diagnostics, ...clusters.diagnostics, ...routes.diagnostics, ...listeners.diagnostics];

  const snapshot: Snapshot = {
    version: options.version,
    namespace: options.namespace,
    outboundTrafficPolicy: outboundPolicy,
    services: view.services.map((s) => ({
      hostname: s.hostname,
      namespace: s.namespace,
      resolution: s.resolution,
      ports: s.ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol })),
      source: `${s.source.kind}/${s.source.namespace}/${s.source.name}`,
    })),
    listeners: listeners.listeners,
    routeConfigs: routes.routeConfigs,
    clusters: clusters.clusters,
    diagnostics,
  };
  return deepFreeze(snapshot);
}

/** VirtualServices for sidecars (gateway `mesh`) exported to the namespace, oldest first (Istio's precedence). */
function meshVirtualServices(all: readonly VirtualServiceResource[], namespace: string, defaultExportTo: readonly string[]): VirtualServiceResource[] {
  return all
    .filter((vs) => (vs.spec.gateways.length === 0 || vs.spec.gateways.includes('mesh')) && isExportedTo(vs.spec.exportTo.length > 0 ? vs.spec.exportTo : defaultExportTo, vs.key.namespace, namespace))
    .sort((a, b) => compareAge(ageOf(a), ageOf(b)));
}

/** Freezes every object reachable from `value`, so a reader can never change a live snapshot. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
