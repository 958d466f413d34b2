// Turns a cluster (and, for ORIGINAL_DST, the host the client asked for) into concrete ip:port hosts:
// STRICT_DNS every A/AAAA record of every endpoint, LOGICAL_DNS the first address, EDS the endpoint IPs,
// ORIGINAL_DST the requested host itself (explicit mode has no original IP, spec §7), and so does
// DYNAMIC_FORWARD_PROXY (resolution DYNAMIC_DNS), which Envoy resolves per request too.
import type { Cluster } from '../../compiler/snapshot.ts';
import { formatSocketAddress } from '../stream-info.ts';

/** The DNS resolver's surface the data plane uses (src/dns/resolver.ts); answers are TTL-cached there. */
export interface NameResolver {
  resolve(host: string): Promise<{ readonly addresses: readonly string[] }>;
}

export interface UpstreamHost {
  readonly ip: string;
  readonly port: number;
  /** `ip:port` as logged in %UPSTREAM_HOST%; also the pool and load-balancer key. */
  readonly key: string;
}

function host(ip: string, port: number): UpstreamHost {
  return { ip, port, key: formatSocketAddress(ip, port) };
}

export class EndpointResolver {
  readonly #names: NameResolver;
  /** Hosts built from one DNS answer (the resolver hands back the same array while it is fresh), per port. */
  readonly #built = new WeakMap<readonly string[], Map<number, UpstreamHost[]>>();
  readonly #fixed = new WeakMap<Cluster, UpstreamHost[]>();

  constructor(names: NameResolver) {
    this.#names = names;
  }

  /** Hosts to choose from; empty when none exist. Rejects only when DNS fails for every name. */
  async hostsFor(cluster: Cluster, requestedHost: string, requestedPort: number): Promise<readonly UpstreamHost[]> {
    switch (cluster.type) {
      case 'ORIGINAL_DST':
      case 'DYNAMIC_FORWARD_PROXY': {
        const { addresses } = await this.#names.resolve(requestedHost);
        return this.#hostsOf(addresses, cluster.portOverride ?? requestedPort);
      }
      case 'EDS':
        return this.#fixedHosts(cluster, (e) => host(stripBrackets(e.address), e.port));
      case 'LOGICAL_DNS': {
        const first = cluster.endpoints[0];
        if (first === undefined) return [];
        const { addresses } = await this.#names.resolve(first.address);
        return addresses.length > 0 ? [host(addresses[0]!, first.port)] : [];
      }
      case 'STRICT_DNS':
        return this.#strictDns(cluster);
      case 'STATIC':
        return this.#fixedHosts(cluster, (e) => host(e.address, e.port));
    }
  }

  /** A cluster's fixed endpoints as hosts, built once per cluster: a snapshot's clusters never change. */
  #fixedHosts(cluster: Cluster, toHost: (endpoint: Cluster['endpoints'][number]) => UpstreamHost): UpstreamHost[] {
    let hosts = this.#fixed.get(cluster);
    if (hosts === undefined) {
      hosts = cluster.endpoints.map(toHost);
      this.#fixed.set(cluster, hosts);
    }
    return hosts;
  }

  /** The hosts for one answer and port, built once per answer rather than per request. */
  #hostsOf(addresses: readonly string[], port: number): UpstreamHost[] {
    let byPort = this.#built.get(addresses);
    if (byPort === undefined) {
      byPort = new Map();
      this.#built.set(addresses, byPort);
    }
    let hosts = byPort.get(port);
    if (hosts === undefined) {
      hosts = addresses.map((ip) => host(ip, port));
      byPort.set(port, hosts);
    }
    return hosts;
  }

  async #strictDns(cluster: Cluster): Promise<UpstreamHost[]> {
    if (cluster.endpoints.length === 1) {
      const only = cluster.endpoints[0]!;
      return this.#hostsOf((await this.#names.resolve(only.address)).addresses, only.port);
    }
    const answers = await Promise.allSettled(cluster.endpoints.map((e) => this.#names.resolve(e.address)));
    const hosts: UpstreamHost[] = [];
    let firstError: unknown;
    answers.forEach((answer, i) => {
      if (answer.status === 'fulfilled')
        for (const ip of answer.value.addresses) hosts.push(host(ip, cluster.endpoints[i]!.port));
      else firstError ??= answer.reason;
    });
    if (hosts.length === 0 && firstError !== undefined) throw firstError;
    return hosts;
  }
}

function stripBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
}
