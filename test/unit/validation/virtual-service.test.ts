// VirtualService top-level rules: Istio's TestValidateVirtualService and delegate cases, TLS/TCP routes, unused-rule warnings.
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import type { HTTPRoute, TCPRoute, TLSRoute, VirtualServiceSpec } from '../../../src/config/wire/virtual-service.ts';
import { validateVirtualService } from '../../../src/validation/virtual-service.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly spec: VirtualServiceSpec;
  readonly namespace?: string;
  readonly expect: readonly ExpectedFinding[];
}

const toBaz: HTTPRoute = { route: [{ destination: { host: 'foo.baz' } }] };
const tlsTo = (sniHosts: string[], port?: number): TLSRoute => ({
  match: [{ sniHosts, ...(port === undefined ? {} : { port }) }],
  route: [{ destination: { host: 'foo.baz' } }],
});

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () => {
      assertFindings(runRules(validateVirtualService, c.spec, validationContext(c.namespace ?? 'default')), c.expect);
    });
  }
}

void describe('VirtualService: Istio TestValidateVirtualService cases', () => {
  run([
    { name: 'simple', spec: { hosts: ['foo.bar'], http: [toBaz] }, expect: [] },
    {
      name: 'allow sni based domains on a gateway',
      spec: {
        hosts: ['outbound_.15010_._.istiod.istio-system.svc.cluster.local'],
        gateways: ['ns1/gateway'],
        tls: [tlsTo(['outbound_.15010_._.istiod.istio-system.svc.cluster.local'])],
      },
      expect: [],
    },
    {
      name: 'duplicate hosts',
      spec: { hosts: ['*.foo.bar', '*.bar'], http: [toBaz] },
      expect: [['E', 'VS_HOST_DUPLICATE', ['hosts', 1], 'duplicate hosts in virtual service: *.foo.bar & *.bar']],
    },
    {
      name: 'no destination',
      spec: { hosts: ['foo.bar'], http: [{ route: [{}] }] },
      expect: [['E', 'VS_DESTINATION_REQUIRED', ['http', 0, 'route', 0], 'destination is required']],
    },
    { name: 'delegate with no hosts', spec: { http: [toBaz] }, expect: [] },
    {
      name: 'bad host',
      spec: { hosts: ['foo.ba!r'], http: [toBaz] },
      expect: [['E', 'VS_HOST_INVALID', ['hosts', 0], 'domain name "ba!r" invalid (label "ba!r" invalid)']],
    },
    {
      name: 'no tcp or http routing',
      spec: { hosts: ['foo.bar'] },
      expect: [['E', 'VS_NO_ROUTES', [], 'http, tcp or tls must be provided in virtual service']],
    },
    {
      name: 'bad gateway',
      spec: { hosts: ['foo.bar'], gateways: ['b@dgateway'], http: [toBaz] },
      expect: [['E', 'VS_GATEWAY_INVALID', ['gateways', 0], 'domain name "b@dgateway" invalid']],
    },
    {
      name: 'FQDN for gateway is accepted with a warning',
      spec: { hosts: ['foo.bar'], gateways: ['gateway.example.com'], http: [toBaz] },
      expect: [
        ['W', 'VS_GATEWAY_LEGACY_FORMAT', ['gateways', 0], 'prefer the <namespace>/<name> format: "example/gateway"'],
      ],
    },
    {
      name: 'namespace/name for gateway',
      spec: { hosts: ['foo.bar'], gateways: ['ns1/gateway'], http: [toBaz] },
      expect: [],
    },
    {
      name: 'namespace/* for gateway',
      spec: { hosts: ['foo.bar'], gateways: ['ns1/*'], http: [toBaz] },
      expect: [['E', 'VS_GATEWAY_NAME_INVALID', ['gateways', 0], 'invalid value for gateway name: "*"']],
    },
    {
      name: '*/name for gateway',
      spec: { hosts: ['foo.bar'], gateways: ['*/gateway'], http: [toBaz] },
      expect: [['E', 'VS_GATEWAY_NAMESPACE_INVALID', ['gateways', 0], 'invalid value for namespace: "*"']],
    },
    {
      name: 'empty namespace in gateway',
      spec: { hosts: ['foo.bar'], gateways: ['/gateway'], http: [toBaz] },
      expect: [
        ['E', 'VS_GATEWAY_EMPTY_PART', ['gateways', 0], 'config namespace and gateway name cannot be empty'],
        ['E', 'VS_GATEWAY_NAMESPACE_INVALID', ['gateways', 0], 'invalid value for namespace: ""'],
      ],
    },
    {
      name: 'wildcard host for the mesh',
      spec: { hosts: ['*'], http: [toBaz] },
      expect: [
        [
          'E',
          'VS_HOST_WILDCARD_MESH',
          ['hosts', 0],
          'wildcard host * is not allowed for virtual services bound to the mesh gateway',
        ],
      ],
    },
    {
      name: 'wildcard host with mesh among the gateways',
      spec: { hosts: ['*'], gateways: ['mesh', 'ns1/gw'], http: [toBaz] },
      expect: [['E', 'VS_HOST_WILDCARD_MESH', ['hosts', 0], 'wildcard host *']],
    },
    {
      name: 'wildcard host for a gateway only',
      spec: { hosts: ['*'], gateways: ['somegateway'], http: [toBaz] },
      expect: [],
    },
    {
      name: 'missing tcp route',
      spec: { hosts: ['foo.bar'], tcp: [{ match: [{ port: 999 }] }] },
      expect: [['E', 'VS_TCP_ROUTE_REQUIRED', ['tcp', 0], 'TCP route is required']],
    },
    {
      name: 'missing tls route',
      spec: { hosts: ['foo.bar'], tls: [{ match: [{ port: 999, sniHosts: ['foo.bar'] }] }] },
      expect: [['E', 'VS_TLS_ROUTE_REQUIRED', ['tls', 0], 'TLS route is required']],
    },
    {
      name: 'deprecated mirrorPercent warns',
      spec: { hosts: ['foo.bar'], gateways: ['ns1/gateway'], http: [{ ...toBaz, mirrorPercent: 5 }] },
      expect: [
        ['W', 'VS_MIRROR_PERCENT_DEPRECATED', ['http', 0, 'mirrorPercent'], 'using deprecated setting "mirrorPercent"'],
      ],
    },
    {
      name: 'set authority in rewrite',
      spec: { hosts: ['foo.bar'], http: [{ ...toBaz, rewrite: { authority: 'bar' } }] },
      expect: [],
    },
    {
      name: 'set authority in a destination header',
      spec: {
        hosts: ['foo.bar'],
        http: [{ route: [{ destination: { host: 'foo.baz' }, headers: { request: { set: { host: 'bar' } } } }] }],
      },
      expect: [],
    },
    {
      name: 'set authority in rewrite and header',
      spec: {
        hosts: ['foo.bar'],
        http: [{ ...toBaz, rewrite: { authority: 'bar' }, headers: { request: { set: { ':authority': 'foo' } } } }],
      },
      expect: [
        [
          'E',
          'VS_AUTHORITY_SET_TWICE',
          ['http', 0, 'headers', 'request', 'set', ':authority'],
          'have "bar", attempting to set "foo"',
        ],
      ],
    },
    {
      name: 'jwt claim route for the mesh',
      spec: {
        hosts: ['foo.bar'],
        gateways: ['mesh'],
        http: [
          { ...toBaz, match: [{ uri: { prefix: '/' }, headers: { '@request.auth.claims.foo': { exact: 'bar' } } }] },
        ],
      },
      expect: [
        [
          'E',
          'VS_JWT_CLAIM_ROUTE_MESH',
          ['http', 0, 'match', 0, 'headers', '@request.auth.claims.foo'],
          'JWT claim based routing (key: @request.auth.claims.foo) is only supported for gateway, found no gateways: [mesh]',
        ],
      ],
    },
    {
      name: 'jwt claim route on a gateway',
      spec: {
        hosts: ['foo.bar'],
        gateways: ['ns/gw'],
        http: [{ ...toBaz, match: [{ withoutHeaders: { '@request.auth.claims[a][b]': { exact: 'x' } } }] }],
      },
      expect: [],
    },
    {
      name: 'ip address as sni host',
      spec: { hosts: ['foo.bar'], tls: [tlsTo(['1.1.1.1'], 999)] },
      expect: [
        [
          'W',
          'VS_SNI_HOST_IP',
          ['tls', 0, 'match', 0, 'sniHosts', 0],
          'using an IP address ("1.1.1.1") goes against SNI spec',
        ],
      ],
    },
    {
      name: 'invalid wildcard as sni host',
      spec: { hosts: ['foo.bar'], tls: [tlsTo(['foo.*.com'], 999)] },
      expect: [
        [
          'E',
          'VS_SNI_HOST_INVALID',
          ['tls', 0, 'match', 0, 'sniHosts', 0],
          'domain name "*.com" invalid (label "*" invalid)',
        ],
      ],
    },
    { name: 'ip hosts pass', spec: { hosts: ['10.0.0.1', 'foo.bar'], http: [toBaz] }, expect: [] },
    {
      name: 'exportTo follows the shared rules and rejects ~',
      spec: { hosts: ['foo.bar'], http: [toBaz], exportTo: ['~'] },
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
      name: 'exportTo . and *-free list',
      spec: { hosts: ['foo.bar'], http: [toBaz], exportTo: ['.', 'other'] },
      expect: [],
    },
    {
      name: 'null http route',
      spec: { hosts: ['foo.bar'], http: [null as unknown as HTTPRoute] },
      expect: [['E', 'VS_HTTP_ROUTE_NULL', ['http', 0], 'http route may not be null']],
    },
  ]);
});

void describe('VirtualService: delegates (Istio TestValidateChainingVirtualService)', () => {
  const delegateTo = { delegate: { name: 'test', namespace: 'test' } };
  run([
    {
      name: 'root on a gateway',
      spec: { hosts: ['foo.bar'], gateways: ['test-gateway'], http: [delegateTo] },
      expect: [],
    },
    { name: 'root for sidecars', spec: { hosts: ['foo.bar'], http: [delegateTo] }, expect: [] },
    {
      name: 'root with delegate and route',
      spec: { hosts: ['foo.bar'], http: [{ ...delegateTo, ...toBaz }] },
      expect: [['E', 'VS_ROOT_ROUTE_WITH_ROUTE', ['http', 0, 'route'], 'root HTTP route must not specify route']],
    },
    {
      name: 'named root with delegate and redirect',
      spec: { hosts: ['foo.bar'], http: [{ name: 'r1', ...delegateTo, redirect: { uri: '/x' } }] },
      expect: [
        ['E', 'VS_ROOT_ROUTE_WITH_REDIRECT', ['http', 0, 'redirect'], 'root HTTP route r1 must not specify redirect'],
      ],
    },
    {
      name: 'delegate route without action',
      spec: { hosts: [], http: [{}] },
      expect: [['E', 'VS_HTTP_ACTION_REQUIRED', ['http', 0], 'HTTP route, redirect or direct_response is required']],
    },
    {
      name: 'delegate with delegate',
      spec: { hosts: [], http: [delegateTo] },
      expect: [
        [
          'E',
          'VS_DELEGATE_ROUTE_WITH_DELEGATE',
          ['http', 0, 'delegate'],
          'delegate HTTP route cannot contain delegate',
        ],
        ['E', 'VS_HTTP_ACTION_REQUIRED', ['http', 0], 'HTTP route, redirect or direct_response is required'],
      ],
    },
    {
      name: 'delegate with tcp route',
      spec: { hosts: [], tcp: [{ route: [{ destination: { host: 'foo.baz' } }] }] },
      expect: [['E', 'VS_DELEGATE_WITH_TCP', ['tcp'], 'delegate virtual service must have no tcp route specified']],
    },
    {
      name: 'delegate with tls route',
      spec: { tls: [tlsTo(['foo.bar'])] },
      expect: [
        ['E', 'VS_DELEGATE_WITH_TLS', ['tls'], 'delegate virtual service must have no tls route specified'],
        [
          'E',
          'VS_SNI_HOST_NOT_IN_HOSTS',
          ['tls', 0, 'match', 0, 'sniHosts', 0],
          'is not a compatible subset of any of the virtual service hosts: []',
        ],
      ],
    },
    {
      name: 'delegate with gateway',
      spec: { hosts: [], gateways: ['test'], http: [toBaz] },
      expect: [
        ['E', 'VS_DELEGATE_WITH_GATEWAYS', ['gateways'], 'delegate virtual service must have no gateways specified'],
      ],
    },
    {
      name: 'delegate with sourceNamespace',
      spec: { hosts: [], http: [{ ...toBaz, match: [{ sourceNamespace: 'test' }] }] },
      expect: [],
    },
  ]);
});

void describe('VirtualService: TLS routes', () => {
  const base = (tls: TLSRoute[], hosts = ['*.example.com']): VirtualServiceSpec => ({ hosts, tls });
  run([
    { name: 'sni host inside a wildcard host', spec: base([tlsTo(['api.example.com'])]), expect: [] },
    { name: 'narrower wildcard sni host', spec: base([tlsTo(['*.api.example.com'])]), expect: [] },
    {
      name: 'sni host outside every host',
      spec: base([tlsTo(['example.org'])]),
      expect: [
        [
          'E',
          'VS_SNI_HOST_NOT_IN_HOSTS',
          ['tls', 0, 'match', 0, 'sniHosts', 0],
          'SNI host "example.org" is not a compatible subset of any of the virtual service hosts: [*.example.com]',
        ],
      ],
    },
    {
      name: 'wider wildcard than the host',
      spec: base([tlsTo(['*.com'])]),
      expect: [['E', 'VS_SNI_HOST_NOT_IN_HOSTS', ['tls', 0, 'match', 0, 'sniHosts', 0], 'SNI host "*.com"']],
    },
    {
      name: 'no match',
      spec: base([{ route: [{ destination: { host: 'foo.baz' } }] }]),
      expect: [['E', 'VS_TLS_MATCH_REQUIRED', ['tls', 0], 'TLS route must have at least one match condition']],
    },
    {
      name: 'null match',
      spec: base([{ match: [null as never], route: [{ destination: { host: 'foo.baz' } }] }]),
      expect: [['E', 'VS_TLS_MATCH_NULL', ['tls', 0, 'match', 0], 'TLS match may not be null']],
    },
    {
      name: 'match without sni hosts',
      spec: base([{ match: [{ port: 443 }], route: [{ destination: { host: 'foo.baz' } }] }]),
      expect: [['E', 'VS_TLS_SNI_HOSTS_REQUIRED', ['tls', 0, 'match', 0], 'TLS match must have at least one SNI host']],
    },
    {
      name: 'bad subnet, port, source labels and gateway',
      spec: base([
        {
          match: [
            {
              sniHosts: ['a.example.com'],
              destinationSubnets: ['10.0.0.0/33', '1.2.3.4'],
              port: 70000,
              sourceLabels: { 'a b': 'x' },
              gateways: ['ns/*'],
            },
          ],
          route: [{ destination: { host: 'foo.baz' } }],
        },
      ]),
      expect: [
        [
          'E',
          'VS_DESTINATION_SUBNET_INVALID',
          ['tls', 0, 'match', 0, 'destinationSubnets', 0],
          '10.0.0.0/33 is not a valid CIDR block',
        ],
        [
          'E',
          'VS_MATCH_PORT_INVALID',
          ['tls', 0, 'match', 0, 'port'],
          'port number 70000 must be in the range 1..65535',
        ],
        ['E', 'VS_SOURCE_LABEL_KEY_INVALID', ['tls', 0, 'match', 0, 'sourceLabels', 'a b'], 'invalid tag key: "a b"'],
        ['E', 'VS_GATEWAY_NAME_INVALID', ['tls', 0, 'match', 0, 'gateways', 0], 'invalid value for gateway name: "*"'],
      ],
    },
    {
      name: 'route destination with a bad host',
      spec: base([{ match: [{ sniHosts: ['a.example.com'] }], route: [{ destination: { host: 'default/baz' } }] }]),
      expect: [
        [
          'E',
          'VS_DESTINATION_HOST_INVALID',
          ['tls', 0, 'route', 0, 'destination', 'host'],
          'domain name "default/baz" invalid',
        ],
      ],
    },
    {
      name: 'auto SNI name is not accepted for the mesh in hosts',
      spec: { hosts: ['outbound_.80_._.foo.com'], gateways: ['mesh'], http: [toBaz] },
      expect: [['E', 'VS_HOST_INVALID', ['hosts', 0], 'domain name "outbound_.80_._.foo.com" invalid']],
    },
    {
      name: 'malformed auto SNI name on a gateway',
      spec: { hosts: ['outbound_.x_._.foo.com'], gateways: ['ns/gw'], tls: [tlsTo(['outbound_.x_._.foo.com'])] },
      expect: [
        [
          'E',
          'VS_HOST_INVALID',
          ['hosts', 0],
          'domain name "outbound_.x_._.foo.com" invalid (label "x" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format',
        ],
        ['E', 'VS_SNI_HOST_INVALID', ['tls', 0, 'match', 0, 'sniHosts', 0], '(label "x" invalid)'],
      ],
    },
  ]);
});

void describe('VirtualService: TCP routes', () => {
  const base = (tcp: TCPRoute[]): VirtualServiceSpec => ({ hosts: ['db.example.com'], tcp });
  const to = { route: [{ destination: { host: 'db.example.com', port: { number: 5432 } } }] };
  run([
    {
      name: 'match by subnet and port',
      spec: base([{ match: [{ destinationSubnets: ['10.0.0.0/8'], port: 5432 }], ...to }]),
      expect: [],
    },
    { name: 'no match at all', spec: base([to]), expect: [] },
    {
      name: 'null match',
      spec: base([{ match: [null as never], ...to }]),
      expect: [['E', 'VS_TCP_MATCH_NULL', ['tcp', 0, 'match', 0], 'tcp match may not be nil']],
    },
    {
      name: 'bad subnet and gateway',
      spec: base([{ match: [{ destinationSubnets: ['10.0.0.300'], gateways: ['gw.ns'] }], ...to }]),
      expect: [
        [
          'E',
          'VS_DESTINATION_SUBNET_INVALID',
          ['tcp', 0, 'match', 0, 'destinationSubnets', 0],
          '10.0.0.300 is not a valid IP',
        ],
        [
          'W',
          'VS_GATEWAY_LEGACY_FORMAT',
          ['tcp', 0, 'match', 0, 'gateways', 0],
          'using legacy gatewayName format "gw.ns"',
        ],
      ],
    },
    {
      name: 'all weights zero',
      spec: base([
        {
          route: [
            { destination: { host: 'a.example.com' }, weight: 0 },
            { destination: { host: 'b.example.com' }, weight: 0 },
          ],
        },
      ]),
      expect: [['E', 'VS_TOTAL_WEIGHT_ZERO', ['tcp', 0, 'route'], 'total destination weight = 0']],
    },
  ]);
});

void describe('VirtualService: unreachable rules and ineffective matches', () => {
  const prefix = (p: string, extra: object = {}) => ({ uri: { prefix: p }, ...extra });
  run([
    {
      name: 'rule after a catch-all',
      spec: { hosts: ['foo.bar'], http: [toBaz, { ...toBaz, match: [prefix('/a')] }] },
      expect: [
        [
          'W',
          'VS_UNREACHABLE_RULE',
          ['http', 1],
          'virtualService rule #1 not used (route without matches defined before)',
        ],
      ],
    },
    {
      name: 'two catch-alls',
      spec: { hosts: ['foo.bar'], http: [toBaz, { ...toBaz, name: 'second' }] },
      expect: [
        [
          'W',
          'VS_UNREACHABLE_RULE',
          ['http', 1],
          'virtualService rule "second" not used (only the last rule can have no matches)',
        ],
      ],
    },
    {
      name: 'all matches used before (names ignored)',
      spec: {
        hosts: ['foo.bar'],
        http: [
          { ...toBaz, match: [{ name: 'x', ...prefix('/a') }] },
          { ...toBaz, match: [{ name: 'y', ...prefix('/a') }] },
        ],
      },
      expect: [
        [
          'W',
          'VS_INEFFECTIVE_MATCH',
          ['http', 1, 'match', 0],
          'virtualService rule #1 match "y" is not used (duplicate/overlapping match in rule #0)',
        ],
        ['W', 'VS_UNREACHABLE_RULE', ['http', 1], 'virtualService rule #1 not used (all matches used by prior rules)'],
      ],
    },
    {
      name: 'prefix covered by an earlier prefix (no method counts as GET)',
      spec: {
        hosts: ['foo.bar'],
        http: [
          { ...toBaz, match: [prefix('/api/v1/product'), prefix('/api/v1/products', { method: { exact: 'GET' } })] },
        ],
      },
      expect: [
        [
          'W',
          'VS_INEFFECTIVE_MATCH',
          ['http', 0, 'match', 1],
          'virtualService rule #0 match #1 of prefix /api/v1/products is not used (duplicate/overlapping match in rule #0 of prefix /api/v1/product on #0)',
        ],
      ],
    },
    {
      name: 'prefix then exact is not compared',
      spec: {
        hosts: ['foo.bar'],
        http: [{ ...toBaz, match: [prefix('/'), { uri: { exact: '/' }, method: { exact: 'GET' } }] }],
      },
      expect: [],
    },
    {
      name: 'different headers are not covered',
      spec: {
        hosts: ['foo.bar'],
        http: [{ ...toBaz, match: [prefix('/a'), prefix('/ab', { headers: { x: { exact: '1' } } })] }],
      },
      expect: [],
    },
    {
      name: 'duplicate tcp match',
      spec: {
        hosts: ['foo.bar'],
        tcp: [
          { match: [{ port: 1 }], route: [{ destination: { host: 'a.b' } }] },
          { match: [{ port: 1 }], route: [{ destination: { host: 'a.b' } }] },
        ],
      },
      expect: [
        [
          'W',
          'VS_INEFFECTIVE_MATCH',
          ['tcp', 1, 'match', 0],
          'virtualService rule #1 match #0 is not used (duplicate/overlapping match in rule #0)',
        ],
        ['W', 'VS_UNREACHABLE_RULE', ['tcp', 1], 'virtualService rule #1 not used (all matches used by prior rules)'],
      ],
    },
    {
      name: 'tls rule after a catch-all',
      spec: { hosts: ['*.b'], tls: [{ route: [{ destination: { host: 'a.b' } }] }, tlsTo(['a.b'])] },
      expect: [
        ['E', 'VS_TLS_MATCH_REQUIRED', ['tls', 0], 'TLS route must have at least one match condition'],
        [
          'W',
          'VS_UNREACHABLE_RULE',
          ['tls', 1],
          'virtualService rule #1 not used (route without matches defined before)',
        ],
      ],
    },
  ]);
});

void describe('VirtualService: the seed', () => {
  void test('examples/seed/httpbin-virtual-service.yaml has no findings', () => {
    const doc = parse(
      readFileSync(new URL('../../../examples/seed/httpbin-virtual-service.yaml', import.meta.url), 'utf8'),
    ) as {
      metadata: { namespace: string };
      spec: VirtualServiceSpec;
    };
    assertFindings(runRules(validateVirtualService, doc.spec, validationContext(doc.metadata.namespace)), []);
  });
});

void describe('VirtualService: istio.io egress examples are valid', () => {
  const examples: Record<string, string> = {
    'timeout for httpbin.org': `
hosts: [httpbin.org]
http:
- timeout: 3s
  route:
  - destination: {host: httpbin.org}
    weight: 100
`,
    'TLS origination: port 80 to 443': `
hosts: [edition.cnn.com]
http:
- match:
  - port: 80
  route:
  - destination:
      host: edition.cnn.com
      port: {number: 443}
`,
    'egress gateway for HTTP': `
hosts: [edition.cnn.com]
gateways: [istio-egressgateway, mesh]
http:
- match:
  - gateways: [mesh]
    port: 80
  route:
  - destination:
      host: istio-egressgateway.istio-system.svc.cluster.local
      subset: cnn
      port: {number: 80}
    weight: 100
- match:
  - gateways: [istio-egressgateway]
    port: 80
  route:
  - destination:
      host: edition.cnn.com
      port: {number: 80}
    weight: 100
`,
    'SNI routing through an egress gateway': `
hosts: ["*.wikipedia.org"]
gateways: [mesh, istio-egressgateway]
tls:
- match:
  - gateways: [mesh]
    port: 443
    sniHosts: ["*.wikipedia.org"]
  route:
  - destination:
      host: istio-egressgateway.istio-system.svc.cluster.local
      subset: wikipedia
      port: {number: 443}
- match:
  - gateways: [istio-egressgateway]
    port: 443
    sniHosts: ["*.wikipedia.org"]
  route:
  - destination:
      host: www.wikipedia.org
      port: {number: 443}
`,
  };
  for (const [name, yaml] of Object.entries(examples)) {
    void test(name, () => {
      assertFindings(runRules(validateVirtualService, parse(yaml) as VirtualServiceSpec, validationContext('foo')), []);
    });
  }
});
