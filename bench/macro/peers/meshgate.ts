// meshgate as a peer, run as users run it: `meshgate proxy` from the built CLI, a ServiceEntry for the
// upstream, REGISTRY_ONLY, and the access log written to a file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startService, stopService, waitUntil, type Service } from '../processes.ts';
import type { PeerContext, PeerDefinition, RunningPeer, UpstreamPorts } from './peer.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MESHGATE_BIN = join(REPO_ROOT, 'bin', 'meshgate.js');
/** The name the upstream is registered under; clients send it in the absolute URI and CONNECT target. */
export const UPSTREAM_HOST = 'upstream.bench.internal';

export function upstreamServiceEntry(upstream: UpstreamPorts): string {
  return `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: bench-upstream
spec:
  hosts:
  - ${UPSTREAM_HOST}
  location: MESH_EXTERNAL
  ports:
  - number: ${upstream.httpPort}
    name: http
    protocol: HTTP
  - number: ${upstream.tcpPort}
    name: tcp
    protocol: TCP
  resolution: STATIC
  endpoints:
  - address: 127.0.0.1
`;
}

export const REGISTRY_ONLY = 'outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n';

let built: string | undefined | null = null;
/** Whether this meshgate has its own metrics listener (default port 15090), which must get a free port. */
let hasMetricsPort = false;

/** Builds dist/ from this checkout once per run, so the numbers are for the source under test. */
function buildOnce(): string | undefined {
  if (built !== null) return built;
  if (!existsSync(join(REPO_ROOT, 'src', 'cli', 'proxy.ts'))) {
    built = 'meshgate proxy is not in this checkout (src/cli/proxy.ts is missing)';
    return built;
  }
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'pipe' });
    const help = execFileSync(process.execPath, [MESHGATE_BIN, 'proxy', '--help'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
      encoding: 'utf8',
    });
    hasMetricsPort = help.includes('--metrics-port');
    built = undefined;
  } catch (err) {
    built = `meshgate did not build: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return built;
}

export interface MeshgateProcess {
  readonly service: Service;
  readonly outboundPort: number;
  readonly adminPort: number;
}

/** Starts `meshgate proxy` on `configDir` and waits for /ready; `nodeArgs` go before the script (--cpu-prof). */
export async function startMeshgate(
  name: string,
  dir: string,
  configDir: string,
  meshConfig: string,
  timeoutMs = 60_000,
  nodeArgs: readonly string[] = [],
): Promise<MeshgateProcess> {
  const outboundPort = await freePort();
  const adminPort = await freePort();
  // prettier-ignore
  const args = [
    ...nodeArgs,
    MESHGATE_BIN, 'proxy',
    '--config', configDir,
    '--mesh-config', meshConfig,
    '--outbound-port', String(outboundPort),
    '--admin-port', String(adminPort),
    '--access-log', join(dir, 'access.log'),
    ...(hasMetricsPort ? ['--metrics-port', String(await freePort())] : []),
  ];
  const service = startService(name, process.execPath, args, join(dir, `${name}.out`), { cwd: REPO_ROOT });
  await waitUntil(service, '/ready', () => ready(adminPort), timeoutMs);
  return { service, outboundPort, adminPort };
}

async function ready(adminPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${adminPort}/ready`);
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Writes the upstream's ServiceEntry and a REGISTRY_ONLY mesh config into `dir`; returns their paths. */
export function writeUpstreamConfig(dir: string, upstream: UpstreamPorts): { configDir: string; meshConfig: string } {
  const configDir = join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'upstream.yaml'), upstreamServiceEntry(upstream));
  const meshConfig = join(dir, 'mesh-config.yaml');
  writeFileSync(meshConfig, REGISTRY_ONLY);
  return { configDir, meshConfig };
}

export const meshgate: PeerDefinition = {
  name: 'meshgate',
  unavailable: () => Promise.resolve(buildOnce()),
  async start({ dir, upstream }: PeerContext): Promise<RunningPeer> {
    const { configDir, meshConfig } = writeUpstreamConfig(dir, upstream);
    const { service, outboundPort } = await startMeshgate('meshgate', dir, configDir, meshConfig);
    return {
      name: 'meshgate',
      proxyPort: outboundPort,
      upstreamHost: UPSTREAM_HOST,
      pid: service.pid,
      logFiles: [join(dir, 'access.log')],
      stop: () => stopService(service, 8000),
    };
  },
};
