// The Node load generator process (CONNECT tunnels and fixed-rate latency, which wrk cannot do): runs
// one LoadJob given as JSON in argv, writes LoadEvents as JSON lines. Parent side: loadgen.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { closedKeepAlive, closedPerRequest, fixedRate, type Stop } from './drivers.ts';
import { connectBytes, requestBytes } from './http-wire.ts';
import type { LoadEvent, LoadJob } from './load-job.ts';
import { Recorder } from './recorder.ts';

function emit(event: LoadEvent): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function run(job: LoadJob): Promise<void> {
  const wire = {
    port: job.port,
    request: requestBytes(job.target),
    ...(job.target.route === 'tunnel' ? { tunnel: connectBytes(job.target.host, job.target.port) } : {}),
  };
  const recorder = new Recorder();
  let stop: Stop;
  if (job.mode === 'rate') stop = await fixedRate(wire, job.connections, job.rate ?? 1000, recorder);
  else if (job.perRequest) stop = closedPerRequest(wire, job.connections, recorder);
  else stop = await closedKeepAlive(wire, job.connections, recorder);
  await sleep(job.warmupMs);
  recorder.measuring = true;
  const start = process.hrtime.bigint();
  emit({ event: 'measuring' });
  await sleep(job.durationMs);
  recorder.measuring = false;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  emit({ event: 'measured' });
  stop();
  emit({ event: 'done', result: recorder.result(seconds) });
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
run(job).then(
  () => process.exit(0),
  (err: unknown) => {
    emit({ event: 'failed', error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
