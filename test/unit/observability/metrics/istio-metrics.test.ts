import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamInfo } from '../../../../src/dataplane/stream-info.ts';
import { IstioMetrics } from '../../../../src/observability/metrics/istio-metrics.ts';
import {
  MeshgateMetrics,
  createMetricsRegistry,
  renderPrometheus,
} from '../../../../src/observability/metrics/meshgate-metrics.ts';
import {
  ISTIO_HTTP_LABELS,
  ISTIO_METRIC,
  MESHGATE_METRIC,
} from '../../../../src/observability/metrics/metric-names.ts';
import { ManualClock } from '../../../helpers/clock.ts';

function httpStream(fill: Partial<StreamInfo>, durationMs = 4): StreamInfo {
  const clock = new ManualClock();
  const info = new StreamInfo(clock, 'http');
  Object.assign(info, fill);
  clock.advance(durationMs);
  info.finish(clock);
  return info;
}

/** The sample line of `metric` whose labels include every `want` pair; its value. */
function sample(text: string, metric: string, want: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(want).every(([k, v]) => labels[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

const toHttpbin = {
  responseCode: 200,
  bytesReceived: 10,
  bytesSent: 135,
  destinationServiceHost: 'httpbin.org',
  destinationServiceName: 'httpbin.org',
  destinationServiceNamespace: 'foo',
  upstreamCluster: 'outbound|80||httpbin.org',
};

void describe('istio_* metrics', () => {
  void test('HTTP requests to a ServiceEntry host carry Istio labels, in Istio order', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry, { source: { workload: 'sleep', namespace: 'foo', app: 'sleep' } });
    metrics.recordHttp(httpStream(toHttpbin));
    metrics.recordHttp(httpStream(toHttpbin, 30));
    const { body, contentType } = await renderPrometheus(registry);
    assert.match(contentType, /^text\/plain/);
    const line = body.split('\n').find((l) => l.startsWith('istio_requests_total{'));
    assert.equal(
      line,
      'istio_requests_total{reporter="source",source_workload="sleep",source_canonical_service="sleep",source_canonical_revision="latest",' +
        'source_workload_namespace="foo",source_principal="unknown",source_app="sleep",source_version="unknown",source_cluster="unknown",' +
        'destination_workload="unknown",destination_workload_namespace="unknown",destination_principal="unknown",destination_app="unknown",' +
        'destination_version="unknown",destination_service="httpbin.org",destination_canonical_service="unknown",' +
        'destination_canonical_revision="unknown",destination_service_name="httpbin.org",destination_service_namespace="foo",' +
        'destination_cluster="unknown",request_protocol="http",response_code="200",grpc_response_status="",response_flags="-",' +
        'connection_security_policy="unknown"} 2',
    );
    assert.equal(sample(body, `${ISTIO_METRIC.requestDurationMs}_bucket`, { le: '5' }), 1);
    assert.equal(sample(body, `${ISTIO_METRIC.requestDurationMs}_bucket`, { le: '50' }), 2);
    assert.equal(sample(body, `${ISTIO_METRIC.requestDurationMs}_sum`, {}), 34);
    assert.equal(sample(body, `${ISTIO_METRIC.responseBytes}_sum`, {}), 270);
    assert.equal(sample(body, `${ISTIO_METRIC.requestBytes}_count`, {}), 2);
    assert.equal(ISTIO_HTTP_LABELS.length, 25);
  });

  void test('passthrough hosts are not labels unless asked; refusals count under BlackHoleCluster', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    metrics.recordHttp(
      httpStream({
        responseCode: 200,
        destinationServiceName: 'PassthroughCluster',
        destinationServiceHost: 'random-1.example',
      }),
    );
    metrics.recordHttp(
      httpStream({
        responseCode: 200,
        destinationServiceName: 'PassthroughCluster',
        destinationServiceHost: 'random-2.example',
      }),
    );
    metrics.recordHttp(
      httpStream({
        responseCode: 502,
        destinationServiceName: 'BlackHoleCluster',
        destinationServiceHost: 'www.baidu.com',
      }),
    );
    const { body } = await renderPrometheus(registry);
    assert.equal(
      sample(body, ISTIO_METRIC.requestsTotal, {
        destination_service_name: 'PassthroughCluster',
        destination_service: 'unknown',
      }),
      2,
    );
    assert.equal(
      sample(body, ISTIO_METRIC.requestsTotal, { destination_service_name: 'BlackHoleCluster', response_code: '502' }),
      1,
    );
    assert.ok(!body.includes('random-1.example'));

    const labelled = createMetricsRegistry();
    new IstioMetrics(labelled, { passthroughHostLabels: true }).recordHttp(
      httpStream({
        responseCode: 200,
        destinationServiceName: 'PassthroughCluster',
        destinationServiceHost: 'random-1.example',
      }),
    );
    assert.equal(
      sample((await renderPrometheus(labelled)).body, ISTIO_METRIC.requestsTotal, {
        destination_service: 'random-1.example',
      }),
      1,
    );
  });

  void test('response flags and local-reply codes are labels', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    const timedOut = httpStream({ ...toHttpbin, responseCode: 504 });
    timedOut.addResponseFlag('UT');
    metrics.recordHttp(timedOut);
    const { body } = await renderPrometheus(registry);
    assert.equal(sample(body, ISTIO_METRIC.requestsTotal, { response_code: '504', response_flags: 'UT' }), 1);
  });

  void test('TCP: opened, bytes as they move, closed; request_protocol tcp and no response_code label', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    const info = new StreamInfo(new ManualClock(), 'tcp');
    Object.assign(info, {
      destinationServiceHost: 'www.google.com',
      destinationServiceName: 'www.google.com',
      destinationServiceNamespace: 'default',
    });
    metrics.tcpOpened(info);
    info.bytesReceived = 601;
    info.bytesSent = 10_000;
    metrics.tcpProgress(info);
    info.bytesSent = 17_766;
    metrics.tcpClosed(info);
    const { body } = await renderPrometheus(registry);
    const want = { destination_service_name: 'www.google.com', request_protocol: 'tcp' };
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsOpenedTotal, want), 1);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, want), 1);
    assert.equal(sample(body, ISTIO_METRIC.tcpReceivedBytesTotal, want), 601);
    assert.equal(sample(body, ISTIO_METRIC.tcpSentBytesTotal, want), 17_766);
    const closed = body.split('\n').find((l) => l.startsWith(ISTIO_METRIC.tcpConnectionsClosedTotal));
    assert.ok(closed !== undefined && !closed.includes('response_code='));

    const refused = new StreamInfo(new ManualClock(), 'tcp');
    refused.destinationServiceName = 'BlackHoleCluster';
    refused.addResponseFlag('UH');
    metrics.tcpOpened(refused);
    metrics.tcpClosed(refused);
    const after = (await renderPrometheus(registry)).body;
    assert.equal(
      sample(after, ISTIO_METRIC.tcpConnectionsClosedTotal, {
        destination_service_name: 'BlackHoleCluster',
        response_flags: 'UH',
      }),
      1,
    );
  });

  void test('TCP: a connection refused before it opened is counted opened when it closes, with its final flags', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    const failed = new StreamInfo(new ManualClock(), 'tcp');
    Object.assign(failed, {
      destinationServiceHost: 'db.example',
      destinationServiceName: 'db.example',
      destinationServiceNamespace: 'ns',
    });
    failed.addResponseFlag('UF');
    failed.addResponseFlag('URX');
    metrics.tcpClosed(failed);
    const { body } = await renderPrometheus(registry);
    const want = { destination_service_name: 'db.example', response_flags: 'UF,URX' };
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsOpenedTotal, want), 1);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, want), 1);
  });

  void test('TCP: labels are fixed when a connection opens, so its counts stay in one series', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    const info = new StreamInfo(new ManualClock(), 'tcp');
    Object.assign(info, { destinationServiceHost: 'db.example', destinationServiceName: 'db.example' });
    metrics.tcpOpened(info);
    info.addResponseFlag('DC');
    metrics.tcpClosed(info);
    const { body } = await renderPrometheus(registry);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsOpenedTotal, { response_flags: '-' }), 1);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, { response_flags: '-' }), 1);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, { response_flags: 'DC' }), undefined);
  });

  void test('TCP: open connections report their live bytes at each scrape, and nothing twice', async () => {
    const registry = createMetricsRegistry();
    const metrics = new IstioMetrics(registry);
    const info = new StreamInfo(new ManualClock(), 'tcp');
    Object.assign(info, { destinationServiceHost: 'db.example', destinationServiceName: 'db.example' });
    let live = { received: 0, sent: 0 };
    info.readLiveBytes = () => {
      info.bytesReceived = live.received;
      info.bytesSent = live.sent;
    };
    metrics.tcpOpened(info);
    live = { received: 100, sent: 2000 };
    metrics.reportOpenConnections();
    let body = (await renderPrometheus(registry)).body;
    assert.equal(sample(body, ISTIO_METRIC.tcpSentBytesTotal, {}), 2000);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, {}), 0);
    live = { received: 150, sent: 5000 };
    info.readLiveBytes();
    metrics.tcpClosed(info);
    metrics.reportOpenConnections();
    body = (await renderPrometheus(registry)).body;
    assert.equal(sample(body, ISTIO_METRIC.tcpSentBytesTotal, {}), 5000);
    assert.equal(sample(body, ISTIO_METRIC.tcpReceivedBytesTotal, {}), 150);
    assert.equal(sample(body, ISTIO_METRIC.tcpConnectionsClosedTotal, {}), 1);
  });
});

void describe('meshgate_* health metrics', () => {
  void test('reloads, connections, and values read at scrape time', async () => {
    const registry = createMetricsRegistry();
    let dns = { lookups: 3, failures: 1 };
    let dropped = 0;
    const metrics = new MeshgateMetrics(registry, {
      upstreamPools: () => [
        ['outbound|80||httpbin.org', 4],
        ['PassthroughCluster', 1],
      ],
      dns: () => dns,
      accessLogDropped: () => dropped,
    });
    metrics.reloaded({ version: 1, applied: true, rejectedFiles: 0, buildSeconds: 0.02, atSeconds: 1_700_000_000 });
    metrics.reloaded({ version: 1, applied: false, rejectedFiles: 1, atSeconds: 1_700_000_060 });
    metrics.connectionOpened('http');
    metrics.connectionOpened('http');
    metrics.connectionClosed('http');
    metrics.connectionOpened('connect');
    let body = (await renderPrometheus(registry)).body;
    assert.equal(sample(body, MESHGATE_METRIC.configVersion, {}), 1);
    assert.equal(sample(body, MESHGATE_METRIC.configLastReloadSuccess, {}), 0);
    assert.equal(sample(body, MESHGATE_METRIC.configLastReloadTimestamp, {}), 1_700_000_060);
    assert.equal(sample(body, MESHGATE_METRIC.configReloadsTotal, { result: 'applied' }), 1);
    assert.equal(sample(body, MESHGATE_METRIC.configReloadsTotal, { result: 'rejected' }), 1);
    assert.equal(sample(body, MESHGATE_METRIC.configRejectedFiles, {}), 1);
    assert.equal(sample(body, `${MESHGATE_METRIC.snapshotBuildSeconds}_count`, {}), 1);
    assert.equal(sample(body, MESHGATE_METRIC.downstreamConnectionsActive, { kind: 'http' }), 1);
    assert.equal(sample(body, MESHGATE_METRIC.downstreamConnectionsActive, { kind: 'connect' }), 1);
    assert.equal(sample(body, MESHGATE_METRIC.upstreamPoolConnections, { cluster: 'outbound|80||httpbin.org' }), 4);
    assert.equal(sample(body, MESHGATE_METRIC.dnsLookupsTotal, {}), 3);
    dns = { lookups: 5, failures: 1 };
    dropped = 7;
    body = (await renderPrometheus(registry)).body;
    assert.equal(sample(body, MESHGATE_METRIC.dnsLookupsTotal, {}), 5);
    assert.equal(sample(body, MESHGATE_METRIC.dnsFailuresTotal, {}), 1);
    assert.equal(sample(body, MESHGATE_METRIC.accessLogDroppedTotal, {}), 7);
  });
});
