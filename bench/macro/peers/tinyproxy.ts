// tinyproxy as a peer: Debian's stock settings (Info-level log of every connection, MaxClients 100) in a
// temp dir, allowing 127.0.0.1 and CONNECT to any port.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startService, stopService, waitForPort } from '../processes.ts';
import { findProgram, installHint } from '../tools.ts';
import type { PeerContext, PeerDefinition, RunningPeer } from './peer.ts';

function tinyproxyConfig(dir: string, port: number): string {
  return [
    // tinyproxy refuses to keep root; it switches to this user, which must write the log.
    'User nobody',
    'Group nogroup',
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 600',
    `LogFile "${join(dir, 'tinyproxy.log')}"`,
    'LogLevel Info',
    `PidFile "${join(dir, 'tinyproxy.pid')}"`,
    'MaxClients 100',
    'Allow 127.0.0.1',
    'ViaProxyName "tinyproxy"',
    // No ConnectPort lines: CONNECT may reach any port (the stock file limits it to 443 and 563).
    '',
  ].join('\n');
}

export const tinyproxy: PeerDefinition = {
  name: 'tinyproxy',
  unavailable: () =>
    Promise.resolve(
      findProgram('tinyproxy') === undefined ? `tinyproxy is not installed: ${installHint(['tinyproxy'])}` : undefined,
    ),
  async start({ dir }: PeerContext): Promise<RunningPeer> {
    const program = findProgram('tinyproxy') ?? 'tinyproxy';
    const port = await freePort();
    const config = join(dir, 'tinyproxy.conf');
    writeFileSync(config, tinyproxyConfig(dir, port));
    chmodSync(dir, 0o777);
    // -d: stay in the foreground so the pid we hold is the proxy's.
    const service = startService('tinyproxy', program, ['-d', '-c', config], join(dir, 'tinyproxy.out'));
    await waitForPort(service, port);
    return {
      name: 'tinyproxy',
      proxyPort: port,
      upstreamHost: '127.0.0.1',
      pid: service.pid,
      logFiles: [join(dir, 'tinyproxy.log')],
      stop: () => stopService(service),
    };
  },
};
