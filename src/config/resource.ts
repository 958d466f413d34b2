// Identity and source position of one Istio resource, shared by every stage after YAML parsing.

export type Kind = 'ServiceEntry' | 'VirtualService' | 'DestinationRule' | 'Sidecar';

export const KINDS: readonly Kind[] = ['ServiceEntry', 'VirtualService', 'DestinationRule', 'Sidecar'];

export const ISTIO_NETWORKING_GROUP = 'networking.istio.io';
export const ISTIO_NETWORKING_VERSIONS = ['v1alpha3', 'v1beta1', 'v1'] as const;

/** 1-based line and column, as editors and compilers print them. */
export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface ResourceKey {
  readonly kind: Kind;
  readonly namespace: string;
  readonly name: string;
}

export const DEFAULT_NAMESPACE = 'default';

export function formatKey(key: ResourceKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

/** A path into a document's `spec`, e.g. ['ports', 0, 'number']. */
export type FieldPath = readonly (string | number)[];

/** Looks up where a field of one document was written; falls back to the nearest ancestor that exists. */
export type PositionLookup = (path: FieldPath) => SourcePosition;
