// What every per-stream handler (HTTP request or CONNECT tunnel) is given by the proxy server.
import type { Snapshot } from '../../compiler/snapshot.ts';
import type { Clock } from '../clock.ts';
import type { StreamInfo } from '../stream-info.ts';
import type { ClusterManager } from '../upstream/cluster-manager.ts';

export interface StreamDeps {
  /** The snapshot live right now; a stream keeps the one it started with. */
  readonly snapshot: () => Snapshot;
  readonly clusters: ClusterManager;
  readonly clock: Clock;
  /** In [0, 1): weighted cluster picks, random balancing and retry jitter. */
  readonly random: () => number;
  /** Called once when the stream ends, with its finished StreamInfo. */
  readonly log: (info: StreamInfo) => void;
  /** Set when MESHGATE_TRACE includes `router`. */
  readonly trace?: ((line: string) => void) | undefined;
  /** Told about a broken internal invariant (counted as meshgate_bug_total); the client still gets a reply. */
  readonly bug?: ((error: unknown) => void) | undefined;
}
