// What every benchmark peer (direct, meshgate, Squid, tinyproxy) looks like to the scenarios: how to
// check it can run, how to start it against the upstream, and where the load generator connects.

export type PeerName = 'direct' | 'meshgate' | 'squid' | 'tinyproxy';

export const PEER_NAMES: readonly PeerName[] = ['direct', 'meshgate', 'squid', 'tinyproxy'];

/** The upstream's two listeners on 127.0.0.1: plain HTTP, and a port the registry calls TCP (CONNECT target). */
export interface UpstreamPorts {
  readonly httpPort: number;
  readonly tcpPort: number;
}

export interface PeerContext {
  /** A fresh directory for this peer's config, logs and pid files. */
  readonly dir: string;
  readonly upstream: UpstreamPorts;
}

export interface RunningPeer {
  readonly name: PeerName;
  /** The proxy's listener; undefined for direct, where clients connect to the upstream itself. */
  readonly proxyPort: number | undefined;
  /** The host clients name for the upstream: a registered name for meshgate, 127.0.0.1 for the others. */
  readonly upstreamHost: string;
  /** The process measured for CPU and memory (with its descendants); undefined for direct. */
  readonly pid: number | undefined;
  /** Files the peer appends to per request, truncated between runs so the disk does not fill. */
  readonly logFiles: readonly string[];
  stop(): Promise<void>;
}

export interface PeerDefinition {
  readonly name: PeerName;
  /** Why it cannot run here (with the install command), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  start(context: PeerContext): Promise<RunningPeer>;
}
