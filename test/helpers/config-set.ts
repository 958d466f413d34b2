// Builds ConfigSet values for compiler and router tests without YAML, with the loader's own defaulting.
import type {
  ConfigSet,
  DestinationRuleResource,
  MeshConfig,
  ServiceEntryResource,
  SidecarResource,
  VirtualServiceResource,
} from '../../src/config/model.ts';
import {
  DEFAULT_MESH_CONFIG,
  destinationRuleWithDefaults,
  serviceEntryWithDefaults,
  sidecarWithDefaults,
  virtualServiceWithDefaults,
} from '../../src/config/defaults.ts';
import type { Kind } from '../../src/config/resource.ts';
import type { DestinationRuleSpec } from '../../src/config/wire/destination-rule.ts';
import type { ServiceEntrySpec } from '../../src/config/wire/service-entry.ts';
import type { SidecarSpec } from '../../src/config/wire/sidecar.ts';
import type { VirtualServiceSpec } from '../../src/config/wire/virtual-service.ts';

let line = 0;

interface Meta {
  name: string;
  namespace?: string;
  creationTimestamp?: string;
}

function meta(
  kind: Kind,
  m: Meta,
): {
  key: { kind: Kind; namespace: string; name: string };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  source: { file: string; line: number; column: number };
  creationTimestamp?: string;
} {
  line += 10;
  return {
    key: { kind, namespace: m.namespace ?? 'default', name: m.name },
    labels: {},
    annotations: {},
    source: { file: 'test.yaml', line, column: 1 },
    ...(m.creationTimestamp !== undefined ? { creationTimestamp: m.creationTimestamp } : {}),
  };
}

export function serviceEntry(m: Meta, spec: ServiceEntrySpec): ServiceEntryResource {
  return { ...meta('ServiceEntry', m), spec: serviceEntryWithDefaults(spec, DEFAULT_MESH_CONFIG) };
}

/** A ServiceEntry for one STATIC TCP port: `host:port` reaches `address:port`. */
export function staticTcpService(name: string, host: string, port: number, address: string): ServiceEntryResource {
  return serviceEntry(
    { name },
    {
      hosts: [host],
      ports: [{ number: port, name: `tcp-${name}`, protocol: 'TCP' }],
      resolution: 'STATIC',
      endpoints: [{ address }],
    },
  );
}

export function virtualService(m: Meta, spec: VirtualServiceSpec): VirtualServiceResource {
  return { ...meta('VirtualService', m), spec: virtualServiceWithDefaults(spec, DEFAULT_MESH_CONFIG) };
}

export function destinationRule(m: Meta, spec: DestinationRuleSpec): DestinationRuleResource {
  return { ...meta('DestinationRule', m), spec: destinationRuleWithDefaults(spec, DEFAULT_MESH_CONFIG) };
}

export function sidecar(m: Meta, spec: SidecarSpec): SidecarResource {
  return { ...meta('Sidecar', m), spec: sidecarWithDefaults(spec) };
}

export function configSet(parts: {
  serviceEntries?: ServiceEntryResource[];
  virtualServices?: VirtualServiceResource[];
  destinationRules?: DestinationRuleResource[];
  sidecars?: SidecarResource[];
  mesh?: Partial<MeshConfig>;
}): ConfigSet {
  return {
    serviceEntries: parts.serviceEntries ?? [],
    virtualServices: parts.virtualServices ?? [],
    destinationRules: parts.destinationRules ?? [],
    sidecars: parts.sidecars ?? [],
    mesh: { ...DEFAULT_MESH_CONFIG, ...parts.mesh },
  };
}

/** The seed walk-through's resources (examples/seed), as ConfigSet parts. */
export const seed = {
  httpbin: (): ServiceEntryResource =>
    serviceEntry(
      { name: 'httpbin.org', namespace: 'foo' },
      {
        hosts: ['httpbin.org', 'www.httpbin.org'],
        ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
        exportTo: ['.'],
        resolution: 'DNS',
        location: 'MESH_EXTERNAL',
      },
    ),
  httpbinTimeout: (): VirtualServiceResource =>
    virtualService(
      { name: 'httpbin.org', namespace: 'foo' },
      {
        hosts: ['httpbin.org', 'www.httpbin.org'],
        http: [{ timeout: '3s', route: [{ destination: { host: 'httpbin.org' }, weight: 100 }] }],
      },
    ),
  google: (): ServiceEntryResource =>
    serviceEntry(
      { name: 'google', namespace: 'foo' },
      {
        hosts: ['www.google.com'],
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }],
        resolution: 'DNS',
        location: 'MESH_EXTERNAL',
      },
    ),
};
