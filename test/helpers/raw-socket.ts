// Talks to a proxy with raw bytes over TCP, for what curl cannot send: half-written requests, garbage,
// CONNECT tunnels whose payload the test checks byte for byte.
import { connect } from 'node:net';

export interface RawExchangeOptions {
  /** Called with everything received so far; may write more, and returns true to end the exchange. */
  readonly onData?: (received: string, write: (bytes: string) => void) => boolean;
}

/** Connects, writes `bytes`, and resolves with everything received when the exchange ends or the socket closes. */
export function rawExchange(port: number, bytes: string, options: RawExchangeOptions = {}): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve(received);
    };
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (options.onData?.(received, (more) => socket.write(more)) === true) {
        socket.end();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', finish);
  });
}
