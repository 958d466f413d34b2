// Run-time side of clusters: endpoint resolution, load balancing, keep-alive undici Pools per (cluster
// settings, host) for HTTP, and plain TCP connects with the cluster's connect timeout for tunnels.
import { connect, type OnReadOpts, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import type * as UndiciModule from 'undici';
import type { buildConnector, Pool } from 'undici';
import type { Cluster } from '../../compiler/snapshot.ts';
import { UpstreamConnectError } from '../../errors.ts';
import { transportFailureReasonOf } from '../rescue.ts';
import { Http1Pool } from './http1-pool.ts';
import { dialInKernel, type KernelDialOutcome, type RelayOnConnect } from './kernel-relay.ts';
import type { AcceptedClient } from '../listeners/accepted-client.ts';
import { EndpointResolver, type NameResolver, type UpstreamHost } from './endpoint-resolver.ts';
import { LoadBalancer } from './load-balancer.ts';

/** Envoy's per-host request counters for one cluster's host (shown by /clusters). */
export interface HostStats {
  readonly host: string;
  rqTotal: number;
  /** Attempts that failed or got a 5xx response. */
  rqError: number;
  /** Attempts that got a non-5xx response. */
  rqSuccess: number;
  /** Attempts cut by a route or per-try timeout. */
  rqTimeout: number;
  cxConnectFail: number;
}

/** Connections to one upstream address, whichever cluster opened them (pools are shared; see pool()). */
export interface ConnectionStats {
  total: number;
  active: number;
}

type Undici = typeof UndiciModule;
let undiciModule: Undici | undefined;

/**
 * undici is loaded on first use: the fast lane serves plain requests without it, and it is a third of an
 * idle proxy's memory (about 20 MB).
 */
function undici(): Undici {
  undiciModule ??= createRequire(import.meta.url)('undici') as Undici;
  return undiciModule;
}

/**
 * undici's own connect timeout runs on its coarse timers (about a second of slack), which would turn a
 * 250 ms DestinationRule connectTimeout into a second; this connector times the connect precisely.
 */
function preciseConnector(timeoutMs: number, opened: (socket: Socket) => void): buildConnector.connector {
  const { buildConnector: build, errors } = undici();
  const base = build({ timeout: 0 }) as unknown as (
    options: buildConnector.Options,
    callback: buildConnector.Callback,
  ) => Socket | undefined;
  return (options, callback) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      socket?.destroy();
      callback(new errors.ConnectTimeoutError(), null);
    }, timeoutMs);
    const socket = base(options, (...result) => {
      if (settled) {
        result[1]?.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      // On failure undici's connector passes only the error; count sockets that did connect.
      const connected = result[1];
      if (result[0] === null && connected !== null && connected !== undefined) opened(connected as Socket);
      callback(...result);
    });
  };
}

/** The cluster name of a `cluster|host` stats key (cluster names contain `|` themselves). */
function clusterOf(key: string, stats: HostStats): string {
  return key.slice(0, key.length - stats.host.length - 1);
}

/** Envoy's default `cleanup_interval` for ORIGINAL_DST clusters. */
export const HOST_CLEANUP_INTERVAL_MS = 5000;

export interface ClusterManagerOptions {
  /** How long a host may go unused before it is forgotten (see #sweep); default HOST_CLEANUP_INTERVAL_MS. */
  readonly hostCleanupIntervalMs?: number;
}

export class ClusterManager {
  readonly endpoints: EndpointResolver;
  readonly lb = new LoadBalancer();
  readonly #pools = new Map<string, Pool>();
  /** The fast lane's own HTTP/1.1 pools, keyed like #pools. */
  readonly #http1Pools = new Map<string, Http1Pool>();
  readonly #http1PoolClusters = new Map<Http1Pool, Set<string>>();
  /** Which clusters have sent through each pool, for the per-cluster connection gauge. */
  readonly #poolClusters = new Map<Pool, Set<string>>();
  /** Last resolved hosts per cluster name, for /clusters. */
  readonly #lastHosts = new Map<string, readonly UpstreamHost[]>();
  readonly #stats = new Map<string, HostStats>();
  readonly #connections = new Map<string, ConnectionStats>();
  /** Host keys (`ip:port`) that stats() was asked for since the last sweep. */
  #used = new Set<string>();
  readonly #sweeper: NodeJS.Timeout;
  #closed = false;

  /** The outbound listener's own address, so passthrough never dials the proxy itself (Istio's blackhole chain on 15001). */
  #self: { readonly address: string; readonly port: number } | undefined;

  constructor(names: NameResolver, options: ClusterManagerOptions = {}) {
    this.endpoints = new EndpointResolver(names);
    this.#sweeper = setInterval(() => this.#sweep(), options.hostCleanupIntervalMs ?? HOST_CLEANUP_INTERVAL_MS);
    this.#sweeper.unref();
  }

  setSelf(address: string, port: number): void {
    this.#self = { address, port };
  }

  /** Whether dialling `host` would reach this proxy's own listener (a request loop). */
  isSelf(host: UpstreamHost): boolean {
    const self = this.#self;
    if (self === undefined || host.port !== self.port) return false;
    const wildcard = self.address === '0.0.0.0' || self.address === '::';
    return wildcard || host.ip === self.address || host.ip.startsWith('127.') || host.ip === '::1';
  }

  async hostsFor(cluster: Cluster, requestedHost: string, requestedPort: number): Promise<readonly UpstreamHost[]> {
    const hosts = await this.endpoints.hostsFor(cluster, requestedHost, requestedPort);
    if (cluster.type !== 'ORIGINAL_DST' && cluster.type !== 'DYNAMIC_FORWARD_PROXY')
      this.#lastHosts.set(cluster.name, hosts);
    return hosts;
  }

  lastHosts(clusterName: string): readonly UpstreamHost[] | undefined {
    return this.#lastHosts.get(clusterName);
  }

  /** Counters per `cluster|host`, for /clusters; every request attempt and tunnel asks for its host's. */
  stats(clusterName: string, host: UpstreamHost): HostStats {
    // Marks the host as in use for #sweep: this is the one call every attempt and tunnel makes.
    this.#used.add(host.key);
    const key = `${clusterName}|${host.key}`;
    let s = this.#stats.get(key);
    if (s === undefined) {
      s = { host: host.key, rqTotal: 0, rqError: 0, rqSuccess: 0, rqTimeout: 0, cxConnectFail: 0 };
      this.#stats.set(key, s);
    }
    return s;
  }

  statsFor(clusterName: string): HostStats[] {
    const prefix = `${clusterName}|`;
    return [...this.#stats.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  }

  /** Requests in flight to `hostKey` (`ip:port`), for /clusters. */
  activeRequests(hostKey: string): number {
    return this.lb.activeRequests(hostKey);
  }

  /** Connections opened to `hostKey` (`ip:port`) so far and open now, by pools and tunnels alike. */
  connectionsTo(hostKey: string): ConnectionStats {
    return this.#connections.get(hostKey) ?? { total: 0, active: 0 };
  }

  /** Counts a new upstream connection until its socket closes. */
  #connected(hostKey: string, socket: Socket): void {
    socket.once('close', this.#countConnection(hostKey));
  }

  /** Counts a new upstream connection; the returned function marks it closed. */
  #countConnection(hostKey: string): () => void {
    let c = this.#connections.get(hostKey);
    if (c === undefined) {
      c = { total: 0, active: 0 };
      this.#connections.set(hostKey, c);
    }
    c.total++;
    c.active++;
    const counted = c;
    return () => {
      counted.active--;
    };
  }

  /** A keep-alive pool to one host; clusters with the same connect and idle timeouts share it. */
  pool(cluster: Cluster, host: UpstreamHost): Pool {
    const key = `${cluster.connectTimeoutMs}|${cluster.idleTimeoutMs}|${host.key}`;
    let pool = this.#pools.get(key);
    if (pool === undefined) {
      const idle = cluster.idleTimeoutMs > 0 ? cluster.idleTimeoutMs : 3_600_000;
      const hostKey = host.key;
      pool = new (undici().Pool)(`http://${host.key}`, {
        connect: preciseConnector(cluster.connectTimeoutMs, (socket) => this.#connected(hostKey, socket)),
        // Istio's route timeout is 0 (none) unless a VirtualService sets one; the router enforces it.
        headersTimeout: 0,
        bodyTimeout: 0,
        // A DestinationRule http.idleTimeout shorter than undici's default closes idle connections sooner;
        // a server's Keep-Alive hint is never trusted beyond it.
        keepAliveTimeout: Math.min(4000, idle),
        keepAliveMaxTimeout: idle,
      });
      this.#pools.set(key, pool);
      this.#poolClusters.set(pool, new Set());
    }
    const users = this.#poolClusters.get(pool)!;
    if (!users.has(cluster.name)) users.add(cluster.name);
    return pool;
  }

  /** The fast lane's keep-alive HTTP/1.1 connections to one host, shared like pool()'s. */
  http1Pool(cluster: Cluster, host: UpstreamHost): Http1Pool {
    const key = `${cluster.idleTimeoutMs}|${host.key}`;
    let pool = this.#http1Pools.get(key);
    if (pool === undefined) {
      const idle = cluster.idleTimeoutMs > 0 ? cluster.idleTimeoutMs : 3_600_000;
      pool = new Http1Pool(host.key, Math.min(4000, idle));
      this.#http1Pools.set(key, pool);
      this.#http1PoolClusters.set(pool, new Set());
    }
    const users = this.#http1PoolClusters.get(pool)!;
    if (!users.has(cluster.name)) users.add(cluster.name);
    return pool;
  }

  /**
   * Opens a TCP connection for a tunnel; rejects with MG_ERR_UPSTREAM_CONNECT on refusal or timeout.
   * With `onread`, reads go to its callback instead of the socket's stream (see socket-reads.ts).
   */
  connectTcp(cluster: Cluster, host: UpstreamHost, onread?: OnReadOpts): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: host.ip,
        port: host.port,
        noDelay: true,
        ...(onread !== undefined ? { onread } : {}),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new UpstreamConnectError(host.key, undefined));
      }, cluster.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        this.#connected(host.key, socket);
        resolve(socket);
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new UpstreamConnectError(host.key, transportFailureReasonOf(error), { cause: error }));
      });
    });
  }

  /**
   * Opens a tunnel's upstream connection on the kernel relay's thread (kernel-relay.ts), for a client the
   * relay can take; undefined when it cannot, and connectTcp() is the way. A failed outcome becomes an
   * error with kernelConnectError().
   */
  dialInKernel(
    cluster: Cluster,
    host: UpstreamHost,
    client: Socket | AcceptedClient,
    relayOnConnect?: RelayOnConnect,
  ): Promise<KernelDialOutcome> | undefined {
    return dialInKernel(
      client,
      host.ip,
      host.port,
      cluster.connectTimeoutMs,
      () => this.#countConnection(host.key),
      relayOnConnect,
    );
  }

  /** The error connectTcp() would have rejected with for a relay dial that failed with `errno`. */
  kernelConnectError(host: UpstreamHost, errno: number): UpstreamConnectError {
    // A timeout has no transport failure reason, as in connectTcp().
    const timedOut = errno === constants.errno.ETIMEDOUT;
    return new UpstreamConnectError(host.key, timedOut ? undefined : transportFailureReasonOf({ errno }));
  }

  /** Open upstream connections per cluster (a pool shared by clusters counts for each), read at scrape time. */
  connectionsByCluster(): [cluster: string, connections: number][] {
    const totals = new Map<string, number>();
    for (const [pool, clusters] of this.#poolClusters) {
      const connected = pool.stats.connected;
      for (const name of clusters) totals.set(name, (totals.get(name) ?? 0) + connected);
    }
    for (const [pool, clusters] of this.#http1PoolClusters) {
      const connected = pool.connected;
      for (const name of clusters) totals.set(name, (totals.get(name) ?? 0) + connected);
    }
    return [...totals.entries()];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Drops the resolved hosts and per-host counters of clusters that a new snapshot no longer has (a
   * reload removed their ServiceEntry or DestinationRule subset); their pools go with the next sweep.
   */
  retainClusters(clusters: Readonly<Record<string, unknown>>): void {
    for (const name of this.#lastHosts.keys()) if (!Object.hasOwn(clusters, name)) this.#lastHosts.delete(name);
    for (const [key, stats] of this.#stats)
      if (!Object.hasOwn(clusters, clusterOf(key, stats))) this.#stats.delete(key);
  }

  /**
   * Forgets hosts nobody used for a whole interval and that have no request in flight, as Envoy's
   * ORIGINAL_DST clusters do every `cleanup_interval`: their idle keep-alive connections are closed and
   * their pools, counters and /clusters rows dropped. Without it, a proxy passing traffic through to ever
   * new addresses (ALLOW_ANY, resolution NONE) would keep a pool and counters for each of them for good.
   * Hosts a cluster currently resolves to keep their counters, as an Envoy cluster's endpoints do.
   */
  #sweep(): void {
    const used = this.#used;
    this.#used = new Set();
    const stale = (hostKey: string): boolean => {
      if (used.has(hostKey)) return false;
      if (this.lb.activeRequests(hostKey) === 0) return true;
      // Busy now counts as used in the coming interval too, so a request that ends just before the next
      // sweep does not take its counters with it before anyone could read them.
      this.#used.add(hostKey);
      return false;
    };
    const counted = new Set<string>();
    for (const [key, stats] of this.#stats) {
      const current = this.#lastHosts.get(clusterOf(key, stats))?.some((h) => h.key === stats.host) === true;
      if (current || !stale(stats.host)) counted.add(stats.host);
      else this.#stats.delete(key);
    }
    for (const [key, pool] of this.#http1Pools) {
      if (!stale(pool.address)) continue;
      pool.close();
      this.#http1Pools.delete(key);
      this.#http1PoolClusters.delete(pool);
    }
    for (const [key, pool] of this.#pools) {
      if (!stale(key.slice(key.lastIndexOf('|') + 1))) continue;
      this.#pools.delete(key);
      this.#poolClusters.delete(pool);
      // Graceful: nothing is in flight (stale), so this only closes idle connections.
      pool.close().catch(() => undefined);
    }
    for (const [hostKey, connections] of this.#connections)
      if (connections.active === 0 && !counted.has(hostKey) && stale(hostKey)) this.#connections.delete(hostKey);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    this.#poolClusters.clear();
    for (const pool of this.#http1Pools.values()) pool.close();
    this.#http1Pools.clear();
    this.#http1PoolClusters.clear();
    await Promise.allSettled(pools.map((p) => p.destroy()));
  }
}
