// Micro-benchmarks of the per-request routing path. At scale: routing on a snapshot compiled from many
// generated ServiceEntries (exact, wildcard and unknown hosts, CONNECT). In depth: a VirtualService of 51
// routes matched in order (prefix, header, regex, fall-through), the per-route filters, and SNI routing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compiler/compile.ts';
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import type { HTTPRoute } from '../../src/config/wire/virtual-service.ts';
import { evaluateCors } from '../../src/dataplane/filters/cors.ts';
import { decideFault } from '../../src/dataplane/filters/fault.ts';
import { rewritePath } from '../../src/dataplane/filters/rewrite.ts';
import { routeHttp, type HttpCall, type HttpDecision } from '../../src/dataplane/router/http-router.ts';
import { compileSnapshotMatchers } from '../../src/dataplane/router/route-matchers.ts';
import { routeTunnel } from '../../src/dataplane/router/tcp-router.ts';
import { loadConfig } from '../../src/validation/validate.ts';
import { configSet, serviceEntry, virtualService } from '../../test/helpers/config-set.ts';
import { generateConfig } from '../macro/scale/generate-config.ts';
import type { MicroCase } from './harness.ts';

function call(authority: string, path = '/status/200', headers: Record<string, string> = {}): HttpCall {
  return { method: 'GET', path, scheme: 'http', authority, port: 80, header: (name) => headers[name] };
}

/** Each case must take the path its name says, or its number means nothing. */
function expect(decision: HttpDecision, kind: HttpDecision['kind'], cluster: string | undefined, route?: string): void {
  const got = {
    kind: decision.kind,
    cluster: 'cluster' in decision ? decision.cluster : undefined,
    route: 'route' in decision ? decision.route.name : undefined,
  };
  if (got.kind !== kind || got.cluster !== cluster || (route !== undefined && got.route !== route)) {
    throw new Error(
      `route-match took ${JSON.stringify(got)}, expected ${JSON.stringify({ kind, cluster, route })}: ${decision.reason}`,
    );
  }
}

/** Compiles `services` generated ServiceEntries (as config scale does), REGISTRY_ONLY, matchers built as on a swap. */
async function generatedSnapshot(services: number): Promise<Snapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-micro-'));
  try {
    generateConfig(join(dir, 'config'), services);
    writeFileSync(join(dir, 'mesh.yaml'), 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    const loaded = await loadConfig([join(dir, 'config')], { meshConfigPath: join(dir, 'mesh.yaml') });
    const snapshot = compile(loaded.configSet, { namespace: 'default', version: '1' });
    compileSnapshotMatchers(snapshot);
    return snapshot;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function atScale(services: number): Promise<MicroCase[]> {
  const snapshot = await generatedSnapshot(services);
  const n = services.toLocaleString('en-US');
  const exact = call('svc-00123.ns-3.bench.example');
  const wildcard = call('api.svc-00120.bench.example');
  const unknown = call('not-registered.example.org');
  expect(routeHttp(snapshot, exact, 0.5), 'forward', 'outbound|80||svc-00123.ns-3.bench.example');
  expect(routeHttp(snapshot, wildcard, 0.5), 'forward', 'outbound|80||*.svc-00120.bench.example');
  expect(routeHttp(snapshot, unknown, 0.5), 'direct', 'BlackHoleCluster', 'block_all');
  const tunnel = routeTunnel(snapshot, 'svc-00123.ns-3.bench.example', 443);
  if (tunnel.cluster !== 'outbound|443||svc-00123.ns-3.bench.example')
    throw new Error(`routeTunnel took ${tunnel.cluster}: ${tunnel.reason}`);
  return [
    { name: `routeHttp: exact host among ${n} services`, run: () => routeHttp(snapshot, exact, 0.5) },
    { name: `routeHttp: wildcard host among ${n} services`, run: () => routeHttp(snapshot, wildcard, 0.5) },
    {
      name: `routeHttp: unknown host among ${n}, REGISTRY_ONLY (block_all)`,
      run: () => routeHttp(snapshot, unknown, 0.5),
    },
    {
      name: `routeTunnel: CONNECT to a registered host:443 among ${n}`,
      run: () => routeTunnel(snapshot, 'svc-00123.ns-3.bench.example', 443),
    },
  ];
}

const ROUTES = 50;

/** 1000 services; svc-0 has a VirtualService of 50 matched routes (prefix, header, regex in turn) and a last catch-all. */
function deepSnapshot(): Snapshot {
  const entries = Array.from({ length: 1000 }, (_, i) =>
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
  const tls = [
    {
      match: [{ sniHosts: ['svc-0.example.com'] }],
      route: [
        { destination: { host: 'svc-3.example.com' }, weight: 50 },
        { destination: { host: 'svc-4.example.com' }, weight: 50 },
      ],
    },
  ];
  const config = configSet({
    serviceEntries: entries,
    virtualServices: [virtualService({ name: 'vs' }, { hosts: ['svc-0.example.com'], http: routes, tls })],
  });
  const snapshot = compile(config, { namespace: 'default', version: 'bench' });
  compileSnapshotMatchers(snapshot);
  return snapshot;
}

function inDepth(): MicroCase[] {
  const snapshot = deepSnapshot();
  const plain = call('svc-777.example.com', '/get');
  const first = call('svc-0.example.com', '/p0/items');
  const byHeader = call('svc-0.example.com', '/x', { 'x-route': 'r43' });
  const byRegex = call('svc-0.example.com', '/re47/123');
  const fallThrough = call('svc-0.example.com', '/nothing/matches');
  expect(routeHttp(snapshot, plain, 0.3), 'forward', 'outbound|80||svc-777.example.com');
  expect(routeHttp(snapshot, first, 0.3), 'forward', 'outbound|80||svc-1.example.com', 'r0');
  expect(routeHttp(snapshot, byHeader, 0.3), 'forward', 'outbound|80||svc-1.example.com', 'r43');
  expect(routeHttp(snapshot, byRegex, 0.3), 'forward', 'outbound|80||svc-1.example.com', 'r47');
  expect(routeHttp(snapshot, fallThrough, 0.3), 'forward', 'outbound|80||svc-0.example.com', 'last');
  const noHeader = (): string | undefined => undefined;
  const prefixRewrite = { prefix: { matchedPrefix: '/p0/', replacement: '/' } };
  return [
    { name: 'routeHttp: service without a VirtualService', run: () => routeHttp(snapshot, plain, 0.3) },
    { name: `routeHttp: 1st of ${ROUTES + 1} routes (uri prefix)`, run: () => routeHttp(snapshot, first, 0.3) },
    { name: `routeHttp: 44th of ${ROUTES + 1} routes (header)`, run: () => routeHttp(snapshot, byHeader, 0.3) },
    { name: `routeHttp: 48th of ${ROUTES + 1} routes (uri regex)`, run: () => routeHttp(snapshot, byRegex, 0.3) },
    { name: `routeHttp: through all ${ROUTES} matches to the last`, run: () => routeHttp(snapshot, fallThrough, 0.3) },
    {
      name: 'filters: CORS and fault, none configured',
      run: () => [evaluateCors(undefined, 'GET', noHeader), decideFault(undefined, Math.random)],
    },
    { name: 'filters: uri prefix rewrite', run: () => rewritePath('/p0/items?x=1', prefixRewrite) },
    {
      name: 'routeTunnel: SNI with a tls[] route (weighted)',
      run: () => routeTunnel(snapshot, 'svc-0.example.com', 443, 0.7),
    },
    { name: 'routeTunnel: SNI of a plain service', run: () => routeTunnel(snapshot, 'svc-500.example.com', 443, 0.7) },
  ];
}

export async function routeMatchCases(services: number): Promise<MicroCase[]> {
  return [...(await atScale(services)), ...inDepth()];
}
