// Handles CONNECT host:port (spec §7): route like captured TLS/TCP, connect upstream, answer 200 only once
// the upstream is up, then relay bytes both ways untouched; one access-log line when the tunnel ends.
import type { Socket } from 'node:net';
import type { Cluster, Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { AcceptedClient, type Closable } from '../listeners/accepted-client.ts';
import { writeRawReply } from '../local-reply.ts';
import { causeOf, rescue } from '../rescue.ts';
import { routeTunnel } from '../router/tcp-router.ts';
import { formatSocketAddress, StreamInfo } from '../stream-info.ts';
import type { UpstreamHost } from '../upstream/endpoint-resolver.ts';
import { splitAuthority } from './request-target.ts';
import { dropKernelUpstream, isDialled, type RelayUpstream, startKernelRelay } from '../upstream/kernel-relay.ts';
import { PendingReads } from '../upstream/socket-reads.ts';
import type { StreamDeps } from './stream-deps.ts';

/** CONNECT's answer once the upstream is connected. */
const CONNECTED = Buffer.from('HTTP/1.1 200 OK\r\n\r\n', 'latin1');

/** A captured connection hears nothing from the proxy itself. */
export const NO_GREETING = Buffer.alloc(0);

/** A tunnel's client: a socket, or a CONNECT client accepted on the relay thread (no socket unless needed). */
export type TunnelClient = Socket | AcceptedClient;

/** The client as a socket, for a reply meshgate writes itself. */
const socketOf = (client: TunnelClient): Socket => (client instanceof AcceptedClient ? client.socket() : client);

export interface TunnelDeps extends StreamDeps {
  /** Tunnels currently open, so a drain can wait for them and then close them. */
  readonly open: Set<Closable>;
  /** Told when a tunnel starts being proxied (its upstream is connected), for istio_tcp_connections_opened_total. */
  readonly opened?: ((info: StreamInfo) => void) | undefined;
}

/**
 * Registers a tunnel's client as open and returns the function that ends its stream exactly once:
 * forget the client, stamp the end time and write the one access-log line.
 */
export function trackTunnel(deps: TunnelDeps, client: TunnelClient, info: StreamInfo): () => void {
  deps.open.add(client);
  let logged = false;
  if (!(client instanceof AcceptedClient)) client.on('error', () => client.destroy());
  return () => {
    if (logged) return;
    logged = true;
    deps.open.delete(client);
    info.finish(deps.clock);
    deps.log(info);
  };
}

/** Takes `CONNECT <target>` requests; `head` holds bytes the client sent after the request head. */
export function createConnectHandler(deps: TunnelDeps): (target: string, client: TunnelClient, head: Buffer) => void {
  return (target, client, head) => {
    const info = new StreamInfo(deps.clock, 'tcp');
    const snapshot = deps.snapshot();
    const finish = trackTunnel(deps, client, info);
    tunnel(deps, snapshot, target, client, head, info, finish).catch((error: unknown) => {
      deps.bug?.(error);
      writeRawReply(socketOf(client), info, rescue(causeOf(error)));
      finish();
    });
  };
}

async function tunnel(
  deps: TunnelDeps,
  snapshot: Snapshot,
  target: string,
  client: TunnelClient,
  head: Buffer,
  info: StreamInfo,
  finish: () => void,
): Promise<void> {
  info.authority = target;
  if (client.remoteAddress !== undefined)
    info.downstreamRemoteAddress = formatSocketAddress(client.remoteAddress, client.remotePort ?? 0);
  const split = splitAuthority(target, 0);
  if (split === undefined || split.port === 0) {
    writeRawReply(socketOf(client), info, rescue({ kind: 'bad_request' }));
    return finish();
  }
  const host = split.host.toLowerCase();
  info.requestedServerName = host;
  info.downstreamLocalAddress = formatSocketAddress(host, split.port);

  const decision = routeTunnel(snapshot, host, split.port, deps.random());
  deps.trace?.(`router: CONNECT ${target} → ${decision.cluster} on ${decision.listener} (${decision.reason})`);
  info.upstreamCluster = decision.cluster;
  if (decision.cluster === BLACKHOLE_CLUSTER) {
    info.destinationServiceName = BLACKHOLE_CLUSTER;
    writeRawReply(socketOf(client), info, rescue({ kind: 'blackhole_connect' }));
    return finish();
  }
  const cluster = snapshot.clusters[decision.cluster];
  if (cluster === undefined) {
    writeRawReply(socketOf(client), info, rescue({ kind: 'cluster_not_found' }));
    return finish();
  }
  info.destinationServiceName = cluster.service?.hostname ?? PASSTHROUGH_CLUSTER;
  info.destinationServiceHost = cluster.service?.hostname ?? host;
  if (cluster.service !== undefined) info.destinationServiceNamespace = cluster.service.namespace;

  const dial = await dialTunnel(deps, client, cluster, host, split.port, info, finish);
  switch (dial.kind) {
    case 'no-host':
      writeRawReply(socketOf(client), info, rescue({ kind: 'no_healthy_upstream' }));
      return finish();
    case 'self':
      // A tunnel to the proxy's own listener would loop: Istio's virtualOutbound-blackhole chain.
      writeRawReply(socketOf(client), info, rescue({ kind: 'blackhole_connect' }));
      return finish();
    case 'connect-failed':
      // tcp_proxy logs UF,URX (max_connect_attempts 1 exhausted); the client gets Envoy's connect-failure text.
      writeRawReply(socketOf(client), info, rescue(causeOf(dial.error)));
      info.addResponseFlag('URX');
      return finish();
    case 'client-gone':
      return finish();
  }
  deps.opened?.(info);
  splice({
    client,
    upstream: dial.upstream,
    head,
    info,
    finish,
    idleTimeoutMs: cluster.tcpIdleTimeoutMs,
    greeting: CONNECTED,
  });
}

/** How dialling a tunnel's upstream went; the caller answers the client its own way. */
export type TunnelDial =
  | { readonly kind: 'connected'; readonly upstream: RelayUpstream }
  | { readonly kind: 'no-host' }
  /** The picked host is this proxy's own listener (logged as BlackHoleCluster). */
  | { readonly kind: 'self' }
  | { readonly kind: 'connect-failed'; readonly error: unknown }
  /** The client left while the upstream connected (logged DC). */
  | { readonly kind: 'client-gone' };

/**
 * Picks a host of `cluster` for `requestedHost:port` and connects to it, counting the attempt in the
 * host's /clusters counters, for CONNECT and captured TLS/TCP alike. A client closed here while its
 * upstream is resolved or connects (a drain's cut) has the tunnel logged at once, DC, through `finish`.
 */
export async function dialTunnel(
  deps: TunnelDeps,
  client: TunnelClient,
  cluster: Cluster,
  requestedHost: string,
  port: number,
  info: StreamInfo,
  finish: () => void,
): Promise<TunnelDial> {
  const stopWatching = whenClosed(client, () => {
    info.addResponseFlag('DC');
    finish();
  });
  try {
    let hosts: readonly UpstreamHost[];
    try {
      hosts = await deps.clusters.hostsFor(cluster, requestedHost, port);
    } catch {
      hosts = [];
    }
    if (client.destroyed) return clientGone(info);
    const picked = deps.clusters.lb.pick(cluster, hosts, new Set(), deps.random());
    if (picked === undefined) return { kind: 'no-host' };
    if (deps.clusters.isSelf(picked)) {
      info.upstreamCluster = BLACKHOLE_CLUSTER;
      info.destinationServiceName = BLACKHOLE_CLUSTER;
      return { kind: 'self' };
    }
    info.upstreamHost = picked.key;
    const dial = await connectUpstream(deps, client, cluster, picked);
    if (client.destroyed) {
      if (dial.kind === 'connected') {
        if (isDialled(dial.upstream)) dropKernelUpstream(dial.upstream);
        else dial.upstream.socket.destroy();
      }
      return clientGone(info);
    }
    if (dial.kind !== 'connected') return dial;
    deps.clusters.stats(cluster.name, picked).rqTotal++;
    const local = isDialled(dial.upstream) ? dial.upstream : dial.upstream.socket;
    if (local.localAddress !== undefined)
      info.upstreamLocalAddress = formatSocketAddress(local.localAddress, local.localPort ?? 0);
    return dial;
  } finally {
    stopWatching();
  }
}

function clientGone(info: StreamInfo): TunnelDial {
  info.addResponseFlag('DC');
  return { kind: 'client-gone' };
}

/** Runs `listener` if the client closes; returns what stops watching. */
function whenClosed(client: TunnelClient, listener: () => void): () => void {
  if (client instanceof AcceptedClient) return client.onClose(listener);
  client.once('close', listener);
  return () => client.off('close', listener);
}

/** Connects to the picked host: on the kernel relay's thread where the tunnel will be relayed there, else by a socket here. */
async function connectUpstream(
  deps: TunnelDeps,
  client: TunnelClient,
  cluster: Cluster,
  picked: UpstreamHost,
): Promise<Extract<TunnelDial, { kind: 'connected' | 'connect-failed' }>> {
  // An accepted CONNECT client's relay starts on the relay thread as the connect succeeds, 200 first.
  const relayOnConnect =
    client instanceof AcceptedClient ? { toClient: CONNECTED, idleTimeoutMs: cluster.tcpIdleTimeoutMs } : undefined;
  const dialled = deps.clusters.dialInKernel(cluster, picked, client, relayOnConnect);
  if (dialled !== undefined) {
    const outcome = await dialled;
    if (outcome.connected) return { kind: 'connected', upstream: outcome.upstream };
    // A cancelled dial's client was closed here: the caller logs it DC, not as a connect failure.
    if (outcome.cancelled !== true) deps.clusters.stats(cluster.name, picked).cxConnectFail++;
    return { kind: 'connect-failed', error: deps.clusters.kernelConnectError(picked, outcome.errno) };
  }
  const reads = new PendingReads();
  try {
    return {
      kind: 'connected',
      upstream: { socket: await deps.clusters.connectTcp(cluster, picked, reads.onread), reads },
    };
  } catch (error) {
    deps.clusters.stats(cluster.name, picked).cxConnectFail++;
    return { kind: 'connect-failed', error };
  }
}

/** A tunnel whose upstream is connected, ready to have its bytes moved. */
export interface ConnectedTunnel {
  readonly client: TunnelClient;
  readonly upstream: RelayUpstream;
  /** Bytes the client sent before the tunnel was up; they go upstream first. */
  readonly head: Buffer;
  readonly info: StreamInfo;
  readonly finish: () => void;
  readonly idleTimeoutMs: number;
  /** What the client hears first: CONNECTED (CONNECT's 200), or nothing for captured connections. */
  readonly greeting: Buffer;
}

/**
 * Moves a tunnel's bytes both ways: in the kernel (kernel-relay.ts) where it can, else on Node's streams
 * with no per-chunk work of meshgate's (client to upstream by pipe, upstream to client by the upstream
 * socket's `reads`). Byte counts come from the upstream side; the tunnel is logged once the client socket
 * has closed.
 */
export function splice(tunnel: ConnectedTunnel): void {
  if (relayInKernel(tunnel)) return;
  const { head, info, finish, idleTimeoutMs, greeting } = tunnel;
  if (isDialled(tunnel.upstream)) {
    // Only a lack of descriptors stops a dialled upstream's relay; the tunnel cannot go on.
    dropKernelUpstream(tunnel.upstream);
    whenClosed(tunnel.client, finish);
    tunnel.client.destroy();
    return;
  }
  const client = socketOf(tunnel.client);
  const { socket: upstream, reads } = tunnel.upstream;
  const readBytes = (): void => {
    info.bytesReceived = upstream.bytesWritten;
    info.bytesSent = upstream.bytesRead;
  };
  info.readLiveBytes = readBytes;
  upstream.on('error', () => upstream.destroy());
  // Activity either way refreshes the upstream socket's timer: reads from it, and writes piped from the client.
  if (idleTimeoutMs > 0)
    upstream.setTimeout(idleTimeoutMs, () => {
      upstream.destroy();
      client.destroy();
    });
  client.setTimeout(0);
  client.setNoDelay(true);
  if (greeting.length > 0) client.write(greeting);
  if (head.length > 0) upstream.write(head);
  client.pipe(upstream);
  // Upstream to client straight from the socket's reads (no Readable): a full client pauses the upstream.
  reads.bind((chunk) => {
    if (client.write(chunk)) return true;
    client.once('drain', () => upstream.resume());
    return false;
  });
  upstream.once('end', () => {
    if (!client.writableEnded) client.end();
  });
  upstream.once('close', () => {
    // The pipe has usually ended the client already; ending it again builds an error object per tunnel.
    if (!client.writableEnded) client.end();
    if (!client.destroyed) setTimeout(() => client.destroy(), 1000).unref();
  });
  // The client's close ends the tunnel, whichever side closed first: the upstream's counts are final once
  // it is destroyed, and a drain that cuts the client has the line logged before it completes.
  client.once('close', () => {
    upstream.destroy();
    readBytes();
    info.readLiveBytes = undefined;
    finish();
  });
}

/** splice() through the native relay; false when the tunnel has to stay on Node's streams. */
function relayInKernel({ client, upstream, head, info, finish, idleTimeoutMs, greeting }: ConnectedTunnel): boolean {
  const upstreamSocket = isDialled(upstream) ? undefined : upstream.socket;
  const relay = startKernelRelay(client, upstream, greeting, head, idleTimeoutMs, (end) => {
    info.bytesReceived = end.toUpstream;
    info.bytesSent = end.toClient;
    info.readLiveBytes = undefined;
    upstreamSocket?.destroy();
    client.destroy();
    finish();
  });
  if (relay === undefined) return false;
  upstreamSocket?.on('error', () => upstreamSocket.destroy());
  if (!(client instanceof AcceptedClient)) client.setTimeout(0);
  info.readLiveBytes = () => {
    const live = relay.liveBytes();
    if (live === undefined) return;
    info.bytesReceived = live.toUpstream;
    info.bytesSent = live.toClient;
  };
  return true;
}
