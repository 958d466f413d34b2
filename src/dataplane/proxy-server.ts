// Wiring only: holds the live snapshot (a swap replaces one reference; streams keep the snapshot they
// started on), and connects the outbound listener to the HTTP, CONNECT and captured-connection handlers
// and the cluster manager.
import type { Snapshot } from '../compiler/snapshot.ts';
import type { Clock } from './clock.ts';
import { createHttpHandler } from './filters/http-connection-manager.ts';
import { createCapturedTunnelHandler } from './filters/captured-tcp-proxy.ts';
import { createConnectHandler } from './filters/tcp-proxy.ts';
import type { Closable } from './listeners/accepted-client.ts';
import { handleCapturedConnection, type CapturedConnectionDeps } from './listeners/captured-connection.ts';
import { DEFAULT_LIMITS, OutboundListener, type ListenerLimits } from './listeners/outbound-listener.ts';
import { compileSnapshotMatchers } from './router/route-matchers.ts';
import type { StreamInfo } from './stream-info.ts';
import { kernelRelayAvailable } from './upstream/kernel-relay.ts';
import { ClusterManager } from './upstream/cluster-manager.ts';
import type { NameResolver } from './upstream/endpoint-resolver.ts';

export interface ProxyServerOptions {
  readonly clock: Clock;
  readonly resolver: NameResolver;
  /** Called once per finished request or tunnel. */
  readonly accessLog: (info: StreamInfo) => void;
  readonly limits?: Partial<ListenerLimits>;
  readonly random?: () => number;
  readonly trace?: (line: string) => void;
  /** Told when a tunnel starts being proxied (metrics). */
  readonly tunnelOpened?: (info: StreamInfo) => void;
  /** Told about a broken internal invariant met while serving a stream (meshgate_bug_total). */
  readonly bug?: (error: unknown) => void;
  /** Told when client connections open and close (metrics). */
  readonly connections?: (kind: 'http' | 'connect', delta: 1 | -1) => void;
  /** Look for transparently captured sockets (SO_ORIGINAL_DST) on the outbound port; default true. */
  readonly capture?: boolean;
  /** Serve plain explicit-proxy requests on the fast lane; default true. */
  readonly fastLane?: boolean;
  /** Accept the outbound port on the tunnel relay's thread where it is built; default true. */
  readonly acceptOnRelay?: boolean;
  /** Unused upstream hosts are forgotten after this long (Envoy's ORIGINAL_DST cleanup_interval); default 5 s. */
  readonly hostCleanupIntervalMs?: number;
}

export class ProxyServer {
  #snapshot: Snapshot | undefined;
  readonly clusters: ClusterManager;
  readonly #listener: OutboundListener;
  readonly #tunnels = new Set<Closable>();

  constructor(options: ProxyServerOptions) {
    // The tunnel relay is loaded and its thread started now, not with the first tunnel, which might come
    // when no descriptor is left to open the addon or the thread's epoll.
    kernelRelayAvailable();
    this.clusters = new ClusterManager(
      options.resolver,
      options.hostCleanupIntervalMs === undefined ? {} : { hostCleanupIntervalMs: options.hostCleanupIntervalMs },
    );
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const random = options.random ?? Math.random;
    const snapshot = (): Snapshot => {
      if (this.#snapshot === undefined) throw new Error('no snapshot is live');
      return this.#snapshot;
    };
    const common = {
      snapshot,
      clusters: this.clusters,
      clock: options.clock,
      random,
      log: options.accessLog,
      trace: options.trace,
      bug: options.bug,
    };
    const tunnelDeps = { ...common, open: this.#tunnels, opened: options.tunnelOpened };
    const capturedTunnel = createCapturedTunnelHandler(tunnelDeps);
    const captured: CapturedConnectionDeps = {
      snapshot,
      clock: options.clock,
      http: (socket, head) => this.#listener.serveCapturedHttp(socket, head),
      tunnel: (tunnel) => {
        this.#listener.trackTunnel(tunnel.client);
        capturedTunnel(tunnel);
      },
      trace: options.trace,
      random,
    };
    this.#listener = new OutboundListener(
      {
        request: createHttpHandler({ ...common, maxUriBytes: limits.maxUriBytes }),
        connect: createConnectHandler(tunnelDeps),
        log: options.accessLog,
        clock: options.clock,
        connections: options.connections,
        fastLane: options.fastLane === false ? undefined : common,
        acceptOnRelay: options.acceptOnRelay,
        captured:
          options.capture === false
            ? undefined
            : (socket, destination) => handleCapturedConnection(captured, socket, destination),
      },
      limits,
    );
  }

  /** The live snapshot, or undefined before the first one. */
  get snapshot(): Snapshot | undefined {
    return this.#snapshot;
  }

  /** Makes `next` live for every stream that starts from now on. */
  swap(next: Snapshot): void {
    compileSnapshotMatchers(next);
    this.#snapshot = next;
    this.clusters.retainClusters(next.clusters);
  }

  async listen(port: number, host: string): Promise<{ address: string; port: number }> {
    const bound = await this.#listener.listen(port, host);
    this.clusters.setSelf(bound.address, bound.port);
    return bound;
  }

  /** Whether the outbound port is accepted on the tunnel relay's thread (known once listening). */
  get acceptsOnRelay(): boolean {
    return this.#listener.acceptsOnRelay;
  }

  get inFlight(): number {
    return this.#listener.inFlight;
  }

  /** Stops accepting, drains for up to `drainTimeoutMs`, then closes upstream pools. */
  async stop(drainTimeoutMs: number): Promise<number> {
    const cut = await this.#listener.drain(drainTimeoutMs, this.#tunnels);
    await this.clusters.close();
    return cut;
  }
}
