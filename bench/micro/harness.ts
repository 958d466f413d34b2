// A small micro-benchmark harness: warm up until the JIT settles, size batches to a fixed time, time
// several batches and keep the median, with a sink so results cannot be optimised away.

export interface MicroCase {
  readonly name: string;
  readonly run: () => unknown;
}

export interface MicroResult {
  readonly name: string;
  /** Median nanoseconds per call over the batches. */
  readonly nsPerOp: number;
  /** Fastest and slowest batch, ns per call: a wide range means a noisy machine or a GC in the batch. */
  readonly minNs: number;
  readonly maxNs: number;
}

export interface MicroTiming {
  readonly warmupMs: number;
  readonly batchMs: number;
  readonly batches: number;
}

export const FULL_TIMING: MicroTiming = { warmupMs: 200, batchMs: 50, batches: 9 };
export const QUICK_TIMING: MicroTiming = { warmupMs: 50, batchMs: 20, batches: 3 };

let sink: unknown;
/** Read after the run so the engine has to keep every result. */
export function sinkValue(): unknown {
  return sink;
}

function timeBatch(run: () => unknown, iterations: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink = run();
  return Number(process.hrtime.bigint() - start);
}

export function measure(c: MicroCase, timing: MicroTiming): MicroResult {
  // Warm-up doubles the batch until it alone takes the warm-up time, which also sizes the batches.
  let iterations = 1;
  let spent = 0;
  let lastNs = 0;
  while (spent < timing.warmupMs * 1e6) {
    lastNs = timeBatch(c.run, iterations);
    spent += lastNs;
    if (lastNs < timing.batchMs * 1e6) iterations *= 2;
  }
  const perOp = lastNs / iterations;
  const batchIterations = Math.max(1, Math.round((timing.batchMs * 1e6) / Math.max(perOp, 1)));
  const samples: number[] = [];
  for (let b = 0; b < timing.batches; b++) samples.push(timeBatch(c.run, batchIterations) / batchIterations);
  samples.sort((x, y) => x - y);
  return {
    name: c.name,
    nsPerOp: samples[samples.length >> 1]!,
    minNs: samples[0]!,
    maxNs: samples[samples.length - 1]!,
  };
}
