// Load balancer rules: Istio's TestValidateLoadBalancer table, locality and zone-aware settings, warmup, Maglev sizes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadBalancerSettings, TrafficPolicy } from '../../../src/config/wire/destination-rule.ts';
import { validateDestinationRule } from '../../../src/validation/destination-rule.ts';
import { isPrime } from '../../../src/validation/load-balancer.ts';
import { localitiesProblem } from '../../../src/validation/locality-lb.ts';
import { assertFindings, runRules } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly lb: LoadBalancerSettings;
  readonly outlier?: boolean;
  readonly expect: readonly ExpectedFinding[];
}

const LB = (...rest: (string | number)[]) => ['trafficPolicy', 'loadBalancer', ...rest];

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () => {
      const policy: TrafficPolicy = {
        loadBalancer: c.lb,
        ...(c.outlier ? { outlierDetection: { consecutive5xxErrors: 3 } } : {}),
      };
      assertFindings(runRules(validateDestinationRule, { host: 'reviews', trafficPolicy: policy }), c.expect);
    });
  }
}

void describe('load balancer (Istio TestValidateLoadBalancer)', () => {
  run([
    { name: 'simple', lb: { simple: 'ROUND_ROBIN' }, expect: [] },
    {
      name: 'consistent hash with the deprecated minimumRingSize',
      lb: { consistentHash: { minimumRingSize: 1024, httpCookie: { name: 'test', ttl: '0s' } } },
      expect: [
        [
          'W',
          'DR_LB_MINIMUM_RING_SIZE_DEPRECATED',
          LB('consistentHash', 'minimumRingSize'),
          'consistent hash MinimumRingSize is deprecated',
        ],
      ],
    },
    {
      name: 'cookie without name',
      lb: { consistentHash: { httpCookie: { ttl: '0s' } } },
      expect: [['E', 'DR_LB_COOKIE_NAME_REQUIRED', LB('consistentHash', 'httpCookie'), 'name required for HttpCookie']],
    },
    {
      name: 'maglev table size not prime',
      lb: { consistentHash: { httpHeaderName: 'x-user', maglev: { tableSize: 1000 } } },
      expect: [
        [
          'E',
          'DR_LB_MAGLEV_TABLE_SIZE_NOT_PRIME',
          LB('consistentHash', 'maglev', 'tableSize'),
          'tableSize must be a prime number for maglev',
        ],
      ],
    },
    {
      name: 'maglev with a prime table size',
      lb: { consistentHash: { useSourceIp: true, maglev: { tableSize: 65537 } } },
      expect: [],
    },
    {
      name: 'maglev table size missing',
      lb: { consistentHash: { useSourceIp: true, maglev: {} } },
      expect: [
        [
          'E',
          'DR_LB_MAGLEV_TABLE_SIZE_REQUIRED',
          LB('consistentHash', 'maglev', 'tableSize'),
          'tableSize must be set for maglev',
        ],
        ['E', 'DR_LB_MAGLEV_TABLE_SIZE_NOT_PRIME', LB('consistentHash', 'maglev', 'tableSize'), 'prime'],
      ],
    },
    {
      name: 'maglev table size too large',
      lb: { consistentHash: { useSourceIp: true, maglev: { tableSize: 5000011 } } },
      expect: [
        [
          'E',
          'DR_LB_MAGLEV_TABLE_SIZE_TOO_LARGE',
          LB('consistentHash', 'maglev', 'tableSize'),
          'tableSize must be less than 5000011 for maglev',
        ],
      ],
    },
    {
      name: 'minimumRingSize together with ringHash',
      lb: { consistentHash: { useSourceIp: true, minimumRingSize: 64, ringHash: { minimumRingSize: 64 } } },
      expect: [
        ['W', 'DR_LB_MINIMUM_RING_SIZE_DEPRECATED', LB('consistentHash', 'minimumRingSize'), 'deprecated'],
        [
          'E',
          'DR_LB_RING_SIZE_CONFLICT',
          LB('consistentHash', 'minimumRingSize'),
          'only one of MinimumRingSize or Maglev/Ringhash can be specified',
        ],
      ],
    },
    {
      name: 'unique cookie attributes',
      lb: {
        consistentHash: {
          httpCookie: { name: 'c', ttl: '0s', attributes: [{ name: 'SameSite', value: 'Strict' }, { name: 'Secure' }] },
        },
      },
      expect: [],
    },
    {
      name: 'duplicate cookie attribute names',
      lb: {
        consistentHash: {
          httpCookie: {
            name: 'c',
            attributes: [
              { name: 'SameSite', value: 'Strict' },
              { name: 'SameSite', value: 'Lax' },
            ],
          },
        },
      },
      expect: [
        [
          'E',
          'DR_LB_COOKIE_ATTRIBUTE_DUPLICATE',
          LB('consistentHash', 'httpCookie', 'attributes', 1, 'name'),
          'duplicate cookie attribute name: SameSite',
        ],
      ],
    },
    {
      name: 'empty cookie attribute name',
      lb: { consistentHash: { httpCookie: { name: 'c', attributes: [{ value: 'x' }] } } },
      expect: [
        [
          'E',
          'DR_LB_COOKIE_ATTRIBUTE_EMPTY',
          LB('consistentHash', 'httpCookie', 'attributes', 0, 'name'),
          'cookie attribute name cannot be empty',
        ],
      ],
    },
    {
      name: 'localityLbSetting and zoneAwareLbSetting both set',
      lb: { localityLbSetting: {}, zoneAwareLbSetting: {} },
      expect: [
        ['E', 'DR_LB_LOCALITY_AND_ZONE_AWARE', LB(), 'only one of localityLbSetting and zoneAwareLbSetting can be set'],
      ],
    },
    {
      name: 'zoneAwareLbSetting only',
      lb: { zoneAwareLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
      outlier: true,
      expect: [],
    },
    {
      name: 'warmup',
      lb: { simple: 'ROUND_ROBIN', warmup: { duration: '60s', minimumPercent: 10, aggression: 1.5 } },
      expect: [],
    },
    {
      name: 'bad warmup',
      lb: { warmup: { minimumPercent: 101, aggression: 0 } },
      expect: [
        ['E', 'DR_LB_WARMUP_DURATION_REQUIRED', LB('warmup'), 'duration is required'],
        [
          'E',
          'DR_LB_WARMUP_MINIMUM_PERCENT',
          LB('warmup', 'minimumPercent'),
          'minimumPercent value should be less than or equal to 100',
        ],
        ['E', 'DR_LB_WARMUP_AGGRESSION', LB('warmup', 'aggression'), 'aggression should be greater than 0'],
      ],
    },
    {
      name: 'warmup duration below 1ms',
      lb: { warmup: { duration: '10us' } },
      expect: [['E', 'DR_DURATION_INVALID', LB('warmup', 'duration'), 'duration must be greater than 1ms']],
    },
  ]);
});

void describe('locality load balancing', () => {
  const L = (...rest: (string | number)[]) => LB('localityLbSetting', ...rest);
  run([
    {
      name: 'distribute',
      lb: { localityLbSetting: { distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] } },
      expect: [],
    },
    {
      name: 'distribute and failover together',
      lb: { localityLbSetting: { distribute: [{ from: 'a', to: { a: 100 } }], failover: [{ from: 'a', to: 'b' }] } },
      expect: [
        ['E', 'DR_LOCALITY_DISTRIBUTE_AND_FAILOVER', L(), "can not simultaneously specify 'distribute' and 'failover'"],
      ],
    },
    {
      name: 'weight out of range',
      lb: { localityLbSetting: { distribute: [{ from: 'a', to: { a: 0, b: 100 } }] } },
      expect: [
        ['E', 'DR_LOCALITY_WEIGHT_RANGE', L('distribute', 0, 'to'), 'locality weight must be in range [1, 100]'],
      ],
    },
    {
      name: 'weights not summing to 100',
      lb: { localityLbSetting: { distribute: [{ from: 'a', to: { a: 30, b: 30 } }] } },
      expect: [['E', 'DR_LOCALITY_WEIGHT_TOTAL', L('distribute', 0, 'to'), 'total locality weight 60 != 100']],
    },
    {
      name: 'overlapping destination localities',
      lb: { localityLbSetting: { distribute: [{ from: 'a', to: { 'r1/*': 50, 'r1/z1': 50 } }] } },
      expect: [
        ['E', 'DR_LOCALITY_INVALID', L('distribute', 0, 'to'), 'locality r1/z1 overlap with previous specified ones'],
      ],
    },
    {
      name: 'overlapping source localities',
      lb: {
        localityLbSetting: {
          distribute: [
            { from: 'r1', to: { r2: 100 } },
            { from: 'r1/z1', to: { r2: 100 } },
          ],
        },
      },
      expect: [['E', 'DR_LOCALITY_INVALID', L('distribute'), 'locality r1/z1 overlap with previous specified ones']],
    },
    {
      name: 'failover without outlier detection warns',
      lb: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
      expect: [['W', 'DR_FAILOVER_WITHOUT_OUTLIER', L(), 'outlier detection policy must be provided for failover']],
    },
    {
      name: 'failover with outlier detection',
      lb: { localityLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
      outlier: true,
      expect: [],
    },
    {
      name: 'bad failover entries',
      lb: {
        localityLbSetting: {
          failover: [
            { from: 'a', to: 'a' },
            { from: 'a/z', to: 'b*' },
          ],
        },
      },
      outlier: true,
      expect: [
        [
          'E',
          'DR_FAILOVER_SAME_REGION',
          L('failover', 0),
          'locality lb failover settings must specify different regions',
        ],
        ['E', 'DR_FAILOVER_NOT_REGION', L('failover', 1), 'locality lb failover only specify region'],
        ['E', 'DR_FAILOVER_WILDCARD', L('failover', 1), "locality lb failover region should not contain '*' wildcard"],
      ],
    },
    {
      name: 'failover with a topology label in failoverPriority',
      lb: {
        localityLbSetting: { failover: [{ from: 'a', to: 'b' }], failoverPriority: ['topology.kubernetes.io/zone'] },
      },
      outlier: true,
      expect: [
        [
          'E',
          'DR_LOCALITY_FAILOVER_TOPOLOGY_PRIORITY',
          L('failoverPriority'),
          "can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/zone'",
        ],
      ],
    },
    {
      name: 'failoverPriority with custom labels',
      lb: { localityLbSetting: { failoverPriority: ['my-label'] } },
      outlier: true,
      expect: [],
    },
  ]);
});

void describe('zone-aware load balancing', () => {
  const Z = (...rest: (string | number)[]) => LB('zoneAwareLbSetting', ...rest);
  run([
    {
      name: 'topology label in failoverPriority',
      lb: { zoneAwareLbSetting: { failoverPriority: ['topology.istio.io/subzone'] } },
      outlier: true,
      expect: [
        [
          'E',
          'DR_ZONE_AWARE_TOPOLOGY_PRIORITY',
          Z('failoverPriority', 0),
          "'failover_priority' for zone aware lb must not use topology label 'topology.istio.io/subzone'",
        ],
      ],
    },
    {
      name: 'failover without outlier detection warns',
      lb: { zoneAwareLbSetting: { failover: [{ from: 'us-east', to: 'eu-west' }] } },
      expect: [['W', 'DR_FAILOVER_WITHOUT_OUTLIER', Z(), 'outlier detection policy must be provided for failover']],
    },
    {
      name: 'bad failover entries',
      lb: {
        zoneAwareLbSetting: {
          failover: [
            { from: 'a', to: 'a' },
            { from: 'a/z', to: '*' },
          ],
        },
      },
      outlier: true,
      expect: [
        [
          'E',
          'DR_FAILOVER_SAME_REGION',
          Z('failover', 0),
          'zone aware lb failover settings must specify different regions',
        ],
        ['E', 'DR_FAILOVER_NOT_REGION', Z('failover', 1), 'zone aware lb failover only specifies region'],
        [
          'E',
          'DR_FAILOVER_WILDCARD',
          Z('failover', 1),
          "zone aware lb failover region should not contain '*' wildcard",
        ],
      ],
    },
  ]);
});

void describe('helpers', () => {
  void test('isPrime follows Envoy (1, 2, 3 are prime; 0 and even numbers are not)', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 9, 65537, 65536, 5000011].map(isPrime), [
      false,
      true,
      true,
      true,
      false,
      false,
      true,
      false,
      true,
    ]);
  });
  void test('localitiesProblem', () => {
    assert.equal(localitiesProblem(['us-east', 'us-west/z1', 'us-west/z2/s1', 'us-west/z2/s2']), undefined);
    assert.equal(localitiesProblem(['*', 'a']), 'locality a overlap with previous specified ones');
    assert.equal(
      localitiesProblem(['a/*/b']),
      "locality a/*/b wildcard '*' number can not exceed 1 and must be in the end",
    );
    assert.equal(localitiesProblem(['a//b']), 'locality a//b must not contain empty region/zone/subzone info');
    assert.equal(localitiesProblem(['a/b/c', 'a/b/c']), 'locality a/b/c overlap with previous specified ones');
    assert.equal(localitiesProblem(['a/b/c/d']), undefined);
  });
});
