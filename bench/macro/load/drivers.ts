// The three ways the load generator drives traffic: closed-loop over keep-alive connections, closed-loop
// with a connection (and tunnel) per request, and a fixed request rate over keep-alive connections.
import { setTimeout as sleep } from 'node:timers/promises';
import { exchangeOnce, KeepAliveConnection, type Wire } from './connections.ts';
import type { Recorder } from './recorder.ts';

/** Stops a driver and resolves once it has let go of its connections. */
export type Stop = () => void;

const RETRY_MS = 10;
const now = (): bigint => process.hrtime.bigint();

/** Opens `count` keep-alive connections; fails with the first reason if any cannot be opened. */
async function openAll(
  wire: Wire,
  count: number,
  onOutcome: (index: number, status: number, error?: string) => void,
  onLost: (index: number) => void,
): Promise<KeepAliveConnection[]> {
  const connections = Array.from(
    { length: count },
    (_, i) =>
      new KeepAliveConnection(
        wire,
        (status, error) => onOutcome(i, status, error),
        () => onLost(i),
      ),
  );
  await Promise.all(connections.map((c) => c.open()));
  return connections;
}

export async function closedKeepAlive(wire: Wire, concurrency: number, recorder: Recorder): Promise<Stop> {
  let stopped = false;
  const started: bigint[] = new Array<bigint>(concurrency).fill(0n);
  const next = (i: number): void => {
    if (stopped) return;
    started[i] = now();
    connections[i]!.send();
  };
  const reopen = async (i: number): Promise<void> => {
    while (!stopped) {
      await sleep(RETRY_MS);
      if (stopped) return;
      try {
        await connections[i]!.open();
        return next(i);
      } catch {
        recorder.record(now(), 0, 'reconnect failed');
      }
    }
  };
  const connections = await openAll(
    wire,
    concurrency,
    (i, status, error) => {
      recorder.record(started[i]!, status, error);
      // A refused request on a connection that stays open is retried after a pause, not in a hot loop.
      if (status === 200) next(i);
      else if (connections[i]!.idle) setTimeout(() => next(i), RETRY_MS);
    },
    (i) => void reopen(i),
  );
  for (let i = 0; i < concurrency; i++) next(i);
  return () => {
    stopped = true;
    for (const c of connections) c.close();
  };
}

export function closedPerRequest(wire: Wire, concurrency: number, recorder: Recorder): Stop {
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    const start = now();
    exchangeOnce(wire, (status, error) => {
      recorder.record(start, status, error);
      if (status === 200) loop();
      else setTimeout(loop, RETRY_MS);
    });
  };
  for (let i = 0; i < concurrency; i++) loop();
  return () => {
    stopped = true;
  };
}

/**
 * Starts requests at `rate` per second on a timer. A request waits for an idle connection if all are
 * busy and its latency counts from when it was due, so a slow proxy cannot hide behind its own backlog.
 */
export async function fixedRate(wire: Wire, poolSize: number, rate: number, recorder: Recorder): Promise<Stop> {
  let stopped = false;
  const backlog: bigint[] = [];
  const started: bigint[] = new Array<bigint>(poolSize).fill(0n);
  const dispatch = (i: number, dueAt: bigint): void => {
    started[i] = dueAt;
    connections[i]!.send();
  };
  const connections = await openAll(
    wire,
    poolSize,
    (i, status, error) => {
      recorder.record(started[i]!, status, error);
      if (backlog.length > 0 && connections[i]!.idle) dispatch(i, backlog.shift()!);
    },
    (i) => {
      if (!stopped) void connections[i]!.open().catch(() => undefined);
    },
  );
  const t0 = now();
  let issued = 0;
  const tick = (): void => {
    if (stopped) return;
    const at = now();
    const due = Math.floor((Number(at - t0) / 1e9) * rate) - issued;
    for (let k = 0; k < due; k++) {
      issued++;
      backlog.push(at);
    }
    // Oldest first; a connection that was reconnecting may be idle again by now.
    for (let i = 0; i < connections.length && backlog.length > 0; i++) {
      if (connections[i]!.idle) dispatch(i, backlog.shift()!);
    }
    setTimeout(tick, 1);
  };
  tick();
  return () => {
    stopped = true;
    for (const c of connections) c.close();
  };
}
