// Micro-benchmarks of routing on a compiled snapshot with many ServiceEntries: an HTTP request to a
// registered host (exact and wildcard), one through VirtualService matches, an unknown host under
// REGISTRY_ONLY, and a CONNECT target.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compiler/compile.ts';
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import { routeHttp, type HttpCall, type HttpDecision } from '../../src/dataplane/router/http-router.ts';
import { routeTunnel } from '../../src/dataplane/router/tcp-router.ts';
import { loadConfig } from '../../src/validation/validate.ts';
import { generateConfig } from '../macro/scale/generate-config.ts';
import type { MicroCase } from './harness.ts';

const VIRTUAL_SERVICE = `apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata:
  name: svc-00001
  namespace: ns-1
spec:
  hosts:
  - svc-00001.ns-1.bench.example
  http:
  - name: canary
    match:
    - headers:
        x-canary:
          exact: "true"
    route:
    - destination:
        host: svc-00001.ns-1.bench.example
  - name: api
    match:
    - uri:
        regex: "/api/v[0-9]+/.*"
    - uri:
        prefix: /api
    route:
    - destination:
        host: svc-00001.ns-1.bench.example
      weight: 90
    - destination:
        host: svc-00002.ns-2.bench.example
      weight: 10
  - name: default
    route:
    - destination:
        host: svc-00001.ns-1.bench.example
`;

/** Compiles `services` generated ServiceEntries plus one VirtualService, REGISTRY_ONLY. */
export async function benchSnapshot(services: number): Promise<Snapshot> {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-micro-'));
  try {
    generateConfig(join(dir, 'config'), services);
    writeFileSync(join(dir, 'config', 'virtual-service.yaml'), VIRTUAL_SERVICE);
    writeFileSync(join(dir, 'mesh.yaml'), 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n');
    const loaded = await loadConfig([join(dir, 'config')], { meshConfigPath: join(dir, 'mesh.yaml') });
    return compile(loaded.configSet, { namespace: 'default', version: '1' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function call(authority: string, path = '/status/200', headers: Record<string, string> = {}): HttpCall {
  return { method: 'GET', path, scheme: 'http', authority, port: 80, header: (name) => headers[name] };
}

function expect(decision: HttpDecision, kind: HttpDecision['kind'], cluster: string | undefined, route?: string): void {
  const got = {
    kind: decision.kind,
    cluster: 'cluster' in decision ? decision.cluster : undefined,
    route: 'route' in decision ? decision.route.name : undefined,
  };
  if (got.kind !== kind || got.cluster !== cluster || (route !== undefined && got.route !== route)) {
    throw new Error(
      `route-match case took ${JSON.stringify(got)}, expected ${JSON.stringify({ kind, cluster, route })}: ${decision.reason}`,
    );
  }
}

export async function routeMatchCases(services: number): Promise<MicroCase[]> {
  const snapshot = await benchSnapshot(services);
  const n = services.toLocaleString('en-US');
  const exact = call('svc-00123.ns-3.bench.example');
  const wildcard = call('api.svc-00120.bench.example');
  const viaRegex = call('svc-00001.ns-1.bench.example', '/api/v2/items');
  const viaHeader = call('svc-00001.ns-1.bench.example', '/', { 'x-canary': 'true' });
  const unknown = call('not-registered.example.org');
  // Each case must take the path its name says, or its number means nothing.
  expect(routeHttp(snapshot, exact, 0.5), 'forward', 'outbound|80||svc-00123.ns-3.bench.example');
  expect(routeHttp(snapshot, wildcard, 0.5), 'forward', 'outbound|80||*.svc-00120.bench.example');
  expect(routeHttp(snapshot, viaHeader, 0.5), 'forward', 'outbound|80||svc-00001.ns-1.bench.example', 'canary');
  expect(routeHttp(snapshot, viaRegex, 0.5), 'forward', 'outbound|80||svc-00001.ns-1.bench.example', 'api');
  expect(routeHttp(snapshot, unknown, 0.5), 'direct', 'BlackHoleCluster', 'block_all');
  const tunnel = routeTunnel(snapshot, 'svc-00123.ns-3.bench.example', 443);
  if (tunnel.cluster !== 'outbound|443||svc-00123.ns-3.bench.example')
    throw new Error(`routeTunnel took ${tunnel.cluster}: ${tunnel.reason}`);
  return [
    { name: `routeHttp: exact host among ${n} services`, run: () => routeHttp(snapshot, exact, 0.5) },
    { name: `routeHttp: wildcard host among ${n} services`, run: () => routeHttp(snapshot, wildcard, 0.5) },
    { name: 'routeHttp: VirtualService, header match (1st route)', run: () => routeHttp(snapshot, viaHeader, 0.5) },
    {
      name: 'routeHttp: VirtualService, regex uri + weights (2nd route)',
      run: () => routeHttp(snapshot, viaRegex, 0.5),
    },
    { name: 'routeHttp: unknown host, REGISTRY_ONLY (block_all)', run: () => routeHttp(snapshot, unknown, 0.5) },
    {
      name: `routeTunnel: CONNECT to a registered host:443 among ${n}`,
      run: () => routeTunnel(snapshot, 'svc-00123.ns-3.bench.example', 443),
    },
  ];
}
