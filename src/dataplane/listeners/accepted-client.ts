// A CONNECT client the relay thread accepted (native-accept.ts): JavaScript holds only its descriptor and
// peer address, so a tunnel that comes up costs no net.Socket. A socket is built from the descriptor only
// when meshgate must answer the client itself (a refusal, a failed dial).
import { Socket } from 'node:net';

/** Anything a drain can cut: a client socket, or an accepted client. */
export interface Closable {
  destroy(): void;
}

/**
 * Wraps an accepted descriptor in a socket as node:http's server would have: half-open allowed. Nagle is
 * already off (inherited from the listening socket).
 */
export function socketForAccepted(fd: number): Socket {
  return new Socket({ fd, readable: true, writable: true, allowHalfOpen: true });
}

/** What an accepted client needs of the relay addon for the descriptor it holds. */
export interface AcceptedDescriptors {
  closeFd(fd: number): void;
  /** Takes the descriptor out of the relay thread's epoll set before JavaScript reads it. */
  unwatch(fd: number): void;
}

export class AcceptedClient implements Closable {
  readonly fd: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly #descriptors: AcceptedDescriptors;
  #socket: Socket | undefined;
  /** held: the descriptor is JavaScript's; relayed: the relay owns and closes it; closed: ended. */
  #state: 'held' | 'relayed' | 'closed' = 'held';
  #onClose: (() => void)[] = [];

  constructor(fd: number, remoteAddress: string, remotePort: number, descriptors: AcceptedDescriptors) {
    this.fd = fd;
    this.remoteAddress = remoteAddress;
    this.remotePort = remotePort;
    this.#descriptors = descriptors;
  }

  get destroyed(): boolean {
    return this.#socket !== undefined ? this.#socket.destroyed : this.#state === 'closed';
  }

  /** Whether the descriptor can still be handed to the relay (not closed, not wrapped in a socket). */
  get held(): boolean {
    return this.#state === 'held' && this.#socket === undefined;
  }

  /**
   * The connection as a socket, for a reply meshgate writes itself; built once, after which it owns the
   * descriptor. Once the connection is closed (a drain cut it, the relay ended it) its descriptor number
   * may already belong to another connection, so what comes back is a socket that was never connected
   * and is already destroyed: replies to it go nowhere.
   */
  socket(): Socket {
    if (this.#socket === undefined && this.#state !== 'held') {
      const closed = new Socket();
      closed.destroy();
      return closed;
    }
    if (this.#socket === undefined) {
      this.#descriptors.unwatch(this.fd);
      const socket = socketForAccepted(this.fd);
      this.#socket = socket;
      socket.on('error', () => socket.destroy());
      socket.once('close', () => this.#closed());
    }
    return this.#socket;
  }

  /** The relay has taken the descriptor over; it closes it when the tunnel ends. */
  relayed(): void {
    this.#state = 'relayed';
  }

  /** The relay gave the descriptor back (its upstream never connected): JavaScript answers the client. */
  reclaim(): void {
    if (this.#state === 'relayed') this.#state = 'held';
  }

  /** Runs `listener` once when the connection closes (at once if it already has); returns what cancels it. */
  onClose(listener: () => void): () => void {
    if (this.#state === 'closed') {
      listener();
      return noop;
    }
    this.#onClose.push(listener);
    return () => {
      const at = this.#onClose.indexOf(listener);
      if (at >= 0) this.#onClose.splice(at, 1);
    };
  }

  destroy(): void {
    if (this.#socket !== undefined) {
      this.#socket.destroy();
      return;
    }
    if (this.#state === 'held') this.#descriptors.closeFd(this.fd);
    this.#closed();
  }

  #closed(): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    for (const listener of this.#onClose.splice(0)) listener();
  }
}

function noop(): void {}
