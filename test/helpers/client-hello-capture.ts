// Captures the first bytes a real TLS client sends: a plain TCP server on 127.0.0.1:0 keeps what
// arrives until a whole ClientHello is in, then hangs up (the client's handshake fails; that is fine).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { parseClientHello } from '../../src/dataplane/listeners/client-hello.ts';

/** Starts a capture server, lets `client(port)` connect to it, and returns the bytes it sent. */
export async function captureFirstBytes(
  client: (port: number) => void | Promise<void>,
  timeoutMs = 5000,
): Promise<Buffer> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  try {
    const bytes = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no complete ClientHello within ${timeoutMs} ms`)), timeoutMs);
      server.once('connection', (socket: net.Socket) => {
        let seen = Buffer.alloc(0);
        socket.on('error', () => undefined);
        socket.on('data', (chunk: Buffer) => {
          seen = Buffer.concat([seen, chunk]);
          if (parseClientHello(seen).kind === 'needMore') return;
          clearTimeout(timer);
          socket.destroy();
          resolve(seen);
        });
      });
    });
    await client(port);
    return await bytes;
  } finally {
    server.close();
  }
}

/** Node's TLS client, as undici and most Node programs use it. */
export function nodeClient(options: { servername?: string; alpn?: string[] }): (port: number) => void {
  return (port) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      ...(options.alpn === undefined ? {} : { ALPNProtocols: options.alpn }),
      rejectUnauthorized: false,
    });
    socket.on('error', () => undefined);
  };
}

/** Runs a command-line client to completion in the background; its exit status does not matter. */
export function commandClient(command: string, args: (port: number) => string[]): (port: number) => void {
  return (port) => {
    const child = spawn(command, args(port), { stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('error', () => undefined);
    setTimeout(() => child.kill('SIGKILL'), 6000).unref();
  };
}

/** curl with --resolve, so it sends SNI for a real host name while dialling the capture server. */
export function curlClient(host: string, extra: string[] = []): (port: number) => void {
  return commandClient('curl', (port) => [
    '-sk',
    '--max-time',
    '5',
    ...extra,
    '--resolve',
    `${host}:${port}:127.0.0.1`,
    `https://${host}:${port}/`,
  ]);
}

/** openssl s_client, with -servername and -alpn as given. */
export function opensslClient(args: string[]): (port: number) => void {
  return commandClient('openssl', (port) => ['s_client', '-connect', `127.0.0.1:${port}`, ...args]);
}
