// Registry: ServiceEntries → services (endpoint ports, defaults), visibility (exportTo, Sidecar), oldest host wins.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRegistry } from '../../../src/registry/build-registry.ts';
import { buildView, chooseSidecar, selectSidecar } from '../../../src/registry/visibility.ts';
import { serviceEntry, sidecar } from '../../helpers/config-set.ts';

void describe('buildRegistry', () => {
  void test('one service per host; endpoint port: ports[name] > targetPort > number', () => {
    const se = serviceEntry(
      { name: 'db', namespace: 'data' },
      {
        hosts: ['A.example.com', 'b.example.com'],
        ports: [
          { number: 80, name: 'http', protocol: 'http', targetPort: 8080 },
          { number: 5432, name: 'pg', protocol: 'TCP' },
        ],
        resolution: 'STATIC',
        endpoints: [{ address: '10.0.0.1', ports: { pg: 6432 } }, { address: '10.0.0.2' }],
      },
    );
    const services = buildRegistry([se], ['*']);
    assert.deepEqual(
      services.map((s) => s.hostname),
      ['a.example.com', 'b.example.com'],
    );
    assert.equal(services[0]!.ports[0]!.protocol, 'HTTP');
    assert.deepEqual(
      services[0]!.endpoints.map((e) => e.ports),
      [
        { http: 8080, pg: 6432 },
        { http: 8080, pg: 5432 },
      ],
    );
    assert.deepEqual(services[0]!.exportTo, ['*']);
  });

  void test('DNS without endpoints resolves the host itself', () => {
    const [svc] = buildRegistry(
      [
        serviceEntry(
          { name: 'x' },
          {
            hosts: ['x.example.com'],
            ports: [{ number: 443, name: 'tls', protocol: 'TLS', targetPort: 8443 }],
            resolution: 'DNS',
          },
        ),
      ],
      ['*'],
    );
    assert.deepEqual(svc!.endpoints, [{ address: 'x.example.com', ports: { tls: 8443 }, labels: {}, weight: 1 }]);
  });
});

void describe('buildView', () => {
  const http = [{ number: 80, name: 'http', protocol: 'HTTP' }];
  const entries = [
    serviceEntry({ name: 'all', namespace: 'a' }, { hosts: ['all.example.com'], ports: http, exportTo: ['*'] }),
    serviceEntry({ name: 'own', namespace: 'a' }, { hosts: ['own.example.com'], ports: http, exportTo: ['.'] }),
    serviceEntry({ name: 'named', namespace: 'a' }, { hosts: ['named.example.com'], ports: http, exportTo: ['b'] }),
    serviceEntry({ name: 'none', namespace: 'a' }, { hosts: ['none.example.com'], ports: http, exportTo: ['~'] }),
  ];
  const registry = buildRegistry(entries, ['*']);

  void test('exportTo: *, ., names, ~', () => {
    assert.deepEqual(
      buildView(registry, 'a', undefined).services.map((s) => s.hostname),
      ['all.example.com', 'own.example.com'],
    );
    assert.deepEqual(
      buildView(registry, 'b', undefined).services.map((s) => s.hostname),
      ['all.example.com', 'named.example.com'],
    );
    assert.deepEqual(
      buildView(registry, 'c', undefined).services.map((s) => s.hostname),
      ['all.example.com'],
    );
  });

  void test('Sidecar egress hosts import a subset; ~ excludes', () => {
    const sc = sidecar(
      { name: 'default', namespace: 'b' },
      { egress: [{ hosts: ['*/*.example.com', '~a/all.example.com'] }], outboundTrafficPolicy: {} },
    );
    const chosen = selectSidecar([sc], 'b', 'istio-system');
    const view = buildView(registry, 'b', chosen);
    assert.deepEqual(
      view.services.map((s) => s.hostname),
      ['named.example.com'],
    );
    assert.equal(view.outboundTrafficPolicyMode, 'REGISTRY_ONLY');
    assert.equal(view.sidecar, 'b/default');
  });

  void test('duplicate hosts: the oldest wins, the other becomes a diagnostic', () => {
    const newer = serviceEntry(
      { name: 'newer', namespace: 'x', creationTimestamp: '2024-02-01T00:00:00Z' },
      { hosts: ['dup.example.com'], ports: http },
    );
    const older = serviceEntry(
      { name: 'older', namespace: 'y', creationTimestamp: '2023-01-01T00:00:00Z' },
      { hosts: ['dup.example.com'], ports: http },
    );
    const view = buildView(buildRegistry([newer, older], ['*']), 'z', undefined);
    assert.equal(view.services.length, 1);
    assert.equal(view.services[0]!.source.name, 'older');
    assert.equal(view.diagnostics[0]!.code, 'DuplicateHost');
    assert.match(view.diagnostics[0]!.message, /ServiceEntry\/x\/newer is ignored/);
  });
});

void describe('chooseSidecar', () => {
  const web = { workloadSelector: { labels: { app: 'web' } } };
  const plain = sidecar({ name: 'default', namespace: 'app' }, {});
  const root = sidecar({ name: 'default', namespace: 'istio-system' }, {});

  void test('a selector matching every label wins over the selector-less Sidecar; otherwise it is skipped', () => {
    const pods = sidecar({ name: 'pods', namespace: 'app' }, web);
    assert.equal(chooseSidecar([plain, pods], 'app', 'istio-system', { app: 'web', v: '1' }).sidecar?.key.name, 'pods');
    assert.equal(chooseSidecar([plain, pods], 'app', 'istio-system', { app: 'api' }).sidecar?.key.name, 'default');
    assert.equal(chooseSidecar([pods, root], 'app', 'istio-system').sidecar?.key.namespace, 'istio-system');
  });

  void test('several matches without timestamps: the first name wins, the rest are reported', () => {
    const b = sidecar({ name: 'b', namespace: 'app' }, web);
    const a = sidecar({ name: 'a', namespace: 'app' }, web);
    const choice = chooseSidecar([b, a], 'app', 'istio-system', { app: 'web' });
    assert.equal(choice.sidecar?.key.name, 'a');
    assert.deepEqual(
      choice.diagnostics.map((d) => [d.code, d.message]),
      [['ConflictingSidecar', 'Sidecar app/b is ignored: app/a also selects this proxy and is older']],
    );
  });
});
