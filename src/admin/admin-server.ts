// The admin HTTP API on 127.0.0.1:--admin-port: /ready, /config_dump, /clusters, /stats/prometheus,
// /logging (see docs/admin-api.md).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Snapshot } from '../compiler/snapshot.ts';
import type { Logger } from '../observability/logger.ts';
import { clustersJson, clustersText, type ClusterView } from './clusters-view.ts';
import { handleLogging } from './logging-endpoint.ts';

/** What the admin API reads; all of it is owned elsewhere and only looked at here. */
export interface AdminSources {
  readonly snapshot: () => Snapshot | undefined;
  /** Files rejected by the last load and the errors that rejected them. */
  readonly rejected: () => readonly {
    readonly file: string;
    readonly errors: readonly string[];
    readonly servingLastGood: boolean;
  }[];
  readonly warnings: () => readonly string[];
  readonly clusters: ClusterView;
  /** Prometheus exposition for /stats/prometheus. */
  readonly metrics?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  /** meshgate's own logger, whose level /logging shows and changes. */
  readonly logger?: Logger;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
  });
  res.end(body);
}

export function handleAdmin(sources: AdminSources, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://admin');
  // POST only where Envoy requires it for a change (/logging), so Envoy's tooling works unchanged.
  const write = req.method === 'POST' && url.pathname === '/logging';
  if (req.method !== 'GET' && req.method !== 'HEAD' && !write)
    return send(res, 405, 'text/plain', 'method not allowed\n');
  const snapshot = sources.snapshot();
  switch (url.pathname) {
    case '/ready':
      return snapshot === undefined
        ? send(res, 503, 'text/plain', 'PRE_INITIALIZING\n')
        : send(res, 200, 'text/plain', 'LIVE\n');
    case '/config_dump': {
      const dump = {
        version: snapshot?.version ?? null,
        namespace: snapshot?.namespace ?? null,
        rejected: sources.rejected(),
        warnings: sources.warnings(),
        snapshot: snapshot ?? null,
      };
      return send(res, 200, 'application/json', `${JSON.stringify(dump, null, 2)}\n`);
    }
    case '/clusters':
      if (snapshot === undefined) return send(res, 503, 'text/plain', 'no snapshot is live\n');
      return url.searchParams.get('format') === 'json'
        ? send(res, 200, 'application/json', `${JSON.stringify(clustersJson(snapshot, sources.clusters), null, 2)}\n`)
        : send(res, 200, 'text/plain', clustersText(snapshot, sources.clusters));
    case '/stats/prometheus': {
      if (sources.metrics === undefined) return send(res, 404, 'text/plain', 'metrics are off\n');
      sources.metrics().then(
        (m) => send(res, 200, m.contentType, m.body),
        () => send(res, 500, 'text/plain', 'metrics failed\n'),
      );
      return;
    }
    case '/logging': {
      if (sources.logger === undefined) return send(res, 404, 'text/plain', 'not found\n');
      const reply = handleLogging(sources.logger, url.searchParams);
      return send(res, reply.status, 'text/plain', reply.body);
    }
    case '/':
      return send(
        res,
        200,
        'text/plain',
        'meshgate admin: /ready /config_dump /clusters[?format=json] /stats/prometheus /logging[?level=LEVEL]\n',
      );
    default:
      return send(res, 404, 'text/plain', 'not found\n');
  }
}

export class AdminServer {
  readonly #server: Server;

  constructor(sources: AdminSources) {
    this.#server = createServer((req, res) => handleAdmin(sources, req, res));
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve((this.#server.address() as { port: number }).port);
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
