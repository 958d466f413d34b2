// HTTP route rules (Istio's TestValidateHTTPRoute and TestValidateRouteDestination): actions, matches, headers, destinations.
import { describe, test } from 'node:test';
import type { HTTPMatchRequest, HTTPRoute, HTTPRouteDestination } from '../../../src/config/wire/virtual-service.ts';
import { validateVirtualService } from '../../../src/validation/virtual-service.ts';
import { assertFindings, runRules } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

interface Case {
  readonly name: string;
  readonly route: HTTPRoute;
  readonly expect: readonly ExpectedFinding[];
}

const toBaz: HTTPRouteDestination[] = [{ destination: { host: 'foo.baz' } }];
const matching = (match: HTTPMatchRequest): HTTPRoute => ({ route: toBaz, match: [match] });
const M = ['http', 0, 'match', 0];
const H = ['http', 0, 'headers'];

function run(cases: readonly Case[]): void {
  for (const c of cases) {
    void test(c.name, () =>
      assertFindings(runRules(validateVirtualService, { hosts: ['foo.bar'], http: [c.route] }), c.expect),
    );
  }
}

void describe('HTTP route: one action', () => {
  const redirect = { uri: '/lerp', authority: 'foo.biz' };
  run([
    { name: 'simple', route: { route: toBaz }, expect: [] },
    {
      name: 'empty',
      route: {},
      expect: [['E', 'VS_HTTP_ACTION_REQUIRED', ['http', 0], 'HTTP route, redirect or direct_response is required']],
    },
    { name: 'simple redirect', route: { redirect }, expect: [] },
    { name: 'direct response', route: { directResponse: { status: 503, body: { string: 'down' } } }, expect: [] },
    {
      name: 'route and redirect',
      route: { route: toBaz, redirect },
      expect: [
        ['E', 'VS_ROUTE_AND_REDIRECT', ['http', 0, 'redirect'], 'HTTP route cannot contain both route and redirect'],
      ],
    },
    {
      name: 'redirect with fault, rewrite and direct response',
      route: {
        redirect,
        fault: { abort: { httpStatus: 500 } },
        rewrite: { uri: '/x' },
        directResponse: { status: 200 },
      },
      expect: [
        ['E', 'VS_FAULT_AND_REDIRECT', ['http', 0, 'fault'], 'HTTP route cannot contain both fault and redirect'],
        [
          'E',
          'VS_REWRITE_AND_REDIRECT',
          ['http', 0, 'rewrite'],
          'HTTP route rule cannot contain both rewrite and redirect',
        ],
        [
          'E',
          'VS_DIRECT_RESPONSE_AND_REDIRECT',
          ['http', 0, 'directResponse'],
          'HTTP route rule cannot contain both direct_response and redirect',
        ],
      ],
    },
    {
      name: 'direct response with route, fault and rewrite',
      route: {
        directResponse: { status: 200 },
        route: toBaz,
        fault: { delay: { fixedDelay: '1s' } },
        rewrite: { uri: '/x' },
      },
      expect: [
        [
          'E',
          'VS_ROUTE_AND_DIRECT_RESPONSE',
          ['http', 0, 'directResponse'],
          'HTTP route cannot contain both route and direct_response',
        ],
        [
          'E',
          'VS_FAULT_AND_DIRECT_RESPONSE',
          ['http', 0, 'fault'],
          'HTTP route cannot contain both fault and direct_response',
        ],
        [
          'E',
          'VS_REWRITE_AND_DIRECT_RESPONSE',
          ['http', 0, 'rewrite'],
          'HTTP route rule cannot contain both rewrite and direct_response',
        ],
      ],
    },
    {
      name: 'mirror and mirrors',
      route: { route: toBaz, mirror: { host: 'foo.baz' }, mirrors: [{ destination: { host: 'foo.bar' } }] },
      expect: [
        ['E', 'VS_MIRROR_AND_MIRRORS', ['http', 0, 'mirrors'], 'HTTP route cannot contain both mirror and mirrors'],
      ],
    },
    { name: 'valid timeout', route: { route: toBaz, timeout: '3s' }, expect: [] },
    {
      name: 'timeout below 1ms',
      route: { route: toBaz, timeout: '100us' },
      expect: [['E', 'VS_TIMEOUT_INVALID', ['http', 0, 'timeout'], 'duration must be greater than 1ms']],
    },
  ]);
});

void describe('HTTP route: matches', () => {
  run([
    { name: 'nil match element', route: { route: toBaz, match: [null as never] }, expect: [] },
    { name: 'empty uri prefix is allowed', route: matching({ uri: { prefix: '' } }), expect: [] },
    {
      name: 'header presence match',
      route: matching({ headers: { 'x-a': {} }, withoutHeaders: { 'x-b': { regex: '*' } } }),
      expect: [],
    },
    {
      name: 'pseudo header and funky token',
      route: matching({ headers: { ':authority': { exact: 'a' }, 'funky!$#_': { exact: 'b' } } }),
      expect: [],
    },
    {
      name: 'null header match',
      route: matching({ headers: { header: null as never } }),
      expect: [['E', 'VS_HEADER_MATCH_NULL', [...M, 'headers', 'header'], 'header match header cannot be null']],
    },
    {
      name: 'empty prefix header match',
      route: matching({ headers: { emptyprefix: { prefix: '' } } }),
      expect: [
        [
          'E',
          'VS_MATCH_PREFIX_EMPTY',
          [...M, 'headers', 'emptyprefix', 'prefix'],
          '"headers": prefix string match should not be empty',
        ],
      ],
    },
    {
      name: 'illegal header names',
      route: matching({
        headers: { 'illegal"char': { exact: 'x' }, '::': { exact: 'y' } },
        withoutHeaders: { '': { exact: 'z' } },
      }),
      expect: [
        [
          'E',
          'VS_HEADER_NAME_INVALID',
          [...M, 'headers', 'illegal"char'],
          'header name illegal"char is not a valid header name',
        ],
        ['E', 'VS_HEADER_NAME_INVALID', [...M, 'headers', '::'], 'header name :: is not a valid header name'],
        ['E', 'VS_HEADER_NAME_INVALID', [...M, 'withoutHeaders', ''], 'header name cannot be empty'],
      ],
    },
    {
      name: 'empty prefixes for scheme, method, authority and query params',
      route: matching({
        scheme: { prefix: '' },
        method: { prefix: '' },
        authority: { prefix: '' },
        queryParams: { q: { prefix: '' } },
      }),
      expect: [
        ['E', 'VS_MATCH_PREFIX_EMPTY', [...M, 'scheme', 'prefix'], '"scheme": prefix'],
        ['E', 'VS_MATCH_PREFIX_EMPTY', [...M, 'method', 'prefix'], '"method": prefix'],
        ['E', 'VS_MATCH_PREFIX_EMPTY', [...M, 'authority', 'prefix'], '"authority": prefix'],
        ['E', 'VS_MATCH_PREFIX_EMPTY', [...M, 'queryParams', 'q', 'prefix'], '"queryParams": prefix'],
      ],
    },
    {
      name: 'empty prefix in withoutHeaders',
      route: matching({ withoutHeaders: { 'x-a': { prefix: '' } } }),
      expect: [
        [
          'E',
          'VS_MATCH_PREFIX_EMPTY',
          [...M, 'withoutHeaders', 'x-a', 'prefix'],
          '"withoutHeaders": prefix string match should not be empty',
        ],
      ],
    },
    {
      name: 'valid regexes',
      route: matching({ uri: { regex: '^/api/v[0-9]+/.*' }, headers: { 'x-a': { regex: 'a|b' } } }),
      expect: [],
    },
    {
      name: 'invalid uri regex',
      route: matching({ uri: { regex: 'a(b' } }),
      expect: [
        [
          'E',
          'VS_REGEX_INVALID',
          [...M, 'uri', 'regex'],
          '"uri": error parsing regexp: missing closing ): `a(b`; Istio uses RE2 style regex',
        ],
      ],
    },
    {
      name: 'lookahead is not RE2',
      route: matching({ headers: { 'x-a': { regex: '(?=a)' } } }),
      expect: [['E', 'VS_REGEX_INVALID', [...M, 'headers', 'x-a', 'regex'], 'invalid or unsupported Perl syntax']],
    },
    {
      name: 'empty regex',
      route: matching({ method: { regex: '' } }),
      expect: [['E', 'VS_REGEX_EMPTY', [...M, 'method', 'regex'], '"method": regex string match should not be empty']],
    },
    {
      name: 'regex over 1024 characters',
      route: matching({ uri: { regex: 'a'.repeat(1025) } }),
      expect: [
        ['E', 'VS_REGEX_TOO_LARGE', [...M, 'uri', 'regex'], '"uri": regex is too large, max length allowed is 1024'],
      ],
    },
    { name: 'regex of exactly 1024 characters', route: matching({ uri: { regex: 'a'.repeat(1024) } }), expect: [] },
    {
      name: 'two match kinds at once',
      route: matching({ uri: { exact: '/a', prefix: '/b' } }),
      expect: [
        [
          'E',
          'VS_STRING_MATCH_ONEOF',
          [...M, 'uri'],
          'only one of exact, prefix or regex may be set (found exact, prefix)',
        ],
      ],
    },
    {
      name: 'port, source labels, gateways and source namespace',
      route: matching({
        port: 65536,
        sourceLabels: { app: 'bad value!' },
        gateways: ['ns/gw', 'b@d/gw'],
        sourceNamespace: 'Not_A_Label',
      }),
      expect: [
        ['E', 'VS_MATCH_PORT_INVALID', [...M, 'port'], 'port number 65536 must be in the range 1..65535'],
        ['E', 'VS_SOURCE_LABEL_VALUE_INVALID', [...M, 'sourceLabels', 'app'], 'invalid tag value: "bad value!"'],
        ['E', 'VS_GATEWAY_NAMESPACE_INVALID', [...M, 'gateways', 1], 'invalid value for namespace: "b@d"'],
        ['E', 'VS_SOURCE_NAMESPACE_INVALID', [...M, 'sourceNamespace'], 'sourceNamespace match Not_A_Label is invalid'],
      ],
    },
    {
      name: 'valid port, labels and source namespace',
      route: matching({ port: 8080, sourceLabels: { app: 'a' }, sourceNamespace: 'ns-1' }),
      expect: [],
    },
  ]);
});

void describe('HTTP route: header operations', () => {
  const withHeaders = (headers: NonNullable<HTTPRoute['headers']>): HTTPRoute => ({ route: toBaz, headers });
  run([
    {
      name: 'valid headers (empty values are fine)',
      route: withHeaders({
        request: { add: { name: '' }, set: { name: '' }, remove: ['name'] },
        response: { add: { name: '' }, set: { name: '' }, remove: ['name'] },
      }),
      expect: [],
    },
    {
      name: 'request may set host and :authority spellings',
      route: withHeaders({ request: { set: { Host: 'a' } } }),
      expect: [],
    },
    ...(['add', 'set'] as const).flatMap((op) => [
      {
        name: `empty header name - request ${op}`,
        route: withHeaders({ request: { [op]: { '': 'value' } } }),
        expect: [
          ['E', 'VS_HEADER_NAME_INVALID', [...H, 'request', op, ''], 'header name cannot be empty'],
        ] as ExpectedFinding[],
      },
      {
        name: `empty header name - response ${op}`,
        route: withHeaders({ response: { [op]: { '': 'value' } } }),
        expect: [
          ['E', 'VS_HEADER_NAME_INVALID', [...H, 'response', op, ''], 'header name cannot be empty'],
        ] as ExpectedFinding[],
      },
      {
        name: `pseudo header - request ${op}`,
        route: withHeaders({ request: { [op]: { ':path': '/x' } } }),
        expect: [
          [
            'E',
            'VS_HEADER_NAME_INVALID',
            [...H, 'request', op, ':path'],
            'invalid header ":path": header cannot have ":" prefix',
          ],
        ] as ExpectedFinding[],
      },
      {
        name: `host - response ${op}`,
        route: withHeaders({ response: { [op]: { host: 'x' } } }),
        expect: [
          [
            'E',
            'VS_HEADER_NAME_INVALID',
            [...H, 'response', op, 'host'],
            'invalid header "host": cannot set Host header',
          ],
        ] as ExpectedFinding[],
      },
      {
        name: `envoy escaped % ${op}`,
        route: withHeaders({ request: { [op]: { 'i-love-istio': '100%% and more' } } }),
        expect: [],
      },
      {
        name: `envoy variable ${op}`,
        route: withHeaders({ request: { [op]: { name: 'hello %HOSTNAME%' } } }),
        expect: [],
      },
      {
        name: `envoy unescaped % ${op}`,
        route: withHeaders({ request: { [op]: { name: 'abcd%oijasodifj' } } }),
        expect: [
          ['E', 'VS_HEADER_VALUE_INVALID', [...H, 'request', op, 'name'], 'Un-terminated variable expression'],
        ] as ExpectedFinding[],
      },
    ]),
    {
      name: 'empty and internal names in remove lists',
      route: withHeaders({ request: { remove: ['ok', '', 'Host'] }, response: { remove: [':status'] } }),
      expect: [
        ['E', 'VS_HEADER_NAME_INVALID', [...H, 'request', 'remove', 1], 'header name cannot be empty'],
        [
          'E',
          'VS_HEADER_NAME_INVALID',
          [...H, 'request', 'remove', 2],
          'invalid header "Host": cannot set Host header',
        ],
        [
          'E',
          'VS_HEADER_NAME_INVALID',
          [...H, 'response', 'remove', 0],
          'invalid header ":status": header cannot have ":" prefix',
        ],
      ],
    },
    {
      name: 'control character in a value',
      route: withHeaders({ response: { set: { 'x-a': 'bad\nvalue' } } }),
      expect: [
        [
          'E',
          'VS_HEADER_VALUE_INVALID',
          [...H, 'response', 'set', 'x-a'],
          'header value configuration bad\nvalue is invalid',
        ],
      ],
    },
    {
      name: 'per-destination header operations are checked too',
      route: { route: [{ destination: { host: 'foo.baz' }, headers: { response: { add: { ':status': '200' } } } }] },
      expect: [
        [
          'E',
          'VS_HEADER_NAME_INVALID',
          ['http', 0, 'route', 0, 'headers', 'response', 'add', ':status'],
          'header cannot have ":" prefix',
        ],
      ],
    },
    {
      name: 'authority set twice in set and add',
      route: withHeaders({ request: { set: { host: 'a' }, add: { ':authority': 'b' } } }),
      expect: [
        [
          'E',
          'VS_AUTHORITY_SET_TWICE',
          [...H, 'request', 'add', ':authority'],
          'authority header cannot be set multiple times: have "a", attempting to set "b"',
        ],
      ],
    },
  ]);
});

void describe('HTTP route: destinations (Istio TestValidateRouteDestination)', () => {
  const routeTo = (...entries: HTTPRouteDestination[]): HTTPRoute => ({ route: entries });
  const R = ['http', 0, 'route'];
  run([
    { name: 'wildcard dash host', route: routeTo({ destination: { host: '*-foo.baz' } }), expect: [] },
    { name: 'wildcard prefix host', route: routeTo({ destination: { host: '*foo.baz' } }), expect: [] },
    { name: 'short name host', route: routeTo({ destination: { host: 'reviews' } }), expect: [] },
    {
      name: 'wildcard host',
      route: routeTo({ destination: { host: '*' } }),
      expect: [['E', 'VS_DESTINATION_HOST_INVALID', [...R, 0, 'destination', 'host'], 'invalid destination host *']],
    },
    {
      name: 'bad wildcard host',
      route: routeTo({ destination: { host: 'foo.*' } }),
      expect: [['E', 'VS_DESTINATION_HOST_INVALID', [...R, 0, 'destination', 'host'], '(label "*" invalid)']],
    },
    {
      name: 'empty host',
      route: routeTo({ destination: {} }),
      expect: [['E', 'VS_DESTINATION_HOST_INVALID', [...R, 0, 'destination', 'host'], 'empty domain name not allowed']],
    },
    {
      name: 'full destination',
      route: routeTo({ destination: { host: 'foo.bar', subset: 'shiny', port: { number: 5000 } } }),
      expect: [],
    },
    {
      name: 'unnumbered port selector and bad subset',
      route: routeTo({ destination: { host: 'foo.bar', subset: 'Not_OK', port: {} } }),
      expect: [
        ['E', 'VS_DESTINATION_SUBSET_INVALID', [...R, 0, 'destination', 'subset'], 'subset name is invalid: Not_OK'],
        [
          'E',
          'VS_DESTINATION_PORT_INVALID',
          [...R, 0, 'destination', 'port', 'number'],
          'port number 0 must be in the range 1..65535',
        ],
      ],
    },
    {
      name: 'weights over 100 in total',
      route: routeTo({ destination: { host: 'a.b' }, weight: 55 }, { destination: { host: 'c.d' }, weight: 55 }),
      expect: [],
    },
    {
      name: 'single destination with weight 0',
      route: routeTo({ destination: { host: 'a.b' }, weight: 0 }),
      expect: [],
    },
    {
      name: 'negative weight',
      route: routeTo({ destination: { host: 'a.b' }, weight: -25 }, { destination: { host: 'c.d' }, weight: 125 }),
      expect: [['E', 'VS_WEIGHT_NEGATIVE', [...R, 0, 'weight'], 'weight -25 < 0']],
    },
    {
      name: 'total weight 0 with several destinations',
      route: routeTo({ destination: { host: 'a.b' } }, { destination: { host: 'c.d' } }),
      expect: [['E', 'VS_TOTAL_WEIGHT_ZERO', R, 'total destination weight = 0']],
    },
    {
      name: 'null entry',
      route: routeTo(null as never),
      expect: [['E', 'VS_DESTINATION_NULL', [...R, 0], 'weight may not be nil']],
    },
  ]);
});
