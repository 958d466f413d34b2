// Two in-process proxies over the same config, one with the HTTP/1.1 fast lane (the default) and one with
// `fastLane: false`, in front of an httpbin-like upstream and a raw upstream whose bytes each test scripts,
// so a test can send one request to both and compare what a client and the access log see.
import { Agent, request } from 'node:http';
import { compile } from '../../src/compiler/compile.ts';
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import type { ListenerLimits } from '../../src/dataplane/listeners/outbound-listener.ts';
import { ProxyServer } from '../../src/dataplane/proxy-server.ts';
import type { StreamInfo } from '../../src/dataplane/stream-info.ts';
import { DnsResolver } from '../../src/dns/resolver.ts';
import { formatEnvoyText } from '../../src/observability/access-log/envoy-format.ts';
import { systemClock } from '../../src/system-clock.ts';
import { configSet, serviceEntry, virtualService } from './config-set.ts';
import { TestDnsServer } from './dns-server.ts';
import { startHttpUpstream, type TestUpstream } from './upstream.ts';
import { startWireUpstream, type WireHandler, type WireRequest, type WireUpstream } from './wire-upstream.ts';
import { wireScript } from './wire-script.ts';

export interface Lane {
  readonly name: 'fast' | 'full';
  readonly proxy: ProxyServer;
  readonly port: number;
  readonly infos: StreamInfo[];
  readonly lines: string[];
  /** Keep-alive, one connection at a time, so consecutive requests share a client connection. */
  readonly agent: Agent;
}

export interface Response {
  readonly status: number;
  /** `[name, value, ...]` as received, names lower-cased. */
  readonly headers: string[];
  readonly body: Buffer;
}

export interface FastLaneRig {
  readonly web: TestUpstream;
  readonly wire: WireUpstream;
  readonly fast: Lane;
  readonly full: Lane;
  /**
   * `http://api.test:PORT` (httpbin-like), `http://wire.test:PORT` (scripted), `http://refused.test:9`,
   * `http://open.test:PORT` (the scripted upstream under a name no ServiceEntry knows).
   */
  url(upstream: 'api' | 'wire' | 'refused' | 'open', path: string): string;
  /** Starts one more proxy on the same config (for tests that stop it). */
  startLane(fastLane: boolean, limits?: Partial<ListenerLimits>): Promise<Lane>;
  close(): Promise<void>;
}

function snapshotFor(web: TestUpstream, wire: WireUpstream): Snapshot {
  const port = (name: string, number: number): { number: number; name: string; protocol: string } => ({
    number,
    name,
    protocol: 'HTTP',
  });
  return compile(
    configSet({
      serviceEntries: [
        serviceEntry({ name: 'api' }, { hosts: ['api.test'], ports: [port('http', web.port)], resolution: 'DNS' }),
        serviceEntry({ name: 'wire' }, { hosts: ['wire.test'], ports: [port('http', wire.port)], resolution: 'DNS' }),
        // Nothing listens on port 9 of the scripted upstream's address: every connect is refused.
        serviceEntry(
          { name: 'refused' },
          {
            hosts: ['refused.test'],
            ports: [port('http', 9)],
            resolution: 'STATIC',
            endpoints: [{ address: wire.host }],
          },
        ),
      ],
      virtualServices: [
        virtualService(
          { name: 'api' },
          {
            hosts: ['api.test'],
            http: [
              {
                name: 'retry-5xx',
                match: [{ headers: { 'x-retry': { exact: '5xx' } } }],
                retries: { attempts: 2, retryOn: '5xx' },
                route: [{ destination: { host: 'api.test' } }],
              },
              {
                name: 'retry-per-try',
                match: [{ headers: { 'x-retry': { exact: 'per-try' } } }],
                retries: { attempts: 2, perTryTimeout: '200ms', retryOn: 'gateway-error,reset' },
                route: [{ destination: { host: 'api.test' } }],
              },
              {
                name: 'held',
                match: [{ uri: { prefix: '/held' } }],
                fault: { delay: { fixedDelay: '10s', percentage: { value: 100 } } },
                route: [{ destination: { host: 'api.test' } }],
              },
              {
                name: 'slow',
                match: [{ uri: { prefix: '/delay' } }],
                timeout: '500ms',
                route: [{ destination: { host: 'api.test' } }],
              },
              { name: 'default', route: [{ destination: { host: 'api.test' } }] },
            ],
          },
        ),
        virtualService(
          { name: 'wire' },
          {
            hosts: ['wire.test'],
            http: [
              {
                name: 'trickle',
                match: [{ uri: { prefix: '/trickle' } }],
                timeout: '200ms',
                route: [{ destination: { host: 'wire.test' } }],
              },
              { name: 'default', route: [{ destination: { host: 'wire.test' } }] },
            ],
          },
        ),
      ],
    }),
    { namespace: 'default', version: '1' },
  );
}

/** `routes` add to (or override) the scripted upstream's own, by path. */
export async function startFastLaneRig(
  hosts: { web: string; wire: string },
  routes: Readonly<Record<string, WireHandler>> = {},
): Promise<FastLaneRig> {
  const dns = await TestDnsServer.start();
  const web = await startHttpUpstream({ host: hosts.web, name: 'web' });
  const wire = await startWireUpstream(hosts.wire, (request, socket) => {
    const route = routes[new URL(request.path, 'http://wire').pathname];
    return route !== undefined ? route(request, socket) : wireScript(request, socket);
  });
  dns.set('api.test', { a: [hosts.web], ttl: 30 });
  dns.set('wire.test', { a: [hosts.wire], ttl: 30 });
  // Known to DNS but to no ServiceEntry: ALLOW_ANY sends it through PassthroughCluster.
  dns.set('open.test', { a: [hosts.wire], ttl: 30 });
  const snapshot = snapshotFor(web, wire);
  const lanes: Lane[] = [];
  const startLane = async (fastLane: boolean, limits: Partial<ListenerLimits> = {}): Promise<Lane> => {
    const infos: StreamInfo[] = [];
    const lines: string[] = [];
    const proxy = new ProxyServer({
      clock: systemClock,
      resolver: new DnsResolver({ servers: [dns.server] }),
      accessLog: (info) => {
        infos.push(info);
        lines.push(formatEnvoyText(info));
      },
      fastLane,
      limits,
    });
    proxy.swap(snapshot);
    const { port } = await proxy.listen(0, '127.0.0.1');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const lane: Lane = { name: fastLane ? 'fast' : 'full', proxy, port, infos, lines, agent };
    lanes.push(lane);
    return lane;
  };
  const fast = await startLane(true);
  const full = await startLane(false);
  return {
    web,
    wire,
    fast,
    full,
    url: (upstream, path) => {
      const port = upstream === 'api' ? web.port : upstream === 'refused' ? 9 : wire.port;
      return `http://${upstream}.test:${port}${path}`;
    },
    startLane,
    close: async () => {
      for (const lane of lanes) lane.agent.destroy();
      // A lane a test already stopped may refuse a second stop.
      await Promise.allSettled(lanes.map((lane) => lane.proxy.stop(100)));
      await Promise.all([web.close(), wire.close(), dns.close()]);
    },
  };
}

/** Sends one request through `lane` with node:http (absolute-form, as any HTTP proxy client does). */
export function send(
  lane: Lane,
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: lane.port, method, path: url, headers, agent: lane.agent });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = res.rawHeaders.map((item, i) => (i % 2 === 0 ? item.toLowerCase() : item));
        resolve({ status: res.statusCode ?? 0, headers: raw, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Which lane sent a request to the scripted upstream: the full path's upstream client always sends
 * `Connection: keep-alive`, the fast lane no Connection header (HTTP/1.1 keeps alive by default).
 */
export function laneOf(request: WireRequest | undefined): 'fast' | 'full' | undefined {
  if (request === undefined) return undefined;
  return /\r\nconnection:/i.test(request.head) ? 'full' : 'fast';
}

/** Resolves once `lane` has logged `count` entries (the full path logs when the response has finished). */
export async function logged(lane: Lane, count: number, timeoutMs = 3000): Promise<StreamInfo> {
  const deadline = performance.now() + timeoutMs;
  while (lane.infos.length < count) {
    if (performance.now() > deadline)
      throw new Error(`${lane.name}: ${lane.infos.length} log entries, wanted ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return lane.infos[count - 1]!;
}

/**
 * An access-log line with what legitimately differs between two runs blanked: start time, request id,
 * durations, upstream service time, and the ephemeral ports of the client and upstream-side sockets.
 */
export function comparableLogLine(line: string): string[] {
  const fields = line.trim().match(/"[^"]*"|\[[^\]]*\]|\S+/g) ?? [];
  const blank = (at: number, value: string): void => {
    if (fields[at] !== undefined && fields[at] !== '-' && fields[at] !== '"-"') fields[at] = value;
  };
  blank(0, '[START]');
  blank(9, 'DURATION');
  blank(10, 'SERVICE_TIME');
  blank(13, '"REQUEST_ID"');
  for (const at of [17, 19]) if (fields[at] !== undefined) fields[at] = fields[at].replace(/:\d+$/, ':PORT');
  return fields;
}
