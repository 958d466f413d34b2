// ServiceEntry rules: the 62 cases of Istio's TestValidateServiceEntries, each with the exact findings meshgate reports.
import { describe, test } from 'node:test';
import type { ServiceEntrySpec, ServicePort } from '../../../src/config/wire/service-entry.ts';
import { validateServiceEntry } from '../../../src/validation/service-entry.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly spec: ServiceEntrySpec;
  readonly labels?: Record<string, string>;
  readonly namespace?: string;
  readonly expect: readonly ExpectedFinding[];
}

const http1: ServicePort = { number: 80, protocol: 'http', name: 'http-valid1' };
const http2: ServicePort = { number: 8080, protocol: 'http', name: 'http-valid2' };
const twoHttp = [http1, http2];
// YAML can hold `null` list items although the wire type cannot say so.
const nullPort = null as unknown as ServicePort;

// The cases of Istio's TestValidateServiceEntries, with the exact findings meshgate reports for each.
const istioCases: readonly Case[] = [
  {
    name: 'discovery type DNS',
    spec: {
      hosts: ['*.google.com'],
      ports: twoHttp,
      endpoints: [
        { address: 'lon.google.com', ports: { 'http-valid1': 8080 } },
        { address: 'in.google.com', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DNS Round Robin',
    spec: {
      hosts: ['*.istio.io'],
      ports: twoHttp,
      endpoints: [{ address: 'api-v1.istio.io', ports: { 'http-valid1': 8080 } }],
      resolution: 'DNS_ROUND_ROBIN',
    },
    expect: [],
  },
  {
    name: 'discovery type DNS, label tlsMode: istio',
    spec: {
      hosts: ['*.google.com'],
      ports: twoHttp,
      endpoints: [
        { address: 'lon.google.com', ports: { 'http-valid1': 8080 }, labels: { 'security.istio.io/tlsMode': 'istio' } },
        { address: 'in.google.com', ports: { 'http-valid2': 9080 }, labels: { 'security.istio.io/tlsMode': 'istio' } },
      ],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DNS, one host set with IP address and https port',
    spec: {
      hosts: ['httpbin.org'],
      addresses: ['10.10.10.10'],
      ports: [...twoHttp, { number: 443, protocol: 'https', name: 'https' }],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DNS, multi hosts set with IP address and https port',
    spec: {
      hosts: ['httpbin.org', 'wikipedia.org'],
      addresses: ['10.10.10.10'],
      ports: [...twoHttp, { number: 443, protocol: 'https', name: 'https' }],
      resolution: 'DNS',
    },
    expect: [
      [
        'W',
        'SE_DNS_TCP_MULTIPLE_HOSTS',
        ['hosts'],
        'more than one host specified simultaneously with address and tcp port',
      ],
    ],
  },
  {
    name: 'discovery type DNS, IP address set',
    spec: {
      hosts: ['*.google.com'],
      addresses: ['10.10.10.10'],
      ports: twoHttp,
      endpoints: [
        { address: 'lon.google.com', ports: { 'http-valid1': 8080 } },
        { address: 'in.google.com', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DNS, IP in endpoints',
    spec: {
      hosts: ['*.google.com'],
      ports: twoHttp,
      endpoints: [
        { address: '1.1.1.1', ports: { 'http-valid1': 8080 } },
        { address: 'in.google.com', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DYNAMIC_DNS',
    spec: { hosts: ['*.google.com'], ports: twoHttp, resolution: 'DYNAMIC_DNS' },
    expect: [],
  },
  {
    name: 'empty hosts',
    spec: {
      ports: [http1],
      endpoints: [{ address: 'in.google.com', ports: { 'http-valid2': 9080 } }],
      resolution: 'DNS',
    },
    expect: [
      ['E', 'SE_HOSTS_REQUIRED', ['hosts'], 'service entry must have at least one host'],
      [
        'E',
        'SE_ENDPOINT_PORT_UNDEFINED',
        ['endpoints', 0, 'ports', 'http-valid2'],
        'endpoint port 9080 is not defined by the service entry',
      ],
    ],
  },
  {
    name: 'bad hosts',
    spec: {
      hosts: ['-'],
      ports: [http1],
      endpoints: [{ address: 'in.google.com', ports: { 'http-valid2': 9080 } }],
      resolution: 'DNS',
    },
    expect: [
      ['E', 'SE_HOST_INVALID', ['hosts', 0], 'domain name "-" invalid (label "-" invalid)'],
      ['E', 'SE_ENDPOINT_PORT_UNDEFINED', ['endpoints', 0, 'ports', 'http-valid2'], 'not defined by the service entry'],
    ],
  },
  {
    name: 'full wildcard host',
    spec: {
      hosts: ['foo.com', '*'],
      ports: [http1],
      endpoints: [{ address: 'in.google.com', ports: { 'http-valid2': 9080 } }],
      resolution: 'DNS',
    },
    expect: [
      ['E', 'SE_HOST_WILDCARD', ['hosts', 1], 'hostname cannot be wildcard'],
      ['E', 'SE_ENDPOINT_PORT_UNDEFINED', ['endpoints', 0, 'ports', 'http-valid2'], 'not defined by the service entry'],
    ],
  },
  {
    name: 'short name host',
    spec: {
      hosts: ['foo', 'bar.com'],
      ports: [http1],
      endpoints: [{ address: 'in.google.com', ports: { 'http-valid1': 9080 } }],
      resolution: 'DNS',
    },
    expect: [],
  },
  {
    name: 'undefined endpoint port',
    spec: {
      hosts: ['google.com'],
      ports: [http1, { number: 80, protocol: 'http', name: 'http-valid2' }],
      endpoints: [
        { address: 'lon.google.com', ports: { 'http-valid1': 8080 } },
        { address: 'in.google.com', ports: { 'http-dne': 9080 } },
      ],
      resolution: 'DNS',
    },
    expect: [
      ['E', 'SE_PORT_NUMBER_DUPLICATE', ['ports', 1, 'number'], 'service entry port 80 already defined'],
      [
        'E',
        'SE_ENDPOINT_PORT_UNDEFINED',
        ['endpoints', 1, 'ports', 'http-dne'],
        'endpoint port 9080 is not defined by the service entry',
      ],
    ],
  },
  {
    name: 'discovery type DNS, non-FQDN endpoint',
    spec: {
      hosts: ['*.google.com'],
      ports: twoHttp,
      endpoints: [
        { address: '*.lon.google.com', ports: { 'http-valid1': 8080 } },
        { address: 'in.google.com', ports: { 'http-dne': 9080 } },
      ],
      resolution: 'DNS',
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_ADDRESS_NOT_FQDN',
        ['endpoints', 0, 'address'],
        'endpoint address "*.lon.google.com" is not a valid FQDN or an IP address',
      ],
      ['E', 'SE_ENDPOINT_PORT_UNDEFINED', ['endpoints', 1, 'ports', 'http-dne'], 'not defined by the service entry'],
    ],
  },
  {
    name: 'discovery type DNS, non-FQDN host',
    spec: { hosts: ['*.google.com'], ports: twoHttp, resolution: 'DNS' },
    expect: [
      [
        'E',
        'SE_DNS_HOST_NOT_FQDN',
        ['hosts', 0],
        'hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS',
      ],
    ],
  },
  {
    name: 'discovery type DNS, no endpoints',
    spec: { hosts: ['google.com'], ports: twoHttp, resolution: 'DNS' },
    expect: [],
  },
  {
    name: 'discovery type DNS, unix endpoint',
    spec: {
      hosts: ['*.google.com'],
      ports: [http1],
      endpoints: [{ address: 'unix:///lon/google/com' }],
      resolution: 'DNS',
    },
    expect: [
      ['E', 'SE_ENDPOINT_ADDRESS_NOT_FQDN', ['endpoints', 0, 'address'], 'is not a valid FQDN or an IP address'],
    ],
  },
  { name: 'discovery type none', spec: { hosts: ['google.com'], ports: twoHttp, resolution: 'NONE' }, expect: [] },
  {
    name: 'discovery type none, endpoints provided',
    spec: {
      hosts: ['google.com'],
      ports: twoHttp,
      endpoints: [{ address: 'lon.google.com', ports: { 'http-valid1': 8080 } }],
      resolution: 'NONE',
    },
    expect: [['E', 'SE_NONE_ENDPOINTS', ['endpoints'], 'no endpoints should be provided for resolution type none']],
  },
  {
    name: 'discovery type none, cidr addresses',
    spec: { hosts: ['google.com'], addresses: ['172.1.2.16/16'], ports: twoHttp, resolution: 'NONE' },
    expect: [],
  },
  {
    name: 'discovery type static, cidr addresses with endpoints',
    spec: {
      hosts: ['google.com'],
      addresses: ['172.1.2.16/16'],
      ports: twoHttp,
      endpoints: [
        { address: '1.1.1.1', ports: { 'http-valid1': 8080 } },
        { address: '2.2.2.2', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'STATIC',
    },
    expect: [],
  },
  {
    name: 'discovery type static',
    spec: {
      hosts: ['google.com'],
      addresses: ['172.1.2.16'],
      ports: twoHttp,
      endpoints: [
        { address: '1.1.1.1', ports: { 'http-valid1': 8080 } },
        { address: '2.2.2.2', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'STATIC',
    },
    expect: [],
  },
  {
    name: 'discovery type static, FQDN in endpoints',
    spec: {
      hosts: ['google.com'],
      addresses: ['172.1.2.16'],
      ports: twoHttp,
      endpoints: [
        { address: 'google.com', ports: { 'http-valid1': 8080 } },
        { address: '2.2.2.2', ports: { 'http-valid2': 9080 } },
      ],
      resolution: 'STATIC',
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_ADDRESS_NOT_IP',
        ['endpoints', 0, 'address'],
        'endpoint address "google.com" is not a valid IP address',
      ],
    ],
  },
  {
    name: 'discovery type static, missing endpoints',
    spec: { hosts: ['google.com'], addresses: ['172.1.2.16'], ports: twoHttp, resolution: 'STATIC' },
    expect: [],
  },
  {
    name: 'discovery type static, bad endpoint port name',
    spec: {
      hosts: ['google.com'],
      addresses: ['172.1.2.16'],
      ports: twoHttp,
      endpoints: [
        { address: '1.1.1.1', ports: { 'http-valid1': 8080 } },
        { address: '2.2.2.2', ports: { 'http-dne': 9080 } },
      ],
      resolution: 'STATIC',
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_PORT_UNDEFINED',
        ['endpoints', 1, 'ports', 'http-dne'],
        'endpoint port 9080 is not defined by the service entry',
      ],
    ],
  },
  {
    name: 'discovery type none, conflicting port names',
    spec: {
      hosts: ['google.com'],
      ports: [
        { number: 80, protocol: 'http', name: 'http-conflict' },
        { number: 8080, protocol: 'http', name: 'http-conflict' },
      ],
      resolution: 'NONE',
    },
    expect: [
      ['E', 'SE_PORT_NAME_DUPLICATE', ['ports', 1, 'name'], 'service entry port name "http-conflict" already defined'],
    ],
  },
  {
    name: 'discovery type none, conflicting port numbers',
    spec: {
      hosts: ['google.com'],
      ports: [
        { number: 80, protocol: 'http', name: 'http-conflict1' },
        { number: 80, protocol: 'http', name: 'http-conflict2' },
      ],
      resolution: 'NONE',
    },
    expect: [['E', 'SE_PORT_NUMBER_DUPLICATE', ['ports', 1, 'number'], 'service entry port 80 already defined']],
  },
  {
    name: 'unix socket',
    spec: {
      hosts: ['uds.cluster.local'],
      ports: [{ number: 6553, protocol: 'grpc', name: 'grpc-service1' }],
      resolution: 'STATIC',
      endpoints: [{ address: 'unix:///path/to/socket' }],
    },
    expect: [],
  },
  {
    name: 'unix socket, relative path',
    spec: {
      hosts: ['uds.cluster.local'],
      ports: [{ number: 6553, protocol: 'grpc', name: 'grpc-service1' }],
      resolution: 'STATIC',
      endpoints: [{ address: 'unix://./relative/path.sock' }],
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_UDS_INVALID',
        ['endpoints', 0, 'address'],
        './relative/path.sock is not an absolute path to a file',
      ],
    ],
  },
  {
    name: 'unix socket, endpoint ports',
    spec: {
      hosts: ['uds.cluster.local'],
      ports: [{ number: 6553, protocol: 'grpc', name: 'grpc-service1' }],
      resolution: 'STATIC',
      endpoints: [{ address: 'unix:///path/to/socket', ports: { 'grpc-service1': 6553 } }],
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_UDS_PORTS',
        ['endpoints', 0, 'ports'],
        'unix endpoint unix:///path/to/socket must not include ports',
      ],
    ],
  },
  {
    name: 'unix socket, multiple service ports',
    spec: {
      hosts: ['uds.cluster.local'],
      ports: [
        { number: 6553, protocol: 'grpc', name: 'grpc-service1' },
        { number: 80, protocol: 'http', name: 'http-service2' },
      ],
      resolution: 'STATIC',
      endpoints: [{ address: 'unix:///path/to/socket' }],
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_UDS_SERVICE_PORTS',
        ['endpoints', 0, 'address'],
        'exactly 1 service port required for unix endpoints',
      ],
    ],
  },
  {
    name: 'empty protocol',
    spec: {
      hosts: ['google.com'],
      addresses: ['172.1.2.16/16'],
      ports: [http1, { number: 8080, name: 'http-valid2' }],
      resolution: 'NONE',
    },
    expect: [],
  },
  {
    name: 'selector',
    spec: { hosts: ['google.com'], workloadSelector: { labels: { foo: 'bar' } }, ports: [http1] },
    expect: [
      [
        'W',
        'SE_NONE_SELECTOR',
        ['workloadSelector'],
        'workloadSelector should not be set when resolution mode is NONE',
      ],
    ],
  },
  {
    name: 'workload selector without labels',
    spec: { hosts: ['google.com'], ports: twoHttp, workloadSelector: {} },
    expect: [
      [
        'W',
        'SELECTOR_NO_LABELS',
        ['workloadSelector'],
        'service entry: workload selector specified without labels, will be applied to all services in namespace',
      ],
      ['W', 'SE_NONE_SELECTOR', ['workloadSelector'], 'resolution mode is NONE'],
    ],
  },
  {
    name: 'selector and endpoints',
    spec: {
      hosts: ['google.com'],
      workloadSelector: { labels: { foo: 'bar' } },
      ports: [http1],
      endpoints: [{ address: '1.1.1.1' }],
    },
    expect: [
      [
        'E',
        'SE_SELECTOR_WITH_ENDPOINTS',
        ['workloadSelector'],
        'only one of WorkloadSelector or Endpoints is allowed in Service Entry',
      ],
      ['E', 'SE_NONE_ENDPOINTS', ['endpoints'], 'no endpoints should be provided'],
      ['W', 'SE_NONE_SELECTOR', ['workloadSelector'], 'resolution mode is NONE'],
    ],
  },
  {
    name: 'selector and resolution NONE',
    spec: { hosts: ['google.com'], workloadSelector: { labels: { foo: 'bar' } }, ports: [http1], resolution: 'NONE' },
    expect: [['W', 'SE_NONE_SELECTOR', ['workloadSelector'], 'resolution mode is NONE']],
  },
  {
    name: 'selector and resolution DNS',
    spec: { hosts: ['google.com'], workloadSelector: { labels: { foo: 'bar' } }, ports: [http1], resolution: 'DNS' },
    expect: [],
  },
  {
    name: 'bad selector key',
    spec: { hosts: ['google.com'], workloadSelector: { labels: { '': 'bar' } }, ports: [http1] },
    expect: [
      ['E', 'SELECTOR_EMPTY_KEY', ['workloadSelector', 'labels', ''], 'empty key is not supported in selector: "=bar"'],
      ['W', 'SE_NONE_SELECTOR', ['workloadSelector'], 'resolution mode is NONE'],
    ],
  },
  {
    name: 'repeat target port',
    spec: {
      hosts: ['google.com'],
      resolution: 'DNS',
      ports: [
        { ...http1, targetPort: 80 },
        { number: 81, protocol: 'http', name: 'http-valid2', targetPort: 80 },
      ],
    },
    expect: [],
  },
  {
    name: 'valid target port',
    spec: { hosts: ['google.com'], resolution: 'DNS', ports: [{ ...http1, targetPort: 81 }] },
    expect: [],
  },
  {
    name: 'invalid target port',
    spec: { hosts: ['google.com'], resolution: 'DNS', ports: [{ ...http1, targetPort: 65536 }] },
    expect: [
      ['E', 'SE_PORT_TARGET_INVALID', ['ports', 0, 'targetPort'], 'port number 65536 must be in the range 1..65535'],
    ],
  },
  {
    name: 'warn target port',
    spec: {
      hosts: ['google.com'],
      workloadSelector: { labels: { key: 'bar' } },
      ports: [{ ...http1, targetPort: 1234 }],
    },
    expect: [['W', 'SE_NONE_SELECTOR', ['workloadSelector'], 'resolution mode is NONE']],
  },
  {
    name: 'valid endpoint port',
    spec: {
      hosts: ['google.com'],
      ports: [{ ...http1, targetPort: 81 }],
      resolution: 'STATIC',
      endpoints: [{ address: '1.1.1.1', ports: { 'http-valid1': 8081 } }],
    },
    expect: [],
  },
  {
    name: 'invalid endpoint port',
    spec: {
      hosts: ['google.com'],
      ports: [{ ...http1, targetPort: 81 }],
      resolution: 'STATIC',
      endpoints: [{ address: '1.1.1.1', ports: { 'http-valid1': 65536 } }],
    },
    expect: [
      [
        'E',
        'SE_ENDPOINT_PORT_INVALID',
        ['endpoints', 0, 'ports', 'http-valid1'],
        'port number 65536 must be in the range 1..65535',
      ],
    ],
  },
  {
    name: 'protocol unset for addresses empty',
    spec: {
      hosts: ['google.com'],
      addresses: [],
      ports: [http1, { number: 8080, name: 'http-valid2' }],
      resolution: 'NONE',
    },
    expect: [
      [
        'W',
        'SE_PORT_TCP_NEEDS_ADDRESS',
        ['ports', 1],
        'addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled',
      ],
    ],
  },
  {
    name: 'protocol is TCP for addresses empty',
    spec: {
      hosts: ['google.com'],
      addresses: [],
      ports: [http1, { number: 81, protocol: 'TCP', name: 'tcp-valid1' }],
      resolution: 'NONE',
    },
    expect: [['W', 'SE_PORT_TCP_NEEDS_ADDRESS', ['ports', 1], 'addresses are required']],
  },
  {
    name: 'dns round robin with more than one endpoint',
    spec: {
      hosts: ['google.com'],
      addresses: [],
      ports: [{ number: 8081, protocol: 'http', name: 'http-valid1' }],
      endpoints: [
        { address: 'api-v1.istio.io', ports: { 'http-valid1': 8081 } },
        { address: '1.1.1.2', ports: { 'http-valid1': 8081 } },
      ],
      resolution: 'DNS_ROUND_ROBIN',
    },
    expect: [
      [
        'E',
        'SE_DNS_RR_MULTIPLE_ENDPOINTS',
        ['endpoints'],
        'there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN',
      ],
    ],
  },
  {
    name: 'dns round robin with 0 endpoints',
    spec: {
      hosts: ['google.com'],
      addresses: [],
      ports: [{ number: 8081, protocol: 'http', name: 'http-valid1' }],
      endpoints: [],
      resolution: 'DNS_ROUND_ROBIN',
    },
    expect: [],
  },
  {
    name: 'partial wildcard hosts',
    spec: {
      hosts: ['*.nytimes.com', '*washingtonpost.com'],
      addresses: [],
      ports: [{ number: 443, protocol: 'HTTPS', name: 'https-nytimes' }],
      // Istio's table has an empty Go slice here, which is no field at all; in YAML an explicit
      // `endpoints: []` with NONE is refused by the CRD schema (see service-entry-rules.test.ts).
      resolution: 'NONE',
    },
    expect: [['W', 'SE_HOST_PARTIAL_WILDCARD', ['hosts', 1], 'partial wildcard "*washingtonpost.com" not allowed']],
  },
  {
    name: 'network set with no address on endpoint',
    spec: {
      hosts: ['www.example.com'],
      addresses: [],
      ports: [{ number: 443, protocol: 'HTTPS', name: 'https-example' }],
      endpoints: [{ network: 'cluster-1' }],
      resolution: 'STATIC',
    },
    expect: [['W', 'SE_ENDPOINT_ADDRESS_UNSET', ['endpoints', 0], 'address is unset with network "cluster-1"']],
  },
  {
    name: 'discovery type DYNAMIC_DNS, unsupported TCP protocol',
    spec: {
      hosts: ['*.google.com'],
      addresses: [],
      ports: [http1, { number: 81, protocol: 'TCP', name: 'tcp-valid1' }],
      resolution: 'DYNAMIC_DNS',
    },
    expect: [
      [
        'E',
        'SE_DYNAMIC_DNS_PROTOCOL',
        ['ports', 1, 'protocol'],
        'only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS',
      ],
    ],
  },
  {
    name: 'discovery type DYNAMIC_DNS, GRPC protocol',
    spec: {
      hosts: ['*.svc.cluster.local'],
      addresses: [],
      ports: [{ number: 9090, protocol: 'GRPC', name: 'grpc' }],
      resolution: 'DYNAMIC_DNS',
    },
    expect: [],
  },
  {
    name: 'discovery type DYNAMIC_DNS, FQDN host',
    spec: {
      hosts: ['google.com'],
      addresses: [],
      ports: [{ number: 80, protocol: 'http', name: 'http-valid' }],
      resolution: 'DYNAMIC_DNS',
    },
    expect: [
      [
        'E',
        'SE_DYNAMIC_DNS_HOST_NOT_WILDCARD',
        ['hosts', 0],
        'host must be wildcarded for resolution mode DYNAMIC_DNS',
      ],
    ],
  },
  {
    name: 'discovery type DYNAMIC_DNS, endpoints set',
    spec: {
      hosts: ['*.google.com'],
      addresses: [],
      ports: [http1],
      endpoints: [{ address: 'in.google.com', ports: { 'http-valid1': 9080 } }],
      resolution: 'DYNAMIC_DNS',
    },
    expect: [
      ['E', 'SE_DYNAMIC_DNS_ENDPOINTS', ['endpoints'], 'endpoints cannot be set for resolution type DYNAMIC_DNS'],
    ],
  },
  {
    name: 'discovery type DYNAMIC_DNS, IP address set',
    spec: { hosts: ['*.google.com'], addresses: ['10.10.10.10'], ports: twoHttp, resolution: 'DYNAMIC_DNS' },
    expect: [
      ['E', 'SE_DYNAMIC_DNS_ADDRESSES', ['addresses'], 'addresses cannot be set for resolution type DYNAMIC_DNS'],
    ],
  },
  {
    name: 'discovery type DYNAMIC_DNS, empty hosts',
    spec: { hosts: [], addresses: [], ports: [http1], resolution: 'DYNAMIC_DNS' },
    expect: [['E', 'SE_HOSTS_REQUIRED', ['hosts'], 'at least one host']],
  },
  {
    name: 'discovery type DYNAMIC_DNS, multiple wildcarded hosts',
    spec: { hosts: ['*.google.com', '*.amazon.com'], addresses: [], ports: [http1], resolution: 'DYNAMIC_DNS' },
    expect: [],
  },
  {
    name: 'discovery type DYNAMIC_DNS, internal mesh location',
    spec: {
      hosts: ['*.google.com'],
      addresses: [],
      ports: [http1],
      resolution: 'DYNAMIC_DNS',
      location: 'MESH_INTERNAL',
    },
    expect: [],
  },
  {
    name: 'discovery type DYNAMIC_DNS, MESH_INTERNAL with waypoint (invalid)',
    spec: {
      hosts: ['*.google.com'],
      addresses: [],
      ports: [http1],
      resolution: 'DYNAMIC_DNS',
      location: 'MESH_INTERNAL',
    },
    labels: { 'istio.io/use-waypoint': 'my-waypoint' },
    expect: [
      [
        'E',
        'SE_DYNAMIC_DNS_INTERNAL_WAYPOINT',
        ['location'],
        'location MESH_INTERNAL with resolution type DYNAMIC_DNS is not supported when using waypoints',
      ],
    ],
  },
  {
    name: 'discovery type DYNAMIC_DNS, nil port',
    spec: { hosts: ['*.google.com'], location: 'MESH_EXTERNAL', ports: [nullPort], resolution: 'DYNAMIC_DNS' },
    expect: [['E', 'SE_PORT_NULL', ['ports', 0], 'service entry port may not be null']],
  },
  {
    name: 'nil port in ports array',
    spec: { hosts: ['google.com'], ports: [nullPort], resolution: 'NONE' },
    expect: [['E', 'SE_PORT_NULL', ['ports', 0], 'may not be null']],
  },
  {
    name: 'discovery type DNS with addresses, nil port',
    spec: { hosts: ['google.com'], addresses: ['1.2.3.4'], ports: [nullPort], resolution: 'DNS' },
    expect: [['E', 'SE_PORT_NULL', ['ports', 0], 'may not be null']],
  },
];

function runCase(c: Case): void {
  void test(c.name, () => {
    const ctx = validationContext(c.namespace ?? 'default', c.labels ?? {});
    assertFindings(runRules(validateServiceEntry, c.spec, ctx), c.expect);
  });
}

void describe('ServiceEntry: Istio TestValidateServiceEntries cases', () => {
  for (const c of istioCases) runCase(c);
});
