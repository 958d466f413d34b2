// Remembers, from one compile of a proxy to the next, what was built from config that did not change, so a
// reload after a one-file edit rebuilds that file's services and clusters rather than all 10k.
import type { DestinationRuleResource, ServiceEntryResource } from '../config/model.ts';
import type { Diagnostic, Service } from '../registry/service.ts';
import type { Cluster } from './snapshot.ts';

/** The clusters of one service, with the name prefix each is sorted under, and why some were not made. */
export interface ServiceClusters {
  readonly clusters: readonly { readonly group: string; readonly cluster: Cluster }[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Keys are the config objects themselves: a source hands the same frozen resource objects to every
 * compile until their file changes, and built services are then the same objects too. Every other input
 * an entry depends on is stored with it and compared, so a stale entry is rebuilt, never served. Entries
 * go when their keys are collected. Optional everywhere: without a cache every compile builds afresh.
 */
export class CompileCache {
  readonly #services = new WeakMap<
    ServiceEntryResource,
    { readonly defaultExportTo: readonly string[]; readonly services: readonly Service[] }
  >();
  readonly #clusters = new WeakMap<
    Service,
    {
      readonly rule: DestinationRuleResource | undefined;
      readonly connectTimeoutMs: number;
      readonly built: ServiceClusters;
    }
  >();

  /** The services of one ServiceEntry (one per host). */
  services(
    entry: ServiceEntryResource,
    defaultExportTo: readonly string[],
    build: () => readonly Service[],
  ): readonly Service[] {
    const hit = this.#services.get(entry);
    if (hit !== undefined && hit.defaultExportTo === defaultExportTo) return hit.services;
    const services = build();
    this.#services.set(entry, { defaultExportTo, services });
    return services;
  }

  /** The clusters of one service, given the DestinationRule that applies to it and the mesh's connect timeout. */
  clusters(
    service: Service,
    rule: DestinationRuleResource | undefined,
    connectTimeoutMs: number,
    build: () => ServiceClusters,
  ): ServiceClusters {
    const hit = this.#clusters.get(service);
    if (hit !== undefined && hit.rule === rule && hit.connectTimeoutMs === connectTimeoutMs) return hit.built;
    const built = build();
    this.#clusters.set(service, { rule, connectTimeoutMs, built });
    return built;
  }
}
