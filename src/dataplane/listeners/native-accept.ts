// The outbound port's accepts, done on the tunnel relay's thread (native/tunnel_relay.cc). The thread peeks
// at each new connection: a complete CONNECT head reaches JavaScript as a descriptor and the head's bytes,
// and the tunnel can come up without a net.Socket ever being built for its client. Every other connection
// (plain HTTP, captured traffic, a CONNECT head not complete within 100 ms) arrives as a bare descriptor
// with nothing read from it, is wrapped in a socket and served exactly as a socket Node accepted.
import { isIP, type Socket } from 'node:net';
import { getSystemErrorMap } from 'node:util';
import { relayAddon, type RelayAddon } from '../upstream/kernel-relay.ts';
import { AcceptedClient, socketForAccepted } from './accepted-client.ts';

/** The addon's accept report kinds. */
const ADOPT = 0;
const CONNECT_HEAD = 1;
const STOPPED = 2;

/** Node's listen() backlog. */
const BACKLOG = 511;

/** A connection whose first bytes are a complete CONNECT head, all still unread in the socket. */
export interface AcceptedConnect {
  readonly fd: number;
  readonly peerAddress: string;
  readonly peerPort: number;
  readonly head: Buffer;
}

export interface NativeAcceptHandlers {
  /** A connection to serve as any accepted socket. */
  readonly socket: (socket: Socket) => void;
  /** A CONNECT head: take() it as a tunnel client, or adopt() it as a socket. */
  readonly connect: (accepted: AcceptedConnect) => void;
}

/** The error node:net's listen() would have raised for the same errno, so callers see one shape. */
function listenError(errno: number, host: string, port: number): NodeJS.ErrnoException {
  const [code, message] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, 'unknown error'];
  const error: NodeJS.ErrnoException = new Error(`listen ${code}: ${message} ${host}:${port}`);
  Object.assign(error, { code, errno: -errno, syscall: 'listen', address: host, port });
  return error;
}

/**
 * The accepted descriptor as a socket; undefined, with the descriptor closed, if Node refuses it (it would
 * have to be something other than a TCP socket): a bad descriptor must not throw on the relay's report.
 */
function wrap(addon: RelayAddon, fd: number): Socket | undefined {
  try {
    return socketForAccepted(fd);
  } catch {
    addon.closeFd(fd);
    return undefined;
  }
}

export class NativeListener {
  readonly address: string;
  readonly port: number;
  readonly #addon: RelayAddon;
  readonly #id: number;
  #stopped: Promise<void> | undefined;
  #onStopped: (() => void) | undefined;

  private constructor(addon: RelayAddon, id: number, address: string, port: number) {
    this.#addon = addon;
    this.#id = id;
    this.address = address;
    this.port = port;
  }

  /**
   * Listens on `host:port` with accepts on the relay thread; undefined where that is not possible (no relay
   * addon, or a host name rather than an address) and node:net should listen instead. Throws what
   * node:net's listen() would (EADDRINUSE, EACCES) otherwise.
   */
  static listen(
    host: string,
    port: number,
    captureCheck: boolean,
    handlers: NativeAcceptHandlers,
  ): NativeListener | undefined {
    const addon = relayAddon();
    if (addon === undefined || isIP(host) === 0) return undefined;
    const created: { listener?: NativeListener } = {};
    const result = addon.listen(host, port, BACKLOG, captureCheck, (kind, fd, peerAddress, peerPort, head) => {
      if (kind === ADOPT) {
        const socket = wrap(addon, fd);
        if (socket !== undefined) handlers.socket(socket);
      } else if (kind === CONNECT_HEAD && head !== undefined) handlers.connect({ fd, peerAddress, peerPort, head });
      else if (kind === STOPPED && created.listener !== undefined) created.listener.#onStopped?.();
    });
    if (typeof result === 'number') throw listenError(-result, host, port);
    created.listener = new NativeListener(addon, result[0], result[1], result[2]);
    return created.listener;
  }

  /**
   * Takes a CONNECT as a tunnel client: its `length`-byte head is read off the socket, and what the client
   * sent after it stays there for the tunnel. Undefined when the client has already reset (it is closed).
   */
  take(accepted: AcceptedConnect, length: number): AcceptedClient | undefined {
    if (this.#addon.discard(accepted.fd, length) !== length) {
      this.#addon.closeFd(accepted.fd);
      return undefined;
    }
    return new AcceptedClient(accepted.fd, accepted.peerAddress, accepted.peerPort, this.#addon);
  }

  /** Serves a CONNECT as any other connection: a socket that reads the head itself. */
  adopt(accepted: AcceptedConnect): Socket | undefined {
    this.#addon.unwatch(accepted.fd);
    return wrap(this.#addon, accepted.fd);
  }

  /** Stops accepting; resolves once every connection still being peeked at has been handed over. */
  stop(): Promise<void> {
    this.#stopped ??= new Promise((resolve) => {
      this.#onStopped = resolve;
      this.#addon.stopListening(this.#id);
    });
    return this.#stopped;
  }
}
