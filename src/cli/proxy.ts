// `meshgate proxy`: wires the watched config source → compiler → data plane → admin API and metrics port,
// prints where it listens, reloads on change (a failed load or compile never replaces the live snapshot),
// drains on SIGTERM and flushes the access log before exiting.
import { Option, type Command } from 'commander';
import { AdminServer } from '../admin/admin-server.ts';
import { MetricsServer } from '../admin/metrics-server.ts';
import { compile } from '../compiler/compile.ts';
import { freezeSnapshots } from '../compiler/freeze-policy.ts';
import { CompileCache } from '../compiler/compile-cache.ts';
import type { Snapshot } from '../compiler/snapshot.ts';
import { DirectorySource, type ConfigState } from '../config/sources/directory-source.ts';
import { originalDstAvailability } from '../dataplane/listeners/original-dst.ts';
import { kernelRelayStatus } from '../dataplane/upstream/kernel-relay.ts';
import { ProxyServer } from '../dataplane/proxy-server.ts';
import { seededRandom } from '../dataplane/seeded-random.ts';
import { formatSocketAddress } from '../dataplane/stream-info.ts';
import { parseDnsServer } from '../dns/dns-servers.ts';
import { DnsResolver } from '../dns/resolver.ts';
import { AccessLogger, type AccessLogFormat } from '../observability/access-log/access-logger.ts';
import { openAccessLogSink, type AccessLogSink } from '../observability/access-log/sink.ts';
import { LOG_LEVELS, Logger, type LogLevel } from '../observability/logger.ts';
import { systemClock } from '../system-clock.ts';
import { ProxyTelemetry } from './proxy-telemetry.ts';
import { UsageError } from './usage-error.ts';

interface ProxyFlags {
  readonly config: string[];
  readonly meshConfig?: string;
  readonly namespace: string;
  readonly bind: string;
  readonly outboundPort: string;
  readonly adminPort: string;
  readonly metricsPort: string;
  readonly logLevel: LogLevel;
  readonly metricsPassthroughHosts?: boolean;
  readonly dnsServer: string[];
  readonly accessLog: string;
  readonly accessLogFormat: AccessLogFormat;
  readonly drainTimeout: string;
  readonly labels?: string;
  readonly randomSeed?: string;
  /** false with --no-fast-lane. */
  readonly fastLane?: boolean;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerProxyCommand(program: Command): void {
  program
    .command('proxy')
    .description(
      'run the egress proxy: explicit HTTP and CONNECT proxying, and transparently captured traffic, with Istio semantics from watched Istio YAML',
    )
    .option('--config <path>', 'file or folder of Istio YAML, watched for changes (repeatable)', collect, [])
    .option('--mesh-config <file>', 'MeshConfig YAML (outboundTrafficPolicy.mode; default ALLOW_ANY)')
    .option('--namespace <ns>', "the proxy's own namespace (decides exportTo and Sidecar visibility)", 'default')
    .option('--bind <addr>', 'address of the outbound listener', '127.0.0.1')
    .option(
      '--outbound-port <n>',
      'outbound port: explicit proxying (HTTP_PROXY/HTTPS_PROXY) and captured traffic (meshgate iptables --proxy-port)',
      '15001',
    )
    .option('--admin-port <n>', 'admin API port on 127.0.0.1 (/ready, /config_dump, /clusters, /logging)', '15000')
    .option(
      '--metrics-port <n>',
      'Prometheus scrape port on the --bind address (/stats/prometheus); 0 picks a free port',
      '15090',
    )
    .option(
      '--metrics-passthrough-hosts',
      'label PassthroughCluster/BlackHoleCluster metrics with the requested host (unbounded series)',
    )
    .addOption(
      new Option(
        '--log-level <level>',
        "level of meshgate's own messages on stderr (changeable at run time: admin /logging)",
      )
        .choices(LOG_LEVELS)
        .default('info'),
    )
    .option(
      '--dns-server <ip[:port]>',
      'DNS server for upstream names (repeatable; default: the system resolver)',
      collect,
      [],
    )
    .option('--access-log <file|->', 'access log destination, - for stdout', '-')
    .addOption(
      new Option('--access-log-format <format>', 'access log encoding').choices(['text', 'json']).default('text'),
    )
    .option('--drain-timeout <seconds>', 'on SIGTERM, how long in-flight requests may finish', '5')
    .option('--labels <k=v,...>', "the proxy's workload labels, for sourceLabels and workloadSelector matches")
    .option('--random-seed <n>', 'seed the random draws of weights, faults and mirrors (repeatable runs, for tests)')
    .option('--no-fast-lane', "serve every request with Node's HTTP server (no HTTP/1.1 fast lane)")
    .action(async (flags: ProxyFlags) => {
      await runProxy(flags);
    });
}

function port(name: string, value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 0 && n <= 65535)) throw new UsageError(`${name} "${value}" is not a port number (0-65535)`);
  return n;
}

/** `app=web,version=v1` → labels; a malformed pair is a usage error. */
export function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return labels;
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--labels "${pair}" is not key=value`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return labels;
}

function reportLoad(log: Logger, state: ConfigState): void {
  for (const r of state.rejected) {
    log.warning(`rejected ${r.file}${r.servingLastGood ? ' (its last good version stays live)' : ''}:`);
    for (const e of r.errors) log.warning(`  ${e}`);
  }
  for (const w of state.warnings) log.warning(w);
}

function errorText(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

async function runProxy(flags: ProxyFlags): Promise<void> {
  if (!NAMESPACE.test(flags.namespace))
    throw new UsageError(`--namespace "${flags.namespace}" is not a valid namespace name`);
  const outboundPort = port('--outbound-port', flags.outboundPort);
  const adminPort = port('--admin-port', flags.adminPort);
  const metricsPort = port('--metrics-port', flags.metricsPort);
  const log = new Logger(flags.logLevel, (line) => process.stderr.write(line));
  const say = (line: string): void => log.info(line);
  const labels = parseLabels(flags.labels);
  const seed = flags.randomSeed === undefined ? undefined : Number(flags.randomSeed);
  if (seed !== undefined && !Number.isInteger(seed))
    throw new UsageError(`--random-seed "${flags.randomSeed}" is not an integer`);
  const drainSeconds = Number(flags.drainTimeout);
  if (!(drainSeconds >= 0)) throw new UsageError(`--drain-timeout "${flags.drainTimeout}" is not a number of seconds`);
  let dnsServers: string[];
  try {
    dnsServers = flags.dnsServer.map(parseDnsServer);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }

  let accessLog: AccessLogger;
  let sink: AccessLogSink;
  try {
    sink = await openAccessLogSink(flags.accessLog, { onError: (e) => log.error(e.message) });
    accessLog = new AccessLogger(flags.accessLogFormat, sink);
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
  const traceRouter = (process.env.MESHGATE_TRACE ?? '').split(',').includes('router');
  const source = new DirectorySource(flags.config, {
    namespace: flags.namespace,
    ...(flags.meshConfig !== undefined ? { meshConfigPath: flags.meshConfig } : {}),
    onError: (error) => log.error(`reload failed, the live config stays: ${errorText(error)}`),
  });
  if (flags.config.length === 0) log.warning('no --config given: every destination is unknown to the registry');

  // The mesh's dnsRefreshRate is only known after the first load; Istio's default (60 s) serves until then.
  const resolver = new DnsResolver({ servers: dnsServers });
  const telemetry = new ProxyTelemetry({
    namespace: flags.namespace,
    accessLog,
    sink,
    resolver,
    logger: log,
    passthroughHostLabels: flags.metricsPassthroughHosts === true,
  });
  const health = telemetry.health;
  const live = new ProxyServer({
    clock: systemClock,
    resolver,
    accessLog: telemetry.streamEnded,
    tunnelOpened: telemetry.tunnelOpened,
    connections: telemetry.connections,
    bug: telemetry.bug,
    fastLane: flags.fastLane !== false,
    ...(seed !== undefined ? { random: seededRandom(seed) } : {}),
    ...(traceRouter ? { trace: (line: string) => process.stderr.write(`${line}\n`) } : {}),
  });
  telemetry.attach(live.clusters);
  // Services and clusters of files that did not change are reused by the next compile.
  const compileCache = new CompileCache();
  const apply = (state: ConfigState): Snapshot | undefined => {
    reportLoad(log, state);
    const started = process.hrtime.bigint();
    const atSeconds = Date.now() / 1000;
    try {
      const snapshot = compile(state.configSet, {
        namespace: flags.namespace,
        version: String(state.version),
        labels,
        cache: compileCache,
        freeze: freezeSnapshots(),
      });
      for (const d of snapshot.diagnostics) say(`note: ${d.message}`);
      live.swap(snapshot);
      const buildSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      log.debug(
        `config version ${snapshot.version} compiled in ${(buildSeconds * 1000).toFixed(1)} ms: ${Object.keys(snapshot.clusters).length} clusters, ${Object.keys(snapshot.listeners).length} listeners`,
      );
      health.reloaded({
        version: state.version,
        applied: state.rejected.length === 0,
        rejectedFiles: state.rejected.length,
        buildSeconds,
        atSeconds,
      });
      return snapshot;
    } catch (err) {
      log.error(`config version ${state.version} did not compile, the live snapshot stays: ${errorText(err)}`);
      health.bug();
      health.reloaded({
        version: Number(live.snapshot?.version ?? 0),
        applied: false,
        rejectedFiles: state.rejected.length,
        atSeconds,
      });
      return undefined;
    }
  };

  const first = await source.start((state) => {
    const snapshot = apply(state);
    if (snapshot !== undefined) say(`config version ${snapshot.version} live: ${snapshot.services.length} services`);
  });
  const initial = apply(first);
  if (initial === undefined) process.exit(1);
  const admin = new AdminServer({
    snapshot: () => live.snapshot,
    rejected: () => source.state?.rejected ?? [],
    warnings: () => source.state?.warnings ?? [],
    clusters: live.clusters,
    metrics: telemetry.prometheus,
    logger: log,
  });
  const metrics = new MetricsServer(telemetry.prometheus);
  let listening: { address: string; port: number };
  let adminListening: number;
  let metricsListening: { address: string; port: number };
  try {
    listening = await live.listen(outboundPort, flags.bind);
    adminListening = await admin.listen(adminPort);
    metricsListening = await metrics.listen(metricsPort, flags.bind);
  } catch (err) {
    log.error(`cannot listen: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  // Whether captured connections can be recognised is part of the startup summary: printed at every level.
  const capture = originalDstAvailability();
  process.stderr.write(
    capture.available
      ? 'meshgate: transparent capture: on (connections redirected to the outbound port are routed by their original destination)\n'
      : `meshgate: transparent capture unavailable: ${capture.reason}; explicit proxying only (rebuild with npm run build:native)\n`,
  );
  const relay = kernelRelayStatus();
  process.stderr.write(
    !relay.available
      ? `meshgate: tunnel relay: Node streams (${relay.reason})\n`
      : live.acceptsOnRelay
        ? 'meshgate: tunnel relay: native (the outbound port is accepted, and CONNECT and captured TCP/TLS tunnels are dialled and relayed, off the JavaScript thread)\n'
        : 'meshgate: tunnel relay: native (CONNECT and captured TCP/TLS tunnels are dialled and relayed off the JavaScript thread; the outbound port is accepted by Node, as --bind is not an IP address)\n',
  );
  // The startup summary is printed whatever the log level: with port 0 it is the only way to learn the
  // ports, and scripts wait for it.
  process.stderr.write(
    `meshgate: outbound listener on ${formatSocketAddress(listening.address, listening.port)} (HTTP_PROXY/HTTPS_PROXY), admin on 127.0.0.1:${adminListening}, metrics on ${formatSocketAddress(metricsListening.address, metricsListening.port)}/stats/prometheus\n`,
  );
  process.stderr.write(
    `meshgate: loaded ${initial.services.length} services from ${first.files.length} files (${initial.outboundTrafficPolicy}, namespace ${flags.namespace}, config version ${initial.version})\n`,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: draining for up to ${drainSeconds}s`);
    source.close();
    const cut = await live.stop(drainSeconds * 1000);
    await Promise.all([admin.close(), metrics.close()]);
    await accessLog.close();
    if (cut > 0) say(`closed ${cut} streams still running after the drain timeout`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
