// Counts outcomes and keeps latencies of one load run, only while the measured window is open.
import type { LatencySummary, LoadResult } from './load-job.ts';

const MAX_ERROR_SAMPLES = 5;

export class Recorder {
  measuring = false;
  #latencies = new Float64Array(1 << 16);
  #count = 0;
  #errors = 0;
  readonly #errorSamples = new Set<string>();

  /** `startNs` from process.hrtime.bigint() at dispatch; status 200 is a success, anything else an error. */
  record(startNs: bigint, status: number, error?: string): void {
    if (!this.measuring) return;
    if (status !== 200) {
      this.#errors++;
      if (this.#errorSamples.size < MAX_ERROR_SAMPLES) this.#errorSamples.add(error ?? `status ${status}`);
      return;
    }
    if (this.#count === this.#latencies.length) {
      const grown = new Float64Array(this.#latencies.length * 2);
      grown.set(this.#latencies);
      this.#latencies = grown;
    }
    this.#latencies[this.#count++] = Number(process.hrtime.bigint() - startNs) / 1e6;
  }

  result(seconds: number): LoadResult {
    const sorted = this.#latencies.subarray(0, this.#count).sort();
    return {
      requests: this.#count,
      errors: this.#errors,
      errorSamples: [...this.#errorSamples],
      seconds,
      rps: this.#count / seconds,
      latencyMs: summarize(sorted),
    };
  }
}

function at(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export function summarize(sorted: Float64Array): LatencySummary {
  return { p50: at(sorted, 0.5), p90: at(sorted, 0.9), p99: at(sorted, 0.99), max: at(sorted, 1) };
}
