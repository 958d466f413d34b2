// Dispatches one transparently captured connection: sniff its first bytes when the original port needs it
// (HTTP route config or TLS services), route by Host / SNI / destination address, and hand it to the HTTP
// connection manager or to the captured TCP proxy with the sniffed bytes replayed.
import type { Socket } from 'node:net';
import type { Snapshot } from '../../compiler/snapshot.ts';
import type { Clock } from '../clock.ts';
import { BLACKHOLE_CLUSTER } from '../../model/cluster-name.ts';
import type { CapturedTunnel } from '../filters/captured-tcp-proxy.ts';
import { StreamInfo } from '../stream-info.ts';
import { needsSniffing, routeCaptured, type CapturedProtocol } from '../router/capture-router.ts';
import type { OriginalDestination } from './original-dst.ts';
import { detectOnSocket, type Detection } from './protocol-detect.ts';

/**
 * How long a connection about to be refused (BlackHoleCluster) is given to send a ClientHello, only so the
 * refusal can be logged with its SNI. Nothing is routed on it: Istio refuses such connections at once.
 */
export const BLACKHOLE_SNIFF_MS = 1000;

export interface CapturedConnectionDeps {
  readonly snapshot: () => Snapshot;
  readonly clock: Clock;
  /** Hands the socket to the HTTP server, replaying `head` to its parser first. */
  readonly http: (socket: Socket, head: Buffer) => void;
  readonly tunnel: (tunnel: CapturedTunnel) => void;
  /** Draws in [0, 1) to pick among a VirtualService tls/tcp route's weighted destinations (default 0). */
  readonly random?: (() => number) | undefined;
  readonly trace?: ((line: string) => void) | undefined;
}

/** Original destinations of captured sockets, for the HTTP connection manager (port, IP, log address). */
const destinations = new WeakMap<Socket, OriginalDestination>();

/** The original destination of a captured connection, or undefined for explicit-proxy traffic. */
export function capturedDestinationOf(socket: Socket): OriginalDestination | undefined {
  return destinations.get(socket);
}

function protocolOf(detection: Detection): { protocol: CapturedProtocol; sni?: string | undefined } {
  const found = detection.protocol;
  if (found.kind === 'tls') return { protocol: 'tls', sni: found.sni };
  // A CONNECT line on a captured connection is addressed to whatever the app dialled: opaque bytes here. So is
  // prior-knowledge h2c, which the HTTP/1 server cannot parse: it is routed by address, not by :authority.
  if (found.kind === 'http' && found.version !== 'HTTP/2.0') return { protocol: 'http' };
  return { protocol: 'tcp' };
}

export function handleCapturedConnection(
  deps: CapturedConnectionDeps,
  socket: Socket,
  destination: OriginalDestination,
): void {
  destinations.set(socket, destination);
  // Until a filter takes the socket over, a reset by the client must not become an uncaught error.
  socket.on('error', () => socket.destroy());
  dispatch(deps, socket, destination).catch(() => socket.destroy());
}

async function dispatch(deps: CapturedConnectionDeps, socket: Socket, destination: OriginalDestination): Promise<void> {
  const snapshot = deps.snapshot();
  // A tunnel's duration counts from the accept, sniffing included, as Envoy's does; HTTP requests time themselves.
  const info = new StreamInfo(deps.clock, 'tcp');
  const { address, port } = destination;
  let head: Buffer = Buffer.alloc(0);
  let call: { protocol: CapturedProtocol; sni?: string | undefined } = { protocol: 'tcp' };
  const sniffed = needsSniffing(snapshot, address, port);
  if (sniffed) {
    const detection = await detectOnSocket(socket, { timeoutMs: snapshot.protocolDetectionTimeoutMs ?? 0 });
    if (detection.closed && detection.head.length === 0) {
      socket.destroy();
      return;
    }
    head = detection.head;
    call = protocolOf(detection);
  }
  const decision = routeCaptured(snapshot, { address, port, ...call }, deps.random?.() ?? 0);
  if (decision.kind === 'http') {
    deps.trace?.(`router: captured HTTP to ${address}:${port} → ${decision.listener} (${decision.reason})`);
    deps.http(socket, head);
    return;
  }
  if (!sniffed && decision.cluster === BLACKHOLE_CLUSTER) {
    const detection = await detectOnSocket(socket, { timeoutMs: BLACKHOLE_SNIFF_MS });
    head = detection.head;
    call = protocolOf(detection);
  }
  const { kind: _kind, ...tunnelDecision } = decision;
  deps.tunnel({ client: socket, destination, snapshot, decision: tunnelDecision, head, sni: call.sni, info });
}
