// Wire types shared by several Istio networking kinds, spelled exactly as Istio's YAML spells them.

/** Istio's proto3 Duration in JSON form, e.g. "3s", "0.5s", "100ms" is NOT valid proto JSON but Istio's YAML accepts it via gogo; we accept both. */
export type Duration = string;

export interface Percent {
  value?: number;
}

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface PortSelector {
  number?: number;
}

export interface Destination {
  host?: string;
  subset?: string;
  port?: PortSelector;
}

export interface WorkloadSelector {
  labels?: Record<string, string>;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  resourceVersion?: string;
}
