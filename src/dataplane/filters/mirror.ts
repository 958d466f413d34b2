// Envoy's request mirroring (shadowing): a fire-and-forget copy of the request to another cluster, with the
// authority suffixed `-shadow`; its outcome is never waited for and never changes the real request's.
import type { MirrorPolicy, Snapshot } from '../../compiler/snapshot.ts';
import type { ClusterManager } from '../upstream/cluster-manager.ts';
import type { HeaderMap } from './header-mutation.ts';

export interface MirrorDeps {
  readonly clusters: ClusterManager;
  readonly random: () => number;
}

export interface MirroredRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: HeaderMap;
  /** The request body, once the client has sent it all; undefined when it was too large to keep. */
  readonly body: Promise<Buffer[] | undefined> | null;
  readonly requestedHost: string;
  readonly requestedPort: number;
}

/** `host:port` → `host-shadow:port`, as Envoy's shadow writer does. */
export function shadowAuthority(authority: string): string {
  const colon = authority.startsWith('[') ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':');
  return colon < 0 ? `${authority}-shadow` : `${authority.slice(0, colon)}-shadow${authority.slice(colon)}`;
}

/** Starts every mirror whose percentage the draw allows; returns the clusters shadowed (for the trace). */
export function startMirrors(
  deps: MirrorDeps,
  snapshot: Snapshot,
  mirrors: readonly MirrorPolicy[] | undefined,
  request: MirroredRequest,
): string[] {
  const started: string[] = [];
  for (const mirror of mirrors ?? []) {
    if (!(mirror.percent >= 100 || deps.random() * 100 < mirror.percent)) continue;
    const cluster = snapshot.clusters[mirror.cluster];
    // Envoy skips a shadow whose cluster does not exist.
    if (cluster === undefined) continue;
    started.push(cluster.name);
    void sendShadow(deps, cluster, request).catch(() => undefined);
  }
  return started;
}

async function sendShadow(
  deps: MirrorDeps,
  cluster: Snapshot['clusters'][string],
  request: MirroredRequest,
): Promise<void> {
  const chunks = request.body === null ? [] : await request.body;
  if (chunks === undefined) return;
  const hosts = await deps.clusters.hostsFor(cluster, request.requestedHost, request.requestedPort);
  const host = deps.clusters.lb.pick(cluster, hosts, new Set(), deps.random());
  if (host === undefined) return;
  const headers: HeaderMap = {
    ...request.headers,
    host: shadowAuthority(String(request.headers.host ?? request.requestedHost)),
  };
  delete headers['content-length'];
  const body = Buffer.concat(chunks);
  if (request.body !== null) headers['content-length'] = String(body.length);
  const response = await deps.clusters.pool(cluster, host).request({
    method: request.method as 'GET',
    path: request.path,
    headers,
    body: body.length > 0 ? body : null,
  });
  response.body.resume();
}
