import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clustersJson, clustersText, type ClusterView, type HostCounters } from '../../../src/admin/clusters-view.ts';
import { compile } from '../../../src/compiler/compile.ts';
import { configSet, serviceEntry } from '../../helpers/config-set.ts';

const snapshot = compile(
  configSet({
    serviceEntries: [
      serviceEntry(
        { name: 'db', namespace: 'foo' },
        {
          hosts: ['db.internal'],
          ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }],
          resolution: 'STATIC',
          endpoints: [{ address: '2001:db8::5' }],
        },
      ),
    ],
    mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
  }),
  { namespace: 'foo', version: '1' },
);

/** A view with fixed numbers for one IPv6 host. */
const view: ClusterView = {
  lastHosts: (name) => (name === 'outbound|5432||db.internal' ? [{ key: '[2001:db8::5]:5432' }] : undefined),
  statsFor: (name): HostCounters[] =>
    name === 'outbound|5432||db.internal'
      ? [{ host: '[2001:db8::5]:5432', rqTotal: 4, rqError: 1, rqSuccess: 3, rqTimeout: 0, cxConnectFail: 1 }]
      : [],
  connectionsTo: () => ({ total: 3, active: 2 }),
  activeRequests: () => 0,
};

void describe('/clusters views', () => {
  void test("text: Envoy's cluster::host::stat::value lines, stats in Envoy's order; STATIC hosts have no hostname", () => {
    const lines = clustersText(snapshot, view).split('\n');
    const prefix = 'outbound|5432||db.internal::[2001:db8::5]:5432::';
    const host = lines.filter((l) => l.startsWith(prefix));
    assert.deepEqual(
      host.slice(0, 10).map((l) => l.slice(prefix.length)),
      [
        'cx_active::2',
        'cx_connect_fail::1',
        'cx_total::3',
        'rq_active::0',
        'rq_error::1',
        'rq_success::3',
        'rq_timeout::0',
        'rq_total::4',
        'hostname::',
        'health_flags::healthy',
      ],
    );
    assert.ok(lines.includes('BlackHoleCluster::added_via_api::true'));
    assert.ok(
      !lines.some((l) => l.startsWith('BlackHoleCluster::') && l.split('::').length > 3 && !l.includes('_priority::')),
      'BlackHoleCluster has no hosts',
    );
  });

  void test('JSON: socket addresses without brackets, values as strings, gauges typed', () => {
    const json = clustersJson(snapshot, view) as {
      cluster_statuses: {
        name: string;
        host_statuses: { address: unknown; stats: { name: string; value: string; type?: string }[] }[];
      }[];
    };
    const db = json.cluster_statuses.find((c) => c.name === 'outbound|5432||db.internal')!;
    assert.deepEqual(db.host_statuses[0]!.address, { socket_address: { address: '2001:db8::5', port_value: 5432 } });
    assert.deepEqual(db.host_statuses[0]!.stats.slice(0, 2), [
      { name: 'cx_active', value: '2', type: 'GAUGE' },
      { name: 'cx_connect_fail', value: '1' },
    ]);
  });
});
