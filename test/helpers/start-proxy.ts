// Starts the real `meshgate proxy` process (from source, via tsx) on free ports and gives tests its
// access-log lines, its stderr, admin API calls, and a way to stop it with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningProxy {
  /** `http://127.0.0.1:<outbound port>`, for curl -x. */
  readonly proxyUrl: string;
  readonly adminUrl: string;
  /** `http://<bind>:<metrics port>` (--metrics-port 0 unless the test names one). */
  readonly metricsUrl: string;
  /** Access-log lines so far (stdout), newest last. */
  readonly logLines: string[];
  stderr(): string;
  /** Resolves with the first log line (from `from` on) matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number, from?: number): Promise<string>;
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  admin(path: string): Promise<{ status: number; body: string }>;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function waitFor(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what()}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

export interface StartProxyOptions {
  /** Command prefix, e.g. `ip netns exec NS setpriv --reuid 1337 …` to run the proxy inside a namespace as the proxy uid. */
  readonly wrap?: readonly string[];
}

export async function startProxy(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
  options: StartProxyOptions = {},
): Promise<RunningProxy> {
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    'src/cli/main.ts',
    'proxy',
    '--outbound-port',
    '0',
    '--admin-port',
    '0',
    '--metrics-port',
    '0',
    ...args,
  ];
  const wrap = options.wrap ?? [];
  const command = [...wrap, ...argv];
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    // Frozen snapshots (docs/decisions/0010), also when a test file runs on its own.
    env: { ...process.env, NODE_OPTIONS: '', MESHGATE_FREEZE_SNAPSHOTS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  let stdoutRest = '';
  let stderr = '';
  let exit: number | null | undefined;
  // 'close' (not 'exit') fires once stdout and stderr are drained, so nothing the process wrote is missed.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      exit = code;
      resolve(code);
    }),
  );
  child.stdout!.on('data', (chunk: Buffer) => {
    stdoutRest += chunk.toString();
    const parts = stdoutRest.split('\n');
    stdoutRest = parts.pop()!;
    for (const p of parts) logLines.push(`${p}\n`);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // The startup summary is the last line of startup; stderr arrives line by line, so wait for it.
  await waitFor(
    () => /loaded \d+ services/.test(stderr) || exit !== undefined,
    20_000,
    () => `proxy start; stderr:\n${stderr}`,
  );
  if (exit !== undefined) throw new Error(`meshgate proxy exited with ${exit}:\n${stderr}`);
  const outbound = /outbound listener on ([\d.]+|\[[0-9a-f:.]+\]):(\d+)/.exec(stderr)!;
  const admin = /admin on 127\.0\.0\.1:(\d+)/.exec(stderr)!;
  const metrics = /metrics on ([\d.]+|\[[0-9a-f:.]+\]):(\d+)/.exec(stderr)!;
  const proxyUrl = `http://${outbound[1]}:${outbound[2]}`;
  const adminUrl = `http://127.0.0.1:${admin[1]}`;
  const metricsUrl = `http://${metrics[1]}:${metrics[2]}`;
  return {
    proxyUrl,
    adminUrl,
    metricsUrl,
    logLines,
    stderr: () => stderr,
    async waitForLog(pattern, timeoutMs = 5000, from = 0) {
      let found: string | undefined;
      await waitFor(
        () => (found = logLines.slice(from).find((l) => pattern.test(l))) !== undefined,
        timeoutMs,
        () => `log line ${pattern}; have:\n${logLines.join('')}`,
      );
      return found!;
    },
    async waitForStderr(pattern, timeoutMs = 5000) {
      await waitFor(
        () => pattern.test(stderr),
        timeoutMs,
        () => `stderr ${pattern}; have:\n${stderr}`,
      );
    },
    async admin(path) {
      const res = await fetch(`${adminUrl}${path}`);
      return { status: res.status, body: await res.text() };
    },
    async stop(signal = 'SIGTERM') {
      if (exit !== undefined) return exit;
      child.kill(signal);
      return exited;
    },
  };
}
