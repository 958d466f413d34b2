// Reads the live config version from meshgate's admin /config_dump, and waits for it to change.
import { setTimeout as sleep } from 'node:timers/promises';

export async function configVersion(adminPort: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${adminPort}/config_dump`);
  const dump = (await res.json()) as { version?: string | null };
  return dump.version ?? undefined;
}

export interface VersionChange {
  readonly version: string;
  /** From `since` (performance.now()) to the first poll that saw the new version. */
  readonly ms: number;
  /** How long one /config_dump request took: the timing's resolution. */
  readonly pollMs: number;
}

/** Polls until the version differs from `previous`. */
export async function waitForNewVersion(adminPort: number, previous: string | undefined, since: number, timeoutMs: number): Promise<VersionChange> {
  let pollMs = 0;
  while (performance.now() - since < timeoutMs) {
    const before = performance.now();
    const version = await configVersion(adminPort);
    const after = performance.now();
    pollMs = Math.max(pollMs, after - before);
    if (version !== undefined && version !== previous) return { version, ms: after - since, pollMs };
    await sleep(10);
  }
  throw new Error(`config version stayed ${previous ?? 'unset'} for ${timeoutMs} ms`);
}
