// The scripted upstream's responses, by path: exact bytes, exact timing, exact teardown.
import type { Socket } from 'node:net';
import type { WireRequest } from './wire-upstream.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The scripted upstream's routes: `/fixed` (length 5), `/chunked` (extensions and trailers, in three
 * writes), `/close` (no length, ends by closing), `/not-modified` (304 announcing a length),
 * `/conn-close` (a length, then `Connection: close`), `/http10` (an HTTP/1.0 body until close), `/hop`
 * (hop-by-hop response headers, two Set-Cookie), `/say?word=W&delay=MS`, `/bye` (a keep-alive response,
 * then the upstream closes), `/cut` (reset in the middle of the body), `/hang` (never answers), `/slow`
 * (half the body, the rest 300 ms later), `/trickle` (part of the body, the rest 500 ms later), `/odd-status` (299), `/no-reason` (a status line without reason),
 * `/interim` (100 and 103 before the answer), `/cl-te` (both framings), `/garbage` (not HTTP), `/extra` (bytes
 * past the content-length), `/head-body` (a body even for HEAD); anything else 404.
 */
export async function wireScript(request: WireRequest, socket: Socket): Promise<void> {
  const url = new URL(request.path, 'http://wire');
  switch (url.pathname) {
    case '/fixed':
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Trace: a\r\nContent-Length: 5\r\n\r\n');
      if (request.method !== 'HEAD') socket.write('hello');
      return;
    case '/chunked':
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
      if (request.method === 'HEAD') return;
      socket.write('5;ext=1\r\nhello\r\n');
      await sleep(20);
      socket.write('7\r\n, world\r\n1');
      await sleep(20);
      socket.write('\r\n!\r\n0\r\nX-Checksum: 42\r\n\r\n');
      return;
    case '/close':
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
      await sleep(20);
      socket.write('the upstream ');
      await sleep(20);
      socket.end('closes');
      return;
    case '/say': {
      await sleep(Number(url.searchParams.get('delay') ?? 0));
      const word = url.searchParams.get('word') ?? '';
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${word.length}\r\n\r\n${word}`);
      return;
    }
    case '/bye':
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye');
      return;
    case '/cut':
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
      await sleep(50);
      socket.resetAndDestroy();
      return;
    case '/not-modified':
      socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n');
      return;
    case '/conn-close':
      socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
      return;
    case '/http10':
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nan old server');
      return;
    case '/hop':
      socket.write(
        'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nConnection: keep-alive\r\n' +
          'Proxy-Connection: keep-alive\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Mixed-Case: V\r\n' +
          'Content-Length: 2\r\n\r\nok',
      );
      return;
    case '/hang':
      return;
    case '/slow':
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nfirst-half|');
      await sleep(300);
      socket.write('second-half');
      return;
    case '/odd-status':
      socket.write('HTTP/1.1 299 Whatever\r\nContent-Length: 0\r\n\r\n');
      return;
    case '/no-reason':
      socket.write('HTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok');
      return;
    case '/interim':
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n');
      await sleep(20);
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal');
      return;
    case '/cl-te':
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
      return;
    case '/trickle':
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\nfirst|');
      await sleep(500);
      socket.write('the rest, too late');
      return;
    case '/extra':
      // More bytes than announced, in the same write as the response: the upstream is out of step.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA');
      return;
    case '/head-body':
      // A body on a HEAD response (some servers do it), in the same write.
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');
      return;
    case '/garbage':
      socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
      return;
    default:
      socket.write('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  }
}
