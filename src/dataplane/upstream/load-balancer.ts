// Chooses one host per attempt: Envoy's LEAST_REQUEST (fewest active requests, rotating among ties so
// sequential requests spread over every address), ROUND_ROBIN, RANDOM; hosts already tried are avoided.
import type { Cluster } from '../../compiler/snapshot.ts';
import type { UpstreamHost } from './endpoint-resolver.ts';

export class LoadBalancer {
  readonly #active = new Map<string, number>();
  readonly #cursor = new Map<string, number>();

  /** Picks a host not in `exclude` when one exists; `random` is in [0, 1). */
  pick(
    cluster: Cluster,
    hosts: readonly UpstreamHost[],
    exclude: ReadonlySet<string>,
    random: number,
  ): UpstreamHost | undefined {
    if (hosts.length === 0) return undefined;
    const fresh = exclude.size === 0 ? hosts : hosts.filter((h) => !exclude.has(h.key));
    const candidates = fresh.length > 0 ? fresh : hosts;
    if (candidates.length === 1) return candidates[0];
    if (cluster.lbPolicy === 'RANDOM') return candidates[Math.floor(random * candidates.length)];
    const start = this.#next(cluster.name);
    if (cluster.lbPolicy === 'ROUND_ROBIN' || cluster.lbPolicy === 'CLUSTER_PROVIDED')
      return candidates[start % candidates.length];
    let best: UpstreamHost | undefined;
    let bestActive = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const h = candidates[(start + i) % candidates.length]!;
      const active = this.#active.get(h.key) ?? 0;
      if (active < bestActive) {
        best = h;
        bestActive = active;
      }
    }
    return best;
  }

  /** Requests in flight to `hostKey` (`ip:port`), over every cluster. */
  activeRequests(hostKey: string): number {
    return this.#active.get(hostKey) ?? 0;
  }

  /** Call when a request to `host` starts; the returned function ends it. */
  track(host: UpstreamHost): () => void {
    this.#active.set(host.key, (this.#active.get(host.key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.#active.get(host.key) ?? 1) - 1;
      if (left <= 0) this.#active.delete(host.key);
      else this.#active.set(host.key, left);
    };
  }

  #next(cluster: string): number {
    const n = this.#cursor.get(cluster) ?? 0;
    this.#cursor.set(cluster, (n + 1) % 1_000_000);
    return n;
  }
}
