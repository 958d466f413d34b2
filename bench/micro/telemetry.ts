// Micro-benchmark of the per-request telemetry path: StreamInfo creation, access-log formatting (TEXT and
// JSON) and istio_* recording. Run: node --import tsx bench/micro/telemetry.ts
import { StreamInfo } from '../../src/dataplane/stream-info.ts';
import { formatEnvoyText } from '../../src/observability/access-log/envoy-format.ts';
import { formatIstioJson } from '../../src/observability/access-log/json-format.ts';
import { IstioMetrics } from '../../src/observability/metrics/istio-metrics.ts';
import { createMetricsRegistry } from '../../src/observability/metrics/meshgate-metrics.ts';
import { systemClock } from '../../src/system-clock.ts';

const ITERATIONS = 500_000;

/** A realistic finished request; 1000 of them with a few distinct status codes and paths. */
function sampleStreams(): StreamInfo[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const info = new StreamInfo(systemClock, 'http');
    Object.assign(info, {
      method: 'GET', path: `/delay/${i % 7}`, protocol: 'HTTP/1.1', responseCode: [200, 404, 504][i % 3],
      responseCodeDetails: 'via_upstream', bytesSent: 135 + i, upstreamServiceTimeMs: i % 40, durationMs: i % 50,
      userAgent: 'curl/7.88.1', requestId: '84961386-6d84-929d-98bd-c5aee93b5c88', authority: 'httpbin.org',
      upstreamHost: '127.0.0.2:80', upstreamCluster: 'outbound|80||httpbin.org', upstreamLocalAddress: '127.0.0.1:40000',
      downstreamLocalAddress: '127.0.0.2:80', downstreamRemoteAddress: '127.0.0.1:50000', routeName: 'default',
      destinationServiceHost: 'httpbin.org', destinationServiceName: 'httpbin.org', destinationServiceNamespace: 'default',
    });
    return info;
  });
}

function measure(name: string, op: (info: StreamInfo) => unknown, streams: readonly StreamInfo[]): void {
  let sink = 0;
  for (let i = 0; i < ITERATIONS / 10; i++) sink ^= op(streams[i % streams.length]!) === undefined ? 0 : 1;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink ^= op(streams[i % streams.length]!) === undefined ? 0 : 1;
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  console.log(`${name.padEnd(28)} ${ns.toFixed(0).padStart(7)} ns/op${sink === 2 ? ' ' : ''}`);
}

const streams = sampleStreams();
const metrics = new IstioMetrics(createMetricsRegistry());
console.log(`node ${process.version}, ${ITERATIONS} iterations each`);
measure('new StreamInfo', () => new StreamInfo(systemClock, 'http'), streams);
measure('format TEXT line', formatEnvoyText, streams);
measure('format JSON line', formatIstioJson, streams);
measure('record istio_* (HTTP)', (info) => metrics.recordHttp(info), streams);
