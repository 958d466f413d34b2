// Stage 4: the pure compiler. ConfigSet + proxy namespace → one frozen, versioned Snapshot; no I/O, no clock.
import { deepFreeze } from '../config/deep-freeze.ts';
import type { ConfigSet, VirtualServiceResource } from '../config/model.ts';
import { qualifyShortName } from '../model/hostname.ts';
import { buildRegistry } from '../registry/build-registry.ts';
import { HostIndex } from '../registry/host-index.ts';
import { ageOf, compareAge, type Diagnostic, type Service } from '../registry/service.ts';
import { buildView, chooseSidecar, isExportedTo, sidecarImportsConfig } from '../registry/visibility.ts';
import { buildClusters } from './build-clusters.ts';
import type { CompileCache } from './compile-cache.ts';
import { buildListeners } from './build-listeners.ts';
import { buildRoutes, httpPorts } from './build-routes.ts';
import type { L4Route, OutboundPolicy, Snapshot } from './snapshot.ts';
import { visibleDestinationRules } from './traffic-policy.ts';

export interface CompileOptions {
  /** The proxy's own namespace: decides what exportTo and Sidecars let it see. */
  readonly namespace: string;
  /** Opaque version label shown in /config_dump and logs. */
  readonly version: string;
  /** The proxy's workload labels (`--labels`): VirtualService `sourceLabels`, Sidecar and DestinationRule workloadSelectors. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * What earlier compiles of the same proxy built; a reload then rebuilds only what changed. The
   * snapshot is the same with or without it.
   */
  readonly cache?: CompileCache;
  /**
   * Deep-freeze the snapshot; default true. The proxy passes freezeSnapshots() (freeze-policy.ts): off
   * unless MESHGATE_FREEZE_SNAPSHOTS=1, which `npm test` sets.
   */
  readonly freeze?: boolean;
}

export function compile(configSet: ConfigSet, options: CompileOptions): Snapshot {
  const { mesh } = configSet;
  const registry = buildRegistry(configSet.serviceEntries, mesh.defaultServiceExportTo, options.cache);
  const labels = options.labels ?? {};
  const sidecarChoice = chooseSidecar(configSet.sidecars, options.namespace, mesh.rootNamespace, labels);
  const { sidecar } = sidecarChoice;
  const view = buildView(registry, options.namespace, sidecar);
  const mode = view.outboundTrafficPolicyMode ?? mesh.outboundTrafficPolicyMode;
  // ALLOW_ANY_DYNAMIC_DNS differs only for plain HTTP to unknown hosts, which an explicit proxy resolves itself anyway.
  const outboundPolicy: OutboundPolicy = mode === 'REGISTRY_ONLY' ? 'REGISTRY_ONLY' : 'ALLOW_ANY';
  const virtualServices = meshVirtualServices(
    configSet.virtualServices,
    options.namespace,
    mesh.defaultVirtualServiceExportTo,
  ).filter((vs) =>
    sidecarImportsConfig(
      sidecar,
      vs.key.namespace,
      vs.spec.hosts.map((h) => qualifyShortName(h.toLowerCase(), vs.key.namespace)),
    ),
  );
  const destinationRules = visibleDestinationRules(
    configSet.destinationRules,
    options.namespace,
    mesh.defaultDestinationRuleExportTo,
    labels,
  );

  const proxy = { namespace: options.namespace, labels };
  const hosts = new HostIndex(view.services);
  const clusters = buildClusters({
    services: view.services,
    destinationRules,
    connectTimeoutMs: mesh.connectTimeoutMs,
    ...(options.cache !== undefined ? { cache: options.cache } : {}),
  });
  const ports = httpPorts(view.services);
  const routes = buildRoutes({
    services: view.services,
    httpPorts: ports,
    virtualServices,
    outboundPolicy,
    proxy,
    hosts,
    ...(mesh.defaultHttpRetryPolicy !== undefined ? { meshRetryPolicy: mesh.defaultHttpRetryPolicy } : {}),
  });
  const listeners = buildListeners({
    services: view.services,
    httpPorts: ports,
    virtualServices,
    proxy,
    hosts,
  });
  const diagnostics: Diagnostic[] = [
    ...sidecarChoice.diagnostics,
    ...view.diagnostics,
    ...ignoredVirtualServices(configSet.virtualServices),
    ...clusters.diagnostics,
    ...routes.diagnostics,
    ...listeners.diagnostics,
  ];
  diagnostics.push(...missingDestinations(routes.routeConfigs, listeners.listeners, clusters.clusters));

  const snapshot: Snapshot = {
    version: options.version,
    namespace: options.namespace,
    outboundTrafficPolicy: outboundPolicy,
    ...(mesh.protocolDetectionTimeoutMs > 0 ? { protocolDetectionTimeoutMs: mesh.protocolDetectionTimeoutMs } : {}),
    services: summariseServices(view.services),
    listeners: listeners.listeners,
    routeConfigs: routes.routeConfigs,
    clusters: clusters.clusters,
    diagnostics: distinct(diagnostics),
  };
  return options.freeze === false ? snapshot : deepFreeze(snapshot);
}

/**
 * The services as /config_dump lists them. Services with the same ports share one frozen port list:
 * large meshes repeat a few port layouts thousands of times.
 */
function summariseServices(services: readonly Service[]): Snapshot['services'] {
  const layouts = new Map<string, Snapshot['services'][number]['ports']>();
  return services.map((s) => {
    const layout = s.ports.map((p) => `${p.number}/${p.name}/${p.protocol}`).join(',');
    let ports = layouts.get(layout);
    if (ports === undefined) {
      ports = deepFreeze(s.ports.map((p) => ({ number: p.number, name: p.name, protocol: p.protocol })));
      layouts.set(layout, ports);
    }
    return {
      hostname: s.hostname,
      namespace: s.namespace,
      resolution: s.resolution,
      ports,
      source: `${s.source.kind}/${s.source.namespace}/${s.source.name}`,
    };
  });
}

/** A route built for several hosts and ports reports the same thing once. */
function distinct(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** VirtualServices for sidecars (gateway `mesh`) exported to the namespace, oldest first (Istio's precedence). */
function meshVirtualServices(
  all: readonly VirtualServiceResource[],
  namespace: string,
  defaultExportTo: readonly string[],
): VirtualServiceResource[] {
  return all
    .filter(
      (vs) =>
        (vs.spec.gateways.length === 0 || vs.spec.gateways.includes('mesh')) &&
        isExportedTo(vs.spec.exportTo.length > 0 ? vs.spec.exportTo : defaultExportTo, vs.key.namespace, namespace),
    )
    .sort((a, b) => compareAge(ageOf(a), ageOf(b)));
}

/** VirtualServices bound only to gateways: a sidecar never applies them (Istio's rule), said once each. */
function ignoredVirtualServices(all: readonly VirtualServiceResource[]): Diagnostic[] {
  return all
    .filter((vs) => vs.spec.gateways.length > 0 && !vs.spec.gateways.includes('mesh'))
    .map((vs) => ({
      code: 'GatewayOnlyVirtualService',
      message: `VirtualService/${vs.key.namespace}/${vs.key.name} applies only to gateways ${vs.spec.gateways.join(', ')}; a sidecar ignores it (add "mesh" to gateways to use it here)`,
      resource: `VirtualService/${vs.key.namespace}/${vs.key.name}`,
      position: vs.source,
    }));
}

/** Route destinations whose cluster does not exist (unknown host or subset): requests to them get 503 NC. */
function missingDestinations(
  routeConfigs: Snapshot['routeConfigs'],
  listeners: Snapshot['listeners'],
  clusters: Snapshot['clusters'],
): Diagnostic[] {
  const missing = new Set<string>();
  for (const config of Object.values(routeConfigs)) {
    for (const vhost of config.virtualHosts) {
      for (const route of vhost.routes) {
        if (route.action.kind !== 'route') continue;
        for (const c of route.action.clusters) if (clusters[c.name] === undefined) missing.add(c.name);
      }
    }
  }
  const check = (routes: readonly L4Route[] | undefined): void => {
    if (routes === undefined) return;
    for (const r of routes) for (const c of r.clusters) if (clusters[c.name] === undefined) missing.add(c.name);
  };
  // Loops rather than flattened copies: 10k services make 20k chains, nearly all without routes.
  for (const listener of Object.values(listeners)) {
    for (const chain of listener.chains) check(chain.routes);
    for (const chain of listener.addressChains) check(chain.routes);
    check(listener.matchAllRoutes);
  }
  return [...missing].sort().map((name) => ({
    code: 'UnknownDestination',
    message: `routes send traffic to ${name}, which does not exist (no such service, port or DestinationRule subset); those requests get 503 NC`,
  }));
}
