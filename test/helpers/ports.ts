// Free TCP ports for tests that must name a port before something listens on it (most should bind port 0).
import { createServer } from 'node:net';

/** A port that was free on `host` a moment ago (bind it soon; another process could take it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
