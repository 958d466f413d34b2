// The registry's run-time view of one ServiceEntry host: ports, resolution, endpoints and visibility.
import type { ResourceKey, SourcePosition } from '../config/resource.ts';

export type Resolution = 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN' | 'DYNAMIC_DNS';
export type Location = 'MESH_EXTERNAL' | 'MESH_INTERNAL';

/** One service port; `protocol` is upper-cased, '' when unset (Istio then sniffs). */
export interface ServicePort {
  readonly name: string;
  readonly number: number;
  readonly protocol: string;
  readonly targetPort?: number;
}

/** One endpoint with its port already chosen per service port name (endpoint ports[name] > targetPort > number). */
export interface ServiceEndpoint {
  /** IP (STATIC), DNS name (DNS, DNS_ROUND_ROBIN) or the service host itself when the entry lists no endpoints. */
  readonly address: string;
  /** Service port name → the port to connect to. */
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly locality?: string;
}

export interface Service {
  /** The host exactly as written, lower-cased (may be a wildcard, `*.example.com`). */
  readonly hostname: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
  readonly resolution: Resolution;
  readonly location: Location;
  readonly addresses: readonly string[];
  readonly endpoints: readonly ServiceEndpoint[];
  /** exportTo as given, or the mesh's defaultServiceExportTo. */
  readonly exportTo: readonly string[];
  readonly subjectAltNames: readonly string[];
  /** The ServiceEntry it came from, for diagnostics and /config_dump. */
  readonly source: ResourceKey;
  readonly position: SourcePosition;
  /** Orders services by age for Istio's "oldest wins" rule: creationTimestamp, then file order. */
  readonly creationTimestamp?: string;
}

/** A setting the registry or compiler overrode by a fixed rule; shown in /config_dump. */
export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  readonly resource?: string;
  readonly position?: SourcePosition;
}

export function isHttpProtocol(protocol: string): boolean {
  return (
    protocol === 'HTTP' ||
    protocol === 'HTTP2' ||
    protocol === 'GRPC' ||
    protocol === 'GRPC-WEB' ||
    protocol === 'HTTP_PROXY'
  );
}

export function isTlsProtocol(protocol: string): boolean {
  return protocol === 'HTTPS' || protocol === 'TLS';
}

/** What the "oldest wins" rule compares. */
export interface Aged {
  readonly creationTimestamp?: string | undefined;
  readonly position: SourcePosition;
  readonly source: ResourceKey;
}

/** The age fields of a config resource (its key and where it was written). */
export function ageOf(resource: {
  readonly creationTimestamp?: string;
  readonly source: SourcePosition;
  readonly key: ResourceKey;
}): Aged {
  return { creationTimestamp: resource.creationTimestamp, position: resource.source, source: resource.key };
}

/** Older first: Istio's SortServicesByCreationTime, with the file position standing in for files without a timestamp. */
export function compareAge(a: Aged, b: Aged): number {
  const ta = a.creationTimestamp;
  const tb = b.creationTimestamp;
  if (ta !== undefined && tb !== undefined && ta !== tb) return Date.parse(ta) - Date.parse(tb) || (ta < tb ? -1 : 1);
  if (ta !== undefined && tb === undefined) return -1;
  if (ta === undefined && tb !== undefined) return 1;
  if (a.position.file !== b.position.file) return a.position.file < b.position.file ? -1 : 1;
  if (a.position.line !== b.position.line) return a.position.line - b.position.line;
  if (a.source.name !== b.source.name) return a.source.name < b.source.name ? -1 : 1;
  return a.source.namespace < b.source.namespace ? -1 : a.source.namespace > b.source.namespace ? 1 : 0;
}
