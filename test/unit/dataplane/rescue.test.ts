import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { causeOf, recordLocalReply, rescue } from '../../../src/dataplane/rescue.ts';
import { StreamInfo } from '../../../src/dataplane/stream-info.ts';
import {
  ClusterNotFoundError,
  FaultAbortError,
  RouteTimeoutError,
  StreamIdleTimeoutError,
  UpstreamConnectError,
} from '../../../src/errors.ts';
import { ManualClock } from '../../helpers/clock.ts';

/** Connects to a port nobody listens on and returns the socket error Node reports. */
async function refusedConnectError(): Promise<Error> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', resolve);
  });
}

void describe('rescue', () => {
  void test('route timeout: 504 with Envoy body, UT', () => {
    const r = rescue(causeOf(new RouteTimeoutError(3000)));
    assert.equal(r.status, 504);
    assert.equal(r.body, 'upstream request timeout');
    assert.deepEqual(r.responseFlags, ['UT']);
    assert.equal(r.details, 'response_timeout');
    assert.deepEqual(r.headers, { 'content-length': '24', 'content-type': 'text/plain', server: 'envoy' });
  });

  void test('stream idle timeout: 504 stream timeout (SI) once the request is in, 408 while it still arrives', () => {
    const complete = rescue(causeOf(new StreamIdleTimeoutError(true)));
    assert.equal(complete.status, 504);
    assert.equal(complete.body, 'stream timeout');
    assert.deepEqual(complete.responseFlags, ['SI']);
    assert.equal(complete.details, 'stream_idle_timeout');
    const arriving = rescue(causeOf(new StreamIdleTimeoutError(false)));
    assert.equal(arriving.status, 408);
    assert.equal(arriving.body, 'stream timeout');
    assert.deepEqual(arriving.responseFlags, ['SI']);
  });

  void test('a refused connect reads exactly like Envoy: 145-byte body, UF, errno in details', async () => {
    const error = await refusedConnectError();
    const r = rescue(causeOf(error));
    assert.equal(r.status, 503);
    assert.equal(
      r.body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111',
    );
    assert.equal(r.headers['content-length'], '145');
    assert.deepEqual(r.responseFlags, ['UF']);
    assert.equal(r.details, 'upstream_reset_before_response_started{connection_failure,delayed_connect_error:_111}');
    assert.equal(r.transportFailureReason, 'delayed connect error: 111');
  });

  void test('connect failure after retries: UF,URX and the "retried" wording', () => {
    const r = rescue(causeOf(new UpstreamConnectError('10.0.0.1:80', undefined), true));
    assert.equal(
      r.body,
      'upstream connect error or disconnect/reset before headers. retried and the latest reset reason: connection failure',
    );
    assert.equal(r.details, 'upstream_reset_before_response_started{connection_failure}');
    const info = new StreamInfo(new ManualClock(), 'http');
    recordLocalReply(info, r);
    assert.equal(info.responseFlags(), 'UF,URX');
    assert.equal(info.responseCode, 503);
  });

  void test('termination and overflow', () => {
    assert.equal(
      rescue({ kind: 'connection_termination' }).body,
      'upstream connect error or disconnect/reset before headers. reset reason: connection termination',
    );
    assert.deepEqual(rescue({ kind: 'connection_termination' }).responseFlags, ['UC']);
    const overflow = rescue({ kind: 'overflow' });
    assert.equal(overflow.body, 'upstream connect error or disconnect/reset before headers. reset reason: overflow');
    assert.deepEqual(overflow.responseFlags, ['UO']);
  });

  void test('REGISTRY_ONLY block_all: empty 502, no flag, direct_response', () => {
    const r = rescue({ kind: 'block_all' });
    assert.equal(r.status, 502);
    assert.equal(r.body, '');
    assert.deepEqual(r.responseFlags, []);
    assert.equal(r.details, 'direct_response');
    assert.deepEqual(r.headers, { 'content-length': '0', server: 'envoy' });
  });

  void test('routing refusals: NR 404, NC 503, UH 503', () => {
    assert.deepEqual(
      [rescue({ kind: 'route_not_found' }).status, rescue({ kind: 'route_not_found' }).details],
      [404, 'route_not_found'],
    );
    const nc = rescue(causeOf(new ClusterNotFoundError('outbound|80||x')));
    assert.deepEqual([nc.status, nc.body, nc.responseFlags, nc.details], [503, '', ['NC'], 'cluster_not_found']);
    const uh = rescue({ kind: 'no_healthy_upstream' });
    assert.deepEqual(
      [uh.status, uh.body, uh.responseFlags, uh.details],
      [503, 'no healthy upstream', ['UH'], 'no_healthy_upstream'],
    );
  });

  void test('fault abort uses the configured status', () => {
    const r = rescue(causeOf(new FaultAbortError(418)));
    assert.deepEqual(
      [r.status, r.body, r.responseFlags, r.details],
      [418, 'fault filter abort', ['FI'], 'fault_filter_abort'],
    );
  });

  void test('client errors and a departed client', () => {
    assert.equal(rescue({ kind: 'headers_too_large' }).status, 431);
    assert.equal(rescue({ kind: 'uri_too_long' }).status, 414);
    assert.equal(rescue({ kind: 'bad_request' }).status, 400);
    const dc = rescue({ kind: 'downstream_disconnect' });
    assert.deepEqual([dc.status, dc.responseFlags, dc.details], [0, ['DC'], 'downstream_remote_disconnect']);
  });

  void test('unknown errors count as a connection termination', () => {
    assert.equal(causeOf(new Error('boom')).kind, 'connection_termination');
    assert.equal(causeOf(undefined).kind, 'connection_termination');
  });
});
