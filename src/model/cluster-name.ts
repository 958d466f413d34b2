// Istio's cluster names as users see them in logs and metrics (BuildSubsetKey, util.go).

export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

/** `outbound|<port>|<subset>|<host>`, e.g. `outbound|443||www.google.com`. */
export function outboundClusterName(port: number, subset: string, host: string): string {
  return `outbound|${port}|${subset}|${host}`;
}
