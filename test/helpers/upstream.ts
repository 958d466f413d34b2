// Real upstream servers for tests: an httpbin-like HTTP/HTTPS server and a raw TCP (or TLS) echo server,
// on a chosen 127.0.0.x address and port (0 = free port; 80/443 work as root), all closable.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

export interface UpstreamOptions {
  /** Address to listen on (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Serve HTTPS (or TLS for the echo server) with this certificate. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Sent back in `x-upstream` on every response, so tests see which upstream answered. */
  readonly name?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export interface TestUpstream {
  readonly host: string;
  readonly port: number;
  readonly name: string;
  /** `http://host:port` or `https://host:port`. */
  readonly url: string;
  /** Requests received so far (HTTP) or connections accepted (echo), oldest first. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

async function listen(server: NetServer, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as { port: number }).port;
}

function closer(server: NetServer, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}

/** httpbin spells header names in Title-Case and joins repeated ones with commas. */
function titleCaseHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    out[name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase())] = Array.isArray(value)
      ? value.join(',')
      : value;
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function describeRequest(req: IncomingMessage, url: URL, scheme: string): Record<string, unknown> {
  return {
    args: Object.fromEntries(url.searchParams),
    headers: titleCaseHeaders(req),
    origin: req.socket.remoteAddress ?? '',
    url: `${scheme}://${req.headers.host ?? ''}${url.pathname}${url.search}`,
  };
}

/**
 * Routes, as httpbin: `/delay/N` (seconds, fractions allowed), `/status/N`, `/headers`, `/bytes/N`
 * (a fixed byte pattern, `i % 256`), `/stream/N` (N JSON lines, chunked), `/anything…` and
 * `/post|put|patch|delete` (echo as JSON). Also `/echo` (the request body streamed back as is),
 * `/reset` (socket destroyed before any response), `/flaky/N/STATUS/…` (the first N requests for that exact
 * path answer STATUS, later ones 200 with the request and its body as JSON) and `/` (`ok`).
 */
async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  scheme: string,
  seen: Map<string, number>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://upstream');
  const parts = url.pathname.split('/').filter((p) => p !== '');
  const [route, arg] = parts;
  const n = Number(arg);
  switch (route) {
    case undefined:
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
      return;
    case 'delay': {
      const timer = setTimeout(() => sendJson(res, 200, describeRequest(req, url, scheme)), Math.max(0, n) * 1000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    case 'status':
      res.writeHead(Number.isInteger(n) && n >= 100 && n <= 599 ? n : 400, { 'content-length': '0' });
      res.end();
      return;
    case 'headers':
      sendJson(res, 200, { headers: titleCaseHeaders(req) });
      return;
    case 'bytes': {
      const body = Buffer.alloc(Math.max(0, Math.floor(n)));
      for (let i = 0; i < body.length; i++) body[i] = i % 256;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
      return;
    }
    case 'stream': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const base = describeRequest(req, url, scheme);
      for (let id = 0; id < n; id++) res.write(`${JSON.stringify({ ...base, id })}\n`);
      res.end();
      return;
    }
    case 'echo': {
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    case 'reset':
      req.socket.destroy();
      return;
    case 'flaky': {
      const count = (seen.get(url.pathname) ?? 0) + 1;
      seen.set(url.pathname, count);
      const data = (await readBody(req)).toString('utf8');
      if (count <= n) {
        res.writeHead(Number(parts[2] ?? 503), { 'content-length': '0' });
        res.end();
      } else {
        sendJson(res, 200, { ...describeRequest(req, url, scheme), attempt: count, data });
      }
      return;
    }
    case 'anything':
    case 'post':
    case 'put':
    case 'patch':
    case 'delete': {
      const data = (await readBody(req)).toString('utf8');
      let json: unknown = null;
      try {
        json = data === '' ? null : JSON.parse(data);
      } catch {
        json = null;
      }
      sendJson(res, 200, { ...describeRequest(req, url, scheme), method: req.method, data, json });
      return;
    }
    default:
      sendJson(res, 404, { error: `no route ${url.pathname}` });
  }
}

/** Starts an httpbin-like HTTP (or, with `tls`, HTTPS) server. */
export async function startHttpUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  const host = options.host ?? '127.0.0.1';
  const scheme = options.tls === undefined ? 'http' : 'https';
  const requests: RecordedRequest[] = [];
  const seen = new Map<string, number>();
  let name = options.name ?? '';
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    res.setHeader('x-upstream', name);
    handle(req, res, scheme, seen).catch(() => res.destroy());
  };
  const server: Server =
    options.tls === undefined
      ? createHttpServer(onRequest)
      : createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, host, options.port ?? 0);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  if (name === '') name = `${hostInUrl}:${port}`;
  return { host, port, name, url: `${scheme}://${hostInUrl}:${port}`, requests, close: closer(server, sockets) };
}

/** Starts a raw TCP (or, with `tls`, TLS) server that sends every byte back. */
export async function startEchoServer(options: UpstreamOptions = {}): Promise<TestUpstream> {
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const echo = (socket: Socket): void => {
    requests.push({ method: 'CONNECT', url: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}`, headers: {} });
    socket.on('error', () => socket.destroy());
    socket.pipe(socket);
  };
  const server: NetServer =
    options.tls === undefined
      ? createNetServer(echo)
      : createTlsServer({ cert: options.tls.cert, key: options.tls.key }, echo);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server, host, options.port ?? 0);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  const name = options.name ?? `${hostInUrl}:${port}`;
  return {
    host,
    port,
    name,
    url: `${options.tls === undefined ? 'tcp' : 'tls'}://${hostInUrl}:${port}`,
    requests,
    close: closer(server, sockets),
  };
}
