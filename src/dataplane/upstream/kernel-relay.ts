// Hands an established tunnel to the native relay (native/tunnel_relay.cc), which moves its bytes with
// splice(2) on a background thread: after the handover the JavaScript thread does no work per chunk.
// The sockets stay JavaScript's: their reads are stopped, the bytes they had already read go first, and
// closing either socket aborts the relay.
import type { Socket } from 'node:net';
import { loadNativeAddon, socketFd } from '../native-addon.ts';
import type { PendingReads } from './socket-reads.ts';

interface RelayAddon {
  onEnd(callback: (id: number, reason: number, errno: number, toUpstream: number, toClient: number) => void): void;
  start(clientFd: number, upstreamFd: number, toClient: Buffer, toUpstream: Buffer, idleTimeoutMs: number): number;
  abort(id: number): void;
  bytes(id: number): [toUpstream: number, toClient: number] | undefined;
}

/** Why a relayed tunnel ended, by the addon's numbering. */
const END_REASONS = ['closed', 'idle-timeout', 'aborted', 'failed'] as const;

export interface KernelRelayEnd {
  /** closed: both sides finished sending; idle-timeout: nothing moved for the idle time; aborted: a socket was closed here; failed: a socket error (`errno`). */
  readonly reason: (typeof END_REASONS)[number];
  readonly errno: number;
  /**
   * The tunnel's bytes each way: what the relay moved, plus what it was handed that belongs to the tunnel
   * (everything bound upstream, and what the upstream socket had already read; not `toClient`, the proxy's own).
   */
  readonly toUpstream: number;
  readonly toClient: number;
}

export interface KernelRelay {
  /** The tunnel's bytes so far each way, counted as in KernelRelayEnd, or undefined once its end was reported. */
  liveBytes(): { readonly toUpstream: number; readonly toClient: number } | undefined;
}

/** Environment switch: `MESHGATE_TUNNEL_RELAY=node` keeps every tunnel on Node's streams. */
export const TUNNEL_RELAY_ENV = 'MESHGATE_TUNNEL_RELAY';

const ended = new Map<number, (end: KernelRelayEnd) => void>();
let relayAddon: RelayAddon | null | undefined;

function addon(): RelayAddon | undefined {
  if (relayAddon === undefined) {
    const loaded = process.env[TUNNEL_RELAY_ENV] === 'node' ? undefined : loadNativeAddon<RelayAddon>('tunnel_relay');
    relayAddon = loaded !== undefined && 'addon' in loaded ? loaded.addon : null;
    relayAddon?.onEnd((id, reason, errno, toUpstream, toClient) => {
      const onEnd = ended.get(id);
      ended.delete(id);
      onEnd?.({ reason: END_REASONS[reason] ?? 'failed', errno, toUpstream, toClient });
    });
  }
  return relayAddon ?? undefined;
}

/** Whether tunnels are relayed in the kernel here (the addon is built and not switched off). */
export function kernelRelayAvailable(): boolean {
  return addon() !== undefined;
}

interface ReadingHandle {
  reading: boolean;
  readStop(): number;
}

/** Stops the client's reads and returns what its stream had already buffered. */
function stopClientReads(client: Socket): Buffer[] {
  const buffered: Buffer[] = [];
  // read() may restart the handle's reads to refill the buffer; nothing arrives before readStop below,
  // since reads are delivered by the event loop and this runs to completion.
  for (let chunk = client.read() as Buffer | null; chunk !== null; chunk = client.read() as Buffer | null)
    buffered.push(chunk);
  const handle = (client as unknown as { _handle: ReadingHandle })._handle;
  handle.reading = false;
  handle.readStop();
  return buffered;
}

function concat(first: Buffer, rest: readonly Buffer[]): Buffer {
  return rest.length === 0 ? first : Buffer.concat([first, ...rest]);
}

/**
 * Starts relaying `client` <-> `upstream` in the kernel. `toClient` and `toUpstream` go first (a CONNECT's
 * 200, the bytes the client sent after its request head); bytes either socket had already read follow.
 * Returns undefined, having changed nothing, when the tunnel must stay on Node's streams: no addon, a
 * socket without a kernel fd, or writes still queued. `onEnd` runs once; the caller then closes both sockets.
 */
export function startKernelRelay(
  client: Socket,
  upstream: Socket,
  upstreamReads: PendingReads,
  toClient: Buffer,
  toUpstream: Buffer,
  idleTimeoutMs: number,
  onEnd: (end: KernelRelayEnd) => void,
): KernelRelay | undefined {
  const relay = addon();
  const clientFd = socketFd(client);
  const upstreamFd = socketFd(upstream);
  if (relay === undefined || clientFd === undefined || upstreamFd === undefined) return undefined;
  if (client.writableLength > 0 || upstream.writableLength > 0 || client.readableEnded) return undefined;

  upstream.pause(); // an onread socket's pause() stops its handle's reads
  const fromUpstream = upstreamReads.takeHeld();
  const fromClient = stopClientReads(client);
  const handedToUpstream = concat(toUpstream, fromClient);
  const handedToClient = concat(toClient, fromUpstream);
  const id = relay.start(clientFd, upstreamFd, handedToClient, handedToUpstream, idleTimeoutMs);
  if (id <= 0) {
    // Out of descriptors for the duplicates or pipes: give everything back to Node's streams.
    upstreamReads.putBack(fromUpstream);
    for (let i = fromClient.length - 1; i >= 0; i--) client.unshift(fromClient[i]);
    return undefined;
  }
  const handedUpstream = handedToUpstream.length;
  const handedClient = handedToClient.length - toClient.length;
  ended.set(id, (end) =>
    onEnd({ ...end, toUpstream: handedUpstream + end.toUpstream, toClient: handedClient + end.toClient }),
  );
  // A socket closed here (a drain's cut, an error) ends the tunnel now, as on Node's streams, so its log line
  // is written before a shutdown completes; the relay's own report of the abort is then dropped.
  const abort = (): void => {
    const report = ended.get(id);
    if (report === undefined) return;
    ended.delete(id);
    const bytes = relay.bytes(id);
    relay.abort(id);
    report({ reason: 'aborted', errno: 0, toUpstream: bytes?.[0] ?? 0, toClient: bytes?.[1] ?? 0 });
  };
  client.once('close', abort);
  upstream.once('close', abort);
  return {
    liveBytes: () => {
      const bytes = relay.bytes(id);
      return bytes === undefined
        ? undefined
        : { toUpstream: handedUpstream + bytes[0], toClient: handedClient + bytes[1] };
    },
  };
}
