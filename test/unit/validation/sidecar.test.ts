// Sidecar rules: the 74 cases of Istio's TestValidateSidecar (namespace "bar"), each with the exact findings.
import { describe, test } from 'node:test';
import type { IstioEgressListener, IstioIngressListener, SidecarSpec } from '../../../src/config/wire/sidecar.ts';
import { validateSidecar } from '../../../src/validation/sidecar.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

type Case = readonly [name: string, spec: SidecarSpec, expect: readonly ExpectedFinding[]];

const all: IstioEgressListener[] = [{ hosts: ['*/*'] }];
const egress = (...hosts: string[]): SidecarSpec => ({ egress: [{ hosts }] });
const httpPort = { protocol: 'http', number: 90, name: 'foo' };
const ingress = (listener: IstioIngressListener, withEgress = true): SidecarSpec =>
  withEgress ? { ingress: [listener], egress: all } : { ingress: [listener] };
const pool = {
  http: { http1MaxPendingRequests: 1024, http2MaxRequests: 1024, maxRequestsPerConnection: 1024, maxRetries: 1024 },
};
const tlsOnTcp = (tls: Record<string, unknown>, endpoint = '127.0.0.1:9999'): SidecarSpec => ({
  ingress: [
    { port: { protocol: 'tcp', number: 90, name: 'foo' }, defaultEndpoint: endpoint, tls: { mode: 'SIMPLE', ...tls } },
  ],
});
const uds = (bind: string, extra: Partial<IstioEgressListener> = {}): IstioEgressListener => ({
  port: { protocol: 'http', number: 0, name: 'uds' },
  hosts: ['ns1/bar.com'],
  bind,
  ...extra,
});
const I0 = ['ingress', 0];
const E0 = ['egress', 0];
const simpleCertMissing: readonly ExpectedFinding[] = [
  ['E', 'SC_INGRESS_TLS_PROTOCOL', [...I0, 'tls'], 'server cannot have TLS settings for non HTTPS/TLS ports'],
  [
    'E',
    'SC_INGRESS_TLS_CERT_REQUIRED',
    [...I0, 'tls', 'serverCertificate'],
    'SIMPLE TLS requires a server certificate',
  ],
  ['E', 'SC_INGRESS_TLS_KEY_REQUIRED', [...I0, 'tls', 'privateKey'], 'SIMPLE TLS requires a private key'],
];
const badEndpointForm = 'defaultEndpoint must be of form 127.0.0.1:<port>';

const istioCases: readonly Case[] = [
  ['empty ingress and egress', {}, [['E', 'SC_EMPTY', [], 'sidecar: empty configuration provided']]],
  ['default', egress('*/*'), []],
  [
    'workload selector without labels',
    { egress: all, workloadSelector: {} },
    [
      [
        'W',
        'SELECTOR_NO_LABELS',
        ['workloadSelector'],
        'sidecar: workload selector specified without labels, will be applied to all services in namespace',
      ],
    ],
  ],
  ['import local namespace with wildcard', egress('./*'), []],
  ['import local namespace with fqdn', egress('./foo.com'), []],
  ['import nothing', egress('~/*'), []],
  ['import all except a namespace', egress('*/*', '~ns1/*'), []],
  ['import all except an exact host', egress('*/*', '~/foo.com'), []],
  [
    'exclude with invalid namespace',
    egress('*/*', '~Invalid_NS/*'),
    [
      [
        'E',
        'SC_EGRESS_HOST_NAMESPACE_INVALID',
        [...E0, 'hosts', 1],
        'invalid namespace value "~Invalid_NS" in sidecar',
      ],
    ],
  ],
  [
    'bad egress host 1',
    egress('*'),
    [['E', 'SC_EGRESS_HOST_FORMAT', [...E0, 'hosts', 0], 'host must be of form namespace/dnsName']],
  ],
  [
    'bad egress host 2',
    egress('/'),
    [
      [
        'E',
        'SC_EGRESS_HOST_EMPTY_PART',
        [...E0, 'hosts', 0],
        'config namespace and dnsName in host entry cannot be empty',
      ],
    ],
  ],
  [
    'empty egress host',
    egress(),
    [['E', 'SC_EGRESS_HOSTS_REQUIRED', [...E0, 'hosts'], 'sidecar: egress listener must contain at least one host']],
  ],
  [
    'multiple wildcard egress',
    { egress: [{ hosts: ['*/foo.com'] }, { hosts: ['ns1/bar.com'] }] },
    [
      [
        'E',
        'SC_EGRESS_CATCH_ALL_NOT_LAST',
        E0,
        'the egress listener with empty port should be the last listener in the list',
      ],
    ],
  ],
  [
    'wildcard egress not in end',
    {
      egress: [
        { hosts: ['*/foo.com'] },
        { port: { protocol: 'http', number: 8080, name: 'h8080' }, hosts: ['ns1/bar.com'] },
      ],
    },
    [['E', 'SC_EGRESS_CATCH_ALL_NOT_LAST', E0, 'should be the last listener']],
  ],
  [
    'invalid Port',
    { egress: [{ port: { protocol: 'http1', number: 1000000, name: '' }, hosts: ['ns1/bar.com'] }] },
    [
      ['E', 'SC_PORT_PROTOCOL_INVALID', [...E0, 'port', 'protocol'], 'unsupported protocol: http1'],
      ['E', 'SC_PORT_NUMBER_INVALID', [...E0, 'port', 'number'], 'port number 1000000 must be in the range 1..65535'],
    ],
  ],
  ['Port without name', { egress: [{ port: { protocol: 'http', number: 8080 }, hosts: ['ns1/bar.com'] }] }, []],
  ['UDS bind in outbound', { egress: [uds('unix:///@foo/bar/com')] }, []],
  [
    'UDS bind in inbound',
    {
      ingress: [
        {
          port: { protocol: 'http', number: 0, name: 'uds' },
          bind: 'unix:///@foo/bar/com',
          defaultEndpoint: '127.0.0.1:9999',
        },
      ],
    },
    [
      ['E', 'SC_PORT_NUMBER_INVALID', [...I0, 'port', 'number'], 'port number 0 must be in the range 1..65535'],
      ['E', 'SC_BIND_INVALID', [...I0, 'bind'], 'unix:///@foo/bar/com is not a valid IP'],
    ],
  ],
  ['UDS bind in outbound 2', { egress: [uds('unix:///foo/bar/com')] }, []],
  [
    'invalid bind',
    { egress: [uds('foobar:///@foo/bar/com')] },
    [
      [
        'E',
        'SC_UDS_BIND_REQUIRED',
        [...E0, 'bind'],
        'sidecar: ports with 0 value must have a unix domain socket bind address',
      ],
    ],
  ],
  [
    'invalid capture mode with uds bind',
    { egress: [uds('unix:///@foo/bar/com', { captureMode: 'IPTABLES' })] },
    [
      [
        'E',
        'SC_UDS_CAPTURE_MODE',
        [...E0, 'captureMode'],
        'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners',
      ],
    ],
  ],
  [
    'duplicate UDS bind',
    { egress: [uds('unix:///@foo/bar/com'), uds('unix:///@foo/bar/com')] },
    [
      [
        'E',
        'SC_UDS_DUPLICATE',
        ['egress', 1, 'bind'],
        'sidecar: unix domain socket values for listeners must be unique',
      ],
    ],
  ],
  [
    'duplicate ports',
    {
      egress: [
        { port: { protocol: 'http', number: 90, name: 'foo' }, hosts: ['ns1/bar.com'] },
        { port: { protocol: 'tcp', number: 90, name: 'tcp' }, hosts: ['ns2/bar.com'] },
      ],
    },
    [
      [
        'E',
        'SC_PORT_DUPLICATE',
        ['egress', 1, 'port', 'number'],
        'sidecar: ports on IP bound listeners must be unique',
      ],
    ],
  ],
  [
    'ingress without port',
    ingress({ defaultEndpoint: '127.0.0.1:110' }),
    [['E', 'SC_INGRESS_PORT_REQUIRED', I0, 'sidecar: port is required for ingress listeners']],
  ],
  [
    'ingress without port and with IPv6 endpoint',
    ingress({ defaultEndpoint: '[::1]:110' }),
    [['E', 'SC_INGRESS_PORT_REQUIRED', I0, 'port is required']],
  ],
  ...['127.0.0.1:110', '[::1]:110'].map((endpoint): Case => [
    `ingress with duplicate ports (${endpoint})`,
    {
      ingress: [
        { port: httpPort, defaultEndpoint: endpoint },
        { port: { protocol: 'tcp', number: 90, name: 'bar' }, defaultEndpoint: endpoint },
      ],
      egress: all,
    },
    [['E', 'SC_PORT_DUPLICATE', ['ingress', 1, 'port', 'number'], 'ports on IP bound listeners must be unique']],
  ]),
  ['ingress without default endpoint', ingress({ port: httpPort }), []],
  [
    'ingress with invalid default endpoint in IPv4',
    ingress({ port: httpPort, defaultEndpoint: '1.1.1.1:90' }, false),
    [['E', 'SC_DEFAULT_ENDPOINT_INVALID', [...I0, 'defaultEndpoint'], badEndpointForm]],
  ],
  [
    'ingress with invalid default endpoint in IPv6',
    ingress({ port: httpPort, defaultEndpoint: '[1:1:1:1:1:1:1:1]:90' }, false),
    [['E', 'SC_DEFAULT_ENDPOINT_INVALID', [...I0, 'defaultEndpoint'], badEndpointForm]],
  ],
  [
    'ingress with invalid default endpoint uds',
    ingress({ port: httpPort, defaultEndpoint: 'unix:///' }),
    [['E', 'SC_DEFAULT_ENDPOINT_INVALID', [...I0, 'defaultEndpoint'], '/ is not an absolute path to a file']],
  ],
  [
    'ingress with invalid default endpoint port in IPv4',
    ingress({ port: httpPort, defaultEndpoint: '127.0.0.1:hi' }),
    [
      [
        'E',
        'SC_DEFAULT_ENDPOINT_INVALID',
        [...I0, 'defaultEndpoint'],
        'sidecar: defaultEndpoint port (hi) is not a number',
      ],
    ],
  ],
  [
    'ingress with invalid default endpoint port in IPv6',
    ingress({ port: httpPort, defaultEndpoint: '[::1]:hi' }),
    [['E', 'SC_DEFAULT_ENDPOINT_INVALID', [...I0, 'defaultEndpoint'], 'defaultEndpoint port (hi) is not a number']],
  ],
  ['valid ingress and egress in IPv4', ingress({ port: httpPort, defaultEndpoint: '127.0.0.1:9999' }), []],
  ['valid ingress and egress in IPv6', ingress({ port: httpPort, defaultEndpoint: '[::1]:9999' }), []],
  ['valid ingress and empty egress in IPv4', ingress({ port: httpPort, defaultEndpoint: '127.0.0.1:9999' }, false), []],
  ['valid ingress and empty egress in IPv6', ingress({ port: httpPort, defaultEndpoint: '[::1]:9999' }, false), []],
  ['empty', {}, [['E', 'SC_EMPTY', [], 'empty configuration provided']]],
  ['just outbound traffic policy', { outboundTrafficPolicy: { mode: 'ALLOW_ANY' } }, []],
  ['empty protocol in IPv4', ingress({ port: { number: 90, name: 'foo' }, defaultEndpoint: '127.0.0.1:9999' }), []],
  ['empty protocol in IPv6', ingress({ port: { number: 90, name: 'foo' }, defaultEndpoint: '[::1]:9999' }), []],
  [
    'ALLOW_ANY sidecar egress policy with no egress proxy',
    { outboundTrafficPolicy: { mode: 'ALLOW_ANY' }, egress: all },
    [],
  ],
  [
    'sidecar egress proxy with REGISTRY_ONLY (default)',
    {
      outboundTrafficPolicy: { egressProxy: { host: 'foo.bar', subset: 'shiny', port: { number: 5000 } } },
      egress: all,
    },
    [
      [
        'E',
        'SC_EGRESS_PROXY_MODE',
        ['outboundTrafficPolicy', 'egressProxy'],
        'sidecar: egress_proxy must be set only with ALLOW_ANY outbound_traffic_policy mode',
      ],
    ],
  ],
  [
    'sidecar egress proxy with ALLOW_ANY',
    {
      outboundTrafficPolicy: {
        mode: 'ALLOW_ANY',
        egressProxy: { host: 'foo.bar', subset: 'shiny', port: { number: 5000 } },
      },
      egress: all,
    },
    [],
  ],
  [
    'sidecar egress proxy with ALLOW_ANY, service hostname invalid fqdn',
    {
      outboundTrafficPolicy: {
        mode: 'ALLOW_ANY',
        egressProxy: { host: 'foobar*123', subset: 'shiny', port: { number: 5000 } },
      },
      egress: all,
    },
    [
      [
        'E',
        'SC_EGRESS_PROXY_HOST',
        ['outboundTrafficPolicy', 'egressProxy', 'host'],
        'domain name "foobar*123" invalid (label "foobar*123" invalid)',
      ],
    ],
  ],
  [
    'sidecar egress proxy (without Port) with ALLOW_ANY',
    { outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy: { host: 'foo.bar', subset: 'shiny' } }, egress: all },
    [
      [
        'E',
        'SC_EGRESS_PROXY_PORT_REQUIRED',
        ['outboundTrafficPolicy', 'egressProxy'],
        'sidecar: egress_proxy port must be non-nil',
      ],
    ],
  ],
  [
    'ALLOW_ANY_DYNAMIC_DNS rejected in sidecar',
    { outboundTrafficPolicy: { mode: 'ALLOW_ANY_DYNAMIC_DNS' }, egress: all },
    [
      [
        'E',
        'SC_OUTBOUND_MODE_MESH_ONLY',
        ['outboundTrafficPolicy', 'mode'],
        'sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only supported in MeshConfig, not in Sidecar resource',
      ],
    ],
  ],
  [
    'sidecar egress only one wildcarded',
    egress('*/*', 'test/a.com'),
    [
      [
        'W',
        'SC_EGRESS_HOST_ALL_MIXED',
        [...E0, 'hosts'],
        '`*/*` host select all resources, no other hosts can be added',
      ],
    ],
  ],
  ['sidecar egress wildcarded ns', egress('*/b.com', 'test/a.com'), []],
  [
    'sidecar egress duplicated with wildcarded same namespace',
    egress('test/*', 'test/a.com'),
    [['W', 'SC_EGRESS_HOST_DUPLICATE', [...E0, 'hosts', 1], 'duplicated egress host: test/a.com']],
  ],
  [
    'invalid partial wildcard',
    egress('test/*a.com'),
    [['E', 'SC_EGRESS_HOST_PARTIAL_WILDCARD', [...E0, 'hosts', 0], 'partial wildcard "*a.com" not allowed']],
  ],
  [
    'sidecar egress duplicated with wildcarded same namespace .',
    egress('./*', 'bar/a.com'),
    [['W', 'SC_EGRESS_HOST_DUPLICATE', [...E0, 'hosts', 1], 'duplicated egress host: bar/a.com']],
  ],
  ...['127.0.0.1:9999', '[::1]:9999'].flatMap((endpoint): Case[] => [
    ...(['ISTIO_MUTUAL', 'AUTO_PASSTHROUGH'] as const).map((mode): Case => [
      `ingress tls mode set to ${mode} (${endpoint})`,
      { ingress: [{ port: httpPort, defaultEndpoint: endpoint, tls: { mode } }] },
      [
        [
          'E',
          'SC_INGRESS_TLS_MODE',
          [...I0, 'tls', 'mode'],
          `configuration is invalid: cannot set mode to ${mode} in sidecar ingress tls`,
        ],
        ['E', 'SC_INGRESS_TLS_PROTOCOL', [...I0, 'tls'], 'server cannot have TLS settings for non HTTPS/TLS ports'],
      ],
    ]),
    [`ingress tls invalid protocol (${endpoint})`, tlsOnTcp({}, endpoint), simpleCertMissing],
    [
      `ingress tls httpsRedirect is not supported (${endpoint})`,
      tlsOnTcp({ httpsRedirect: true }, endpoint),
      [
        ...simpleCertMissing,
        [
          'E',
          'SC_INGRESS_TLS_HTTPS_REDIRECT',
          [...I0, 'tls', 'httpsRedirect'],
          'sidecar: httpsRedirect is not supported',
        ],
      ],
    ],
    [
      `ingress tls SAN entries are not supported (${endpoint})`,
      tlsOnTcp({ subjectAltNames: ['httpbin.com'] }, endpoint),
      [
        ...simpleCertMissing,
        [
          'E',
          'SC_INGRESS_TLS_SANS',
          [...I0, 'tls', 'subjectAltNames'],
          'sidecar: subjectAltNames is not supported in ingress tls',
        ],
      ],
    ],
    [
      `ingress tls credentialName is not supported (${endpoint})`,
      tlsOnTcp({ credentialName: 'secret-name' }, endpoint),
      [
        ['E', 'SC_INGRESS_TLS_PROTOCOL', [...I0, 'tls'], 'non HTTPS/TLS ports'],
        [
          'E',
          'SC_INGRESS_TLS_CREDENTIAL_NAME',
          [...I0, 'tls', 'credentialName'],
          'sidecar: credentialName is not currently supported',
        ],
      ],
    ],
    [
      `ingress tls credentialNames is not supported (${endpoint})`,
      tlsOnTcp({ credentialNames: ['secret-name'] }, endpoint),
      [
        ['E', 'SC_INGRESS_TLS_PROTOCOL', [...I0, 'tls'], 'non HTTPS/TLS ports'],
        [
          'E',
          'SC_INGRESS_TLS_CREDENTIAL_NAMES',
          [...I0, 'tls', 'credentialNames'],
          'sidecar: credentialNames is not currently supported',
        ],
      ],
    ],
    [
      `ingress tls tlsCertificates is not supported (${endpoint})`,
      tlsOnTcp(
        {
          tlsCertificates: [
            { serverCertificate: '/etc/istio/ingress-certs/tls.crt', privateKey: '/etc/istio/ingress-certs/tls.key' },
            { serverCertificate: '/etc/istio/ingress-certs/tls2.crt', privateKey: '/etc/istio/ingress-certs/tls2.key' },
          ],
        },
        endpoint,
      ),
      [
        ['E', 'SC_INGRESS_TLS_PROTOCOL', [...I0, 'tls'], 'non HTTPS/TLS ports'],
        [
          'E',
          'SC_INGRESS_TLS_CERTIFICATES',
          [...I0, 'tls', 'tlsCertificates'],
          'sidecar: tls_certificates is not currently supported',
        ],
      ],
    ],
  ]),
  ['valid inbound connection pool', { inboundConnectionPool: pool }, []],
  [
    'valid port-level connection pool with top level default',
    { ingress: [{ port: httpPort, connectionPool: pool }], inboundConnectionPool: pool },
    [],
  ],
  [
    'valid port-level connection pool without a top level default',
    { ingress: [{ port: httpPort, connectionPool: pool }] },
    [],
  ],
  [
    'warn http connection settings on tcp port',
    { ingress: [{ port: { protocol: 'tcp', number: 90, name: 'foo' }, connectionPool: pool }] },
    [
      [
        'W',
        'SC_INGRESS_HTTP_POOL_ON_NON_HTTP',
        [...I0, 'connectionPool', 'http'],
        'sidecar: HTTP connection pool settings are configured for port 90 ("foo") but its protocol is not HTTP (tcp); only TCP settings will apply',
      ],
    ],
  ],
  [
    'invalid top level connection pool',
    { inboundConnectionPool: {} },
    [['E', 'DR_POOL_EMPTY', ['inboundConnectionPool'], 'connection pool must have at least one field']],
  ],
  [
    'invalid port-level connection pool',
    { ingress: [{ port: { protocol: 'tcp', number: 90, name: 'foo' }, connectionPool: {} }] },
    [['E', 'DR_POOL_EMPTY', [...I0, 'connectionPool'], 'connection pool must have at least one field']],
  ],
];

function run(cases: readonly Case[]): void {
  for (const [name, spec, expect] of cases) {
    void test(name, () => assertFindings(runRules(validateSidecar, spec, validationContext('bar')), expect));
  }
}

void describe('Sidecar: Istio TestValidateSidecar cases', () => run(istioCases));
