// Field schema of a Kubernetes object's envelope (apiVersion, kind, metadata, …) as the API server accepts it.
import { any, int, message, string, stringList, stringMap } from './field-schema.ts';

export const objectMeta = message('ObjectMeta', {
  name: string,
  generateName: string,
  namespace: string,
  selfLink: string,
  uid: string,
  resourceVersion: string,
  generation: int,
  creationTimestamp: string,
  deletionTimestamp: string,
  deletionGracePeriodSeconds: int,
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: any,
  finalizers: stringList,
  managedFields: any,
});

/** `spec` is decoded separately against the kind's own schema. */
export const objectEnvelope = message('object', {
  apiVersion: string,
  kind: string,
  metadata: objectMeta,
  spec: any,
  status: any,
});
