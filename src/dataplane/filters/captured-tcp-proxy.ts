// Proxies a transparently captured TLS or TCP connection (Envoy's tcp_proxy on a captured chain): connect to
// the routed cluster (ORIGINAL_DST: the original destination), replay the sniffed bytes, then pipe both ways.
// Nothing is ever written to the client: a refusal or failure closes the connection with a reset.
import type { Socket } from 'node:net';
import type { Snapshot } from '../../compiler/snapshot.ts';
import { BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER } from '../../model/cluster-name.ts';
import { formatEndpoint, type OriginalDestination } from '../listeners/original-dst.ts';
import { causeOf, rescue, type RescueCause } from '../rescue.ts';
import type { TunnelDecision } from '../router/tcp-router.ts';
import { formatSocketAddress, type StreamInfo } from '../stream-info.ts';
import { dialTunnel, NO_GREETING, splice, trackTunnel, type TunnelDeps } from './tcp-proxy.ts';

export interface CapturedTunnel {
  readonly client: Socket;
  readonly destination: OriginalDestination;
  /** The snapshot the connection was routed on; it serves the connection to its end. */
  readonly snapshot: Snapshot;
  readonly decision: TunnelDecision;
  /** Bytes read while sniffing; they go upstream first. */
  readonly head: Buffer;
  readonly sni?: string | undefined;
  /** Started when the connection was accepted. */
  readonly info: StreamInfo;
}

/** Records a failure's flags and transport reason; a TCP stream logs response code 0, whatever the cause. */
function recordFailure(info: StreamInfo, cause: RescueCause): void {
  const reply = rescue(cause);
  for (const flag of reply.responseFlags) info.addResponseFlag(flag);
  if (reply.transportFailureReason !== undefined) info.upstreamTransportFailureReason = reply.transportFailureReason;
}

/** Closes the client with a reset, as Envoy does when tcp_proxy has no upstream (the client sees ECONNRESET). */
function reset(client: Socket): void {
  if (!client.destroyed) client.resetAndDestroy();
}

export function createCapturedTunnelHandler(deps: TunnelDeps): (tunnel: CapturedTunnel) => void {
  return (tunnel) => {
    const { client, info } = tunnel;
    const finish = trackTunnel(deps, client, info);
    proxy(deps, tunnel, info, finish).catch((error: unknown) => {
      // Expected failures are handled inside; reaching here is a broken invariant.
      deps.bug?.(error);
      recordFailure(info, causeOf(error));
      reset(client);
      finish();
    });
  };
}

async function proxy(deps: TunnelDeps, tunnel: CapturedTunnel, info: StreamInfo, finish: () => void): Promise<void> {
  const { client, destination, decision, snapshot } = tunnel;
  info.downstreamLocalAddress = formatEndpoint(destination);
  if (client.remoteAddress !== undefined)
    info.downstreamRemoteAddress = formatSocketAddress(client.remoteAddress, client.remotePort ?? 0);
  // Beyond Istio: the SNI is logged even for refused connections, so a blocked name can be diagnosed.
  info.requestedServerName = tunnel.sni;
  info.upstreamCluster = decision.cluster;
  deps.trace?.(
    `router: captured ${tunnel.sni !== undefined ? `TLS ${tunnel.sni} ` : ''}${formatEndpoint(destination)} → ${decision.cluster} on ${decision.listener} chain ${decision.chain} (${decision.reason})`,
  );
  const refuse = (cause: RescueCause): void => {
    recordFailure(info, cause);
    reset(client);
    finish();
  };
  if (decision.cluster === BLACKHOLE_CLUSTER) {
    info.destinationServiceName = BLACKHOLE_CLUSTER;
    return refuse({ kind: 'no_healthy_upstream' });
  }
  const cluster = snapshot.clusters[decision.cluster];
  if (cluster === undefined) return refuse({ kind: 'cluster_not_found' });
  info.destinationServiceName = cluster.service?.hostname ?? PASSTHROUGH_CLUSTER;
  info.destinationServiceHost = cluster.service?.hostname ?? tunnel.sni ?? destination.address;
  if (cluster.service !== undefined) info.destinationServiceNamespace = cluster.service.namespace;
  deps.opened?.(info);

  // ORIGINAL_DST (resolution NONE, PassthroughCluster) dials the address the application dialled; a dynamic
  // forward proxy resolves the SNI; the other cluster types ignore both.
  const requestedHost =
    cluster.type === 'DYNAMIC_FORWARD_PROXY' && tunnel.sni !== undefined ? tunnel.sni : destination.address;
  const dial = await dialTunnel(deps, client, cluster, requestedHost, destination.port, info, finish);
  switch (dial.kind) {
    case 'no-host':
    case 'self':
      return refuse({ kind: 'no_healthy_upstream' });
    case 'connect-failed':
      // tcp_proxy's single connect attempt is spent: UF,URX, as for CONNECT.
      info.addResponseFlag('URX');
      return refuse(causeOf(dial.error));
    case 'client-gone':
      return finish();
  }
  splice({
    client,
    upstream: dial.upstream,
    head: tunnel.head,
    info,
    finish,
    idleTimeoutMs: cluster.tcpIdleTimeoutMs,
    greeting: NO_GREETING,
  });
}
