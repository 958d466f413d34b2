// Squid as a peer: a minimal allow-all forward proxy on a free port, access log on through Squid's
// default log daemon (as a stock install writes it), caching off so every request is forwarded.
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startService, stopService, waitForPort } from '../processes.ts';
import { findProgram, installHint } from '../tools.ts';
import type { PeerContext, PeerDefinition, RunningPeer } from './peer.ts';

function squidConfig(dir: string, port: number): string {
  return [
    `http_port 127.0.0.1:${port}`,
    'http_access allow all',
    // The upstream's responses are no-store already; this makes sure Squid never answers from memory.
    'cache deny all',
    `access_log daemon:${join(dir, 'access.log')} squid`,
    `cache_log ${join(dir, 'cache.log')}`,
    `pid_filename ${join(dir, 'squid.pid')}`,
    `coredump_dir ${dir}`,
    // Stock Squid waits 30 s for clients on SIGTERM; the benchmark has none left by then.
    'shutdown_lifetime 0 seconds',
    '',
  ].join('\n');
}

/** Squid started as root drops to its build's default user (proxy on Debian), which must write the logs. */
function handOver(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const passwd = /^proxy:[^:]*:(\d+):(\d+):/m.exec(readFileSync('/etc/passwd', 'utf8'));
  if (passwd !== null) chownSync(dir, Number(passwd[1]), Number(passwd[2]));
}

export const squid: PeerDefinition = {
  name: 'squid',
  unavailable: () =>
    Promise.resolve(
      findProgram('squid') === undefined ? `squid is not installed: ${installHint(['squid'])}` : undefined,
    ),
  async start({ dir }: PeerContext): Promise<RunningPeer> {
    const program = findProgram('squid') ?? 'squid';
    const port = await freePort();
    const config = join(dir, 'squid.conf');
    writeFileSync(config, squidConfig(dir, port));
    handOver(dir);
    // -N: foreground, one process that is also the worker (no SMP kids).
    const service = startService('squid', program, ['-N', '-f', config], join(dir, 'squid.out'));
    await waitForPort(service, port);
    return {
      name: 'squid',
      proxyPort: port,
      upstreamHost: '127.0.0.1',
      pid: service.pid,
      logFiles: [join(dir, 'access.log')],
      stop: () => stopService(service, 5000),
    };
  },
};
