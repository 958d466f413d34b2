// The contract between the benchmark and its Node load generator process: what to run and what came back.
import type { RequestTarget } from './http-wire.ts';

export interface LoadJob {
  /** closed: each connection sends its next request as soon as a response is in (throughput);
   *  rate: requests start on a fixed schedule whatever the responses do (latency). */
  readonly mode: 'closed' | 'rate';
  /** Port on 127.0.0.1 to connect to: the proxy's, or the upstream's for direct. */
  readonly port: number;
  readonly target: RequestTarget;
  /** A new connection (and tunnel) for every request instead of keep-alive. */
  readonly perRequest: boolean;
  /** Concurrent requests (closed), or keep-alive connections to spread the schedule over (rate). */
  readonly connections: number;
  /** Requests per second in rate mode. */
  readonly rate?: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface LoadResult {
  /** Requests answered 200 within the measured window. */
  readonly requests: number;
  /** Failed requests (non-200 status, reset, refused tunnel) within the measured window. */
  readonly errors: number;
  /** A few distinct error reasons, to show in the results when errors is not 0. */
  readonly errorSamples: readonly string[];
  readonly seconds: number;
  readonly rps: number;
  /** Milliseconds from dispatch to the last byte of the response, for the 200s. */
  readonly latencyMs: LatencySummary;
}

/** One line the generator writes on stdout. */
export type LoadEvent =
  | { readonly event: 'measuring' }
  | { readonly event: 'measured' }
  | { readonly event: 'done'; readonly result: LoadResult }
  | { readonly event: 'failed'; readonly error: string };
