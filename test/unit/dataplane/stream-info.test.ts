import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamInfo, formatSocketAddress } from '../../../src/dataplane/stream-info.ts';
import { RESPONSE_FLAG_ORDER, formatResponseFlags, responseFlagBit } from '../../../src/dataplane/response-flags.ts';
import { ManualClock } from '../../helpers/clock.ts';

void describe('StreamInfo', () => {
  void test('takes its start time from the injected clock and measures whole-ms durations', () => {
    const clock = new ManualClock('2020-11-25T21:26:18.409Z');
    const info = new StreamInfo(clock, 'http');
    assert.equal(new Date(info.startTime).toISOString(), '2020-11-25T21:26:18.409Z');
    clock.advance(1.2);
    info.markUpstreamRequestSent(clock);
    clock.advance(2.9);
    info.markUpstreamResponseHeaders(clock);
    clock.advance(0.5);
    info.finish(clock);
    assert.equal(info.upstreamServiceTimeMs, 2);
    assert.equal(info.durationMs, 4);
    clock.advance(100);
    info.finish(clock);
    assert.equal(info.durationMs, 4, 'the first finish wins');
  });

  void test('prints response flags in Envoy order, whatever the order they were added in', () => {
    const info = new StreamInfo(new ManualClock(), 'tcp');
    assert.equal(info.responseFlags(), '');
    info.addResponseFlag('URX');
    info.addResponseFlag('UF');
    info.addResponseFlag('UF');
    assert.equal(info.responseFlags(), 'UF,URX');
    assert.ok(info.hasResponseFlag('UF'));
    assert.ok(!info.hasResponseFlag('UH'));
  });

  void test('every flag has its own bit and round-trips', () => {
    const all = RESPONSE_FLAG_ORDER.reduce((bits, flag) => bits | responseFlagBit(flag), 0);
    assert.equal(formatResponseFlags(all), RESPONSE_FLAG_ORDER.join(','));
  });

  void test('formats IPv6 socket addresses in brackets', () => {
    assert.equal(formatSocketAddress('10.0.0.1', 80), '10.0.0.1:80');
    assert.equal(formatSocketAddress('::1', 443), '[::1]:443');
    // An IPv4 client of a dual-stack listener is an IPv4 client.
    assert.equal(formatSocketAddress('::ffff:10.0.0.1', 5000), '10.0.0.1:5000');
    assert.equal(formatSocketAddress('::ffff:a:b', 5000), '[::ffff:a:b]:5000');
  });
});
