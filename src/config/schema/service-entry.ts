// Field schema of ServiceEntry.spec (networking.istio.io v1alpha3/v1beta1/v1 share it).
import { workloadSelector } from './common.ts';
import { enumOf, int, list, map, message, string, stringList, stringMap } from './field-schema.ts';

const servicePort = message('ServicePort', { number: int, protocol: string, name: string, targetPort: int });

export const workloadEntry = message('WorkloadEntry', {
  address: string,
  ports: map(int),
  labels: stringMap,
  network: string,
  locality: string,
  weight: int,
  serviceAccount: string,
});

export const serviceEntrySpec = message('ServiceEntry', {
  hosts: stringList,
  addresses: stringList,
  ports: list(servicePort),
  location: enumOf('MESH_EXTERNAL', 'MESH_INTERNAL'),
  resolution: enumOf('NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'),
  endpoints: list(workloadEntry),
  workloadSelector,
  exportTo: stringList,
  subjectAltNames: stringList,
});
