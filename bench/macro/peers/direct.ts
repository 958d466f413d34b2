// The baseline: no proxy at all, the load generator talks to the upstream itself.
import type { PeerDefinition, RunningPeer } from './peer.ts';

export const direct: PeerDefinition = {
  name: 'direct',
  unavailable: () => Promise.resolve(undefined),
  start(): Promise<RunningPeer> {
    return Promise.resolve({
      name: 'direct',
      proxyPort: undefined,
      upstreamHost: '127.0.0.1',
      pid: undefined,
      logFiles: [],
      stop: () => Promise.resolve(),
    });
  },
};
