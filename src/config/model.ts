// The typed, immutable model of a validated config set: what the registry and compiler read.
// Specs keep Istio's field names; defaults are applied as Istio applies them (see config/defaults.ts).
import type { ResourceKey, SourcePosition } from './resource.ts';
import type { DestinationRuleSpec } from './wire/destination-rule.ts';
import type { MeshConfigSpec } from './wire/mesh-config.ts';
import type { ServiceEntryLocation, ServiceEntryResolution, ServiceEntrySpec } from './wire/service-entry.ts';
import type { OutboundTrafficPolicyMode, SidecarSpec } from './wire/sidecar.ts';
import type { VirtualServiceSpec } from './wire/virtual-service.ts';

export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export interface ConfigResource<S> {
  readonly key: ResourceKey;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Used for Istio's "oldest wins" conflict rule; absent for files, where file order stands in. */
  readonly creationTimestamp?: string;
  /** Where the document starts, for diagnostics. */
  readonly source: SourcePosition;
  readonly spec: DeepReadonly<S>;
}

/** ServiceEntry with Istio's defaults: exportTo, location MESH_EXTERNAL, resolution NONE, empty lists. */
export type ServiceEntrySpecWithDefaults = Omit<
  ServiceEntrySpec,
  'hosts' | 'addresses' | 'ports' | 'endpoints' | 'exportTo' | 'location' | 'resolution'
> &
  Required<Pick<ServiceEntrySpec, 'hosts' | 'addresses' | 'ports' | 'endpoints' | 'exportTo'>> & {
    location: ServiceEntryLocation;
    resolution: ServiceEntryResolution;
  };

export type VirtualServiceSpecWithDefaults = Omit<
  VirtualServiceSpec,
  'hosts' | 'gateways' | 'http' | 'tls' | 'tcp' | 'exportTo'
> &
  Required<Pick<VirtualServiceSpec, 'hosts' | 'gateways' | 'http' | 'tls' | 'tcp' | 'exportTo'>>;

export type DestinationRuleSpecWithDefaults = Omit<DestinationRuleSpec, 'subsets' | 'exportTo'> &
  Required<Pick<DestinationRuleSpec, 'subsets' | 'exportTo'>>;

export type ServiceEntryResource = ConfigResource<ServiceEntrySpecWithDefaults>;
export type VirtualServiceResource = ConfigResource<VirtualServiceSpecWithDefaults>;
export type DestinationRuleResource = ConfigResource<DestinationRuleSpecWithDefaults>;
export type SidecarResource = ConfigResource<SidecarSpec>;

/** MeshConfig with Istio's defaults (ALLOW_ANY, connectTimeout 10s, exportTo ["*"], rootNamespace istio-system). */
export interface MeshConfig {
  readonly outboundTrafficPolicyMode: OutboundTrafficPolicyMode;
  readonly connectTimeoutMs: number;
  readonly protocolDetectionTimeoutMs: number;
  readonly dnsRefreshRateMs: number;
  readonly defaultServiceExportTo: readonly string[];
  readonly defaultVirtualServiceExportTo: readonly string[];
  readonly defaultDestinationRuleExportTo: readonly string[];
  readonly rootNamespace: string;
  readonly defaultHttpRetryPolicy?: DeepReadonly<NonNullable<MeshConfigSpec['defaultHttpRetryPolicy']>>;
}

/** Every valid resource of one load, sorted by key; the compiler's whole input besides the proxy's namespace. */
export interface ConfigSet {
  readonly serviceEntries: readonly ServiceEntryResource[];
  readonly virtualServices: readonly VirtualServiceResource[];
  readonly destinationRules: readonly DestinationRuleResource[];
  readonly sidecars: readonly SidecarResource[];
  readonly mesh: MeshConfig;
}
