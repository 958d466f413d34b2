// The Prometheus scrape port (--metrics-port, default 15090): `GET /stats/prometheus` and nothing else,
// like the listener Istio gives Envoy on 15090, so scrape configs written for Istio sidecars work unchanged.
import { createServer, type Server } from 'node:http';

export type PrometheusSource = () => Promise<{ readonly contentType: string; readonly body: string }>;

export class MetricsServer {
  readonly #server: Server;

  constructor(metrics: PrometheusSource) {
    this.#server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?', 1)[0];
      const reply = (status: number, type: string, body: string): void => {
        res.writeHead(status, {
          'content-type': type,
          'content-length': Buffer.byteLength(body),
          'cache-control': 'no-cache',
        });
        res.end(req.method === 'HEAD' ? undefined : body);
      };
      if (path !== '/stats/prometheus')
        return reply(404, 'text/plain', 'not found: metrics are at /stats/prometheus\n');
      if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n');
      metrics().then(
        (m) => reply(200, m.contentType, m.body),
        () => reply(500, 'text/plain', 'metrics failed\n'),
      );
    });
  }

  /** Resolves with the bound address and port (`port` 0 picks a free one). */
  listen(port: number, host: string): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const addr = this.#server.address() as { address: string; port: number };
        resolve({ address: addr.address, port: addr.port });
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
