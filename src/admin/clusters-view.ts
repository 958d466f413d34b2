// /clusters: each cluster of the live snapshot with its endpoints (configured and last resolved), health
// and request counters, as JSON or in Envoy's `cluster::host::field::value` text.
import type { Cluster, Snapshot } from '../compiler/snapshot.ts';

/** The cluster manager's read-only surface used here. */
export interface ClusterView {
  lastHosts(clusterName: string): readonly { readonly key: string }[] | undefined;
  statsFor(clusterName: string): readonly { readonly host: string; readonly rqTotal: number; readonly rqError: number; readonly cxConnectFail: number }[];
}

interface HostRow {
  address: string;
  health: 'healthy';
  rq_total: number;
  rq_error: number;
  cx_connect_fail: number;
}

function hostsOf(cluster: Cluster, view: ClusterView): HostRow[] {
  const stats = new Map(view.statsFor(cluster.name).map((s) => [s.host, s]));
  const keys = new Set<string>((view.lastHosts(cluster.name) ?? []).map((h) => h.key));
  for (const key of stats.keys()) keys.add(key);
  return [...keys].sort().map((address) => {
    const s = stats.get(address);
    // meshgate has no active health checking or outlier ejection yet: every known host is healthy.
    return { address, health: 'healthy', rq_total: s?.rqTotal ?? 0, rq_error: s?.rqError ?? 0, cx_connect_fail: s?.cxConnectFail ?? 0 };
  });
}

export function clustersJson(snapshot: Snapshot, view: ClusterView): unknown {
  return {
    version: snapshot.version,
    clusters: Object.values(snapshot.clusters).map((c) => ({
      name: c.name,
      type: c.type,
      connect_timeout_ms: c.connectTimeoutMs,
      lb_policy: c.lbPolicy,
      endpoints: c.endpoints.map((e) => ({ address: e.address, port: e.port, weight: e.weight })),
      hosts: hostsOf(c, view),
    })),
  };
}

export function clustersText(snapshot: Snapshot, view: ClusterView): string {
  const lines: string[] = [];
  for (const c of Object.values(snapshot.clusters)) {
    lines.push(`${c.name}::type::${c.type}`, `${c.name}::connect_timeout_ms::${c.connectTimeoutMs}`);
    for (const e of c.endpoints) lines.push(`${c.name}::endpoint::${e.address}:${e.port}`);
    for (const h of hostsOf(c, view)) {
      lines.push(`${c.name}::${h.address}::health_flags::${h.health}`, `${c.name}::${h.address}::rq_total::${h.rq_total}`, `${c.name}::${h.address}::rq_error::${h.rq_error}`, `${c.name}::${h.address}::cx_connect_fail::${h.cx_connect_fail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
