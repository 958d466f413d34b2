import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamInfo } from '../../../../src/dataplane/stream-info.ts';
import { formatEnvoyText } from '../../../../src/observability/access-log/envoy-format.ts';
import { formatIstioJson } from '../../../../src/observability/access-log/json-format.ts';
import { formatStartTime } from '../../../../src/observability/access-log/start-time.ts';
import { ManualClock } from '../../../helpers/clock.ts';

/** A finished stream that started at `start` and lasted `durationMs`. */
function stream(
  start: string,
  protocol: 'http' | 'tcp',
  durationMs: number,
  fill: (info: StreamInfo) => void,
): StreamInfo {
  const clock = new ManualClock(start);
  const info = new StreamInfo(clock, protocol);
  fill(info);
  clock.advance(durationMs);
  info.finish(clock);
  return info;
}

// The real lines quoted in the spec (§3.10), rebuilt from their facts.
const httpToMeshService = stream('2020-11-25T21:26:18.409Z', 'http', 4, (i) => {
  Object.assign(i, {
    method: 'GET',
    path: '/status/418',
    protocol: 'HTTP/1.1',
    responseCode: 418,
    responseCodeDetails: 'via_upstream',
    bytesReceived: 0,
    bytesSent: 135,
    upstreamServiceTimeMs: 4,
    userAgent: 'curl/7.73.0-DEV',
    requestId: '84961386-6d84-929d-98bd-c5aee93b5c88',
    authority: 'httpbin:8000',
    upstreamHost: '10.44.1.27:80',
    upstreamCluster: 'outbound|8000||httpbin.foo.svc.cluster.local',
    upstreamLocalAddress: '10.44.1.23:37652',
    downstreamLocalAddress: '10.0.45.184:8000',
    downstreamRemoteAddress: '10.44.1.23:46520',
    routeName: 'default',
  });
});

const tlsEgress = stream('2024-01-11T21:09:42.835Z', 'tcp', 231, (i) => {
  Object.assign(i, {
    bytesReceived: 839,
    bytesSent: 2504306,
    upstreamHost: '151.101.195.5:443',
    upstreamCluster: 'outbound|443||edition.cnn.com',
    upstreamLocalAddress: '172.30.239.8:34470',
    downstreamLocalAddress: '172.30.239.8:443',
    downstreamRemoteAddress: '172.30.239.15:43956',
    requestedServerName: 'edition.cnn.com',
  });
});

const registryOnlyHttp = stream('2022-04-26T13:16:32.023Z', 'http', 0, (i) => {
  Object.assign(i, {
    method: 'HEAD',
    path: '/',
    protocol: 'HTTP/1.1',
    responseCode: 502,
    responseCodeDetails: 'direct_response',
    userAgent: 'curl/7.81.0-DEV',
    requestId: 'cb171c15-848a-93d8-88d6-beeadcbb683f',
    authority: 'www.baidu.com',
    downstreamLocalAddress: '180.97.34.94:80',
    downstreamRemoteAddress: '10.122.158.52:48708',
    routeName: 'block_all',
  });
});

const registryOnlyTls = stream('2022-04-26T13:14:30.905Z', 'tcp', 7, (i) => {
  i.addResponseFlag('UH');
  Object.assign(i, {
    upstreamCluster: 'BlackHoleCluster',
    downstreamLocalAddress: '180.97.34.94:443',
    downstreamRemoteAddress: '10.122.158.52:54192',
  });
});

const allowAnyTls = stream('2026-10-08T22:53:14.535Z', 'tcp', 618, (i) => {
  Object.assign(i, {
    bytesReceived: 901,
    bytesSent: 4875,
    upstreamHost: '18.233.182.23:443',
    upstreamCluster: 'PassthroughCluster',
    upstreamLocalAddress: '10.244.0.6:59668',
    downstreamLocalAddress: '18.233.182.23:443',
    downstreamRemoteAddress: '10.244.0.6:59652',
  });
});

void describe('Istio TEXT format', () => {
  void test('HTTP to a mesh service', () => {
    assert.equal(
      formatEnvoyText(httpToMeshService),
      '[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default\n',
    );
  });

  void test('TLS egress via a ServiceEntry', () => {
    assert.equal(
      formatEnvoyText(tlsEgress),
      '[2024-01-11T21:09:42.835Z] "- - -" 0 - - - "-" 839 2504306 231 - "-" "-" "-" "-" "151.101.195.5:443" outbound|443||edition.cnn.com 172.30.239.8:34470 172.30.239.8:443 172.30.239.15:43956 edition.cnn.com -\n',
    );
  });

  void test('REGISTRY_ONLY plain HTTP (block_all)', () => {
    assert.equal(
      formatEnvoyText(registryOnlyHttp),
      '[2022-04-26T13:16:32.023Z] "HEAD / HTTP/1.1" 502 - direct_response - "-" 0 0 0 - "-" "curl/7.81.0-DEV" "cb171c15-848a-93d8-88d6-beeadcbb683f" "www.baidu.com" "-" - - 180.97.34.94:80 10.122.158.52:48708 - block_all\n',
    );
  });

  void test('REGISTRY_ONLY TLS (BlackHoleCluster, UH)', () => {
    assert.equal(
      formatEnvoyText(registryOnlyTls),
      '[2022-04-26T13:14:30.905Z] "- - -" 0 UH - - "-" 0 0 7 - "-" "-" "-" "-" "-" BlackHoleCluster - 180.97.34.94:443 10.122.158.52:54192 - -\n',
    );
  });

  void test('ALLOW_ANY TLS passthrough', () => {
    assert.equal(
      formatEnvoyText(allowAnyTls),
      '[2026-10-08T22:53:14.535Z] "- - -" 0 - - - "-" 901 4875 618 - "-" "-" "-" "-" "18.233.182.23:443" PassthroughCluster 10.244.0.6:59668 18.233.182.23:443 10.244.0.6:59652 - -\n',
    );
  });

  void test('several flags and a transport failure reason', () => {
    const line = formatEnvoyText(
      stream('2021-01-01T00:00:00.005Z', 'tcp', 10002, (i) => {
        i.addResponseFlag('URX');
        i.addResponseFlag('UF');
        i.upstreamTransportFailureReason = 'delayed connect error: 111';
        i.upstreamCluster = 'PassthroughCluster';
      }),
    );
    assert.equal(
      line,
      '[2021-01-01T00:00:00.005Z] "- - -" 0 UF,URX - - "delayed connect error: 111" 0 0 10002 - "-" "-" "-" "-" "-" PassthroughCluster - - - - -\n',
    );
  });
});

void describe('Istio JSON format', () => {
  void test('typed values, null when unset (the UH line of istio/istio#33281)', () => {
    const info = stream('2021-06-04T14:35:50.462Z', 'tcp', 8, (i) => {
      i.addResponseFlag('UH');
      i.downstreamLocalAddress = '13.249.75.75:443';
    });
    const line = formatIstioJson(info);
    assert.ok(line.endsWith('}\n'));
    const o = JSON.parse(line) as Record<string, unknown>;
    assert.equal(o['response_code'], 0);
    assert.equal(o['upstream_service_time'], null);
    assert.equal(o['upstream_host'], null);
    assert.equal(o['duration'], 8);
    assert.equal(o['response_flags'], 'UH');
    assert.equal(o['downstream_local_address'], '13.249.75.75:443');
    assert.equal(o['route_name'], null);
    assert.equal(o['requested_server_name'], null);
    assert.equal(o['start_time'], '2021-06-04T14:35:50.462Z');
    assert.equal(o['bytes_received'], 0);
  });

  void test('carries every Istio key, the same facts as TEXT', () => {
    const o = JSON.parse(formatIstioJson(httpToMeshService)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(o).sort(), [
      'authority',
      'bytes_received',
      'bytes_sent',
      'connection_termination_details',
      'downstream_local_address',
      'downstream_remote_address',
      'duration',
      'method',
      'path',
      'protocol',
      'request_id',
      'requested_server_name',
      'response_code',
      'response_code_details',
      'response_flags',
      'route_name',
      'start_time',
      'upstream_cluster',
      'upstream_host',
      'upstream_local_address',
      'upstream_service_time',
      'upstream_transport_failure_reason',
      'user_agent',
      'x_forwarded_for',
    ]);
    assert.equal(o['method'], 'GET');
    assert.equal(o['path'], '/status/418');
    assert.equal(o['response_code'], 418);
    assert.equal(o['bytes_sent'], 135);
    assert.equal(o['upstream_service_time'], '4');
    assert.equal(o['upstream_cluster'], 'outbound|8000||httpbin.foo.svc.cluster.local');
    assert.equal(o['response_flags'], null);
  });

  void test('escapes quotes and control characters in strings', () => {
    const info = stream('2021-06-04T14:35:50.462Z', 'http', 1, (i) => {
      i.userAgent = 'say "hi"\\\u0001';
    });
    assert.equal((JSON.parse(formatIstioJson(info)) as Record<string, unknown>)['user_agent'], 'say "hi"\\\u0001');
  });
});

void describe('START_TIME', () => {
  void test('matches toISOString for any millisecond, across second boundaries', () => {
    for (const ms of [0, 5, 42, 999, 1000, 1001, 1_606_339_578_409, 1_606_339_578_999, 1_606_339_579_000]) {
      assert.equal(formatStartTime(ms), new Date(ms).toISOString());
    }
  });
});
