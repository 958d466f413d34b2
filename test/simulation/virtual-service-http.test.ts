// Simulation: every VirtualService http[] field on a compiled snapshot → virtual host, route, cluster and flag.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compile } from '../../src/compiler/compile.ts';
import type { HTTPRoute } from '../../src/config/wire/virtual-service.ts';
import { configSet, destinationRule, serviceEntry, sidecar, virtualService } from '../helpers/config-set.ts';
import { simulateHttp, type Call } from '../helpers/simulate.ts';

const HTTP = [{ number: 80, name: 'http', protocol: 'HTTP' }];

function snapshotFor(
  http: HTTPRoute[],
  options: { labels?: Record<string, string>; namespace?: string; vsNamespace?: string } = {},
): ReturnType<typeof compile> {
  return compile(
    configSet({
      serviceEntries: [
        serviceEntry(
          { name: 'api' },
          {
            hosts: ['api.example.com'],
            ports: [...HTTP, { number: 8080, name: 'alt', protocol: 'HTTP' }],
            resolution: 'DNS',
          },
        ),
        serviceEntry(
          { name: 'other' },
          {
            hosts: ['other.example.com'],
            ports: HTTP,
            resolution: 'DNS',
            endpoints: [
              { address: 'o1.example.net', labels: { version: 'v1' } },
              { address: 'o2.example.net', labels: { version: 'v2' } },
            ],
          },
        ),
      ],
      destinationRules: [
        destinationRule(
          { name: 'other' },
          {
            host: 'other.example.com',
            subsets: [
              { name: 'v1', labels: { version: 'v1' } },
              { name: 'v2', labels: { version: 'v2' } },
            ],
          },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'api', namespace: options.vsNamespace ?? 'default' },
          { hosts: ['api.example.com'], http },
        ),
      ],
      mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
    }),
    { namespace: options.namespace ?? 'default', version: '1', labels: options.labels ?? {} },
  );
}

const to = (
  host: string,
  extra: Record<string, unknown> = {},
): { route: { destination: { host: string } }[] } & Record<string, unknown> => ({
  route: [{ destination: { host } }],
  ...extra,
});

void describe('http[].match', () => {
  const snap = snapshotFor([
    { name: 'exact', match: [{ name: 'a', uri: { exact: '/exact' } }], ...to('other.example.com') },
    { name: 'prefix-nocase', match: [{ uri: { prefix: '/Docs' }, ignoreUriCase: true }], ...to('other.example.com') },
    { name: 'regex', match: [{ uri: { regex: '/items/[0-9]+' } }], ...to('other.example.com') },
    { name: 'method', match: [{ method: { exact: 'DELETE' } }], ...to('other.example.com') },
    { name: 'scheme', match: [{ scheme: { exact: 'https' } }], ...to('other.example.com') },
    { name: 'authority', match: [{ authority: { prefix: 'api.example.com:8' } }], ...to('other.example.com') },
    { name: 'present', match: [{ headers: { 'x-debug': {} } }], ...to('other.example.com') },
    { name: 'hregex', match: [{ headers: { 'x-user': { regex: 'admin-.*' } } }], ...to('other.example.com') },
    {
      name: 'and',
      match: [{ uri: { prefix: '/both' }, headers: { 'x-team': { exact: 'blue' } } }],
      ...to('other.example.com'),
    },
    {
      name: 'without',
      match: [{ uri: { prefix: '/public' }, withoutHeaders: { authorization: {} } }],
      ...to('other.example.com'),
    },
    {
      name: 'query',
      match: [{ queryParams: { q: { exact: 'go' } } }, { name: 'flag', queryParams: { debug: { exact: '' } } }],
      ...to('other.example.com'),
    },
    { name: 'port', match: [{ port: 8080 }], ...to('other.example.com') },
    { name: 'fallback', ...to('api.example.com') },
  ]);
  const route = (call: Omit<Call, 'authority'>): string | undefined =>
    simulateHttp(snap, { authority: 'api.example.com', ...call }).route;

  void test('uri exact, prefix with ignoreUriCase, RE2 regex over the whole path', () => {
    assert.equal(route({ path: '/exact' }), 'exact.a');
    assert.equal(route({ path: '/exact/more' }), 'fallback');
    assert.equal(route({ path: '/docs/Intro' }), 'prefix-nocase');
    assert.equal(route({ path: '/DOCS' }), 'prefix-nocase');
    assert.equal(route({ path: '/items/42' }), 'regex');
    assert.equal(route({ path: '/items/42x' }), 'fallback');
  });

  void test('method, scheme and authority', () => {
    assert.equal(route({ method: 'DELETE', path: '/x' }), 'method');
    assert.equal(route({ path: '/x' }), 'fallback', 'plain HTTP has scheme http');
    assert.equal(simulateHttp(snap, { authority: 'api.example.com:8080', port: 8080, path: '/x' }).route, 'authority');
  });

  void test('headers: presence {}, regex, AND inside one entry, withoutHeaders', () => {
    assert.equal(route({ headers: { 'x-debug': '' } }), 'present');
    assert.equal(route({ headers: { 'x-user': 'admin-ann' } }), 'hregex');
    assert.equal(route({ headers: { 'x-user': 'guest' } }), 'fallback');
    assert.equal(route({ path: '/both', headers: { 'x-team': 'blue' } }), 'and');
    assert.equal(route({ path: '/both' }), 'fallback');
    assert.equal(route({ path: '/public/a' }), 'without');
    assert.equal(route({ path: '/public/a', headers: { authorization: 'Bearer x' } }), 'fallback');
  });

  void test('queryParams: OR of entries, `?debug` matches exact ""', () => {
    assert.equal(route({ path: '/s?q=go' }), 'query');
    assert.equal(route({ path: '/s?q=stop' }), 'fallback');
    assert.equal(route({ path: '/s?debug' }), 'query.flag');
  });

  void test('port: the entry exists only on its listener port; first route wins', () => {
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com:8080', port: 8080, path: '/exact' }).route,
      'exact.a',
    );
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com:8080', port: 8080, path: '/zzz', headers: {} }).route,
      'authority',
    );
    assert.equal(route({ path: '/zzz' }), 'fallback');
  });

  void test('no matching route in the vhost is 404 NR', () => {
    const strict = snapshotFor([{ name: 'only', match: [{ uri: { exact: '/only' } }], ...to('other.example.com') }]);
    assert.deepEqual(simulateHttp(strict, { authority: 'api.example.com', path: '/else' }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      status: 404,
      flag: 'NR',
    });
  });
});

void describe('sourceLabels and sourceNamespace', () => {
  const http: HTTPRoute[] = [
    { name: 'canary', match: [{ sourceLabels: { track: 'canary' } }], ...to('other.example.com') },
    { name: 'prod-ns', match: [{ sourceNamespace: 'prod' }], ...to('other.example.com') },
    { name: 'rest', ...to('api.example.com') },
  ];
  void test("compared with the proxy's own labels and namespace", () => {
    assert.equal(
      simulateHttp(snapshotFor(http, { labels: { track: 'canary' } }), { authority: 'api.example.com' }).route,
      'canary',
    );
    assert.equal(
      simulateHttp(snapshotFor(http, { namespace: 'prod' }), { authority: 'api.example.com' }).route,
      'prod-ns',
    );
    assert.equal(simulateHttp(snapshotFor(http), { authority: 'api.example.com' }).route, 'rest');
  });
});

void describe('destinations', () => {
  void test('subsets select DestinationRule subsets; an unknown subset or host is 503 NC', () => {
    const snap = snapshotFor([
      { match: [{ uri: { prefix: '/v2' } }], route: [{ destination: { host: 'other.example.com', subset: 'v2' } }] },
      { match: [{ uri: { prefix: '/v3' } }], route: [{ destination: { host: 'other.example.com', subset: 'v3' } }] },
      { match: [{ uri: { prefix: '/gone' } }], route: [{ destination: { host: 'gone.example.com' } }] },
      { route: [{ destination: { host: 'api.example.com', port: { number: 8080 } } }] },
    ]);
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com', path: '/v2' }).cluster,
      'outbound|80|v2|other.example.com',
    );
    assert.deepEqual(
      snap.clusters['outbound|80|v2|other.example.com']!.endpoints.map((e) => e.address),
      ['o2.example.net'],
    );
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/v3' }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: '',
      cluster: 'outbound|80|v3|other.example.com',
      status: 503,
      flag: 'NC',
    });
    assert.equal(simulateHttp(snap, { authority: 'api.example.com', path: '/gone' }).flag, 'NC');
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com', path: '/x' }).cluster,
      'outbound|8080||api.example.com',
    );
    assert.ok(
      snap.diagnostics.some(
        (d) => d.code === 'UnknownDestination' && d.message.includes('outbound|80|v3|other.example.com'),
      ),
    );
  });

  void test('weights: 25/75 by the random draw; weight 0 is never chosen', () => {
    const snap = snapshotFor([
      {
        route: [
          { destination: { host: 'other.example.com', subset: 'v1' }, weight: 25 },
          { destination: { host: 'other.example.com', subset: 'v2' }, weight: 75 },
          { destination: { host: 'api.example.com' }, weight: 0 },
        ],
      },
    ]);
    const pick = (random: number): string | undefined =>
      simulateHttp(snap, { authority: 'api.example.com', random }).cluster;
    assert.equal(pick(0), 'outbound|80|v1|other.example.com');
    assert.equal(pick(0.2499), 'outbound|80|v1|other.example.com');
    assert.equal(pick(0.25), 'outbound|80|v2|other.example.com');
    assert.equal(pick(0.9999), 'outbound|80|v2|other.example.com');
  });

  void test('short destination hosts are completed with the VirtualService namespace', () => {
    const snap = snapshotFor([{ route: [{ destination: { host: 'reviews' } }] }], {
      vsNamespace: 'shop',
      namespace: 'shop',
    });
    assert.equal(
      simulateHttp(snap, { authority: 'api.example.com' }).cluster,
      'outbound|80||reviews.shop.svc.cluster.local',
    );
  });
});

void describe('redirect, directResponse, rewrite', () => {
  const snap = snapshotFor([
    {
      name: 'moved',
      match: [{ uri: { prefix: '/old/' } }],
      redirect: { prefixRewrite: '/new/', authority: 'www.example.com' },
    },
    { name: 'secure', match: [{ uri: { exact: '/login' } }], redirect: { scheme: 'https', redirectCode: 308 } },
    { name: 'port', match: [{ uri: { exact: '/alt' } }], redirect: { uri: '/elsewhere', port: 8443 } },
    {
      name: 'derive',
      match: [{ uri: { exact: '/same-port' } }],
      redirect: { authority: 'b.example.com', derivePort: 'FROM_REQUEST_PORT' },
    },
    {
      name: 'teapot',
      match: [{ uri: { exact: '/tea' } }],
      directResponse: { status: 418, body: { string: 'short and stout' } },
    },
    { name: 'prefix', match: [{ uri: { prefix: '/v1/' } }], rewrite: { uri: '/api/v1/' }, ...to('other.example.com') },
    {
      name: 'regex',
      match: [{ uri: { prefix: '/r/' } }],
      rewrite: { uriRegexRewrite: { match: '^/r/([^/]+)/(.*)$', rewrite: '/\\2/\\1' } },
      ...to('other.example.com'),
    },
  ]);
  const call = (path: string, authority = 'api.example.com'): ReturnType<typeof simulateHttp> =>
    simulateHttp(snap, { authority, path, port: authority.endsWith(':8080') ? 8080 : 80 });

  void test('redirects: default 301, prefixRewrite keeps the rest and the query, scheme change drops the default port', () => {
    assert.deepEqual(call('/old/a/b?x=1'), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: 'moved',
      status: 301,
      flag: '-',
      location: 'http://www.example.com/new/a/b?x=1',
    });
    assert.equal(call('/login').location, 'https://api.example.com/login');
    assert.equal(call('/login').status, 308);
    assert.equal(call('/alt?k=v').location, 'http://api.example.com:8443/elsewhere?k=v');
    assert.equal(call('/same-port', 'api.example.com:8080').location, 'http://b.example.com:8080/same-port');
  });

  void test('directResponse answers with its status (and body, see the e2e test)', () => {
    assert.deepEqual(call('/tea'), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: 'teapot',
      cluster: undefined,
      status: 418,
      flag: '-',
    });
  });

  void test('rewrite: prefix replaces the matched prefix; uriRegexRewrite substitutes groups', () => {
    assert.equal(call('/v1/users?id=3').upstreamPath, '/api/v1/users?id=3');
    assert.equal(call('/r/alpha/beta/gamma').upstreamPath, '/beta/gamma/alpha');
  });
});

void describe('mirror, mirrors', () => {
  void test('mirror with mirrorPercentage, the deprecated mirrorPercent, and mirrors[] each with its own percentage', () => {
    const snap = snapshotFor([
      {
        name: 'one',
        match: [{ uri: { prefix: '/one' } }],
        mirror: { host: 'other.example.com', subset: 'v2' },
        mirrorPercentage: { value: 12.5 },
        ...to('api.example.com'),
      },
      {
        name: 'old',
        match: [{ uri: { prefix: '/old' } }],
        mirror: { host: 'other.example.com' },
        mirrorPercent: 30,
        ...to('api.example.com'),
      },
      {
        name: 'many',
        match: [{ uri: { prefix: '/many' } }],
        mirrors: [
          { destination: { host: 'other.example.com' } },
          { destination: { host: 'api.example.com', port: { number: 8080 } }, percentage: { value: 1 } },
        ],
        ...to('api.example.com'),
      },
    ]);
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/one' }).mirrors, [
      'outbound|80|v2|other.example.com 12.5%',
    ]);
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/old' }).mirrors, [
      'outbound|80||other.example.com 30%',
    ]);
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/many' }).mirrors, [
      'outbound|80||other.example.com 100%',
      'outbound|8080||api.example.com 1%',
    ]);
  });
});

void describe('fault, CORS', () => {
  const snap = snapshotFor([
    {
      name: 'abort',
      match: [{ uri: { prefix: '/abort' } }],
      fault: { abort: { httpStatus: 503, percentage: { value: 50 } } },
      ...to('other.example.com'),
    },
    {
      name: 'delay',
      match: [{ uri: { prefix: '/delay' } }],
      fault: { delay: { fixedDelay: '1s', percentage: { value: 100 } } },
      ...to('other.example.com'),
    },
    {
      name: 'nopct',
      match: [{ uri: { prefix: '/nopct' } }],
      fault: { abort: { httpStatus: 500 } },
      ...to('other.example.com'),
    },
    {
      name: 'cors',
      corsPolicy: {
        allowOrigins: [{ exact: 'https://app.example.com' }],
        allowMethods: ['GET', 'POST'],
        maxAge: '24h',
      },
      ...to('other.example.com'),
    },
  ]);

  void test('abort below its percentage is FI with the status; above it the request goes on', () => {
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com', path: '/abort', faultRandom: 0.49 }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      route: 'abort',
      cluster: 'outbound|80||other.example.com',
      status: 503,
      flag: 'FI',
    });
    assert.equal(simulateHttp(snap, { authority: 'api.example.com', path: '/abort', faultRandom: 0.5 }).flag, '-');
  });

  void test('delay is DI; a fault without a percentage injects nothing (Istio sends 0%)', () => {
    assert.equal(simulateHttp(snap, { authority: 'api.example.com', path: '/delay', faultRandom: 0.99 }).flag, 'DI');
    assert.equal(simulateHttp(snap, { authority: 'api.example.com', path: '/nopct' }).flag, '-');
  });

  void test('a CORS preflight from an allowed origin is answered locally', () => {
    const preflight = {
      authority: 'api.example.com',
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
    };
    assert.equal(simulateHttp(snap, preflight).status, 200);
    assert.equal(
      simulateHttp(snap, { ...preflight, headers: { ...preflight.headers, origin: 'https://evil.example' } }).status,
      undefined,
      'FORWARD: goes upstream',
    );
  });
});

void describe('VirtualService scope', () => {
  void test('a gateway-only VirtualService is ignored with a diagnostic; a delegate route is skipped and reported', () => {
    const snap = compile(
      configSet({
        serviceEntries: [serviceEntry({ name: 'api' }, { hosts: ['api.example.com'], ports: HTTP, resolution: 'DNS' })],
        virtualServices: [
          virtualService(
            { name: 'gw' },
            {
              hosts: ['api.example.com'],
              gateways: ['istio-system/egress'],
              http: [{ name: 'gw', directResponse: { status: 500 } }],
            },
          ),
          virtualService(
            { name: 'del' },
            { hosts: ['api.example.com'], http: [{ name: 'd', delegate: { name: 'child' } }] },
          ),
        ],
      }),
      { namespace: 'default', version: '1' },
    );
    // The delegating VirtualService still owns the host; with its only route skipped, requests get 404 NR,
    // as in Istio when the delegate cannot be found.
    assert.deepEqual(simulateHttp(snap, { authority: 'api.example.com' }), {
      routeConfig: '80',
      virtualHost: 'api.example.com:80',
      status: 404,
      flag: 'NR',
    });
    assert.ok(snap.diagnostics.some((d) => d.code === 'GatewayOnlyVirtualService'));
    assert.ok(snap.diagnostics.some((d) => d.code === 'UnsupportedDelegate'));
  });

  void test('two VirtualServices for one host: the oldest wins, the other is a diagnostic', () => {
    const snap = compile(
      configSet({
        serviceEntries: [serviceEntry({ name: 'api' }, { hosts: ['api.example.com'], ports: HTTP, resolution: 'DNS' })],
        virtualServices: [
          virtualService(
            { name: 'new', creationTimestamp: '2024-02-01T00:00:00Z' },
            { hosts: ['api.example.com'], http: [{ name: 'new', directResponse: { status: 201 } }] },
          ),
          virtualService(
            { name: 'old', creationTimestamp: '2024-01-01T00:00:00Z' },
            { hosts: ['api.example.com'], http: [{ name: 'old', directResponse: { status: 200 } }] },
          ),
        ],
      }),
      { namespace: 'default', version: '1' },
    );
    assert.equal(simulateHttp(snap, { authority: 'api.example.com' }).route, 'old');
    assert.ok(
      snap.diagnostics.some(
        (d) =>
          d.code === 'DuplicateVirtualServiceHost' &&
          d.message.includes('VirtualService/default/new') &&
          d.message.includes('VirtualService/default/old'),
      ),
    );
  });

  void test("a Sidecar's egress hosts also select VirtualServices: one for a host it does not import is dropped", () => {
    const input = (egress: string[]): ReturnType<typeof configSet> =>
      configSet({
        serviceEntries: [
          serviceEntry(
            { name: 'api', namespace: 'shared' },
            { hosts: ['api.example.com'], ports: HTTP, resolution: 'DNS' },
          ),
          serviceEntry(
            { name: 'other', namespace: 'shared' },
            { hosts: ['other.example.com'], ports: HTTP, resolution: 'DNS' },
          ),
        ],
        virtualServices: [
          virtualService(
            { name: 'api', namespace: 'shared' },
            {
              hosts: ['api.example.com'],
              http: [{ name: 'vs', route: [{ destination: { host: 'other.example.com' } }] }],
            },
          ),
        ],
        sidecars: [sidecar({ name: 'default', namespace: 'app' }, { egress: [{ hosts: egress }] })],
        mesh: { outboundTrafficPolicyMode: 'REGISTRY_ONLY' },
      });
    const narrow = compile(input(['shared/other.example.com']), { namespace: 'app', version: '1' });
    assert.equal(simulateHttp(narrow, { authority: 'api.example.com' }).route, 'block_all');
    const wide = compile(input(['shared/*']), { namespace: 'app', version: '1' });
    assert.equal(simulateHttp(wide, { authority: 'api.example.com' }).route, 'vs');
    const otherNamespace = compile(input(['app/*', 'shared/other.example.com']), { namespace: 'app', version: '1' });
    assert.equal(simulateHttp(otherNamespace, { authority: 'api.example.com' }).route, 'block_all');
  });
});
