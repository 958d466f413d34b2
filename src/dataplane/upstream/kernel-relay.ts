// Tunnels through the native relay (native/tunnel_relay.cc): it opens a tunnel's upstream connection and,
// once the tunnel is up, moves its bytes with splice(2), both on one background thread. The JavaScript
// thread then does no work per chunk, and builds no socket object for the upstream.
// Client sockets stay JavaScript's: their reads are stopped, the bytes they had already read go first,
// and closing one aborts its relay.
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { AcceptedClient } from '../listeners/accepted-client.ts';
import { errnoName, loadNativeAddon, socketFd } from '../native-addon.ts';
import type { PendingReads } from './socket-reads.ts';

/** What the relay thread tells a listener about an accepted connection (native-accept.ts). */
export type AcceptCallback = (
  kind: number,
  fd: number,
  peerAddress: string,
  peerPort: number,
  head: Buffer | undefined,
) => void;

export interface RelayAddon {
  /** 0, or -errno when the relay thread could not start. */
  onReport(callback: ReportCallback): number;
  dial(ip: string, port: number, timeoutMs: number): number;
  /** An armed dial: the relay starts on `clientFd` (given over) as soon as the connect succeeds. */
  dial(ip: string, port: number, timeoutMs: number, clientFd: number, toClient: Buffer, idleTimeoutMs: number): number;
  start(
    clientFd: number,
    upstream: number,
    toClient: Buffer,
    toUpstream: Buffer,
    idleTimeoutMs: number,
    dialled: boolean,
    owned?: boolean,
  ): number;
  abort(id: number): void;
  bytes(id: number): [toUpstream: number, toClient: number] | undefined;
  /** [listener id, bound address, bound port], or -errno. */
  listen(
    ip: string,
    port: number,
    backlog: number,
    captureCheck: boolean,
    callback: AcceptCallback,
  ): [id: number, address: string, port: number] | number;
  stopListening(id: number): void;
  /** Bytes taken off the socket, or -errno. */
  discard(fd: number, length: number): number;
  closeFd(fd: number): void;
  /** Takes an accepted connection reported with its CONNECT head out of the relay thread's epoll set. */
  unwatch(fd: number): void;
}

type ReportCallback = (
  kind: number,
  id: number,
  reason: number,
  errno: number,
  toUpstream: number,
  toClient: number,
  localAddress: string,
  localPort: number,
) => void;

/** The addon's report kinds. */
const RELAY_ENDED = 0;
const DIALED = 1;

/** Why a relayed tunnel ended, by the addon's numbering. */
const END_REASONS = ['closed', 'idle-timeout', 'aborted', 'failed'] as const;

export interface KernelRelayEnd {
  /** closed: both sides finished sending; idle-timeout: nothing moved for the idle time; aborted: a socket was closed here; failed: a socket error (`errno`). */
  readonly reason: (typeof END_REASONS)[number];
  readonly errno: number;
  /**
   * The tunnel's bytes each way: what the relay moved, plus what it was handed that belongs to the tunnel
   * (everything bound upstream, and what an upstream socket had already read; not `toClient`, the proxy's own).
   */
  readonly toUpstream: number;
  readonly toClient: number;
}

export interface KernelRelay {
  /** The tunnel's bytes so far each way, counted as in KernelRelayEnd, or undefined once its end was reported. */
  liveBytes(): { readonly toUpstream: number; readonly toClient: number } | undefined;
}

/** An upstream connection the relay opened; it is the relay's until a tunnel uses it or it is dropped. */
export interface KernelUpstream {
  readonly dialId: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** The dial was armed: its relay started on connect, and splice() only tracks it. */
  readonly relaying?: boolean;
}

/** What an armed dial's relay sends first and its idle timeout: for an accepted CONNECT client, its 200. */
export interface RelayOnConnect {
  readonly toClient: Buffer;
  readonly idleTimeoutMs: number;
}

/** A tunnel's upstream: a socket JavaScript opened (its reads through `reads`), or one the relay dialled. */
export type RelayUpstream = { readonly socket: Socket; readonly reads: PendingReads } | KernelUpstream;

export type KernelDialOutcome =
  | { readonly connected: true; readonly upstream: KernelUpstream }
  /** `errno` is ETIMEDOUT when the connect timeout ran out; `cancelled`: an armed dial whose client was closed here. */
  | { readonly connected: false; readonly errno: number; readonly cancelled?: boolean };

/** Environment switch: `MESHGATE_TUNNEL_RELAY=node` keeps every tunnel on Node's sockets and streams. */
export const TUNNEL_RELAY_ENV = 'MESHGATE_TUNNEL_RELAY';

const ended = new Map<number, (end: KernelRelayEnd) => void>();
/** Ends of armed relays that came before splice() tracked them (a tunnel over before its dial was heard). */
const earlyEnds = new Map<number, KernelRelayEnd>();
const dialing = new Map<number, (outcome: KernelDialOutcome) => void>();
/** Told once when a dialled connection closes: its relay ended, or it was dropped unused. */
const onUpstreamClosed = new Map<number, () => void>();
let loadedAddon: RelayAddon | null | undefined;
/** Why tunnels run on Node's streams, once addon() has decided they do. */
let unavailableReason = '';

function onReport(
  ...[kind, id, reason, errno, toUpstream, toClient, localAddress, localPort]: Parameters<ReportCallback>
): void {
  if (kind === DIALED) {
    const settle = dialing.get(id);
    dialing.delete(id);
    settle?.(
      errno === 0
        ? { connected: true, upstream: { dialId: id, localAddress, localPort } }
        : { connected: false, errno },
    );
  } else if (kind === RELAY_ENDED) {
    const report = ended.get(id);
    ended.delete(id);
    report?.({ reason: END_REASONS[reason] ?? 'failed', errno, toUpstream, toClient });
  }
}

function addon(): RelayAddon | undefined {
  if (loadedAddon === undefined) {
    const switchedOff = process.env[TUNNEL_RELAY_ENV] === 'node';
    const loaded = switchedOff ? undefined : loadNativeAddon<RelayAddon>('tunnel_relay');
    loadedAddon = loaded !== undefined && 'addon' in loaded ? loaded.addon : null;
    if (switchedOff) unavailableReason = `${TUNNEL_RELAY_ENV}=node`;
    else if (loaded !== undefined && 'error' in loaded)
      unavailableReason = `${loaded.error}; rebuild with npm run build:native`;
    const startError = loadedAddon?.onReport(onReport) ?? 0;
    if (startError !== 0) {
      loadedAddon = null;
      unavailableReason = `the relay thread could not start: ${errnoName(-startError)}`;
    }
  }
  return loadedAddon ?? undefined;
}

/** Whether tunnels are relayed in the kernel here (the addon is built and not switched off). */
export function kernelRelayAvailable(): boolean {
  return addon() !== undefined;
}

/** The relay addon, for the listener that accepts on its thread; undefined where tunnels stay on Node's streams. */
export function relayAddon(): RelayAddon | undefined {
  return addon();
}

/** The kernel fd a relay can work on: an accepted client's own, or a socket's. */
function clientFd(client: Socket | AcceptedClient): number | undefined {
  if (client instanceof AcceptedClient) return client.held ? client.fd : undefined;
  return socketFd(client);
}

/** How tunnels are relayed here, with the reason when it is not the native relay (for the startup summary). */
export function kernelRelayStatus():
  { readonly available: true } | { readonly available: false; readonly reason: string } {
  return addon() !== undefined ? { available: true } : { available: false, reason: unavailableReason };
}

/**
 * Connects to `ip:port` on the relay thread, for a tunnel whose client socket can be relayed; undefined
 * when it cannot (no addon, a client without a kernel fd), and the caller opens a socket itself.
 * `connected` runs when the connection is up, before the outcome is delivered; the function it returns
 * runs once when the connection closes, whether a relay used it or it was dropped.
 */
export function dialInKernel(
  client: Socket | AcceptedClient,
  ip: string,
  port: number,
  timeoutMs: number,
  connected: () => () => void,
  relayOnConnect?: RelayOnConnect,
): Promise<KernelDialOutcome> | undefined {
  const relay = addon();
  const fd = clientFd(client);
  if (relay === undefined || fd === undefined) return undefined;
  // An accepted client's tunnel starts on the relay thread the moment its upstream connects: the bytes need
  // not wait for JavaScript to hear of the connect and answer.
  const armed =
    relayOnConnect !== undefined && client instanceof AcceptedClient ? { client, ...relayOnConnect } : undefined;
  const id =
    armed !== undefined
      ? relay.dial(ip, port, timeoutMs, fd, armed.toClient, armed.idleTimeoutMs)
      : relay.dial(ip, port, timeoutMs);
  if (id <= 0) return Promise.resolve({ connected: false, errno: -id });
  if (armed !== undefined) {
    armed.client.relayed();
    ended.set(id, (end) => earlyEnds.set(id, end));
    armed.client.onClose(() => relay.abort(id));
  }
  return new Promise((resolve) =>
    dialing.set(id, (outcome) => {
      if (outcome.connected) {
        onUpstreamClosed.set(id, connected());
        return resolve(
          armed !== undefined ? { connected: true, upstream: { ...outcome.upstream, relaying: true } } : outcome,
        );
      }
      if (armed === undefined) return resolve(outcome);
      ended.delete(id);
      // Cancelled: closed on the thread. Otherwise the client is JavaScript's again, to be answered.
      const cancelled = outcome.errno === constants.errno.ECANCELED;
      if (!cancelled) armed.client.reclaim();
      resolve({ ...outcome, cancelled });
    }),
  );
}

/** Closes a dialled connection no tunnel will use (its client left meanwhile). */
export function dropKernelUpstream(upstream: KernelUpstream): void {
  addon()?.abort(upstream.dialId);
  ended.delete(upstream.dialId);
  earlyEnds.delete(upstream.dialId);
  upstreamClosed(upstream.dialId);
}

function upstreamClosed(dialId: number): void {
  const closed = onUpstreamClosed.get(dialId);
  onUpstreamClosed.delete(dialId);
  closed?.();
}

interface ReadingHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
}

const handleOf = (socket: Socket): ReadingHandle => (socket as unknown as { _handle: ReadingHandle })._handle;

/** Stops the client's reads and returns what its stream had already buffered. */
function stopClientReads(client: Socket): Buffer[] {
  const buffered: Buffer[] = [];
  // read() may restart the handle's reads to refill the buffer; nothing arrives before readStop below,
  // since reads are delivered by the event loop and this runs to completion.
  if (client.readableLength > 0)
    for (let chunk = client.read() as Buffer | null; chunk !== null; chunk = client.read() as Buffer | null)
      buffered.push(chunk);
  const handle = handleOf(client);
  handle.reading = false;
  handle.readStop();
  return buffered;
}

/**
 * Undoes stopClientReads. The handle is restarted directly: the stream is still waiting for the read
 * its last read() asked for, so it would not ask again.
 */
function resumeClientReads(client: Socket, buffered: readonly Buffer[]): void {
  for (let i = buffered.length - 1; i >= 0; i--) client.unshift(buffered[i]);
  const handle = handleOf(client);
  handle.reading = true;
  handle.readStart();
}

function concat(first: Buffer, rest: readonly Buffer[]): Buffer {
  return rest.length === 0 ? first : Buffer.concat([first, ...rest]);
}

/** Whether the relay dialled this upstream (else JavaScript holds a socket for it). */
export const isDialled = (upstream: RelayUpstream): upstream is KernelUpstream => 'dialId' in upstream;

/**
 * Starts relaying `client` <-> `upstream` in the kernel. `toClient` and `toUpstream` go first (a CONNECT's
 * 200, the bytes the client sent after its request head); bytes either socket had already read follow.
 * Returns undefined, having changed nothing, when the tunnel cannot be relayed here: no addon, a socket
 * without a kernel fd, writes still queued, or no descriptors left. An upstream socket can then stay on
 * Node's streams; a dialled upstream cannot, and the caller drops it. `onEnd` runs once; the caller then
 * closes its sockets.
 */
export function startKernelRelay(
  client: Socket | AcceptedClient,
  upstream: RelayUpstream,
  toClient: Buffer,
  toUpstream: Buffer,
  idleTimeoutMs: number,
  onEnd: (end: KernelRelayEnd) => void,
): KernelRelay | undefined {
  if (client instanceof AcceptedClient && isDialled(upstream) && upstream.relaying === true) {
    const tracked = track(addon()!, upstream.dialId, 0, 0, upstream, onEnd);
    client.onClose(tracked.abort);
    return tracked;
  }
  if (client instanceof AcceptedClient) {
    // An accepted client has never been read from by JavaScript: its descriptor is handed over as it is.
    if (isDialled(upstream) && client.held)
      return relayAccepted(client, upstream, toClient, toUpstream, idleTimeoutMs, onEnd);
    client = client.socket();
  }
  const relay = addon();
  const clientFd = socketFd(client);
  const dialled = isDialled(upstream);
  // The native side takes a dial id for a dialled upstream, else the socket's fd.
  const upstreamRef = dialled ? upstream.dialId : socketFd(upstream.socket);
  if (relay === undefined || clientFd === undefined || upstreamRef === undefined) return undefined;
  if (client.writableLength > 0 || (!dialled && upstream.socket.writableLength > 0)) return undefined;

  if (!dialled) upstream.socket.pause(); // an onread socket's pause() stops its handle's reads
  const fromUpstream = dialled ? [] : upstream.reads.takeHeld();
  const fromClient = stopClientReads(client);
  const handedToUpstream = concat(toUpstream, fromClient);
  const handedToClient = concat(toClient, fromUpstream);
  const id = relay.start(clientFd, upstreamRef, handedToClient, handedToUpstream, idleTimeoutMs, dialled);
  if (id <= 0) {
    // Out of descriptors for the duplicates: give everything back to Node's streams.
    if (!dialled) {
      upstream.reads.putBack(fromUpstream);
      upstream.socket.resume();
    }
    resumeClientReads(client, fromClient);
    return undefined;
  }
  const tracked = track(relay, id, handedToUpstream.length, handedToClient.length - toClient.length, upstream, onEnd);
  // A socket closed here (a drain's cut, an error) ends the tunnel now, as on Node's streams, so its log line
  // is written before a shutdown completes; the relay's own report of the abort is then dropped.
  client.once('close', tracked.abort);
  if (!dialled) upstream.socket.once('close', tracked.abort);
  return tracked;
}

/** startKernelRelay() for a client accepted on the relay thread: the relay takes its descriptor over. */
function relayAccepted(
  client: AcceptedClient,
  upstream: KernelUpstream,
  toClient: Buffer,
  toUpstream: Buffer,
  idleTimeoutMs: number,
  onEnd: (end: KernelRelayEnd) => void,
): KernelRelay | undefined {
  const relay = addon();
  if (relay === undefined) return undefined;
  const id = relay.start(client.fd, upstream.dialId, toClient, toUpstream, idleTimeoutMs, true, true);
  if (id <= 0) return undefined;
  client.relayed();
  const tracked = track(relay, id, toUpstream.length, 0, upstream, onEnd);
  client.onClose(tracked.abort);
  return tracked;
}

/**
 * Waits for relay `id`'s end, counting the `handedUpstream` and `handedClient` bytes given to it as the
 * tunnel's; `abort` ends it from here at once (its log line must not wait for the relay's report).
 */
function track(
  relay: RelayAddon,
  id: number,
  handedUpstream: number,
  handedClient: number,
  upstream: RelayUpstream,
  onEnd: (end: KernelRelayEnd) => void,
): KernelRelay & { abort: () => void } {
  const report = (end: KernelRelayEnd): void => {
    if (isDialled(upstream)) upstreamClosed(upstream.dialId);
    onEnd({ ...end, toUpstream: handedUpstream + end.toUpstream, toClient: handedClient + end.toClient });
  };
  const early = earlyEnds.get(id);
  if (early !== undefined) {
    // Reported after the caller has finished setting the tunnel up, as a relay's end always is.
    earlyEnds.delete(id);
    queueMicrotask(() => report(early));
  } else {
    ended.set(id, report);
  }
  return {
    abort: () => {
      const report = ended.get(id);
      if (report === undefined) return;
      ended.delete(id);
      const bytes = relay.bytes(id);
      relay.abort(id);
      report({ reason: 'aborted', errno: 0, toUpstream: bytes?.[0] ?? 0, toClient: bytes?.[1] ?? 0 });
    },
    liveBytes: () => {
      const bytes = relay.bytes(id);
      return bytes === undefined
        ? undefined
        : { toUpstream: handedUpstream + bytes[0], toClient: handedClient + bytes[1] };
    },
  };
}
