// meshgate's own health metrics: config reloads, connections, upstream pools, DNS, dropped log lines, bugs.
import { Counter, Gauge, Histogram, Registry } from './prom-classes.ts';
import { MESHGATE_METRIC } from './metric-names.ts';

/** Values read at scrape time, so nothing is paid per request for them. */
export interface MeshgateMetricSources {
  /** Connections held by each cluster's upstream pool. */
  readonly upstreamPools?: () => Iterable<readonly [cluster: string, connections: number]>;
  /** Cumulative DNS counters (DnsResolver.stats fits). */
  readonly dns?: () => { readonly lookups: number; readonly failures: number };
  /** Cumulative dropped access-log lines (AccessLogSink.droppedLines fits). */
  readonly accessLogDropped?: () => number;
}

const DOWNSTREAM_KINDS = ['http', 'connect', 'tcp'] as const;
export type DownstreamKind = (typeof DOWNSTREAM_KINDS)[number];

export interface ReloadOutcome {
  /** Version of the snapshot now live (unchanged when rejected). */
  readonly version: number;
  readonly applied: boolean;
  /** Files currently rejected. */
  readonly rejectedFiles: number;
  /** Compile time; absent when nothing was compiled. */
  readonly buildSeconds?: number;
  /** Unix time in seconds of the attempt. */
  readonly atSeconds: number;
}

/** A counter whose value is a cumulative total kept elsewhere, copied in at scrape time. */
function mirroredCounter(name: string, help: string, registry: Registry, read: (() => number) | undefined): void {
  if (read === undefined) return;
  let last = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

export class MeshgateMetrics {
  readonly #configVersion: Gauge<string>;
  readonly #lastReload: Gauge<string>;
  readonly #lastReloadSuccess: Gauge<string>;
  readonly #reloads: Counter<'result'>;
  readonly #rejectedFiles: Gauge<string>;
  readonly #buildSeconds: Histogram<string>;
  readonly #openConnections: Record<DownstreamKind, number> = { http: 0, connect: 0, tcp: 0 };
  readonly #bugs: Counter<string>;

  constructor(registry: Registry, sources: MeshgateMetricSources = {}) {
    const registers = [registry];
    this.#configVersion = new Gauge({
      name: MESHGATE_METRIC.configVersion,
      help: 'Version of the live config snapshot.',
      registers,
    });
    this.#lastReload = new Gauge({
      name: MESHGATE_METRIC.configLastReloadTimestamp,
      help: 'Unix time of the last reload attempt.',
      registers,
    });
    this.#lastReloadSuccess = new Gauge({
      name: MESHGATE_METRIC.configLastReloadSuccess,
      help: '1 if the last reload was applied, 0 if rejected.',
      registers,
    });
    this.#reloads = new Counter({
      name: MESHGATE_METRIC.configReloadsTotal,
      help: 'Config reload attempts by result.',
      labelNames: ['result'],
      registers,
    });
    this.#rejectedFiles = new Gauge({
      name: MESHGATE_METRIC.configRejectedFiles,
      help: 'Config files currently rejected.',
      registers,
    });
    this.#buildSeconds = new Histogram({
      name: MESHGATE_METRIC.snapshotBuildSeconds,
      help: 'Time to compile a config snapshot.',
      registers,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
    // Counted in plain numbers and read at scrape time: every connection opens and closes at least once,
    // and a labelled gauge update per event would hash its labels on the accept path.
    const open = this.#openConnections;
    new Gauge({
      name: MESHGATE_METRIC.downstreamConnectionsActive,
      help: 'Client connections open now.',
      labelNames: ['kind'],
      registers,
      collect() {
        for (const kind of DOWNSTREAM_KINDS) this.labels(kind).set(open[kind]);
      },
    });
    this.#bugs = new Counter({
      name: MESHGATE_METRIC.bugTotal,
      help: 'Broken internal invariants met (please report).',
      registers,
    });
    const pools = sources.upstreamPools;
    if (pools !== undefined) {
      new Gauge({
        name: MESHGATE_METRIC.upstreamPoolConnections,
        help: 'Upstream connections held per cluster.',
        labelNames: ['cluster'],
        registers,
        collect() {
          this.reset();
          for (const [cluster, connections] of pools()) this.labels(cluster).set(connections);
        },
      });
    }
    const dns = sources.dns;
    mirroredCounter(MESHGATE_METRIC.dnsLookupsTotal, 'DNS lookups sent.', registry, dns && (() => dns().lookups));
    mirroredCounter(
      MESHGATE_METRIC.dnsFailuresTotal,
      'DNS lookups that failed.',
      registry,
      dns && (() => dns().failures),
    );
    mirroredCounter(
      MESHGATE_METRIC.accessLogDroppedTotal,
      'Access-log lines dropped.',
      registry,
      sources.accessLogDropped,
    );
    this.#configVersion.set(0);
    this.#rejectedFiles.set(0);
  }

  reloaded(outcome: ReloadOutcome): void {
    this.#configVersion.set(outcome.version);
    this.#lastReload.set(outcome.atSeconds);
    this.#lastReloadSuccess.set(outcome.applied ? 1 : 0);
    this.#reloads.labels(outcome.applied ? 'applied' : 'rejected').inc();
    this.#rejectedFiles.set(outcome.rejectedFiles);
    if (outcome.buildSeconds !== undefined) this.#buildSeconds.observe(outcome.buildSeconds);
  }

  connectionOpened(kind: DownstreamKind): void {
    this.#openConnections[kind]++;
  }

  connectionClosed(kind: DownstreamKind): void {
    this.#openConnections[kind]--;
  }

  /** A broken internal invariant in production: counted here, thrown in tests by the caller. */
  bug(): void {
    this.#bugs.inc();
  }
}

/** A registry of its own (never prom-client's global one), so tests and embedded proxies do not collide. */
export function createMetricsRegistry(): Registry {
  return new Registry();
}

/** The body and content type for `GET /stats/prometheus`. */
export async function renderPrometheus(registry: Registry): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
