import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ProxyTelemetry } from '../../../src/cli/proxy-telemetry.ts';
import { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { AccessLogger } from '../../../src/observability/access-log/access-logger.ts';
import { AccessLogSink } from '../../../src/observability/access-log/sink.ts';
import { Logger } from '../../../src/observability/logger.ts';
import { ManualClock } from '../../helpers/clock.ts';
import { parsePrometheus, valueOf } from '../../helpers/prometheus.ts';

function telemetry(): { t: ProxyTelemetry; lines: string[]; messages: string[]; sink: AccessLogSink } {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString()
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  const sink = new AccessLogSink('memory', out, false);
  const messages: string[] = [];
  const t = new ProxyTelemetry({
    namespace: 'foo',
    accessLog: new AccessLogger('text', sink),
    sink,
    resolver: new DnsResolver(),
    logger: new Logger('info', (m) => messages.push(m)),
  });
  return { t, lines, messages, sink };
}

void describe('proxy telemetry wiring', () => {
  void test('a finished stream gives one access-log line and its metrics, HTTP and TCP alike', async () => {
    const { t, lines, sink } = telemetry();
    const http = new StreamInfo(new ManualClock(), 'http');
    Object.assign(http, {
      responseCode: 200,
      destinationServiceName: 'httpbin.org',
      destinationServiceHost: 'httpbin.org',
    });
    http.finish(new ManualClock());
    t.streamEnded(http);
    const tunnel = new StreamInfo(new ManualClock(), 'tcp');
    tunnel.destinationServiceName = 'BlackHoleCluster';
    tunnel.addResponseFlag('UH');
    t.streamEnded(tunnel);
    await sink.flush();
    assert.equal(lines.length, 2);
    const samples = parsePrometheus((await t.prometheus()).body);
    assert.equal(
      valueOf(samples, 'istio_requests_total', { destination_service_name: 'httpbin.org', response_code: '200' }),
      1,
    );
    assert.equal(
      valueOf(samples, 'istio_tcp_connections_opened_total', { destination_service_name: 'BlackHoleCluster' }),
      1,
    );
    assert.equal(
      valueOf(samples, 'istio_tcp_connections_closed_total', { destination_service_name: 'BlackHoleCluster' }),
      1,
    );
  });

  void test('a bug met while serving is counted and logged with its stack', async () => {
    const { t, messages } = telemetry();
    t.bug(new TypeError('route table has a hole'));
    assert.equal(valueOf(parsePrometheus((await t.prometheus()).body), 'meshgate_bug_total'), 1);
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /^meshgate: error: internal error \(please report\): TypeError: route table has a hole\n\s+at /,
    );
  });
});
