import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsResolver } from '../../../src/dns/resolver.ts';
import { parseDnsServer } from '../../../src/dns/dns-servers.ts';
import { TestDnsServer } from '../../helpers/dns-server.ts';
import { ManualClock } from '../../helpers/clock.ts';

void describe('DnsResolver against a real DNS server', () => {
  let dns: TestDnsServer;
  before(async () => {
    dns = await TestDnsServer.start();
  });
  after(async () => {
    await dns.close();
  });

  function resolverWith(clock: ManualClock, refreshRateMs = 60_000): DnsResolver {
    return new DnsResolver({ servers: [dns.server], refreshRateMs, clock, timeoutMs: 300, tries: 1 });
  }

  void test('A records then AAAA, with the record TTL; case and trailing dot do not matter', async () => {
    dns.set('httpbin.org', { a: ['127.0.0.2', '127.0.0.3'], aaaa: ['::1'], ttl: 7 });
    const result = await resolverWith(new ManualClock()).resolve('HTTPBIN.org.');
    assert.deepEqual(result.addresses, ['127.0.0.2', '127.0.0.3', '::1']);
    assert.equal(result.ttlMs, 7000);
    assert.equal(result.stale, false);
  });

  void test('answers from the cache until the TTL runs out, then asks again and sees changes', async () => {
    const clock = new ManualClock();
    const resolver = resolverWith(clock);
    dns.set('cached.test', { a: ['127.0.0.4'], ttl: 10 });
    dns.resetCounts();
    assert.deepEqual((await resolver.resolve('cached.test')).addresses, ['127.0.0.4']);
    dns.set('cached.test', { a: ['127.0.0.5'], ttl: 10 });
    clock.advance(9_000);
    const cached = await resolver.resolve('cached.test');
    assert.deepEqual(cached.addresses, ['127.0.0.4']);
    assert.equal(cached.ttlMs, 1000, 'the remaining TTL');
    assert.equal(dns.queryCount('cached.test', 'A'), 1);
    clock.advance(1_000);
    assert.deepEqual((await resolver.resolve('cached.test')).addresses, ['127.0.0.5']);
    assert.equal(dns.queryCount('cached.test', 'A'), 2);
    assert.equal(resolver.stats.cacheHits, 1);
  });

  void test('concurrent lookups of one name share one query', async () => {
    const resolver = resolverWith(new ManualClock());
    dns.set('shared.test', { a: ['127.0.0.6'] });
    dns.resetCounts();
    const results = await Promise.all(Array.from({ length: 20 }, () => resolver.resolve('shared.test')));
    assert.ok(results.every((r) => r.addresses[0] === '127.0.0.6'));
    assert.equal(dns.queryCount('shared.test', 'A'), 1);
  });

  void test('on failure keeps the last good answer and retries after the refresh rate', async () => {
    const clock = new ManualClock();
    const resolver = resolverWith(clock, 5_000);
    dns.set('flaky.test', { a: ['127.0.0.7'], ttl: 1 });
    await resolver.resolve('flaky.test');
    dns.set('flaky.test', { fail: 'servfail' });
    clock.advance(1_000);
    const stale = await resolver.resolve('flaky.test');
    assert.deepEqual(stale.addresses, ['127.0.0.7']);
    assert.equal(stale.stale, true);
    assert.equal(stale.ttlMs, 5_000);
    dns.resetCounts();
    dns.set('flaky.test', { a: ['127.0.0.8'], ttl: 1 });
    clock.advance(4_999);
    assert.deepEqual(
      (await resolver.resolve('flaky.test')).addresses,
      ['127.0.0.7'],
      'no retry before the refresh rate',
    );
    assert.equal(dns.queryCount('flaky.test'), 0);
    clock.advance(1);
    const recovered = await resolver.resolve('flaky.test');
    assert.deepEqual(recovered.addresses, ['127.0.0.8']);
    assert.equal(recovered.stale, false);
    assert.equal(resolver.stats.failures, 1);
  });

  void test('an unknown name is MG_ERR_DNS_NOT_FOUND; a broken server is MG_ERR_DNS_LOOKUP', async () => {
    const resolver = resolverWith(new ManualClock());
    await assert.rejects(resolver.resolve('nowhere.test'), { code: 'MG_ERR_DNS_NOT_FOUND' });
    dns.set('refused.test', { fail: 'refused' });
    await assert.rejects(resolver.resolve('refused.test'), { code: 'MG_ERR_DNS_LOOKUP' });
    dns.set('silent.test', { fail: 'drop' });
    await assert.rejects(resolver.resolve('silent.test'), { code: 'MG_ERR_DNS_LOOKUP' });
  });

  void test('a name with only A records is fine (no AAAA is not an error)', async () => {
    dns.set('v4only.test', { a: ['127.0.0.9'] });
    assert.deepEqual((await resolverWith(new ManualClock()).resolve('v4only.test')).addresses, ['127.0.0.9']);
  });

  void test('a large answer arrives over TCP after a truncated UDP reply', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `127.0.1.${i + 1}`);
    dns.set('big.test', { a: many });
    const before = dns.tcpQueryCount;
    assert.deepEqual((await resolverWith(new ManualClock()).resolve('big.test')).addresses, many);
    assert.ok(dns.tcpQueryCount > before, 'the resolver retried over TCP');
  });

  void test('a 0 TTL is replaced by the refresh rate', async () => {
    dns.set('zero.test', { a: ['127.0.0.10'], ttl: 0 });
    assert.equal((await resolverWith(new ManualClock(), 1234).resolve('zero.test')).ttlMs, 1234);
  });

  void test('IP literals and localhost are answered without a query', async () => {
    const resolver = resolverWith(new ManualClock());
    dns.resetCounts();
    assert.deepEqual((await resolver.resolve('10.1.2.3')).addresses, ['10.1.2.3']);
    assert.deepEqual((await resolver.resolve('[::1]')).addresses, ['::1']);
    assert.deepEqual((await resolver.resolve('2001:db8::1')).addresses, ['2001:db8::1']);
    assert.deepEqual((await resolver.resolve('LocalHost.')).addresses, ['127.0.0.1', '::1']);
    assert.equal(dns.queryCount(), 0);
  });
});

void describe('--dns-server values', () => {
  void test('accepts IP and IP:PORT, IPv4 and IPv6', () => {
    assert.equal(parseDnsServer('10.0.0.10'), '10.0.0.10');
    assert.equal(parseDnsServer('127.0.0.1:5353'), '127.0.0.1:5353');
    assert.equal(parseDnsServer('::1'), '::1');
    assert.equal(parseDnsServer('[::1]:53'), '[::1]:53');
    assert.equal(parseDnsServer('[2001:db8::1]'), '2001:db8::1');
  });

  void test('rejects anything else with MG_ERR_INVALID_ARGUMENT', () => {
    for (const bad of ['dns.google', '10.0.0.1:0', '10.0.0.1:70000', '10.0.0.1:', '', '[::1]:x', '300.1.1.1']) {
      assert.throws(() => parseDnsServer(bad), { code: 'MG_ERR_INVALID_ARGUMENT' }, bad);
    }
  });
});

void describe('DnsResolver without --dns-server', () => {
  void test('honours /etc/hosts like the system resolver (the machine name is there)', async (t) => {
    const { readFile } = await import('node:fs/promises');
    const { hostname } = await import('node:os');
    const name = hostname();
    const hosts = await readFile('/etc/hosts', 'utf8').catch(() => '');
    const line = hosts.split('\n').find((l) => !l.startsWith('#') && l.split(/\s+/).slice(1).includes(name));
    if (line === undefined) {
      t.skip(`/etc/hosts has no entry for ${name}`);
      return;
    }
    const result = await new DnsResolver({ clock: new ManualClock(), timeoutMs: 500, tries: 1 }).resolve(name);
    assert.ok(result.addresses.includes(line.split(/\s+/)[0]!), `${name} -> ${result.addresses.join(',')}`);
  });
});
