// Traffic policy rules: Istio's TestValidateTrafficPolicy, TestValidateConnectionPool and TestValidateOutlierDetection tables.
import { describe, test } from 'node:test';
import type {
  ConnectionPoolSettings,
  OutlierDetection,
  TrafficPolicy,
} from '../../../src/config/wire/destination-rule.ts';
import { validateDestinationRule } from '../../../src/validation/destination-rule.ts';
import { assertFindings, runRules } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly policy: TrafficPolicy;
  readonly expect: readonly ExpectedFinding[];
}

const TP = (...rest: (string | number)[]) => ['trafficPolicy', ...rest];

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () =>
      assertFindings(runRules(validateDestinationRule, { host: 'reviews', trafficPolicy: c.policy }), c.expect),
    );
  }
}

void describe('traffic policy', () => {
  run([
    {
      name: 'valid traffic policy',
      policy: {
        loadBalancer: { simple: 'ROUND_ROBIN' },
        connectionPool: { tcp: { maxConnections: 7 }, http: { http2MaxRequests: 11 } },
        outlierDetection: { consecutive5xxErrors: 5, minHealthPercent: 20 },
      },
      expect: [],
    },
    {
      name: 'nil entries',
      policy: {},
      expect: [['E', 'DR_TRAFFIC_POLICY_EMPTY', TP(), 'traffic policy must have at least one field']],
    },
    { name: 'retryBudget alone is a field', policy: { retryBudget: { percent: 20 } }, expect: [] },
    {
      name: 'missing port in port level settings',
      policy: { portLevelSettings: [{ loadBalancer: { simple: 'RANDOM' } }] },
      expect: [
        ['E', 'DR_PORT_POLICY_PORT_REQUIRED', TP('portLevelSettings', 0), 'portTrafficPolicy must have valid port'],
      ],
    },
    {
      name: 'empty port level setting',
      policy: { portLevelSettings: [{ port: { number: 80 } }] },
      expect: [
        ['E', 'DR_PORT_POLICY_EMPTY', TP('portLevelSettings', 0), 'port traffic policy must have at least one field'],
      ],
    },
    {
      name: 'null port level setting',
      policy: { portLevelSettings: [null as never] },
      expect: [['E', 'DR_PORT_POLICY_NULL', TP('portLevelSettings', 0), 'traffic policy may not be null']],
    },
    {
      name: 'bad port level connection pool',
      policy: { portLevelSettings: [{ port: { number: 80 }, connectionPool: { tcp: { maxConnections: -1 } } }] },
      expect: [
        [
          'E',
          'DR_POOL_NEGATIVE',
          TP('portLevelSettings', 0, 'connectionPool', 'tcp', 'maxConnections'),
          'max connections must be non-negative',
        ],
      ],
    },
    {
      name: 'bad max connection duration',
      policy: { connectionPool: { tcp: { maxConnectionDuration: '0.5ms' } } },
      expect: [
        [
          'E',
          'DR_DURATION_INVALID',
          TP('connectionPool', 'tcp', 'maxConnectionDuration'),
          'duration must be greater than 1ms',
        ],
      ],
    },
    {
      name: 'panic threshold too low',
      policy: { outlierDetection: { minHealthPercent: -1 } },
      expect: [
        [
          'E',
          'DR_OUTLIER_PERCENT_RANGE',
          TP('outlierDetection', 'minHealthPercent'),
          'percentage -1 is not in range 0..100',
        ],
      ],
    },
    {
      name: 'tunnel',
      policy: { tunnel: { protocol: 'CONNECT', targetHost: 'proxy.example.com', targetPort: 3128 } },
      expect: [],
    },
    {
      name: 'tunnel to an IP with POST',
      policy: { tunnel: { protocol: 'POST', targetHost: '10.0.0.1', targetPort: 8080 } },
      expect: [],
    },
    {
      name: 'bad tunnel',
      policy: { tunnel: { protocol: 'GET', targetHost: 'bad_host', targetPort: 0 } },
      expect: [
        ['E', 'DR_TUNNEL_PROTOCOL_INVALID', TP('tunnel', 'protocol'), 'tunnel protocol must be "CONNECT" or "POST"'],
        [
          'E',
          'DR_TUNNEL_TARGET_HOST_INVALID',
          TP('tunnel', 'targetHost'),
          'tunnel target host must be valid FQDN or IP address: domain name "bad_host" invalid (label "bad_host" invalid); bad_host is not a valid IP',
        ],
        [
          'E',
          'DR_TUNNEL_TARGET_PORT_INVALID',
          TP('tunnel', 'targetPort'),
          'tunnel target port is invalid: port number 0 must be in the range 1..65535',
        ],
      ],
    },
    {
      name: 'tunnel and proxyProtocol together',
      policy: { tunnel: { targetHost: 'a.b', targetPort: 1 }, proxyProtocol: { version: 'V2' } },
      expect: [['E', 'DR_TUNNEL_AND_PROXY_PROTOCOL', TP(), 'tunnel and proxyProtocol must not be set together']],
    },
    { name: 'proxyProtocol V1', policy: { proxyProtocol: { version: 'V1' } }, expect: [] },
    {
      name: 'unknown proxyProtocol version',
      policy: { proxyProtocol: { version: 'V3' as never } },
      expect: [
        [
          'E',
          'DR_PROXY_PROTOCOL_VERSION_INVALID',
          TP('proxyProtocol', 'version'),
          'proxy protocol version is invalid: V3',
        ],
      ],
    },
  ]);
});

void describe('connection pool (Istio TestValidateConnectionPool)', () => {
  const pool = (p: ConnectionPoolSettings): TrafficPolicy => ({ connectionPool: p });
  const CP = (...rest: (string | number)[]) => TP('connectionPool', ...rest);
  run([
    {
      name: 'tcp and http',
      policy: pool({
        tcp: { maxConnections: 7, connectTimeout: '2s' },
        http: {
          http1MaxPendingRequests: 2,
          http2MaxRequests: 11,
          maxRequestsPerConnection: 5,
          maxRetries: 4,
          idleTimeout: '30s',
          maxConcurrentStreams: 5,
        },
      }),
      expect: [],
    },
    { name: 'tcp only', policy: pool({ tcp: { maxConnections: 7, connectTimeout: '2s' } }), expect: [] },
    { name: 'http only', policy: pool({ http: { http1MaxPendingRequests: 2, idleTimeout: '30s' } }), expect: [] },
    {
      name: 'http2 keepalive',
      policy: pool({ http: { http2KeepAlive: { interval: '10s', timeout: '1s' } } }),
      expect: [],
    },
    {
      name: 'empty',
      policy: pool({}),
      expect: [['E', 'DR_POOL_EMPTY', CP(), 'connection pool must have at least one field']],
    },
    {
      name: 'negative counters',
      policy: pool({
        http: {
          http1MaxPendingRequests: -1,
          http2MaxRequests: -1,
          maxRequestsPerConnection: -1,
          maxRetries: -1,
          maxConcurrentStreams: -1,
        },
      }),
      expect: [
        [
          'E',
          'DR_POOL_NEGATIVE',
          CP('http', 'http1MaxPendingRequests'),
          'http1 max pending requests must be non-negative',
        ],
        ['E', 'DR_POOL_NEGATIVE', CP('http', 'http2MaxRequests'), 'http2 max requests must be non-negative'],
        [
          'E',
          'DR_POOL_NEGATIVE',
          CP('http', 'maxRequestsPerConnection'),
          'max requests per connection must be non-negative',
        ],
        ['E', 'DR_POOL_NEGATIVE', CP('http', 'maxRetries'), 'max retries must be non-negative'],
        ['E', 'DR_POOL_NEGATIVE', CP('http', 'maxConcurrentStreams'), 'max concurrent streams must be non-negative'],
      ],
    },
    {
      name: 'bad connect timeout',
      policy: pool({ tcp: { connectTimeout: '2.000000005s' } }),
      expect: [
        ['E', 'DR_DURATION_INVALID', CP('tcp', 'connectTimeout'), 'only durations to ms precision are supported'],
      ],
    },
    {
      name: 'bad http idle timeout',
      policy: pool({ http: { idleTimeout: '0s' } }),
      expect: [['E', 'DR_DURATION_INVALID', CP('http', 'idleTimeout'), 'duration must be greater than 1ms']],
    },
    { name: 'tcp idle timeout 0s disables it', policy: pool({ tcp: { idleTimeout: '0s' } }), expect: [] },
    {
      name: 'bad tcp idle timeout',
      policy: pool({ tcp: { idleTimeout: '1.5ms' } }),
      expect: [['E', 'DR_DURATION_INVALID', CP('tcp', 'idleTimeout'), 'only durations to ms precision are supported']],
    },
    {
      name: 'bad tcp keepalive',
      policy: pool({ tcp: { tcpKeepalive: { probes: 3, time: '100us', interval: '1s' } } }),
      expect: [['E', 'DR_DURATION_INVALID', CP('tcp', 'tcpKeepalive', 'time'), 'duration must be greater than 1ms']],
    },
    {
      name: 'upgrade with use client protocol',
      policy: pool({ http: { h2UpgradePolicy: 'UPGRADE', useClientProtocol: true } }),
      expect: [
        [
          'E',
          'DR_POOL_CLIENT_PROTOCOL_WITH_UPGRADE',
          CP('http', 'useClientProtocol'),
          'use client protocol must not be true when H2UpgradePolicy is UPGRADE',
        ],
      ],
    },
    {
      name: 'do-not-upgrade with use client protocol',
      policy: pool({ http: { h2UpgradePolicy: 'DO_NOT_UPGRADE', useClientProtocol: true } }),
      expect: [],
    },
    {
      name: 'http2 keepalive without interval',
      policy: pool({ http: { http2KeepAlive: { timeout: '1s' } } }),
      expect: [
        [
          'E',
          'DR_POOL_KEEPALIVE_INTERVAL_REQUIRED',
          CP('http', 'http2KeepAlive'),
          'http2 keepalive interval is required',
        ],
      ],
    },
    {
      name: 'http2 keepalive without timeout',
      policy: pool({ http: { http2KeepAlive: { interval: '1s' } } }),
      expect: [
        [
          'E',
          'DR_POOL_KEEPALIVE_TIMEOUT_REQUIRED',
          CP('http', 'http2KeepAlive'),
          'http2 keepalive timeout is required',
        ],
      ],
    },
    {
      name: 'bad http2 keepalive interval',
      policy: pool({ http: { http2KeepAlive: { interval: '0.1ms', timeout: '1s' } } }),
      expect: [
        ['E', 'DR_DURATION_INVALID', CP('http', 'http2KeepAlive', 'interval'), 'duration must be greater than 1ms'],
      ],
    },
  ]);
});

void describe('outlier detection (Istio TestValidateOutlierDetection)', () => {
  const outlier = (o: OutlierDetection): TrafficPolicy => ({ outlierDetection: o });
  const OD = (...rest: string[]) => TP('outlierDetection', ...rest);
  run([
    { name: 'valid', policy: outlier({ interval: '2s', baseEjectionTime: '2s', maxEjectionPercent: 50 }), expect: [] },
    {
      name: 'bad interval',
      policy: outlier({ interval: '2.000000005s' }),
      expect: [['E', 'DR_DURATION_INVALID', OD('interval'), 'only durations to ms precision are supported']],
    },
    {
      name: 'bad base ejection time',
      policy: outlier({ baseEjectionTime: '2.000000005s' }),
      expect: [['E', 'DR_DURATION_INVALID', OD('baseEjectionTime'), 'only durations to ms precision are supported']],
    },
    {
      name: 'bad max ejection percent',
      policy: outlier({ maxEjectionPercent: 105 }),
      expect: [['E', 'DR_OUTLIER_PERCENT_RANGE', OD('maxEjectionPercent'), 'percentage 105 is not in range 0..100']],
    },
    {
      name: 'panic threshold too high',
      policy: outlier({ minHealthPercent: 101 }),
      expect: [['E', 'DR_OUTLIER_PERCENT_RANGE', OD('minHealthPercent'), 'percentage 101 is not in range 0..100']],
    },
    {
      name: 'deprecated consecutiveErrors',
      policy: outlier({ consecutiveErrors: 101 }),
      expect: [
        [
          'W',
          'DR_OUTLIER_CONSECUTIVE_ERRORS_DEPRECATED',
          OD('consecutiveErrors'),
          'outlier detection consecutive errors is deprecated',
        ],
      ],
    },
    {
      name: 'local origin failures without split',
      policy: outlier({ consecutiveLocalOriginFailures: 10 }),
      expect: [
        [
          'E',
          'DR_OUTLIER_LOCAL_ORIGIN_WITHOUT_SPLIT',
          OD('consecutiveLocalOriginFailures'),
          'split external local origin errors is set to false',
        ],
      ],
    },
    {
      name: 'local origin failures with split',
      policy: outlier({ consecutiveLocalOriginFailures: 10, splitExternalLocalOriginErrors: true }),
      expect: [],
    },
  ]);
});
