// Reads meshgate's live config version from its admin port, and waits for it to change. The
// `meshgate_config_version` gauge on /stats/prometheus is read when it exists: /config_dump serialises
// the whole snapshot (36 MB and 0.5-1.5 s per request with 10k services), which would both blur the
// timing and slow the proxy being timed. /config_dump is the fallback and the cross-check.
import { setTimeout as sleep } from 'node:timers/promises';

export type VersionSource = '/stats/prometheus' | '/config_dump';

const GAUGE = /^meshgate_config_version (\S+)$/m;

async function fromMetrics(adminPort: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/stats/prometheus`);
  const text = await res.text();
  if (res.status !== 200) return undefined;
  const value = GAUGE.exec(text)?.[1];
  return value === undefined ? undefined : String(Number(value));
}

/** The version /config_dump reports (the snapshot's own label). */
export async function dumpedVersion(adminPort: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/config_dump`);
  const dump = (await res.json()) as { version?: string | null };
  return dump.version ?? undefined;
}

/** Picks the cheapest source this meshgate offers. */
export async function versionSource(adminPort: number): Promise<VersionSource> {
  return (await fromMetrics(adminPort)) !== undefined ? '/stats/prometheus' : '/config_dump';
}

export function readVersion(adminPort: number, source: VersionSource): Promise<string | undefined> {
  return source === '/stats/prometheus' ? fromMetrics(adminPort) : dumpedVersion(adminPort);
}

export interface VersionChange {
  readonly version: string;
  /** From `since` (performance.now()) to the first poll that saw the new version. */
  readonly ms: number;
  /** The slowest poll: the timing's resolution. */
  readonly pollMs: number;
}

/** Polls until the version differs from `previous`. */
export async function waitForNewVersion(
  adminPort: number,
  source: VersionSource,
  previous: string | undefined,
  since: number,
  timeoutMs: number,
): Promise<VersionChange> {
  let pollMs = 0;
  while (performance.now() - since < timeoutMs) {
    const before = performance.now();
    const version = await readVersion(adminPort, source);
    const after = performance.now();
    pollMs = Math.max(pollMs, after - before);
    if (version !== undefined && version !== previous) return { version, ms: after - since, pollMs };
    await sleep(10);
  }
  throw new Error(`config version stayed ${previous ?? 'unset'} for ${timeoutMs} ms`);
}
