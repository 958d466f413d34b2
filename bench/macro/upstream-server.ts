// The benchmark's upstream, run as its own process: a minimal HTTP/1.1 responder on raw sockets that
// answers every request with the same small keep-alive response, on two ports (one registered as HTTP,
// one as TCP for CONNECT tunnels). Run: node --import tsx bench/macro/upstream-server.ts
// A raw responder costs a fraction of node:http's CPU per request, so on a 2-core machine the upstream
// takes as little as possible from the proxy under test and from the load generator.
import { createServer, type Socket } from 'node:net';
import { RESPONSE } from './upstream-response.ts';

const HEAD_END = '\r\n\r\n';
// Requests are GETs without bodies; a Content-Length still has to be skipped or the stream desyncs.
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CONNECTION_CLOSE = /\r\nconnection:[ \t]*close/i;
const KEEP_ALIVE = /\r\nconnection:[ \t]*keep-alive/i;

/** HTTP/1.1 closes only when asked; HTTP/1.0 (tinyproxy speaks it upstream) unless asked to keep alive. */
function closesAfter(head: string): boolean {
  const lineEnd = head.indexOf('\r\n');
  const requestLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
  const http10 = requestLine.endsWith('HTTP/1.0');
  return http10 ? !KEEP_ALIVE.test(head) : CONNECTION_CLOSE.test(head);
}
const MAX_HEAD = 64 * 1024;

function serve(socket: Socket): void {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let pending = '';
  let skipBody = 0;
  socket.on('data', (chunk: Buffer) => {
    let text = chunk.toString('latin1');
    if (skipBody > 0) {
      const skipped = Math.min(skipBody, text.length);
      skipBody -= skipped;
      text = text.slice(skipped);
    }
    pending += text;
    let replies = 0;
    let close = false;
    for (;;) {
      const end = pending.indexOf(HEAD_END);
      if (end < 0) break;
      const head = pending.slice(0, end);
      pending = pending.slice(end + HEAD_END.length);
      replies++;
      if (closesAfter(head)) {
        close = true;
        break;
      }
      const length = CONTENT_LENGTH.exec(head);
      if (length !== null) {
        const body = Number(length[1]);
        const skipped = Math.min(body, pending.length);
        pending = pending.slice(skipped);
        skipBody = body - skipped;
      }
    }
    if (pending.length > MAX_HEAD) return void socket.destroy();
    // Pipelined requests get their replies in one write, as a real server's corked writes would.
    if (replies === 1) socket.write(RESPONSE);
    else if (replies > 1) socket.write(Buffer.concat(Array.from({ length: replies }, () => RESPONSE)));
    if (close) socket.end();
  });
}

function listen(port: number): Promise<number> {
  const server = createServer({ noDelay: true }, serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () =>
      resolve((server.address() as { port: number }).port),
    );
  });
}

async function main(): Promise<void> {
  const httpPort = await listen(Number(process.argv[2] ?? 0));
  const tcpPort = await listen(Number(process.argv[3] ?? 0));
  // The parent waits for this line to learn the ports.
  process.stdout.write(`${JSON.stringify({ httpPort, tcpPort })}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

void main();
