// DestinationRule rules: Istio's TestValidateDestinationRule cases (host, subsets, client TLS), exportTo and selector.
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { ClientTLSSettings, DestinationRuleSpec, Subset } from '../../../src/config/wire/destination-rule.ts';
import { validateDestinationRule } from '../../../src/validation/destination-rule.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly spec: DestinationRuleSpec;
  readonly namespace?: string;
  readonly expect: readonly ExpectedFinding[];
}

const v1v2: Subset[] = [
  { name: 'v1', labels: { version: 'v1' } },
  { name: 'v2', labels: { version: 'v2' } },
];

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () => {
      assertFindings(runRules(validateDestinationRule, c.spec, validationContext(c.namespace ?? 'default')), c.expect);
    });
  }
}

void describe('DestinationRule: host and subsets', () => {
  run([
    { name: 'simple destination rule', spec: { host: 'reviews', subsets: v1v2 }, expect: [] },
    { name: 'wildcard host', spec: { host: '*.example.com' }, expect: [] },
    { name: 'bare * host is accepted', spec: { host: '*' }, expect: [] },
    {
      name: 'missing host',
      spec: { host: '', subsets: v1v2 },
      expect: [['E', 'DR_HOST_INVALID', ['host'], 'empty domain name not allowed']],
    },
    {
      name: 'invalid host',
      spec: { host: 'foo.*.com' },
      expect: [['E', 'DR_HOST_INVALID', ['host'], 'domain name "*.com" invalid (label "*" invalid)']],
    },
    {
      name: 'missing subset name',
      spec: { host: 'reviews', subsets: [{ name: '', labels: { version: 'v1' } }, { name: 'v2' }] },
      expect: [['E', 'DR_SUBSET_NAME_INVALID', ['subsets', 0, 'name'], 'subset name cannot be empty']],
    },
    {
      name: 'subset name not a DNS label',
      spec: { host: 'reviews', subsets: [{ name: 'v1.0' }] },
      expect: [['E', 'DR_SUBSET_NAME_INVALID', ['subsets', 0, 'name'], 'subset name is invalid: v1.0']],
    },
    {
      name: 'duplicate subset names',
      spec: {
        host: 'reviews',
        subsets: [
          { name: 'foo', labels: { version: 'v1' } },
          { name: 'foo', labels: { version: 'v2' } },
        ],
      },
      expect: [['E', 'DR_SUBSET_DUPLICATE', ['subsets', 1, 'name'], 'duplicate subset names: foo']],
    },
    {
      name: 'bad subset labels',
      spec: { host: 'reviews', subsets: [{ name: 'v1', labels: { '-bad': 'x', ok: 'not ok' } }] },
      expect: [
        ['E', 'DR_SUBSET_LABEL_KEY_INVALID', ['subsets', 0, 'labels', '-bad'], 'invalid tag key: "-bad"'],
        ['E', 'DR_SUBSET_LABEL_VALUE_INVALID', ['subsets', 0, 'labels', 'ok'], 'invalid tag value: "not ok"'],
      ],
    },
    {
      name: 'null subset',
      spec: { host: 'reviews', subsets: [null as never] },
      expect: [['E', 'DR_SUBSET_NULL', ['subsets', 0], 'subset may not be null']],
    },
    {
      name: 'valid traffic policy at both levels',
      spec: {
        host: 'reviews',
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBIN' },
          connectionPool: { tcp: { maxConnections: 7 }, http: { http2MaxRequests: 11 } },
          outlierDetection: { minHealthPercent: 20 },
        },
        subsets: [
          {
            name: 'v1',
            labels: { version: 'v1' },
            trafficPolicy: { loadBalancer: { simple: 'RANDOM' }, outlierDetection: { minHealthPercent: 30 } },
          },
        ],
      },
      expect: [],
    },
    {
      name: 'invalid traffic policy at top level',
      spec: {
        host: 'reviews',
        trafficPolicy: {
          loadBalancer: { simple: 'ROUND_ROBIN' },
          connectionPool: {},
          outlierDetection: { minHealthPercent: 20 },
        },
      },
      expect: [
        ['E', 'DR_POOL_EMPTY', ['trafficPolicy', 'connectionPool'], 'connection pool must have at least one field'],
      ],
    },
    {
      name: 'invalid traffic policy at subset level',
      spec: {
        host: 'reviews',
        subsets: [{ name: 'v1', trafficPolicy: { outlierDetection: { maxEjectionPercent: 105 } } }],
      },
      expect: [
        [
          'E',
          'DR_OUTLIER_PERCENT_RANGE',
          ['subsets', 0, 'trafficPolicy', 'outlierDetection', 'maxEjectionPercent'],
          'percentage 105 is not in range 0..100',
        ],
      ],
    },
  ]);
});

void describe('DestinationRule: workloadSelector and exportTo', () => {
  run([
    {
      name: 'selector without labels warns',
      spec: { host: 'reviews', subsets: v1v2, workloadSelector: {} },
      expect: [['W', 'DR_SELECTOR_NO_LABELS', ['workloadSelector'], 'workload selector specified without labels']],
    },
    {
      name: 'selector with labels',
      spec: { host: 'reviews', workloadSelector: { matchLabels: { app: 'ratings' } } },
      expect: [],
    },
    {
      name: 'selector with empty key and wildcard',
      spec: { host: 'reviews', workloadSelector: { matchLabels: { '': 'x', app: 'rat*' } } },
      expect: [
        [
          'E',
          'DR_SELECTOR_EMPTY_KEY',
          ['workloadSelector', 'matchLabels', ''],
          'empty key is not supported in selector: "=x"',
        ],
        [
          'E',
          'DR_SELECTOR_WILDCARD',
          ['workloadSelector', 'matchLabels', 'app'],
          'wildcard is not supported in selector: "app=rat*"',
        ],
      ],
    },
    {
      name: 'selector with exportTo the own namespace',
      namespace: 'bookinfo',
      spec: { host: 'reviews', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['.'] },
      expect: [],
    },
    {
      name: 'selector with exportTo beyond the own namespace',
      namespace: 'bookinfo',
      spec: { host: 'reviews', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['other'] },
      expect: [
        [
          'E',
          'EXPORT_TO_DR_SELECTOR_BEYOND_NAMESPACE',
          ['exportTo'],
          'destination rule with workload selector cannot have exportTo beyond current namespace',
        ],
      ],
    },
    {
      name: 'selector with several exportTo entries',
      namespace: 'bookinfo',
      spec: { host: 'reviews', workloadSelector: { matchLabels: { app: 'a' } }, exportTo: ['bookinfo', 'other'] },
      expect: [['E', 'EXPORT_TO_DR_SELECTOR_MULTIPLE', ['exportTo'], 'cannot have multiple entries in exportTo']],
    },
    {
      name: 'exportTo ~ is not allowed',
      spec: { host: 'reviews', exportTo: ['~'] },
      expect: [
        [
          'E',
          'EXPORT_TO_NONE_NOT_ALLOWED',
          ['exportTo', 0],
          'exportTo ~ (none) is not allowed for Istio configuration objects',
        ],
      ],
    },
    {
      name: 'exportTo without selector may name other namespaces',
      spec: { host: 'reviews', exportTo: ['a', 'b'] },
      expect: [],
    },
  ]);
});

void describe('DestinationRule: client TLS (Istio InsecureSkipVerify cases and agent.ValidateTLS)', () => {
  const tls = (settings: ClientTLSSettings): DestinationRuleSpec => ({
    host: 'reviews',
    trafficPolicy: { tls: settings },
  });
  const T = ['trafficPolicy', 'tls'];
  const san = ['reviews.default.svc'];
  const skipSimple =
    'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true';
  const skipMutual = 'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true';
  run([
    {
      name: 'SIMPLE with caCertificates',
      spec: tls({ mode: 'SIMPLE', caCertificates: 'test', subjectAltNames: san }),
      expect: [],
    },
    {
      name: 'SIMPLE with credentialName',
      spec: tls({ mode: 'SIMPLE', credentialName: 'test', subjectAltNames: san }),
      expect: [],
    },
    {
      name: 'SIMPLE, skip false, caCertificates',
      spec: tls({ mode: 'SIMPLE', caCertificates: 'test', subjectAltNames: san, insecureSkipVerify: false }),
      expect: [],
    },
    { name: 'SIMPLE without any CA (system trust store)', spec: tls({ mode: 'SIMPLE' }), expect: [] },
    {
      name: 'SIMPLE, skip true, credentialName',
      spec: tls({ mode: 'SIMPLE', credentialName: 'test', insecureSkipVerify: true }),
      expect: [['E', 'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT', [...T, 'insecureSkipVerify'], skipSimple]],
    },
    {
      name: 'SIMPLE, skip true, caCertificates',
      spec: tls({ mode: 'SIMPLE', caCertificates: 'test', insecureSkipVerify: true }),
      expect: [['E', 'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT', [...T, 'insecureSkipVerify'], skipSimple]],
    },
    {
      name: 'SIMPLE, skip true, SANs',
      spec: tls({ mode: 'SIMPLE', subjectAltNames: san, insecureSkipVerify: true }),
      expect: [['E', 'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT', [...T, 'insecureSkipVerify'], skipSimple]],
    },
    { name: 'SIMPLE, skip true alone', spec: tls({ mode: 'SIMPLE', insecureSkipVerify: true }), expect: [] },
    {
      name: 'MUTUAL with files',
      spec: tls({
        mode: 'MUTUAL',
        caCertificates: 'test',
        privateKey: 'key',
        clientCertificate: 'cert',
        subjectAltNames: san,
      }),
      expect: [],
    },
    {
      name: 'MUTUAL with credentialName',
      spec: tls({ mode: 'MUTUAL', credentialName: 'test', subjectAltNames: san }),
      expect: [],
    },
    {
      name: 'MUTUAL, skip true, caCertificates',
      spec: tls({
        mode: 'MUTUAL',
        caCertificates: 'test',
        privateKey: 'key',
        clientCertificate: 'cert',
        insecureSkipVerify: true,
      }),
      expect: [['E', 'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT', [...T, 'insecureSkipVerify'], skipMutual]],
    },
    {
      name: 'MUTUAL, skip true, credentialName',
      spec: tls({ mode: 'MUTUAL', credentialName: 'test', insecureSkipVerify: true }),
      expect: [],
    },
    {
      name: 'MUTUAL, skip true, no CA',
      spec: tls({ mode: 'MUTUAL', privateKey: 'key', clientCertificate: 'cert', insecureSkipVerify: true }),
      expect: [],
    },
    {
      name: 'MUTUAL, skip true, SANs',
      spec: tls({
        mode: 'MUTUAL',
        privateKey: 'key',
        clientCertificate: 'cert',
        subjectAltNames: san,
        insecureSkipVerify: true,
      }),
      expect: [['E', 'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT', [...T, 'insecureSkipVerify'], skipMutual]],
    },
    {
      name: 'MUTUAL without certificate and key',
      spec: tls({ mode: 'MUTUAL' }),
      expect: [
        ['E', 'DR_TLS_CLIENT_CERT_REQUIRED', [...T, 'clientCertificate'], 'client certificate required for mutual tls'],
        ['E', 'DR_TLS_PRIVATE_KEY_REQUIRED', [...T, 'privateKey'], 'private key required for mutual tls'],
      ],
    },
    {
      name: 'credentialName together with files',
      spec: tls({ mode: 'SIMPLE', credentialName: 'test', caCrl: 'crl.pem' }),
      expect: [
        [
          'E',
          'DR_TLS_CREDENTIAL_WITH_FILES',
          [...T, 'credentialName'],
          'cannot specify client certificates or CA certificate or CA CRL If credentialName is set',
        ],
      ],
    },
    {
      name: 'ISTIO_MUTUAL extra fields are not rejected',
      spec: tls({ mode: 'ISTIO_MUTUAL', clientCertificate: 'x', sni: 'a.b' }),
      expect: [],
    },
    {
      name: 'configmap credential in the own namespace',
      namespace: 'ns1',
      spec: tls({ mode: 'SIMPLE', credentialName: 'configmap://ns1/ca' }),
      expect: [],
    },
    {
      name: 'configmap credential in another namespace',
      namespace: 'ns1',
      spec: tls({ mode: 'SIMPLE', credentialName: 'configmap://ns2/ca' }),
      expect: [
        [
          'E',
          'DR_TLS_CONFIGMAP_NAMESPACE',
          [...T, 'credentialName'],
          'invalid configmap:// credentialName: namespace must match the configuration namespace "ns1"',
        ],
      ],
    },
    {
      name: 'configmap credential without a name',
      spec: tls({ mode: 'SIMPLE', credentialName: 'configmap://ns1' }),
      expect: [
        [
          'E',
          'DR_TLS_CONFIGMAP_NAME_INVALID',
          [...T, 'credentialName'],
          'invalid resource name "configmap://ns1". Expected namespace and name',
        ],
      ],
    },
    {
      name: 'port-level TLS is checked too',
      spec: {
        host: 'reviews',
        trafficPolicy: {
          portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'MUTUAL', clientCertificate: 'c' } }],
        },
      },
      expect: [
        [
          'E',
          'DR_TLS_PRIVATE_KEY_REQUIRED',
          ['trafficPolicy', 'portLevelSettings', 0, 'tls', 'privateKey'],
          'private key required for mutual tls',
        ],
      ],
    },
  ]);
});

void describe('DestinationRule: istio.io egress examples are valid', () => {
  const examples: Record<string, string> = {
    'TLS origination on port 80': `
host: edition.cnn.com
trafficPolicy:
  portLevelSettings:
  - port: {number: 80}
    tls: {mode: SIMPLE}
`,
    'mutual TLS origination with files': `
host: my-nginx.mesh-external.svc.cluster.local
trafficPolicy:
  loadBalancer: {simple: ROUND_ROBIN}
  portLevelSettings:
  - port: {number: 443}
    tls:
      mode: MUTUAL
      clientCertificate: /etc/certs/client.crt
      privateKey: /etc/certs/client.key
      caCertificates: /etc/certs/ca.crt
      sni: my-nginx.mesh-external.svc.cluster.local
`,
    'egress gateway subsets and a circuit breaker': `
host: istio-egressgateway.istio-system.svc.cluster.local
subsets:
- name: cnn
trafficPolicy:
  connectionPool:
    tcp: {maxConnections: 1, connectTimeout: 30ms}
    http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
  outlierDetection:
    consecutive5xxErrors: 1
    interval: 1s
    baseEjectionTime: 3m
    maxEjectionPercent: 100
`,
  };
  for (const [name, yaml] of Object.entries(examples)) {
    void test(name, () => {
      assertFindings(runRules(validateDestinationRule, parse(yaml) as DestinationRuleSpec), []);
    });
  }
});
