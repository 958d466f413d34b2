// The load generator's client connections: a keep-alive connection that sends one request at a time
// (straight, through a forward proxy, or inside one CONNECT tunnel), and a one-shot exchange that opens
// a connection (and tunnel) per request.
import { connect, type Socket } from 'node:net';
import { ResponseReader } from './http-wire.ts';

/** Where to connect and what to send; `tunnel` is the CONNECT request to send first, if any. */
export interface Wire {
  readonly port: number;
  readonly request: Buffer;
  readonly tunnel?: Buffer;
}

/** Called once per request: the status, or the reason it failed. */
export type Outcome = (status: number, error?: string) => void;

function open(port: number): Socket {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  return socket;
}

/** Reads the CONNECT reply, then hands every later byte to `onData` (including any that came with the reply). */
function afterTunnel(
  socket: Socket,
  onUp: () => void,
  onData: (chunk: Buffer) => void,
  fail: (error: string) => void,
): void {
  const head = new ResponseReader(() => undefined);
  const onHead = (chunk: Buffer): void => {
    const reply = head.readHeadOnly(chunk);
    if (reply === undefined) return;
    socket.off('data', onHead);
    if (reply.status !== 200) return fail(`CONNECT answered ${reply.status}`);
    socket.on('data', onData);
    onUp();
    if (reply.rest.length > 0) onData(reply.rest);
  };
  socket.on('data', onHead);
}

export class KeepAliveConnection {
  readonly #wire: Wire;
  readonly #outcome: Outcome;
  readonly #onLost: () => void;
  #socket: Socket | undefined;
  #inFlight = false;
  #up = false;
  #reconnecting = false;
  /** Requests sent on the current socket, and whether any byte of the current response has arrived. */
  #sentOnSocket = 0;
  #answering = false;

  /** `onLost` runs when an open connection breaks; a request in flight is reported to `outcome` first. */
  constructor(wire: Wire, outcome: Outcome, onLost: () => void) {
    this.#wire = wire;
    this.#outcome = outcome;
    this.#onLost = onLost;
  }

  get idle(): boolean {
    return this.#up && !this.#inFlight;
  }

  /** Connects (and opens the tunnel); resolves when requests can be sent, rejects with the reason otherwise. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = open(this.#wire.port);
      this.#socket = socket;
      const reader = new ResponseReader((status, closes) => this.#done(status, closes));
      let opened = false;
      this.#sentOnSocket = 0;
      const fail = (error: string): void => {
        socket.destroy();
        if (!opened) reject(new Error(error));
        else if (this.#socket === socket) this.#lost(error);
      };
      socket.on('error', (err) => fail(err.message));
      socket.on('close', () => fail('connection closed'));
      const onUp = (): void => {
        opened = true;
        this.#up = true;
        resolve();
      };
      const onData = (chunk: Buffer): void => {
        this.#answering = true;
        reader.feed(chunk);
      };
      if (this.#wire.tunnel === undefined) {
        socket.once('connect', onUp);
        socket.on('data', onData);
      } else {
        socket.once('connect', () => socket.write(this.#wire.tunnel!));
        afterTunnel(socket, onUp, onData, fail);
      }
    });
  }

  /** Sends the request now, or as soon as a reconnect the server asked for has finished. */
  send(): void {
    this.#inFlight = true;
    if (!this.#reconnecting) this.#write();
  }

  #write(): void {
    this.#sentOnSocket++;
    this.#answering = false;
    this.#socket!.write(this.#wire.request);
  }

  close(): void {
    this.#up = false;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }

  #done(status: number, closes: boolean): void {
    this.#inFlight = false;
    if (closes) this.#reconnect();
    this.#outcome(status);
  }

  // The server said it closes after this response (tinyproxy always does): a real client opens a new
  // connection for the next request, and that request's latency includes the connect.
  #reconnect(): void {
    this.close();
    this.#reconnecting = true;
    this.open().then(
      () => {
        this.#reconnecting = false;
        if (this.#inFlight) this.#write();
      },
      (err: unknown) => {
        this.#reconnecting = false;
        if (this.#inFlight) {
          this.#inFlight = false;
          this.#outcome(0, err instanceof Error ? err.message : String(err));
        }
        this.#onLost();
      },
    );
  }

  #lost(error: string): void {
    if (!this.#up) return;
    // A reused connection the server closed before it read our request (tinyproxy closes after every
    // response without saying so): resend on a new connection, as HTTP clients do for idempotent requests.
    if (this.#inFlight && !this.#answering && this.#sentOnSocket > 1) return this.#reconnect();
    this.#up = false;
    const wasInFlight = this.#inFlight;
    this.#inFlight = false;
    if (wasInFlight) this.#outcome(0, error);
    this.#onLost();
  }
}

/** One request on its own connection (and its own tunnel); the client closes once the response is in. */
export function exchangeOnce(wire: Wire, outcome: Outcome): void {
  const socket = open(wire.port);
  let settled = false;
  const settle = (status: number, error?: string): void => {
    if (settled) return;
    settled = true;
    socket.destroy();
    outcome(status, error);
  };
  const reader = new ResponseReader((status) => settle(status));
  socket.on('error', (err) => settle(0, err.message));
  socket.on('close', () => settle(0, 'connection closed before the response'));
  const onData = (chunk: Buffer): void => reader.feed(chunk);
  if (wire.tunnel === undefined) {
    socket.once('connect', () => socket.write(wire.request));
    socket.on('data', onData);
  } else {
    socket.once('connect', () => socket.write(wire.tunnel!));
    afterTunnel(
      socket,
      () => socket.write(wire.request),
      onData,
      (error) => settle(0, error),
    );
  }
}
