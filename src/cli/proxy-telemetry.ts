// The proxy's telemetry wiring: one metrics registry with Istio's standard metrics and meshgate's own, and
// the single callback that writes a finished stream's access-log line and records its metrics.
import type { Registry } from 'prom-client';
import type { ClusterManager } from '../dataplane/upstream/cluster-manager.ts';
import type { StreamInfo } from '../dataplane/stream-info.ts';
import type { DnsResolver } from '../dns/resolver.ts';
import type { AccessLogger } from '../observability/access-log/access-logger.ts';
import type { AccessLogSink } from '../observability/access-log/sink.ts';
import type { Logger } from '../observability/logger.ts';
import { IstioMetrics } from '../observability/metrics/istio-metrics.ts';
import {
  createMetricsRegistry,
  MeshgateMetrics,
  renderPrometheus,
  type DownstreamKind,
} from '../observability/metrics/meshgate-metrics.ts';

export interface TelemetryInputs {
  readonly namespace: string;
  /** Report the requested host as `destination_service` of PassthroughCluster/BlackHoleCluster traffic. */
  readonly passthroughHostLabels?: boolean;
  readonly accessLog: AccessLogger;
  readonly sink: AccessLogSink;
  readonly resolver: DnsResolver;
  readonly logger: Logger;
}

export class ProxyTelemetry {
  readonly registry: Registry;
  readonly istio: IstioMetrics;
  readonly health: MeshgateMetrics;
  readonly #accessLog: AccessLogger;
  readonly #logger: Logger;
  #clusters: ClusterManager | undefined;

  constructor(inputs: TelemetryInputs) {
    this.registry = createMetricsRegistry();
    this.istio = new IstioMetrics(this.registry, {
      source: { namespace: inputs.namespace },
      passthroughHostLabels: inputs.passthroughHostLabels === true,
    });
    this.health = new MeshgateMetrics(this.registry, {
      dns: () => inputs.resolver.stats,
      accessLogDropped: () => inputs.sink.droppedLines,
      upstreamPools: () => this.#clusters?.connectionsByCluster() ?? [],
    });
    this.#accessLog = inputs.accessLog;
    this.#logger = inputs.logger;
  }

  /** The proxy's cluster manager, read at scrape time for pool sizes (the proxy is built after this). */
  attach(clusters: ClusterManager): void {
    this.#clusters = clusters;
  }

  /** Called once per finished request or connection: its access-log line, then its metrics. */
  readonly streamEnded = (info: StreamInfo): void => {
    this.#accessLog.log(info);
    if (info.requestProtocol === 'http') this.istio.recordHttp(info);
    else this.istio.tcpClosed(info);
  };

  readonly tunnelOpened = (info: StreamInfo): void => {
    this.istio.tcpOpened(info);
  };

  readonly connections = (kind: DownstreamKind, delta: 1 | -1): void => {
    if (delta > 0) this.health.connectionOpened(kind);
    else this.health.connectionClosed(kind);
  };

  /** A broken invariant while serving: counted, and logged with its stack so it can be reported. */
  readonly bug = (error: unknown): void => {
    this.health.bug();
    this.#logger.error(
      `internal error (please report): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  };

  /** The scrape body; open tunnels' bytes are counted first, so long connections show progress. */
  readonly prometheus = (): Promise<{ contentType: string; body: string }> => {
    this.istio.reportOpenConnections();
    return renderPrometheus(this.registry);
  };
}
