// Recovers where a transparently captured connection was going (SO_ORIGINAL_DST) and decides whether
// an accepted socket is captured traffic at all; the outbound listener calls this on every accept.
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { type AddonLoad, errnoName, loadNativeAddon, socketFd } from '../native-addon.ts';

/** The destination the application dialled before iptables REDIRECT rewrote it to the proxy port. */
export interface OriginalDestination {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** Outcome of one getsockopt: the destination, or the errno that says why there is none. */
export type OriginalDstQuery =
  | { readonly ok: true; readonly destination: OriginalDestination }
  | { readonly ok: false; readonly errno: number; readonly code: string };

/** Whether a socket is captured traffic, with the reason when it is not (decisions carry reasons). */
export type CaptureDecision =
  | { readonly captured: true; readonly destination: OriginalDestination }
  | { readonly captured: false; readonly reason: 'no-original-dst' | 'self-loop'; readonly detail: string };

/** Thrown at startup when capture is asked for but the addon cannot be loaded. */
export class CaptureUnavailableError extends Error {
  readonly code = 'MG_ERR_CAPTURE_UNAVAILABLE';
  constructor(reason: string) {
    super(
      `transparent capture needs the SO_ORIGINAL_DST addon, which is unavailable: ${reason}. ` +
        'Rebuild it with `npm run build:native` (needs a C++ compiler, make and python3) on Linux.',
    );
    this.name = 'CaptureUnavailableError';
  }
}

interface Addon {
  getOriginalDst(fd: number): OriginalDestination | number;
}

let state: AddonLoad<Addon> | undefined;

function loadAddon(): AddonLoad<Addon> {
  state ??= loadNativeAddon<Addon>('original_dst');
  return state;
}

/** Reports whether capture can work here, without throwing (for `--capture` checks and test skips). */
export function originalDstAvailability():
  { readonly available: true } | { readonly available: false; readonly reason: string } {
  const loaded = loadAddon();
  return 'addon' in loaded ? { available: true } : { available: false, reason: loaded.error };
}

/** Fails fast at startup when capture is configured but cannot work. */
export function requireOriginalDst(): void {
  const loaded = loadAddon();
  if ('error' in loaded) throw new CaptureUnavailableError(loaded.error);
}

function failure(errno: number): OriginalDstQuery {
  return { ok: false, errno, code: errnoName(errno) };
}

/** Queries SO_ORIGINAL_DST (IPv4) or IP6T_SO_ORIGINAL_DST (IPv6) on the socket; never throws. */
export function queryOriginalDestination(socket: Socket): OriginalDstQuery {
  const loaded = loadAddon();
  if ('error' in loaded) return failure(constants.errno.ENOSYS);
  const fd = socketFd(socket);
  if (fd === undefined) return failure(constants.errno.EBADF);
  const result = loaded.addon.getOriginalDst(fd);
  if (typeof result === 'number') return failure(result);
  return { ok: true, destination: { address: unmapIPv4(result.address), port: result.port, family: result.family } };
}

/** The original destination of a redirected socket, or undefined when there is none. */
export function getOriginalDestination(socket: Socket): OriginalDestination | undefined {
  const query = queryOriginalDestination(socket);
  return query.ok ? query.destination : undefined;
}

/** '::ffff:10.0.0.1' and '10.0.0.1' are the same endpoint on a dual-stack socket. */
export function unmapIPv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function sameEndpoint(
  address: string,
  port: number,
  otherAddress: string | undefined,
  otherPort: number | undefined,
): boolean {
  return otherAddress !== undefined && port === otherPort && unmapIPv4(address) === unmapIPv4(otherAddress);
}

/** Optional inputs of decideCapture: a query already made, and the listener's bound address. */
export interface CaptureCheck {
  readonly query?: OriginalDstQuery;
  /** The address the listener was bound to; a wildcard (0.0.0.0, ::) adds nothing to the check. */
  readonly listening?: { readonly address: string; readonly port: number };
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * The self-loop guard. A socket that iptables did not redirect either has no original destination
 * (ENOENT: no NAT conntrack entry) or reports the address it actually reached, i.e. the proxy's own
 * listener. Forwarding the latter would dial the proxy again forever, so both mean "not captured":
 * explicit proxy traffic (absolute-form HTTP, CONNECT) or a direct hit on the port. The accepted
 * socket's local endpoint is the precise test (a wildcard listener is reached on one concrete
 * address); a specific listening address is checked as well.
 */
export function decideCapture(socket: Socket, check: CaptureCheck = {}): CaptureDecision {
  const query = check.query ?? queryOriginalDestination(socket);
  if (!query.ok) {
    return { captured: false, reason: 'no-original-dst', detail: `SO_ORIGINAL_DST failed: ${query.code}` };
  }
  const { address, port } = query.destination;
  const listening = check.listening;
  const isListener =
    listening !== undefined &&
    !WILDCARDS.has(listening.address) &&
    sameEndpoint(address, port, listening.address, listening.port);
  if (isListener || sameEndpoint(address, port, socket.localAddress, socket.localPort)) {
    return {
      captured: false,
      reason: 'self-loop',
      detail: `original destination ${formatEndpoint(query.destination)} is this listener`,
    };
  }
  return { captured: true, destination: query.destination };
}

/** 'ip:port' for IPv4 and '[ip]:port' for IPv6, as Envoy prints addresses in access logs. */
export function formatEndpoint(destination: OriginalDestination): string {
  return destination.family === 'IPv6'
    ? `[${destination.address}]:${destination.port}`
    : `${destination.address}:${destination.port}`;
}
