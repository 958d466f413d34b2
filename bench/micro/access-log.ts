// Micro-benchmarks of the per-request telemetry path: a StreamInfo per request, its access-log line in
// Istio's TEXT and JSON formats, and the istio_* metrics it records.
import { StreamInfo } from '../../src/dataplane/stream-info.ts';
import { formatEnvoyText } from '../../src/observability/access-log/envoy-format.ts';
import { formatIstioJson } from '../../src/observability/access-log/json-format.ts';
import { IstioMetrics } from '../../src/observability/metrics/istio-metrics.ts';
import { createMetricsRegistry } from '../../src/observability/metrics/meshgate-metrics.ts';
import { systemClock } from '../../src/system-clock.ts';
import type { MicroCase } from './harness.ts';

/** 1000 finished requests with a few distinct statuses and paths, as a busy proxy logs them. */
function finishedStreams(): StreamInfo[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const info = new StreamInfo(systemClock, 'http');
    Object.assign(info, {
      method: 'GET',
      path: `/delay/${i % 7}`,
      protocol: 'HTTP/1.1',
      responseCode: [200, 404, 504][i % 3],
      responseCodeDetails: 'via_upstream',
      bytesSent: 135 + i,
      upstreamServiceTimeMs: i % 40,
      durationMs: i % 50,
      userAgent: 'curl/7.88.1',
      requestId: '84961386-6d84-929d-98bd-c5aee93b5c88',
      authority: 'httpbin.org',
      upstreamHost: '127.0.0.2:80',
      upstreamCluster: 'outbound|80||httpbin.org',
      upstreamLocalAddress: '127.0.0.1:40000',
      downstreamLocalAddress: '127.0.0.2:80',
      downstreamRemoteAddress: '127.0.0.1:50000',
      routeName: 'default',
      destinationServiceHost: 'httpbin.org',
      destinationServiceName: 'httpbin.org',
      destinationServiceNamespace: 'default',
    });
    return info;
  });
}

export function accessLogCases(): MicroCase[] {
  const streams = finishedStreams();
  const metrics = new IstioMetrics(createMetricsRegistry());
  let i = 0;
  const next = (): StreamInfo => streams[(i = (i + 1) % streams.length)]!;
  return [
    { name: 'new StreamInfo', run: () => new StreamInfo(systemClock, 'http') },
    { name: 'format access-log line, TEXT (Istio default)', run: () => formatEnvoyText(next()) },
    { name: 'format access-log line, JSON', run: () => formatIstioJson(next()) },
    { name: 'record istio_* metrics for an HTTP request', run: () => metrics.recordHttp(next()) },
  ];
}
