// Sidecar rules beyond Istio's table: each remaining rule with a valid and an invalid case.
import { describe, test } from 'node:test';
import type { IstioEgressListener, IstioIngressListener, SidecarSpec } from '../../../src/config/wire/sidecar.ts';
import { validateSidecar } from '../../../src/validation/sidecar.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

type Case = readonly [name: string, spec: SidecarSpec, expect: readonly ExpectedFinding[]];

const all: IstioEgressListener[] = [{ hosts: ['*/*'] }];
const hosts = (...h: string[]): SidecarSpec => ({ egress: [{ hosts: h }] });
const listener = (l: Partial<IstioEgressListener>): SidecarSpec => ({
  egress: [{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, hosts: ['*/*'], ...l }],
});
const inbound = (l: Partial<IstioIngressListener>): SidecarSpec => ({
  ingress: [{ port: { number: 9080, protocol: 'HTTP', name: 'http' }, ...l }],
});
const tls = (t: Record<string, unknown>, protocol = 'HTTPS'): SidecarSpec => ({
  ingress: [{ port: { number: 8443, protocol, name: 'https' }, tls: t }],
});
const keyPair = { serverCertificate: '/etc/certs/tls.crt', privateKey: '/etc/certs/tls.key' };
const proxy = (egressProxy: Record<string, unknown>): SidecarSpec => ({
  outboundTrafficPolicy: { mode: 'ALLOW_ANY', egressProxy },
  egress: all,
});
const I0 = ['ingress', 0];
const E0 = ['egress', 0];
const EP = ['outboundTrafficPolicy', 'egressProxy'];

const cases: readonly Case[] = [
  ['a selector with labels', { workloadSelector: { labels: { app: 'web' } }, egress: all }, []],
  [
    'a wildcard selector key',
    { workloadSelector: { labels: { 'app*': 'web' } }, egress: all },
    [['E', 'SELECTOR_WILDCARD', ['workloadSelector', 'labels', 'app*'], 'wildcard is not supported in selector']],
  ],
  [
    'a null ingress listener',
    { ingress: [null as unknown as IstioIngressListener] },
    [['E', 'SC_INGRESS_NULL', I0, 'sidecar: ingress may not be null']],
  ],
  [
    'a null egress listener',
    { egress: [null as unknown as IstioEgressListener] },
    [['E', 'SC_EGRESS_NULL', E0, 'egress listener may not be null']],
  ],
  [
    'ingress targetPort has no effect',
    inbound({ port: { number: 9080, targetPort: 8080 } }),
    [['E', 'SC_TARGET_PORT', [...I0, 'port', 'targetPort'], 'targetPort has no impact on Sidecars']],
  ],
  [
    'egress targetPort has no effect',
    listener({ port: { number: 8080, targetPort: 80 } }),
    [['E', 'SC_TARGET_PORT', [...E0, 'port', 'targetPort'], 'targetPort has no impact on Sidecars']],
  ],
  [
    'an ingress port name must be a DNS label',
    inbound({ port: { number: 9080, name: 'http_web' } }),
    [['E', 'SC_PORT_NAME_INVALID', [...I0, 'port', 'name'], 'invalid port name: http_web']],
  ],
  [
    'an egress port name must be a DNS label',
    listener({ port: { number: 8080, name: 'a.b' } }),
    [['E', 'SC_PORT_NAME_INVALID', [...E0, 'port', 'name'], 'invalid port name: a.b']],
  ],
  [
    'an ingress protocol must be known',
    inbound({ port: { number: 9080, protocol: 'SPDY' } }),
    [['E', 'SC_PORT_PROTOCOL_INVALID', [...I0, 'port', 'protocol'], 'unsupported protocol: SPDY']],
  ],
  ['an ingress bind on an IP', inbound({ bind: '0.0.0.0' }), []],
  [
    'an ingress bind must be an IP',
    inbound({ bind: 'localhost' }),
    [['E', 'SC_BIND_INVALID', [...I0, 'bind'], 'localhost is not a valid IP']],
  ],
  ['an egress bind on an IP', listener({ bind: '127.0.0.1' }), []],
  [
    'an egress bind must be an IP',
    listener({ bind: '::1x' }),
    [['E', 'SC_BIND_INVALID', [...E0, 'bind'], '::1x is not a valid IP']],
  ],
  ['a known capture mode', listener({ captureMode: 'IPTABLES' }), []],
  [
    'an unknown capture mode',
    listener({ captureMode: 'TPROXY' as never }),
    [['E', 'SC_CAPTURE_MODE_INVALID', [...E0, 'captureMode'], 'unsupported captureMode TPROXY']],
  ],
  [
    'a unix socket listener with capture NONE',
    listener({ port: { number: 0 }, bind: 'unix:///var/run/out.sock', captureMode: 'NONE' }),
    [],
  ],
  [
    'a unix socket bind must be absolute',
    listener({ port: { number: 0 }, bind: 'unix://relative.sock' }),
    [['E', 'SC_UDS_BIND_INVALID', [...E0, 'bind'], 'relative.sock is not an absolute path to a file']],
  ],
  ...['0.0.0.0:8080', '[::]:8080', ':8080', 'unix:///var/run/app.sock', 'unix://@app'].map((e): Case => [
    `defaultEndpoint ${e} is allowed`,
    inbound({ defaultEndpoint: e }),
    [],
  ]),
  ...[
    ['127.0.0.1', 'address 127.0.0.1: missing port in address'],
    ['::1:80', 'address ::1:80: too many colons in address'],
    ['[::1:80', "address [::1:80: missing ']' in address"],
    ['127.0.0.1:0', 'port number 0 must be in the range 1..65535'],
    ['127.0.0.1:70000', 'port number 70000 must be in the range 1..65535'],
    ['localhost:80', 'defaultEndpoint must be of form'],
  ].map(([e = '', message = '']): Case => [
    `defaultEndpoint ${e} is refused`,
    inbound({ defaultEndpoint: e }),
    [['E', 'SC_DEFAULT_ENDPOINT_INVALID', [...I0, 'defaultEndpoint'], message]],
  ]),
  [
    'egress hosts: wildcard names, namespaces in any case, exclusions',
    hosts('ns1/*.example.com', 'Ns2/foo.com', '~ns1/bar.example.com'),
    [],
  ],
  [
    'egress hosts: a short name',
    hosts('ns1/reviews'),
    [['E', 'SC_EGRESS_HOST_SHORT_NAME', [...E0, 'hosts', 0], 'short names (non FQDN) are not allowed']],
  ],
  [
    'egress hosts: an invalid name',
    hosts('ns1/foo_bar.com'),
    [
      [
        'E',
        'SC_EGRESS_HOST_INVALID',
        [...E0, 'hosts', 0],
        'domain name "foo_bar.com" invalid (label "foo_bar" invalid)',
      ],
    ],
  ],
  [
    'egress hosts: an empty namespace',
    hosts('/foo.com'),
    [['E', 'SC_EGRESS_HOST_EMPTY_PART', [...E0, 'hosts', 0], 'cannot be empty']],
  ],
  [
    'egress hosts: a wildcard in the middle',
    hosts('ns1/foo.*.com'),
    [
      ['E', 'SC_EGRESS_HOST_INVALID', [...E0, 'hosts', 0], 'label "*" invalid'],
      ['E', 'SC_EGRESS_HOST_PARTIAL_WILDCARD', [...E0, 'hosts', 0], 'partial wildcard "foo.*.com" not allowed'],
    ],
  ],
  [
    'egress hosts: the same host twice',
    hosts('ns1/a.com', 'ns1/a.com'),
    [['W', 'SC_EGRESS_HOST_DUPLICATE', [...E0, 'hosts', 1], 'duplicated egress host: ns1/a.com']],
  ],
  [
    'egress hosts: ns/* after a name of that namespace',
    hosts('ns1/a.com', 'ns1/*'),
    [['W', 'SC_EGRESS_HOST_DUPLICATE', [...E0, 'hosts', 1], 'duplicated egress host: ns1/*']],
  ],
  ['egress hosts: an exclusion never duplicates an import', hosts('ns1/a.com', '~ns1/a.com'), []],
  [
    'egress hosts are compared per listener',
    { egress: [{ port: { number: 80 }, hosts: ['ns1/a.com'] }, { hosts: ['ns1/a.com'] }] },
    [],
  ],
  ['an empty outboundTrafficPolicy means REGISTRY_ONLY and is enough', { outboundTrafficPolicy: {} }, []],
  [
    'an unknown outbound mode',
    { outboundTrafficPolicy: { mode: 'DENY' as never } },
    [
      [
        'E',
        'SC_OUTBOUND_MODE_INVALID',
        ['outboundTrafficPolicy', 'mode'],
        'unsupported outboundTrafficPolicy mode DENY',
      ],
    ],
  ],
  ['an egress proxy with a short name and a port', proxy({ host: 'egress', port: { number: 3128 } }), []],
  [
    'an egress proxy host may not be a wildcard',
    proxy({ host: '*.proxy.local', port: { number: 3128 } }),
    [['E', 'SC_EGRESS_PROXY_HOST', [...EP, 'host'], 'domain name "*.proxy.local" invalid']],
  ],
  [
    'an egress proxy subset must be a DNS label',
    proxy({ host: 'proxy.local', subset: 'v1.0', port: { number: 3128 } }),
    [['E', 'DESTINATION_SUBSET_INVALID', [...EP, 'subset'], 'subset name is invalid: v1.0']],
  ],
  [
    'an egress proxy port must be valid',
    proxy({ host: 'proxy.local', port: { number: 0 } }),
    [['E', 'DESTINATION_PORT_INVALID', [...EP, 'port', 'number'], 'port number 0 must be in the range 1..65535']],
  ],
  [
    'an inbound pool alone is enough',
    { inboundConnectionPool: { tcp: { maxConnections: 10, connectTimeout: '1s' } } },
    [],
  ],
  [
    'an inbound pool duration must be whole ms',
    { inboundConnectionPool: { tcp: { connectTimeout: '1.0005s' } } },
    [
      [
        'E',
        'DR_DURATION_INVALID',
        ['inboundConnectionPool', 'tcp', 'connectTimeout'],
        'only durations to ms precision are supported',
      ],
    ],
  ],
  [
    'unknown TLS enum values',
    tls({ mode: 'STRICT', minProtocolVersion: 'TLSV1_4' }),
    [
      ['E', 'SC_INGRESS_TLS_ENUM_INVALID', [...I0, 'tls', 'mode'], 'unsupported tls mode STRICT'],
      [
        'E',
        'SC_INGRESS_TLS_ENUM_INVALID',
        [...I0, 'tls', 'minProtocolVersion'],
        'unsupported tls minProtocolVersion TLSV1_4',
      ],
    ],
  ],
  [
    'SIMPLE TLS on an HTTPS port with a key pair',
    tls({ mode: 'SIMPLE', ...keyPair, minProtocolVersion: 'TLSV1_2', maxProtocolVersion: 'TLSV1_3' }),
    [],
  ],
  [
    'MUTUAL TLS needs a client CA bundle',
    tls({ mode: 'MUTUAL', ...keyPair }),
    [['E', 'SC_INGRESS_TLS_CA_REQUIRED', [...I0, 'tls', 'caCertificates'], 'MUTUAL TLS requires a client CA bundle']],
  ],
  ['MUTUAL TLS with a client CA bundle', tls({ mode: 'MUTUAL', ...keyPair, caCertificates: '/etc/certs/ca.crt' }), []],
  [
    'valid cipher suites and operator expressions',
    tls({ mode: 'SIMPLE', ...keyPair, cipherSuites: ['ECDHE-RSA-AES128-GCM-SHA256', '-AES128-SHA'] }),
    [],
  ],
  [
    'unknown and repeated cipher suites are ignored with a warning',
    tls({ mode: 'SIMPLE', ...keyPair, cipherSuites: ['FOO', 'AES128-SHA', 'AES128-SHA'] }),
    [
      ['W', 'SC_INGRESS_TLS_INVALID_CIPHERS', [...I0, 'tls', 'cipherSuites'], 'ignoring invalid cipher suites: [FOO]'],
      [
        'W',
        'SC_INGRESS_TLS_DUPLICATE_CIPHERS',
        [...I0, 'tls', 'cipherSuites'],
        'ignoring duplicate cipher suites: [AES128-SHA]',
      ],
    ],
  ],
  [
    'TLS 1.1 with explicit ciphers',
    tls({ mode: 'SIMPLE', ...keyPair, minProtocolVersion: 'TLSV1_1', cipherSuites: ['AES128-SHA'] }),
    [],
  ],
  [
    'TLS 1.1 without ciphers warns',
    tls({ mode: 'SIMPLE', ...keyPair, minProtocolVersion: 'TLSV1_1' }),
    [
      [
        'W',
        'SC_INGRESS_TLS_OLD_VERSION_CIPHERS',
        [...I0, 'tls', 'minProtocolVersion'],
        'TLS version below TLSV1_2 require setting compatible ciphers',
      ],
    ],
  ],
  [
    'PASSTHROUGH ignores certificates with a warning',
    tls({ serverCertificate: '/etc/certs/tls.crt' }),
    [
      [
        'W',
        'SC_INGRESS_TLS_PASSTHROUGH_CERTS',
        [...I0, 'tls'],
        'PASSTHROUGH mode does not use certificates, they will be ignored',
      ],
    ],
  ],
  [
    'only one certificate source',
    tls({ mode: 'SIMPLE', ...keyPair, credentialName: 'cert' }),
    [
      [
        'E',
        'SC_INGRESS_TLS_CREDENTIAL_NAME',
        [...I0, 'tls', 'credentialName'],
        'credentialName is not currently supported',
      ],
      [
        'E',
        'SC_INGRESS_TLS_CERT_SOURCES',
        [...I0, 'tls'],
        'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
      ],
    ],
  ],
  [
    'a CRL with SIMPLE TLS',
    tls({ mode: 'SIMPLE', ...keyPair, caCrl: '/etc/certs/crl.pem' }),
    [['E', 'SC_INGRESS_TLS_CRL', [...I0, 'tls', 'caCrl'], 'CRL is not supported with SIMPLE TLS']],
  ],
  [
    'a CRL with MUTUAL TLS',
    tls({ mode: 'MUTUAL', ...keyPair, caCertificates: '/etc/certs/ca.crt', caCrl: '/etc/certs/crl.pem' }),
    [],
  ],
  [
    'more than two listed certificates, one without a key',
    tls({ mode: 'SIMPLE', tlsCertificates: [keyPair, keyPair, { serverCertificate: '/etc/certs/3.crt' }] }),
    [
      [
        'E',
        'SC_INGRESS_TLS_CERTIFICATES',
        [...I0, 'tls', 'tlsCertificates'],
        'tls_certificates is not currently supported',
      ],
      [
        'W',
        'SC_INGRESS_TLS_TOO_MANY_CERTIFICATES',
        [...I0, 'tls', 'tlsCertificates'],
        'SIMPLE TLS can support up to 2 server certificates',
      ],
      [
        'E',
        'SC_INGRESS_TLS_KEY_REQUIRED',
        [...I0, 'tls', 'tlsCertificates', 2, 'privateKey'],
        'SIMPLE TLS requires a private key',
      ],
    ],
  ],
];

void describe('Sidecar: remaining rules', () => {
  for (const [name, spec, expect] of cases) {
    void test(name, () => assertFindings(runRules(validateSidecar, spec, validationContext('bar')), expect));
  }
});
