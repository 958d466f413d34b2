// Applies Istio's defaults to decoded, valid specs and MeshConfig, producing the frozen model types.
import { deepFreeze, frozenCopy } from './deep-freeze.ts';
import { parseDurationMs } from './duration.ts';
import type {
  DeepReadonly,
  DestinationRuleSpecWithDefaults,
  MeshConfig,
  ServiceEntrySpecWithDefaults,
  VirtualServiceSpecWithDefaults,
} from './model.ts';
import type { DestinationRuleSpec } from './wire/destination-rule.ts';
import type { MeshConfigSpec } from './wire/mesh-config.ts';
import type { ServiceEntrySpec } from './wire/service-entry.ts';
import type { SidecarSpec } from './wire/sidecar.ts';
import type { VirtualServiceSpec } from './wire/virtual-service.ts';

/** Istio's DefaultMeshConfig (pkg/config/mesh/mesh.go), for the fields meshgate reads. */
export const DEFAULT_MESH_CONFIG: MeshConfig = deepFreeze({
  outboundTrafficPolicyMode: 'ALLOW_ANY',
  connectTimeoutMs: 10_000,
  protocolDetectionTimeoutMs: 0,
  dnsRefreshRateMs: 60_000,
  defaultServiceExportTo: ['*'],
  defaultVirtualServiceExportTo: ['*'],
  defaultDestinationRuleExportTo: ['*'],
  rootNamespace: 'istio-system',
});

/** MeshConfig with defaults for what is not set; call only on a spec that passed validateMeshConfig. */
export function meshConfigWithDefaults(spec: MeshConfigSpec): MeshConfig {
  const d = DEFAULT_MESH_CONFIG;
  const ms = (text: string | undefined, fallback: number): number =>
    text === undefined ? fallback : (parseDurationMs(text) ?? fallback);
  // An empty list means "not set" in proto3, so it falls back to the default like an absent one.
  const list = (value: string[] | undefined, fallback: readonly string[]): readonly string[] =>
    value === undefined || value.length === 0 ? fallback : value;
  return deepFreeze({
    outboundTrafficPolicyMode: spec.outboundTrafficPolicy?.mode ?? d.outboundTrafficPolicyMode,
    connectTimeoutMs: ms(spec.connectTimeout, d.connectTimeoutMs),
    protocolDetectionTimeoutMs: ms(spec.protocolDetectionTimeout, d.protocolDetectionTimeoutMs),
    dnsRefreshRateMs: ms(spec.dnsRefreshRate, d.dnsRefreshRateMs),
    defaultServiceExportTo: [...list(spec.defaultServiceExportTo, d.defaultServiceExportTo)],
    defaultVirtualServiceExportTo: [...list(spec.defaultVirtualServiceExportTo, d.defaultVirtualServiceExportTo)],
    defaultDestinationRuleExportTo: [...list(spec.defaultDestinationRuleExportTo, d.defaultDestinationRuleExportTo)],
    rootNamespace: spec.rootNamespace === undefined || spec.rootNamespace === '' ? d.rootNamespace : spec.rootNamespace,
    ...(spec.defaultHttpRetryPolicy === undefined
      ? {}
      : { defaultHttpRetryPolicy: structuredClone(spec.defaultHttpRetryPolicy) }),
  });
}

/**
 * How a defaults function treats the spec it is given: `copy` (the default) leaves it untouched and
 * returns a frozen copy; `adopt` freezes it in place, for a spec the loader has just decoded and owns,
 * which saves copying every resource of a large config once more.
 */
export type SpecOwnership = 'copy' | 'adopt';

function finish<T>(value: T, ownership: SpecOwnership): DeepReadonly<T> {
  return ownership === 'adopt' ? deepFreeze(value) : frozenCopy(value);
}

/** The spec itself when adopted (defaults are filled in place), else a shallow copy that finish() deep-copies. */
function target<T extends object>(spec: T, ownership: SpecOwnership): T {
  return ownership === 'adopt' ? spec : { ...spec };
}

/**
 * Missing lists all share one frozen empty list; typed `never[]` so that it fits any list field and
 * nothing can be pushed onto it.
 */
const NO_ITEMS = Object.freeze([]) as never[];

// Defaults are assigned field by field, in the order the model lists them: a field the spec lacks is
// added after the ones it has, as a spread of the spec followed by the defaults would place it, without
// cloning every resource of a large config.

/** ServiceEntry: exportTo from the mesh, location MESH_EXTERNAL, resolution NONE, empty lists. */
export function serviceEntryWithDefaults(
  spec: ServiceEntrySpec,
  mesh: MeshConfig,
  ownership: SpecOwnership = 'copy',
): DeepReadonly<ServiceEntrySpecWithDefaults> {
  const out = target(spec, ownership);
  out.hosts ??= NO_ITEMS;
  out.addresses ??= NO_ITEMS;
  out.ports ??= NO_ITEMS;
  out.endpoints ??= NO_ITEMS;
  out.exportTo = nonEmpty(out.exportTo) ?? (mesh.defaultServiceExportTo as string[]);
  out.location ??= 'MESH_EXTERNAL';
  out.resolution ??= 'NONE';
  return finish(out as ServiceEntrySpecWithDefaults, ownership);
}

/** VirtualService: gateways ["mesh"], exportTo from the mesh, empty route lists. */
export function virtualServiceWithDefaults(
  spec: VirtualServiceSpec,
  mesh: MeshConfig,
  ownership: SpecOwnership = 'copy',
): DeepReadonly<VirtualServiceSpecWithDefaults> {
  const out = target(spec, ownership);
  out.hosts ??= NO_ITEMS;
  out.gateways = nonEmpty(out.gateways) ?? ['mesh'];
  out.http ??= NO_ITEMS;
  out.tls ??= NO_ITEMS;
  out.tcp ??= NO_ITEMS;
  out.exportTo = nonEmpty(out.exportTo) ?? (mesh.defaultVirtualServiceExportTo as string[]);
  return finish(out as VirtualServiceSpecWithDefaults, ownership);
}

/** DestinationRule: exportTo from the mesh, empty subsets. */
export function destinationRuleWithDefaults(
  spec: DestinationRuleSpec,
  mesh: MeshConfig,
  ownership: SpecOwnership = 'copy',
): DeepReadonly<DestinationRuleSpecWithDefaults> {
  const out = target(spec, ownership);
  out.subsets ??= NO_ITEMS;
  out.exportTo = nonEmpty(out.exportTo) ?? (mesh.defaultDestinationRuleExportTo as string[]);
  return finish(out as DestinationRuleSpecWithDefaults, ownership);
}

/** Sidecar: no defaults are filled in (an absent outboundTrafficPolicy means "use the mesh's"); frozen copy. */
export function sidecarWithDefaults(spec: SidecarSpec, ownership: SpecOwnership = 'copy'): DeepReadonly<SidecarSpec> {
  return finish(spec, ownership);
}

function nonEmpty(list: string[] | undefined): string[] | undefined {
  return list === undefined || list.length === 0 ? undefined : list;
}
