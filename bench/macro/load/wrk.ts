// Runs wrk (one thread, N keep-alive connections) for the plain-HTTP throughput scenario and parses the
// JSON line that absolute-form.lua prints; the result has the same shape as the Node generator's.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from './load-job.ts';

const SCRIPT = fileURLToPath(new URL('./absolute-form.lua', import.meta.url));

export interface WrkJob {
  readonly wrk: string;
  /** Where wrk connects: the proxy, or the upstream for direct. */
  readonly port: number;
  /** Absolute-form target (http://host:port/) when going through a proxy; undefined for direct. */
  readonly target?: { readonly host: string; readonly port: number };
  readonly connections: number;
  readonly seconds: number;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface WrkHooks {
  /** Called right after wrk is started and right after it exits (the measured window). */
  readonly onStart?: () => void;
  readonly onExit?: () => void;
}

export function runWrk(job: WrkJob, hooks: WrkHooks = {}): Promise<LoadResult> {
  const env = { ...process.env };
  if (job.target !== undefined) {
    env.BENCH_TARGET = `http://${job.target.host}:${job.target.port}/`;
    env.BENCH_AUTHORITY = `${job.target.host}:${job.target.port}`;
  }
  const args = [
    '-t1',
    `-c${job.connections}`,
    `-d${job.seconds}s`,
    '--timeout',
    '5s',
    '-s',
    SCRIPT,
    `http://127.0.0.1:${job.port}/`,
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(job.wrk, args, { env, maxBuffer: 1 << 20 }, (error, stdout) => {
      hooks.onExit?.();
      const line = /^BENCH_JSON (.*)$/m.exec(stdout);
      if (line === null)
        return reject(new Error(`wrk gave no summary${error === null ? '' : `: ${error.message}`}\n${stdout}`));
      resolve(toResult(JSON.parse(line[1]!) as WrkSummary));
    });
    if (child.pid !== undefined) hooks.onStart?.();
  });
}

function toResult(s: WrkSummary): LoadResult {
  const seconds = s.durationUs / 1e6;
  // wrk counts a connection the server closed after a response as a read error although the request
  // succeeded (tinyproxy closes after every response), so read errors are not failures here.
  const errors = s.connect + s.write + s.status + s.timeout;
  const samples: string[] = [];
  if (s.status > 0) samples.push(`${s.status} responses not 2xx/3xx`);
  if (s.connect + s.write + s.timeout > 0)
    samples.push(`socket errors: connect ${s.connect}, write ${s.write}, timeout ${s.timeout}`);
  if (s.read > 0)
    samples.push('the server closed connections after responses (wrk counts a read error; not a failure)');
  const ok = Math.max(0, s.requests - s.status);
  return {
    requests: ok,
    errors,
    errorSamples: samples,
    seconds,
    rps: ok / seconds,
    latencyMs: { p50: s.p50 / 1000, p90: s.p90 / 1000, p99: s.p99 / 1000, max: s.max / 1000 },
  };
}
