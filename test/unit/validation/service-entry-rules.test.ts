// ServiceEntry rules beyond Istio's table: the CRD schema limits, each webhook rule's other branch, and the seed files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ServiceEntrySpec, ServicePort, WorkloadEntry } from '../../../src/config/wire/service-entry.ts';
import { validateServiceEntry } from '../../../src/validation/service-entry.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

type Case = readonly [
  name: string,
  spec: ServiceEntrySpec,
  expect: readonly ExpectedFinding[],
  labels?: Record<string, string>,
];

const https: ServicePort = { number: 443, name: 'https', protocol: 'HTTPS' };
const tcp: ServicePort = { number: 5432, name: 'tcp', protocol: 'TCP' };
const dns = (extra: Partial<ServiceEntrySpec> = {}): ServiceEntrySpec => ({
  hosts: ['api.example.com'],
  ports: [https],
  resolution: 'DNS',
  ...extra,
});
const statik = (endpoints: WorkloadEntry[], extra: Partial<ServiceEntrySpec> = {}): ServiceEntrySpec => ({
  hosts: ['db.example.com'],
  addresses: ['10.1.0.1'],
  ports: [tcp],
  resolution: 'STATIC',
  endpoints,
  ...extra,
});
const many = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));
const ip = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const E0 = ['endpoints', 0];
const nullEndpoint = null as unknown as WorkloadEntry;

const cases: readonly Case[] = [
  [
    'an empty spec needs hosts',
    {},
    [['E', 'SE_HOSTS_REQUIRED', ['hosts'], 'service entry must have at least one host']],
  ],
  ['256 hosts are allowed', dns({ hosts: many(256, (i) => `h${i}.example.com`) }), []],
  [
    '257 hosts are too many',
    dns({ hosts: many(257, (i) => `h${i}.example.com`) }),
    [['E', 'SE_HOSTS_TOO_MANY', ['hosts'], 'at most 256']],
  ],
  ['a short name host is allowed', { hosts: ['reviews'], ports: [https], addresses: ['10.0.0.1'] }, []],
  [
    'an IPv4 literal is not a host',
    { hosts: ['1.2.3.4'], ports: [https] },
    [['E', 'SE_HOST_INVALID', ['hosts', 0], 'top level domain "4" cannot be all-numeric']],
  ],
  [
    'a trailing * is invalid and a partial wildcard',
    { hosts: ['foo*'], ports: [https] },
    [
      ['E', 'SE_HOST_INVALID', ['hosts', 0], 'domain name "foo*" invalid'],
      ['W', 'SE_HOST_PARTIAL_WILDCARD', ['hosts', 0], 'partial wildcard "foo*" not allowed'],
    ],
  ],
  [
    'DYNAMIC_DNS does not warn about partial wildcards',
    { hosts: ['*foo.com'], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], resolution: 'DYNAMIC_DNS' },
    [],
  ],
  [
    'IPv6 addresses and CIDRs are allowed with NONE',
    { hosts: ['v6.example.com'], addresses: ['2001:db8::1', '2001:db8::/64'], ports: [tcp] },
    [],
  ],
  [
    'an address must be an IP or CIDR',
    dns({ addresses: ['not-an-ip'] }),
    [['E', 'SE_ADDRESS_INVALID', ['addresses', 0], 'not-an-ip is not a valid IP']],
  ],
  [
    'an address may be at most 64 characters',
    dns({ addresses: ['a'.repeat(65)] }),
    [
      ['E', 'SE_ADDRESS_TOO_LONG', ['addresses', 0], 'at most 64 characters'],
      ['E', 'SE_ADDRESS_INVALID', ['addresses', 0], 'is not a valid IP'],
    ],
  ],
  [
    '257 addresses are too many',
    dns({ addresses: many(257, ip) }),
    [['E', 'SE_ADDRESSES_TOO_MANY', ['addresses'], 'at most 256']],
  ],
  [
    'a CIDR needs NONE or STATIC resolution',
    dns({ addresses: ['10.0.0.1', '10.0.0.0/24'] }),
    [
      [
        'E',
        'SE_ADDRESS_CIDR_RESOLUTION',
        ['addresses', 1],
        'CIDR addresses are allowed only for NONE/STATIC resolution types',
      ],
    ],
  ],
  [
    'a CIDR with DNS_ROUND_ROBIN is refused too',
    dns({ addresses: ['10.0.0.0/24'], resolution: 'DNS_ROUND_ROBIN' }),
    [['E', 'SE_ADDRESS_CIDR_RESOLUTION', ['addresses', 0], 'NONE/STATIC']],
  ],
  ['a CIDR with STATIC is allowed', statik([{ address: '10.1.0.5' }], { addresses: ['10.1.0.0/16'] }), []],
  [
    'a CIDR with bad bits is invalid',
    { hosts: ['x.example.com'], addresses: ['10.0.0.0/33'], ports: [tcp] },
    [['E', 'SE_ADDRESS_INVALID', ['addresses', 0], '10.0.0.0/33 is not a valid CIDR block']],
  ],
  [
    '257 ports are too many',
    dns({ ports: many(257, (i) => ({ number: 1000 + i, name: `p${i}`, protocol: 'HTTPS' })) }),
    [['E', 'SE_PORTS_TOO_MANY', ['ports'], 'at most 256']],
  ],
  [
    'a port needs a name',
    dns({ ports: [{ number: 443, protocol: 'HTTPS' }] }),
    [['E', 'SE_PORT_NAME_REQUIRED', ['ports', 0], 'port name is required']],
  ],
  [
    'a port needs a number',
    dns({ ports: [{ name: 'https', protocol: 'HTTPS' }] }),
    [['E', 'SE_PORT_NUMBER_REQUIRED', ['ports', 0], 'port number is required']],
  ],
  [
    'a port name must be a DNS label',
    dns({ ports: [{ ...https, name: 'https_web' }] }),
    [['E', 'SE_PORT_NAME_INVALID', ['ports', 0, 'name'], 'invalid port name: https_web']],
  ],
  [
    'a port number above 65535 is invalid',
    dns({ ports: [{ ...https, number: 99999 }] }),
    [['E', 'SE_PORT_NUMBER_INVALID', ['ports', 0, 'number'], 'port number 99999 must be in the range 1..65535']],
  ],
  [
    'port number 0 is invalid',
    dns({ ports: [{ ...https, number: 0 }] }),
    [['E', 'SE_PORT_NUMBER_INVALID', ['ports', 0, 'number'], 'port number 0']],
  ],
  [
    'an explicit targetPort 0 is refused by the schema',
    dns({ ports: [{ ...https, targetPort: 0 }] }),
    [['E', 'SE_PORT_TARGET_INVALID', ['ports', 0, 'targetPort'], 'port number 0']],
  ],
  [
    'an unknown protocol is refused',
    dns({ ports: [{ ...https, protocol: 'SCTP' }] }),
    [['E', 'SE_PORT_PROTOCOL_INVALID', ['ports', 0, 'protocol'], 'unsupported protocol: SCTP']],
  ],
  ['TCP without addresses is fine when a VIP is auto-allocated', dns({ ports: [tcp] }), []],
  [
    'TCP without addresses warns when auto-allocation is opted out',
    dns({ ports: [tcp] }),
    [
      [
        'W',
        'SE_PORT_TCP_NEEDS_ADDRESS',
        ['ports', 0],
        'addresses are required for ports serving TCP (or unset) protocol',
      ],
    ],
    { 'networking.istio.io/enable-autoallocate-ip': 'False' },
  ],
  [
    'only the exact spelling TCP triggers the address warning, as in Istio',
    { hosts: ['x.example.com'], ports: [{ ...tcp, protocol: 'tcp' }] },
    [],
  ],
  [
    'an unknown location is refused',
    dns({ location: 'MESH_OUTSIDE' as never }),
    [['E', 'SE_LOCATION_INVALID', ['location'], 'unsupported location MESH_OUTSIDE']],
  ],
  [
    'an unknown resolution is refused',
    dns({ resolution: 'DNS_AAAA' as never }),
    [['E', 'SE_RESOLUTION_INVALID', ['resolution'], 'unsupported resolution type DNS_AAAA']],
  ],
  [
    'several hosts share HTTP and TLS ports',
    dns({ hosts: ['a.example.com', 'b.example.com'], ports: [https, { number: 80, name: 'http', protocol: 'HTTP' }] }),
    [],
  ],
  [
    'several hosts cannot share a TCP port',
    dns({ hosts: ['a.example.com', 'b.example.com'], ports: [https, tcp] }),
    [
      [
        'E',
        'SE_MULTI_HOST_NON_HTTP_TLS',
        ['ports', 1, 'protocol'],
        'multiple hosts provided with non-HTTP, non-TLS ports',
      ],
    ],
  ],
  [
    'an unset protocol counts as neither HTTP nor TLS',
    dns({ hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 8000, name: 'auto' }] }),
    [['E', 'SE_MULTI_HOST_NON_HTTP_TLS', ['ports', 0, 'protocol'], 'non-HTTP, non-TLS']],
  ],
  [
    'with NONE several hosts may share a TCP port',
    { hosts: ['a.example.com', 'b.example.com'], addresses: ['10.0.0.1'], ports: [tcp] },
    [],
  ],
  [
    'DNS with an address, a TCP port and several hosts also warns',
    dns({ hosts: ['a.example.com', 'b.example.com'], addresses: ['10.0.0.1'], ports: [tcp] }),
    [
      ['E', 'SE_MULTI_HOST_NON_HTTP_TLS', ['ports', 0, 'protocol'], 'non-HTTP, non-TLS'],
      [
        'W',
        'SE_DNS_TCP_MULTIPLE_HOSTS',
        ['hosts'],
        'more than one host specified simultaneously with address and tcp port',
      ],
    ],
  ],
  [
    'DNS_ROUND_ROBIN without endpoints needs FQDN hosts',
    dns({ hosts: ['*.example.com'], resolution: 'DNS_ROUND_ROBIN' }),
    [
      [
        'E',
        'SE_DNS_HOST_NOT_FQDN',
        ['hosts', 0],
        'if no endpoints are provided for resolution mode DNS_ROUND_ROBIN, domain name "*.example.com" invalid',
      ],
    ],
  ],
  [
    'only the first non-FQDN host is reported',
    dns({ hosts: ['ok.example.com', '*.a.com', '*.b.com'] }),
    [['E', 'SE_DNS_HOST_NOT_FQDN', ['hosts', 1], 'hosts must be FQDN']],
  ],
  [
    'resolution defaults to NONE, which refuses endpoints',
    { hosts: ['x.example.com'], addresses: ['10.0.0.1'], ports: [tcp], endpoints: [{ address: '10.0.0.2' }] },
    [['E', 'SE_NONE_ENDPOINTS', ['endpoints'], 'resolution type none']],
  ],
  [
    'an explicit empty endpoints list with NONE is refused (CRD schema)',
    { hosts: ['x.example.com'], addresses: ['10.0.0.1'], ports: [tcp], endpoints: [] },
    [['E', 'SE_NONE_ENDPOINTS', ['endpoints'], 'no endpoints should be provided for resolution type none']],
  ],
  ['a null endpoint is refused', statik([nullEndpoint]), [['E', 'SE_ENDPOINT_NULL', E0, 'endpoint cannot be nil']]],
  [
    'an endpoint needs an address or a network (STATIC)',
    statik([{}]),
    [['E', 'SE_ENDPOINT_ADDRESS_REQUIRED', E0, 'address is required']],
  ],
  [
    'an endpoint needs an address or a network (DNS)',
    dns({ endpoints: [{ labels: { app: 'x' } }] }),
    [['E', 'SE_ENDPOINT_ADDRESS_REQUIRED', E0, 'address is required']],
  ],
  [
    'a DNS endpoint with only a network is not a DNS name',
    dns({ endpoints: [{ network: 'n1' }] }),
    [['E', 'SE_ENDPOINT_ADDRESS_NOT_FQDN', E0, 'endpoint address "" is not a valid FQDN or an IP address']],
  ],
  [
    'an endpoint address may be at most 256 characters',
    dns({ endpoints: [{ address: 'a'.repeat(257) }] }),
    [
      ['E', 'SE_ENDPOINT_ADDRESS_TOO_LONG', [...E0, 'address'], 'at most 256 characters'],
      ['E', 'SE_ENDPOINT_ADDRESS_NOT_FQDN', [...E0, 'address'], 'is not a valid FQDN or an IP address'],
    ],
  ],
  ['an abstract unix socket is allowed', statik([{ address: 'unix://@envoy-admin' }]), []],
  [
    'a unix socket may not be a directory',
    statik([{ address: 'unix:///var/run/' }]),
    [['E', 'SE_ENDPOINT_UDS_INVALID', [...E0, 'address'], '/var/run/ is not an absolute path to a file']],
  ],
  [
    'at most 128 endpoint ports',
    statik([{ address: '10.1.0.5', ports: Object.fromEntries(many(129, (i) => [`p${i}`, 80])) }], {
      ports: many(129, (i) => ({ number: 1000 + i, name: `p${i}`, protocol: 'TCP' })),
    }),
    [['E', 'SE_ENDPOINT_PORTS_TOO_MANY', [...E0, 'ports'], 'at most 128 entries']],
  ],
  [
    'an endpoint port name must be a DNS label',
    statik([{ address: '10.1.0.5', ports: { bad_name: 80 } }]),
    [
      [
        'E',
        'SE_ENDPOINT_PORT_UNDEFINED',
        [...E0, 'ports', 'bad_name'],
        'endpoint port 80 is not defined by the service entry',
      ],
      ['E', 'SE_ENDPOINT_PORT_NAME_INVALID', [...E0, 'ports', 'bad_name'], 'invalid port name: bad_name'],
    ],
  ],
  [
    'an endpoint port name must be shorter than 63 characters (schema)',
    statik([{ address: '10.1.0.5', ports: { ['a'.repeat(63)]: 80 } }], { ports: [{ ...tcp, name: 'a'.repeat(63) }] }),
    [['E', 'SE_ENDPOINT_PORT_NAME_INVALID', [...E0, 'ports', 'a'.repeat(63)], 'invalid port name']],
  ],
  [
    'endpoint labels follow Kubernetes rules',
    statik([{ address: '10.1.0.5', labels: { '-bad': 'v' } }]),
    [['E', 'LABEL_KEY_INVALID', [...E0, 'labels', '-bad'], 'invalid tag key: "-bad"']],
  ],
  [
    'endpoint labels are limited to 256',
    statik([{ address: '10.1.0.5', labels: Object.fromEntries(many(257, (i) => [`k${i}`, 'v'])) }]),
    [['E', 'SE_ENDPOINT_LABELS_TOO_MANY', [...E0, 'labels'], 'at most 256 entries']],
  ],
  [
    'endpoint attributes within their limits',
    statik([
      {
        address: '10.1.0.5',
        network: 'n'.repeat(2048),
        locality: 'l'.repeat(2048),
        serviceAccount: 's'.repeat(253),
        weight: 4294967295,
      },
    ]),
    [],
  ],
  [
    'endpoint attributes beyond their limits',
    statik([
      {
        address: '10.1.0.5',
        network: 'n'.repeat(2049),
        locality: 'l'.repeat(2049),
        serviceAccount: 's'.repeat(254),
        weight: -1,
      },
    ]),
    [
      ['E', 'SE_ENDPOINT_NETWORK_TOO_LONG', [...E0, 'network'], 'at most 2048 characters'],
      ['E', 'SE_ENDPOINT_LOCALITY_TOO_LONG', [...E0, 'locality'], 'at most 2048 characters'],
      ['E', 'SE_ENDPOINT_SERVICE_ACCOUNT_TOO_LONG', [...E0, 'serviceAccount'], 'at most 253 characters'],
      ['E', 'SE_ENDPOINT_WEIGHT_INVALID', [...E0, 'weight'], 'endpoint weight -1 must be an integer'],
    ],
  ],
  [
    'a fractional weight is refused',
    statik([{ address: '10.1.0.5', weight: 1.5 }]),
    [['E', 'SE_ENDPOINT_WEIGHT_INVALID', [...E0, 'weight'], 'endpoint weight 1.5']],
  ],
  ['4096 endpoints are allowed', statik(many(4096, (i) => ({ address: ip(i) }))), []],
  [
    '4097 endpoints are too many',
    statik(many(4097, (i) => ({ address: ip(i) }))),
    [['E', 'SE_ENDPOINTS_TOO_MANY', ['endpoints'], 'at most 4096']],
  ],
  [
    'a wildcard in a selector value is refused',
    dns({ workloadSelector: { labels: { app: '*' } } }),
    [
      [
        'E',
        'SELECTOR_WILDCARD',
        ['workloadSelector', 'labels', 'app'],
        'wildcard is not supported in selector: "app=*"',
      ],
    ],
  ],
  ['exportTo ~ hides a ServiceEntry from everyone', dns({ exportTo: ['~'] }), []],
  [
    'exportTo cannot mix * with namespaces',
    dns({ exportTo: ['*', 'ns1'] }),
    [['E', 'EXPORT_TO_PUBLIC_MIXED', ['exportTo'], 'cannot have both public (*) and non-public']],
  ],
  [
    'exportTo . and the own namespace are duplicates',
    dns({ exportTo: ['default', '.'] }),
    [['E', 'EXPORT_TO_DUPLICATE', ['exportTo', 1], '. and current namespace default']],
  ],
  [
    'DYNAMIC_DNS needs a protocol that names the destination',
    {
      hosts: ['*.example.com'],
      ports: [
        { number: 443, name: 'https', protocol: 'HTTPS' },
        { number: 8000, name: 'auto' },
        { number: 80, name: 'h2', protocol: 'HTTP2' },
      ],
      resolution: 'DYNAMIC_DNS',
    },
    [
      ['E', 'SE_DYNAMIC_DNS_PROTOCOL', ['ports', 0, 'protocol'], 'only HTTP, TLS, GRPC, and HTTP2'],
      ['E', 'SE_DYNAMIC_DNS_PROTOCOL', ['ports', 1, 'protocol'], 'only HTTP, TLS, GRPC, and HTTP2'],
    ],
  ],
  [
    'DYNAMIC_DNS MESH_INTERNAL is fine when the waypoint label says none',
    {
      hosts: ['*.example.com'],
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
      resolution: 'DYNAMIC_DNS',
      location: 'MESH_INTERNAL',
    },
    [],
    { 'istio.io/use-waypoint': 'None' },
  ],
];

void describe('ServiceEntry: schema limits and remaining rules', () => {
  for (const [name, spec, expect, labels] of cases) {
    void test(name, () =>
      assertFindings(runRules(validateServiceEntry, spec, validationContext('default', labels ?? {})), expect),
    );
  }
});

void describe('ServiceEntry: the seed configuration', () => {
  const dir = join(import.meta.dirname, '../../../examples/seed');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  void test('has ServiceEntries to check', () => assert.ok(files.length > 0));
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const resource = doc.toJS() as {
        kind?: string;
        metadata?: { name?: string; namespace?: string };
        spec?: ServiceEntrySpec;
      };
      if (resource.kind !== 'ServiceEntry') continue;
      void test(`${file} (${resource.metadata?.name ?? '?'}) has no findings`, () => {
        const ctx = validationContext(resource.metadata?.namespace ?? 'default');
        assertFindings(runRules(validateServiceEntry, resource.spec ?? {}, ctx), []);
      });
    }
  }
});
