// Simulation: VirtualService tls[] (sniHosts, port, destinationSubnets) and tcp[] (port, destinationSubnets)
// routes → chain, route and weighted cluster for CONNECT / captured TLS and TCP streams.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, serviceEntry, virtualService } from '../helpers/config-set.ts';
import { simulate, simulateConnect } from '../helpers/simulate.ts';

const TLS = [{ number: 443, name: 'tls', protocol: 'TLS' }];

void describe('tls[] routes', () => {
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry({ name: 'wild' }, { hosts: ['*.example.com'], ports: TLS, resolution: 'NONE' }),
        serviceEntry({ name: 'a' }, { hosts: ['a.example.com'], ports: TLS, resolution: 'DNS' }),
        serviceEntry({ name: 'b' }, { hosts: ['b.backend.net'], ports: TLS, resolution: 'DNS' }),
        serviceEntry({ name: 'c' }, { hosts: ['c.backend.net'], ports: TLS, resolution: 'DNS' }),
        serviceEntry(
          { name: 'ip' },
          { hosts: ['ip.backend.net'], ports: TLS, resolution: 'STATIC', endpoints: [{ address: '10.9.0.1' }] },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'sni', namespace: 'default' },
          {
            hosts: ['*.example.com'],
            tls: [
              {
                match: [{ sniHosts: ['a.example.com'], destinationSubnets: ['10.0.0.0/8'] }],
                route: [{ destination: { host: 'ip.backend.net' } }],
              },
              {
                match: [{ sniHosts: ['a.example.com'] }],
                route: [
                  { destination: { host: 'b.backend.net' }, weight: 80 },
                  { destination: { host: 'c.backend.net' }, weight: 20 },
                ],
              },
              {
                match: [{ sniHosts: ['*.api.example.com'], port: 443 }],
                route: [{ destination: { host: 'c.backend.net' } }],
              },
              {
                match: [{ sniHosts: ['other.example.com'], port: 8443 }],
                route: [{ destination: { host: 'c.backend.net' } }],
              },
            ],
          },
        ),
      ],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    }),
    { namespace: 'default', version: '1' },
  );

  void test('sniHosts with weights: 80/20 by the random draw', () => {
    assert.deepEqual(simulateConnect(snap, 'a.example.com', 443, 0.5), {
      listener: '0.0.0.0_443',
      cluster: 'outbound|443||b.backend.net',
      route: 'default/sni tls[1]',
      flag: '-',
    });
    assert.equal(simulateConnect(snap, 'a.example.com', 443, 0.85).cluster, 'outbound|443||c.backend.net');
  });

  void test('a wildcard SNI host gets its own chain; names it does not cover keep the service chain', () => {
    assert.equal(simulateConnect(snap, 'x.api.example.com', 443).route, 'default/sni tls[2]');
    assert.equal(simulateConnect(snap, 'x.api.example.com', 443).cluster, 'outbound|443||c.backend.net');
    assert.deepEqual(simulateConnect(snap, 'www.example.com', 443), {
      listener: '0.0.0.0_443',
      cluster: 'outbound|443||*.example.com',
      flag: '-',
    });
  });

  void test('a captured connection: SNI picks the chain, its original destination IP the subnet route', () => {
    assert.equal(
      simulate(snap, { authority: '', sni: 'a.example.com', destinationIp: '10.1.2.3' }).cluster,
      'outbound|443||ip.backend.net',
    );
    assert.equal(
      simulate(snap, { authority: '', sni: 'a.example.com', destinationIp: '192.0.2.1', random: 0.1 }).cluster,
      'outbound|443||b.backend.net',
    );
  });

  void test('a match for another port does not apply', () => {
    assert.equal(simulateConnect(snap, 'other.example.com', 443).cluster, 'outbound|443||*.example.com');
  });
});

void describe('tcp[] routes', () => {
  const TCP = [{ number: 5432, name: 'pg', protocol: 'TCP' }];
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry({ name: 'db' }, { hosts: ['db.internal'], ports: TCP, resolution: 'DNS' }),
        serviceEntry(
          { name: 'primary' },
          { hosts: ['primary.db.net'], ports: TCP, resolution: 'DNS', exportTo: ['.'] },
        ),
        serviceEntry(
          { name: 'replica' },
          { hosts: ['replica.db.net'], ports: [{ number: 6432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'db' },
          {
            hosts: ['db.internal'],
            tcp: [
              {
                match: [{ destinationSubnets: ['10.20.0.0/16'] }],
                route: [{ destination: { host: 'replica.db.net', port: { number: 6432 } } }],
              },
              {
                match: [{ port: 5432 }],
                route: [
                  { destination: { host: 'primary.db.net' }, weight: 90 },
                  { destination: { host: 'replica.db.net', port: { number: 6432 } }, weight: 10 },
                ],
              },
            ],
          },
        ),
      ],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    }),
    { namespace: 'default', version: '1' },
  );

  void test('by host: the first route without subnets, weighted', () => {
    assert.deepEqual(simulateConnect(snap, 'db.internal', 5432, 0.1), {
      listener: '0.0.0.0_5432',
      cluster: 'outbound|5432||primary.db.net',
      route: 'default/db tcp[1]',
      flag: '-',
    });
    assert.equal(simulateConnect(snap, 'db.internal', 5432, 0.95).cluster, 'outbound|6432||replica.db.net');
  });

  void test('destinationSubnets match the destination IP (the match-all chain of the port)', () => {
    assert.equal(simulateConnect(snap, '10.20.1.2', 5432).route, 'default/db tcp[0]');
    assert.equal(simulateConnect(snap, '10.30.1.2', 5432).route, 'default/db tcp[1]');
  });
});
