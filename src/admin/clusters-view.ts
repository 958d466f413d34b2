// /clusters: every cluster of the live snapshot with its hosts' counters and health, in Envoy's text
// layout (`cluster::field::value`, `cluster::host::stat::value`) or, with ?format=json, Envoy's JSON shape.
import type { Cluster, Snapshot } from '../compiler/snapshot.ts';

export interface HostCounters {
  readonly host: string;
  readonly rqTotal: number;
  readonly rqError: number;
  readonly rqSuccess: number;
  readonly rqTimeout: number;
  readonly cxConnectFail: number;
}

/** The cluster manager's read-only surface used here. */
export interface ClusterView {
  lastHosts(clusterName: string): readonly { readonly key: string }[] | undefined;
  statsFor(clusterName: string): readonly HostCounters[];
  /** Connections to an address (`ip:port`), by whichever cluster opened them. */
  connectionsTo(hostKey: string): { readonly total: number; readonly active: number };
  /** Requests in flight to an address. */
  activeRequests(hostKey: string): number;
}

/** Istio sets every default-priority threshold to the maximum; high priority keeps Envoy's defaults. */
const THRESHOLDS = {
  default: {
    max_connections: 4294967295,
    max_pending_requests: 4294967295,
    max_requests: 4294967295,
    max_retries: 4294967295,
  },
  high: { max_connections: 1024, max_pending_requests: 1024, max_requests: 1024, max_retries: 3 },
} as const;

interface HostRow {
  /** `ip:port`. */
  readonly address: string;
  readonly hostname: string;
  /** Envoy's per-host stats, by name in Envoy's (alphabetical) order; cx_active and rq_active are gauges. */
  readonly stats: readonly (readonly [name: string, value: number])[];
}

const GAUGES: ReadonlySet<string> = new Set(['cx_active', 'rq_active']);

/** Envoy prints the endpoint's DNS name for DNS clusters; meshgate knows it when there is one endpoint. */
function hostnameOf(cluster: Cluster): string {
  if ((cluster.type === 'STRICT_DNS' || cluster.type === 'LOGICAL_DNS') && cluster.endpoints.length === 1)
    return cluster.endpoints[0]!.address;
  return '';
}

function hostsOf(cluster: Cluster, view: ClusterView): HostRow[] {
  const stats = new Map(view.statsFor(cluster.name).map((s) => [s.host, s]));
  const keys = new Set<string>((view.lastHosts(cluster.name) ?? []).map((h) => h.key));
  for (const key of stats.keys()) keys.add(key);
  const hostname = hostnameOf(cluster);
  return [...keys].sort().map((address) => {
    const s = stats.get(address);
    const cx = view.connectionsTo(address);
    return {
      address,
      hostname,
      stats: [
        ['cx_active', cx.active],
        ['cx_connect_fail', s?.cxConnectFail ?? 0],
        ['cx_total', cx.total],
        ['rq_active', view.activeRequests(address)],
        ['rq_error', s?.rqError ?? 0],
        ['rq_success', s?.rqSuccess ?? 0],
        ['rq_timeout', s?.rqTimeout ?? 0],
        ['rq_total', s?.rqTotal ?? 0],
      ],
    };
  });
}

/**
 * Envoy's text layout. meshgate does no active health checking or outlier detection yet, so every known
 * host is `healthy` and success rates are `-1` (Envoy's "not computed").
 */
export function clustersText(snapshot: Snapshot, view: ClusterView): string {
  const lines: string[] = [];
  for (const c of Object.values(snapshot.clusters)) {
    const n = c.name;
    lines.push(`${n}::observability_name::${n}`);
    for (const [priority, t] of Object.entries(THRESHOLDS)) {
      for (const [field, value] of Object.entries(t)) lines.push(`${n}::${priority}_priority::${field}::${value}`);
    }
    lines.push(`${n}::added_via_api::true`);
    for (const h of hostsOf(c, view)) {
      const p = `${n}::${h.address}`;
      for (const [stat, value] of h.stats) lines.push(`${p}::${stat}::${value}`);
      lines.push(
        `${p}::hostname::${h.hostname}`,
        `${p}::health_flags::healthy`,
        `${p}::weight::1`,
        `${p}::region::`,
        `${p}::zone::`,
        `${p}::sub_zone::`,
        `${p}::canary::false`,
        `${p}::priority::0`,
        `${p}::success_rate::-1`,
        `${p}::local_origin_success_rate::-1`,
      );
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function socketAddress(address: string): { address: string; port_value: number } {
  const colon = address.lastIndexOf(':');
  const ip = address.slice(0, colon);
  return { address: ip.startsWith('[') ? ip.slice(1, -1) : ip, port_value: Number(address.slice(colon + 1)) };
}

/**
 * Envoy's `envoy.admin.v3.Clusters` JSON, with every stat value written out (Envoy's proto JSON leaves
 * zeros out) as a string, as proto JSON prints 64-bit integers.
 */
export function clustersJson(snapshot: Snapshot, view: ClusterView): unknown {
  return {
    cluster_statuses: Object.values(snapshot.clusters).map((c) => ({
      name: c.name,
      observability_name: c.name,
      added_via_api: true,
      circuit_breakers: {
        thresholds: [{ ...THRESHOLDS.default }, { priority: 'HIGH', ...THRESHOLDS.high }],
      },
      host_statuses: hostsOf(c, view).map((h) => ({
        address: { socket_address: socketAddress(h.address) },
        stats: h.stats.map(([name, value]) => ({
          name,
          value: String(value),
          ...(GAUGES.has(name) ? { type: 'GAUGE' } : {}),
        })),
        health_status: { eds_health_status: 'HEALTHY' },
        weight: 1,
        hostname: h.hostname,
        locality: {},
      })),
    })),
  };
}
