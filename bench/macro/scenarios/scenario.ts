// The shape shared by the load scenarios: what one measured run of one peer yields, and the loop that
// runs every peer once per repetition in a rotating order (A/B interleaved) so drift hits all alike.
import type { LoadResult } from '../load/load-job.ts';
import type { PeerName, RunningPeer, UpstreamPorts } from '../peers/peer.ts';
import { sampleProcess } from '../proc-stats.ts';

export interface Sample {
  readonly load: LoadResult;
  /** The proxy's CPU time per successful request, in microseconds (its process tree; not for direct). */
  readonly cpuUsPerRequest?: number;
  /** The proxy's CPU use over the window, in cores (1 = one core busy all the time). */
  readonly cpuCores?: number;
  /** The proxy's largest resident set size seen during the window. */
  readonly peakRssBytes?: number;
  /** Why this run produced no numbers (a crash, a refused connection...). */
  readonly failure?: string;
}

export interface MacroContext {
  readonly peers: readonly RunningPeer[];
  readonly upstream: UpstreamPorts;
  readonly reps: number;
  /** Length of each measured window, and of the warm-up before it. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** wrk's path, or undefined when it is not installed. */
  readonly wrk: string | undefined;
  readonly log: (line: string) => void;
  /** Called between runs: keeps the peers' per-request logs from filling the disk. */
  readonly betweenRuns: () => void;
}

export interface ScenarioOutcome {
  readonly id: string;
  readonly title: string;
  /** Per peer, one sample per repetition in run order. */
  readonly samples: ReadonlyMap<PeerName, readonly Sample[]>;
  /** Set when the whole scenario could not run (with what to install). */
  readonly skipped?: string;
}

/** Samples a peer's CPU and memory over a measured window; a no-op for direct. */
export class Window {
  readonly #pid: number | undefined;
  #cpuAtStart = 0;
  #peakRss = 0;
  #timer: NodeJS.Timeout | undefined;
  #cpuSeconds = 0;

  constructor(pid: number | undefined) {
    this.#pid = pid;
  }

  open(): void {
    if (this.#pid === undefined) return;
    const pid = this.#pid;
    this.#cpuAtStart = sampleProcess(pid).cpuSeconds;
    this.#timer = setInterval(() => {
      this.#peakRss = Math.max(this.#peakRss, sampleProcess(pid).rssBytes);
    }, 250);
  }

  close(): void {
    if (this.#pid === undefined) return;
    clearInterval(this.#timer);
    const end = sampleProcess(this.#pid);
    this.#cpuSeconds = end.cpuSeconds - this.#cpuAtStart;
    this.#peakRss = Math.max(this.#peakRss, end.rssBytes);
  }

  /** Combines the window with the load result into a Sample. */
  sample(load: LoadResult): Sample {
    if (this.#pid === undefined) return { load };
    return {
      load,
      cpuUsPerRequest: load.requests > 0 ? (this.#cpuSeconds * 1e6) / load.requests : Number.NaN,
      cpuCores: this.#cpuSeconds / load.seconds,
      peakRssBytes: this.#peakRss,
    };
  }
}

const EMPTY: LoadResult = {
  requests: 0,
  errors: 0,
  errorSamples: [],
  seconds: 0,
  rps: Number.NaN,
  latencyMs: { p50: Number.NaN, p90: Number.NaN, p99: Number.NaN, max: Number.NaN },
};

/** Runs `one` for every peer and repetition, rotating the start so no peer always goes first. */
export async function interleave(
  context: MacroContext,
  label: string,
  one: (peer: RunningPeer, window: Window) => Promise<LoadResult>,
): Promise<Map<PeerName, Sample[]>> {
  const samples = new Map<PeerName, Sample[]>(context.peers.map((p) => [p.name, []]));
  const count = context.peers.length;
  for (let rep = 0; rep < context.reps; rep++) {
    for (let k = 0; k < count; k++) {
      const peer = context.peers[(rep + k) % count]!;
      context.betweenRuns();
      const window = new Window(peer.pid);
      let sample: Sample;
      try {
        sample = window.sample(await one(peer, window));
      } catch (err) {
        window.close();
        sample = { load: EMPTY, failure: err instanceof Error ? err.message : String(err) };
      }
      samples.get(peer.name)!.push(sample);
      context.log(`${label} #${rep + 1} ${peer.name}: ${describe(sample)}`);
    }
  }
  return samples;
}

function describe(sample: Sample): string {
  if (sample.failure !== undefined) return `failed: ${sample.failure.split('\n')[0]}`;
  const { load } = sample;
  const cpu = sample.cpuUsPerRequest === undefined ? '' : `, ${sample.cpuUsPerRequest.toFixed(0)} us CPU/req`;
  const errors = load.errors > 0 ? `, ${load.errors} errors (${load.errorSamples.join('; ')})` : '';
  return `${load.rps.toFixed(0)} req/s, p50 ${load.latencyMs.p50.toFixed(3)} ms${cpu}${errors}`;
}
