// Starts the benchmark upstream (upstream-server.ts) in its own process on two free ports.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UpstreamPorts } from './peers/peer.ts';
import { freePort, startService, stopService, waitForPort } from './processes.ts';

const SERVER = fileURLToPath(new URL('./upstream-server.ts', import.meta.url));

export interface RunningUpstream extends UpstreamPorts {
  stop(): Promise<void>;
}

export async function startUpstream(dir: string): Promise<RunningUpstream> {
  const httpPort = await freePort();
  const tcpPort = await freePort();
  const service = startService(
    'upstream',
    process.execPath,
    ['--import', 'tsx', SERVER, String(httpPort), String(tcpPort)],
    join(dir, 'upstream.out'),
  );
  await waitForPort(service, httpPort);
  await waitForPort(service, tcpPort);
  return { httpPort, tcpPort, stop: () => stopService(service) };
}
