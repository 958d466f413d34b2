// Istio's standard metrics (istio_requests_total and friends) fed from finished StreamInfos, with the
// label set an Istio client sidecar reports (spec §3.11), so existing dashboards keep working.
import type { Registry } from 'prom-client';
import type { StreamInfo } from '../../dataplane/stream-info.ts';
import {
  ENVOY_DEFAULT_BUCKETS,
  ISTIO_HTTP_LABELS,
  ISTIO_METRIC,
  ISTIO_TCP_LABELS,
  type IstioLabel,
} from './metric-names.ts';
import { SeriesCounter, SeriesHistogram, type CounterCell, type HistogramCell } from './series-metrics.ts';

/** Who this proxy is (the `source_*` labels). Anything not given is reported as Istio does. */
export interface SourceIdentity {
  readonly workload?: string;
  readonly namespace?: string;
  readonly canonicalService?: string;
  readonly canonicalRevision?: string;
  readonly app?: string;
  readonly version?: string;
  readonly cluster?: string;
}

export interface IstioMetricsOptions {
  readonly source?: SourceIdentity;
  /**
   * Report the requested host as `destination_service` for PassthroughCluster/BlackHoleCluster traffic.
   * Off by default: passthrough hosts are unbounded, and every distinct label value is a new series.
   */
  readonly passthroughHostLabels?: boolean;
}

const UNKNOWN = 'unknown';
/** Catch-all destinations whose requested hosts are not labels by default. */
const CATCH_ALL = new Set(['PassthroughCluster', 'BlackHoleCluster']);

interface HttpSeries {
  readonly requests: CounterCell;
  readonly duration: HistogramCell;
  readonly requestBytes: HistogramCell;
  readonly responseBytes: HistogramCell;
}

interface TcpReport {
  readonly series: TcpSeries;
  sent: number;
  received: number;
}

interface TcpSeries {
  readonly sent: CounterCell;
  readonly received: CounterCell;
  readonly opened: CounterCell;
  readonly closed: CounterCell;
}

/** Label values in the order of `names` as an object (prom-client prints labels in insertion order). */
function labelObject(names: readonly IstioLabel[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, i) => {
    labels[name] = values[i]!;
  });
  return labels;
}

function value(v: string | undefined): string {
  return v === undefined || v === '' ? UNKNOWN : v;
}

/**
 * Records one completed HTTP request or TCP connection. The per-call cost is one string key, a Map lookup
 * and a few increments; series cells are made once per distinct label combination and kept for good
 * (Prometheus counters must not vanish), which is why catch-all hosts are not labels by default.
 */
export class IstioMetrics {
  readonly #requests: SeriesCounter;
  readonly #duration: SeriesHistogram;
  readonly #requestBytes: SeriesHistogram;
  readonly #responseBytes: SeriesHistogram;
  readonly #tcpSent: SeriesCounter;
  readonly #tcpReceived: SeriesCounter;
  readonly #tcpOpened: SeriesCounter;
  readonly #tcpClosed: SeriesCounter;
  /** The 14 leading labels (reporter, source_*, destination workload labels) never change. */
  readonly #fixedPrefix: readonly string[];
  readonly #passthroughHostLabels: boolean;
  readonly #httpSeries = new Map<string, HttpSeries>();
  readonly #tcpSeries = new Map<string, TcpSeries>();
  /**
   * TCP connections reported so far: the series chosen at the first report (as Istio computes a
   * connection's labels once), and the bytes already counted.
   */
  readonly #tcpOpen = new Map<StreamInfo, TcpReport>();
  constructor(registry: Registry, options: IstioMetricsOptions = {}) {
    const buckets = ENVOY_DEFAULT_BUCKETS;
    this.#requests = new SeriesCounter(ISTIO_METRIC.requestsTotal, 'Requests handled by the proxy.', registry);
    this.#duration = new SeriesHistogram(
      ISTIO_METRIC.requestDurationMs,
      'Request duration in milliseconds.',
      registry,
      buckets,
    );
    this.#requestBytes = new SeriesHistogram(
      ISTIO_METRIC.requestBytes,
      'Request body sizes in bytes.',
      registry,
      buckets,
    );
    this.#responseBytes = new SeriesHistogram(
      ISTIO_METRIC.responseBytes,
      'Response body sizes in bytes.',
      registry,
      buckets,
    );
    this.#tcpSent = new SeriesCounter(ISTIO_METRIC.tcpSentBytesTotal, 'Bytes sent to clients over TCP.', registry);
    this.#tcpReceived = new SeriesCounter(
      ISTIO_METRIC.tcpReceivedBytesTotal,
      'Bytes received from clients over TCP.',
      registry,
    );
    this.#tcpOpened = new SeriesCounter(ISTIO_METRIC.tcpConnectionsOpenedTotal, 'TCP connections opened.', registry);
    this.#tcpClosed = new SeriesCounter(ISTIO_METRIC.tcpConnectionsClosedTotal, 'TCP connections closed.', registry);
    const s = options.source ?? {};
    this.#fixedPrefix = Object.freeze([
      'source',
      value(s.workload),
      value(s.canonicalService ?? s.workload),
      s.canonicalRevision ?? 'latest',
      value(s.namespace),
      UNKNOWN,
      value(s.app),
      value(s.version),
      value(s.cluster),
      UNKNOWN,
      UNKNOWN,
      UNKNOWN,
      UNKNOWN,
      UNKNOWN,
    ]);
    this.#passthroughHostLabels = options.passthroughHostLabels === true;
  }

  /** Call once when an HTTP request completes (after StreamInfo.finish). */
  recordHttp(info: StreamInfo): void {
    const series = this.#httpSeriesFor(info);
    series.requests.value++;
    this.#duration.observe(series.duration, info.durationMs ?? 0);
    this.#requestBytes.observe(series.requestBytes, info.bytesReceived);
    this.#responseBytes.observe(series.responseBytes, info.bytesSent);
  }

  /**
   * Call when a client TCP connection (or CONNECT tunnel) starts being proxied. Its labels, response
   * flags included, are fixed here for its whole life, so its opened, bytes and closed counts share one
   * series; a connection refused before this point is reported opened when it closes, as Istio does.
   */
  tcpOpened(info: StreamInfo): void {
    this.#report(info);
  }

  /** Counts bytes moved since the last call; for long connections, so byte counters move while they live. */
  tcpProgress(info: StreamInfo): void {
    const report = this.#report(info);
    const sent = info.bytesSent - report.sent;
    const received = info.bytesReceived - report.received;
    if (sent > 0) report.series.sent.value += sent;
    if (received > 0) report.series.received.value += received;
    report.sent = info.bytesSent;
    report.received = info.bytesReceived;
  }

  /**
   * Counts the bytes open connections moved since the last report (Istio reports long TCP connections
   * periodically); call before rendering a scrape. Connections that can read live counts refresh them.
   */
  reportOpenConnections(): void {
    for (const info of this.#tcpOpen.keys()) {
      info.readLiveBytes?.();
      this.tcpProgress(info);
    }
  }

  /** Call once when a TCP connection ends: counts its remaining bytes and the close. */
  tcpClosed(info: StreamInfo): void {
    this.tcpProgress(info);
    this.#report(info).series.closed.value++;
    this.#tcpOpen.delete(info);
  }

  /** The connection's report, opening it (and counting it opened) on first sight. */
  #report(info: StreamInfo): TcpReport {
    let report = this.#tcpOpen.get(info);
    if (report === undefined) {
      report = { series: this.#tcpSeriesFor(info), sent: 0, received: 0 };
      report.series.opened.value++;
      this.#tcpOpen.set(info, report);
    }
    return report;
  }

  #destination(info: StreamInfo): [service: string, name: string, namespace: string] {
    const name = value(info.destinationServiceName);
    let host: string;
    if (!CATCH_ALL.has(name)) host = value(info.destinationServiceHost);
    else if (!this.#passthroughHostLabels) host = UNKNOWN;
    // Istio reports the Host header as sent (port included); for a CONNECT, meshgate's explicit mode
    // has the requested host, which Istio's captured TCP never knows.
    else
      host = value(
        info.requestProtocol === 'http' ? (info.authority ?? info.destinationServiceHost) : info.destinationServiceHost,
      );
    return [host, name, value(info.destinationServiceNamespace)];
  }

  #httpSeriesFor(info: StreamInfo): HttpSeries {
    const [service, name, namespace] = this.#destination(info);
    const flags = info.responseFlags() || '-';
    const code = String(info.responseCode);
    const key = `${service}\0${name}\0${namespace}\0${info.requestProtocol}\0${code}\0${flags}`;
    let series = this.#httpSeries.get(key);
    if (series === undefined) {
      const labels = labelObject(ISTIO_HTTP_LABELS, [
        ...this.#fixedPrefix,
        service,
        UNKNOWN,
        UNKNOWN,
        name,
        namespace,
        UNKNOWN,
        info.requestProtocol,
        code,
        '',
        flags,
        UNKNOWN,
      ]);
      series = {
        requests: this.#requests.cell(labels),
        duration: this.#duration.cell(labels),
        requestBytes: this.#requestBytes.cell(labels),
        responseBytes: this.#responseBytes.cell(labels),
      };
      this.#httpSeries.set(key, series);
    }
    return series;
  }

  #tcpSeriesFor(info: StreamInfo): TcpSeries {
    const [service, name, namespace] = this.#destination(info);
    const flags = info.responseFlags() || '-';
    const key = `${service}\0${name}\0${namespace}\0${flags}`;
    let series = this.#tcpSeries.get(key);
    if (series === undefined) {
      const labels = labelObject(ISTIO_TCP_LABELS, [
        ...this.#fixedPrefix,
        service,
        UNKNOWN,
        UNKNOWN,
        name,
        namespace,
        UNKNOWN,
        'tcp',
        flags,
        UNKNOWN,
      ]);
      series = {
        sent: this.#tcpSent.cell(labels),
        received: this.#tcpReceived.cell(labels),
        opened: this.#tcpOpened.cell(labels),
        closed: this.#tcpClosed.cell(labels),
      };
      this.#tcpSeries.set(key, series);
    }
    return series;
  }
}
