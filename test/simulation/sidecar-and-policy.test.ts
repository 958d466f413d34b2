// Simulation: Sidecar scoping and its outboundTrafficPolicy, subsets by endpoint labels, direct responses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import { configSet, destinationRule, serviceEntry, sidecar, virtualService } from '../helpers/config-set.ts';
import { simulateConnect, simulateHttp } from '../helpers/simulate.ts';

const http = [{ number: 80, name: 'http', protocol: 'HTTP' }];

void describe('Sidecar', () => {
  const entries = [
    serviceEntry({ name: 'a', namespace: 'shared' }, { hosts: ['a.example.com'], ports: http, resolution: 'DNS' }),
    serviceEntry({ name: 'b', namespace: 'shared' }, { hosts: ['b.example.com'], ports: http, resolution: 'DNS' }),
  ];

  void test('egress hosts narrow what the namespace imports; unimported hosts are unknown', () => {
    const snap = compile(
      configSet({
        serviceEntries: entries,
        sidecars: [sidecar({ name: 'default', namespace: 'app' }, { egress: [{ hosts: ['shared/a.example.com'] }] })],
        mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
      }),
      { namespace: 'app', version: '1' },
    );
    assert.equal(simulateHttp(snap, { authority: 'a.example.com' }).cluster, 'outbound|80||a.example.com');
    assert.equal(simulateHttp(snap, { authority: 'b.example.com' }).route, 'block_all');
  });

  void test("the Sidecar's outboundTrafficPolicy overrides the mesh; the root namespace's applies to namespaces without one", () => {
    const rootOpen = sidecar(
      { name: 'default', namespace: 'istio-system' },
      { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } },
    );
    const appClosed = sidecar({ name: 'default', namespace: 'app' }, { outboundTrafficPolicy: {} });
    const input = configSet({
      serviceEntries: entries,
      sidecars: [rootOpen, appClosed],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    });
    assert.equal(compile(input, { namespace: 'other', version: '1' }).outboundTrafficPolicy, 'ALLOW_ANY');
    assert.equal(
      compile(input, { namespace: 'app', version: '1' }).outboundTrafficPolicy,
      'REGISTRY_ONLY',
      'an empty outboundTrafficPolicy means REGISTRY_ONLY',
    );
    assert.equal(
      simulateConnect(compile(input, { namespace: 'other', version: '1' }), 'unknown.example.com', 443).cluster,
      'PassthroughCluster',
    );
  });

  void describe('workloadSelector', () => {
    const closed = { outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' as const } };
    const open = { outboundTrafficPolicy: { mode: 'ALLOW_ANY' as const } };
    const selective = sidecar(
      { name: 'pods', namespace: 'app' },
      { workloadSelector: { labels: { app: 'x' } }, ...closed },
    );
    const namespaceWide = sidecar({ name: 'default', namespace: 'app' }, open);
    const mode = (sidecars: ReturnType<typeof sidecar>[], labels?: Record<string, string>) =>
      compile(configSet({ sidecars }), { namespace: 'app', version: '1', ...(labels !== undefined ? { labels } : {}) })
        .outboundTrafficPolicy;

    void test("a Sidecar whose selector matches the proxy's labels beats the namespace's selector-less one", () => {
      assert.equal(mode([namespaceWide, selective], { app: 'x', version: 'v1' }), 'REGISTRY_ONLY');
    });

    void test('a Sidecar whose selector does not match is ignored', () => {
      assert.equal(mode([namespaceWide, selective], { app: 'y' }), 'ALLOW_ANY');
      assert.equal(mode([selective], { app: 'y' }), 'ALLOW_ANY', 'the mesh default applies');
    });

    void test('without --labels a Sidecar with a selector never applies', () => {
      assert.equal(mode([namespaceWide, selective]), 'ALLOW_ANY');
      assert.equal(mode([selective]), 'ALLOW_ANY');
    });

    void test('a matching selector in another namespace does not apply; the root namespace default does', () => {
      const elsewhere = sidecar(
        { name: 'pods', namespace: 'other' },
        { workloadSelector: { labels: { app: 'x' } }, ...open },
      );
      const root = sidecar({ name: 'default', namespace: 'istio-system' }, closed);
      assert.equal(mode([elsewhere, root], { app: 'x' }), 'REGISTRY_ONLY');
    });

    void test('when several selectors match, the oldest wins and the others are reported', () => {
      const older = sidecar(
        { name: 'zz-older', namespace: 'app', creationTimestamp: '2024-01-01T00:00:00Z' },
        { workloadSelector: { labels: { app: 'x' } }, ...closed },
      );
      const newer = sidecar(
        { name: 'aa-newer', namespace: 'app', creationTimestamp: '2024-06-01T00:00:00Z' },
        { workloadSelector: { labels: { app: 'x' } }, ...open },
      );
      const snap = compile(configSet({ sidecars: [newer, older] }), {
        namespace: 'app',
        version: '1',
        labels: { app: 'x' },
      });
      assert.equal(snap.outboundTrafficPolicy, 'REGISTRY_ONLY');
      const conflict = snap.diagnostics.filter((d) => d.code === 'ConflictingSidecar');
      assert.deepEqual(
        conflict.map((d) => d.resource),
        ['Sidecar/app/aa-newer'],
      );
    });
  });
});

void describe('DestinationRule workloadSelector', () => {
  const entries = [
    serviceEntry({ name: 'api', namespace: 'app' }, { hosts: ['api.example.com'], ports: http, resolution: 'DNS' }),
  ];
  const plain = destinationRule(
    { name: 'plain', namespace: 'app' },
    { host: 'api.example.com', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
  );
  const selective = destinationRule(
    { name: 'pods', namespace: 'app' },
    {
      host: 'api.example.com',
      workloadSelector: { matchLabels: { app: 'x' } },
      exportTo: ['.'],
      trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } },
    },
  );
  const lb = (namespace: string, labels?: Record<string, string>) =>
    compile(configSet({ serviceEntries: entries, destinationRules: [plain, selective] }), {
      namespace,
      version: '1',
      ...(labels !== undefined ? { labels } : {}),
    }).clusters['outbound|80||api.example.com']!.lbPolicy;

  void test("a rule whose selector matches the proxy's labels takes precedence over the selector-less rule", () => {
    assert.equal(lb('app', { app: 'x', tier: 'web' }), 'ROUND_ROBIN');
  });

  void test('a rule whose selector does not match is ignored', () => {
    assert.equal(lb('app', { app: 'y' }), 'RANDOM');
  });

  void test('without --labels a rule with a selector never applies', () => {
    assert.equal(lb('app'), 'RANDOM');
  });

  void test('a rule with a selector applies only in its own namespace', () => {
    assert.equal(lb('other', { app: 'x' }), 'RANDOM');
  });
});

void describe('subsets and direct responses', () => {
  const snap = compile(
    configSet({
      serviceEntries: [
        serviceEntry(
          { name: 'api' },
          {
            hosts: ['api.example.com'],
            ports: http,
            resolution: 'STATIC',
            endpoints: [
              { address: '10.0.0.1', labels: { version: 'v1' } },
              { address: '10.0.0.2', labels: { version: 'v2' } },
            ],
          },
        ),
      ],
      destinationRules: [
        destinationRule(
          { name: 'api' },
          { host: 'api.example.com', subsets: [{ name: 'v2', labels: { version: 'v2' } }] },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'api' },
          {
            hosts: ['api.example.com'],
            http: [
              {
                name: 'maintenance',
                match: [{ uri: { prefix: '/admin' } }],
                directResponse: { status: 503, body: { string: 'down for maintenance' } },
              },
              { name: 'canary', route: [{ destination: { host: 'api.example.com', subset: 'v2' } }] },
            ],
          },
        ),
      ],
    }),
    { namespace: 'default', version: '1' },
  );

  void test('a subset cluster keeps only the endpoints with its labels', () => {
    assert.deepEqual(
      snap.clusters['outbound|80|v2|api.example.com']!.endpoints.map((e) => e.address),
      ['10.0.0.2'],
    );
    assert.deepEqual(
      snap.clusters['outbound|80||api.example.com']!.endpoints.map((e) => e.address),
      ['10.0.0.1', '10.0.0.2'],
    );
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com', path: '/x' }).cluster,
      'outbound|80|v2|api.example.com',
    );
  });

  void test('directResponse answers from the route', () => {
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/admin/x' }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: 'maintenance',
      cluster: undefined,
      status: 503,
      flag: '-',
    });
  });
});
