// Micro-benchmark of the per-request routing path: virtual-host lookup among many services, VirtualService
// routes matched in order (prefix, header, regex), the per-route filters' decisions, and SNI routing.
// Run: node --import tsx bench/micro/route-match.ts
import { compile } from '../../src/compiler/compile.ts';
import type { HTTPRoute } from '../../src/config/wire/virtual-service.ts';
import { evaluateCors } from '../../src/dataplane/filters/cors.ts';
import { decideFault } from '../../src/dataplane/filters/fault.ts';
import { rewritePath } from '../../src/dataplane/filters/rewrite.ts';
import { routeHttp, type HttpCall } from '../../src/dataplane/router/http-router.ts';
import { compileSnapshotMatchers } from '../../src/dataplane/router/route-matchers.ts';
import { routeTunnel } from '../../src/dataplane/router/tcp-router.ts';
import { configSet, serviceEntry, virtualService } from '../../test/helpers/config-set.ts';

const ITERATIONS = 500_000;
const SERVICES = 1000;
const ROUTES = 50;

const entries = Array.from({ length: SERVICES }, (_, i) =>
  serviceEntry(
    { name: `svc-${i}` },
    {
      hosts: [`svc-${i}.example.com`],
      ports: [
        { number: 80, name: 'http', protocol: 'HTTP' },
        { number: 443, name: 'tls', protocol: 'TLS' },
      ],
      resolution: 'DNS',
    },
  ),
);
const routes: HTTPRoute[] = Array.from({ length: ROUTES }, (_, i) => ({
  name: `r${i}`,
  match: [
    i % 3 === 0
      ? { uri: { prefix: `/p${i}/` } }
      : i % 3 === 1
        ? { headers: { 'x-route': { exact: `r${i}` } } }
        : { uri: { regex: `/re${i}/[0-9]+` } },
  ],
  rewrite: { uri: '/' },
  route: [
    { destination: { host: 'svc-1.example.com' }, weight: 50 },
    { destination: { host: 'svc-2.example.com' }, weight: 50 },
  ],
}));
routes.push({ name: 'last', route: [{ destination: { host: 'svc-0.example.com' } }] });
const snapshot = compile(
  configSet({
    serviceEntries: entries,
    virtualServices: [
      virtualService(
        { name: 'vs' },
        {
          hosts: ['svc-0.example.com'],
          http: routes,
          tls: [
            {
              match: [{ sniHosts: ['svc-0.example.com'] }],
              route: [
                { destination: { host: 'svc-3.example.com' }, weight: 50 },
                { destination: { host: 'svc-4.example.com' }, weight: 50 },
              ],
            },
          ],
        },
      ),
    ],
  }),
  { namespace: 'default', version: 'bench' },
);
compileSnapshotMatchers(snapshot);

function call(authority: string, path: string, headers: Record<string, string> = {}): HttpCall {
  return { authority, port: 80, method: 'GET', path, scheme: 'http', header: (name) => headers[name] };
}

function measure(name: string, op: () => unknown): void {
  let sink = 0;
  for (let i = 0; i < ITERATIONS / 10; i++) sink ^= op() === undefined ? 0 : 1;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink ^= op() === undefined ? 0 : 1;
  const ns = Number(process.hrtime.bigint() - start) / ITERATIONS;
  console.log(`${name.padEnd(40)} ${ns.toFixed(0).padStart(7)} ns/op${sink === 2 ? ' ' : ''}`);
}

const defaultCall = call('svc-777.example.com', '/get');
const firstCall = call('svc-0.example.com', '/p0/items');
const headerCall = call('svc-0.example.com', '/x', { 'x-route': 'r43' });
const regexCall = call('svc-0.example.com', '/re47/123');
const lastCall = call('svc-0.example.com', '/nothing/matches');
const header = (): string | undefined => undefined;
console.log(`node ${process.version}, ${SERVICES} services, ${ROUTES + 1} routes, ${ITERATIONS} iterations each`);
measure('route: service without VirtualService', () => routeHttp(snapshot, defaultCall, 0.3));
measure('route: first route (prefix)', () => routeHttp(snapshot, firstCall, 0.3));
measure('route: 44th route (header)', () => routeHttp(snapshot, headerCall, 0.3));
measure('route: 48th route (regex)', () => routeHttp(snapshot, regexCall, 0.3));
measure('route: fall through all 50 to the last', () => routeHttp(snapshot, lastCall, 0.3));
measure('filters: cors + fault (none configured)', () => [
  evaluateCors(undefined, 'GET', header),
  decideFault(undefined, Math.random),
]);
measure('filters: prefix rewrite', () =>
  rewritePath('/p0/items?x=1', { prefix: { matchedPrefix: '/p0/', replacement: '/' } }),
);
measure('tunnel: SNI with a tls[] route', () => routeTunnel(snapshot, 'svc-0.example.com', 443, 0.7));
measure('tunnel: SNI of a plain service', () => routeTunnel(snapshot, 'svc-500.example.com', 443, 0.7));
