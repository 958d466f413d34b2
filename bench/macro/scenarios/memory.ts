// Scenario: resident memory of each proxy when idle (after start, before any load, and again after all
// load) from /proc; the peak under load is recorded by each load scenario's window.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PeerName, RunningPeer } from '../peers/peer.ts';
import { sampleProcess } from '../proc-stats.ts';

/** RSS of each proxy's process tree after `settleMs` of quiet; direct has no process and is left out. */
export async function idleRss(peers: readonly RunningPeer[], settleMs: number): Promise<Map<PeerName, number>> {
  await sleep(settleMs);
  const rss = new Map<PeerName, number>();
  for (const peer of peers) if (peer.pid !== undefined) rss.set(peer.name, sampleProcess(peer.pid).rssBytes);
  return rss;
}
