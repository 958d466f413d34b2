// Starts and stops the benchmark's child processes (upstream, peers, load generators): output goes to a
// log file in the run's temp dir, readiness is awaited, and stopping escalates from SIGTERM to SIGKILL.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
}

/** Spawns `command` with stdout and stderr appended to `logFile`; the caller awaits readiness itself. */
export function startService(
  name: string,
  command: string,
  args: readonly string[],
  logFile: string,
  options: SpawnOptions = {},
): Service {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { ...options, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  child.on('error', () => undefined);
  return { name, child, pid: child.pid, logFile };
}

export function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls until `ready()` holds; fails early with the log's tail if the process dies first. */
export async function waitUntil(
  service: Service,
  what: string,
  ready: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exited(service.child)) throw new Error(`${service.name} exited before ${what}:\n${tailOf(service.logFile)}`);
    if (await ready()) return;
    await sleep(50);
  }
  throw new Error(`${service.name}: no ${what} within ${timeoutMs} ms:\n${tailOf(service.logFile)}`);
}

export function waitForPort(service: Service, port: number, timeoutMs?: number): Promise<void> {
  return waitUntil(service, `a listener on port ${port}`, () => canConnect(port), timeoutMs);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopService(service: Service, graceMs = 3000): Promise<void> {
  if (exited(service.child)) return;
  const gone = new Promise<void>((resolve) => service.child.once('exit', () => resolve()));
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/** A port that was free on 127.0.0.1 a moment ago, for programs that cannot bind port 0 and report it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
