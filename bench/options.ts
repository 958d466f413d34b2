// Command-line flags of `npm run bench`: which peers and scenarios, how long, how often, where to write.
import { parseArgs } from 'node:util';
import { PEER_NAMES, type PeerName } from './macro/peers/peer.ts';

export const SCENARIO_IDS = [
  'http',
  'connect',
  'connect-per-request',
  'latency',
  'memory',
  'config-scale',
  'micro',
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly peers: readonly PeerName[];
  readonly scenarios: readonly ScenarioId[];
  readonly reps: number;
  /** Measured seconds per run, and warm-up seconds before each. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** ServiceEntry counts for the config-scale scenario. */
  readonly scale: readonly number[];
  readonly out: string;
}

export const USAGE = `usage: npm run bench -- [--quick] [--peers ${PEER_NAMES.join(',')}]
                      [--scenarios ${SCENARIO_IDS.join(',')}]
                      [--reps N] [--seconds S] [--warmup S] [--scale 1000,10000] [--out FILE]
  --quick      short runs (1 repetition of 2 s, 1k and 2k ServiceEntries): checks the harness, not for numbers
  --peers      subset of peers (default: all; direct is always the baseline when latency is measured)
  --scenarios  subset of scenarios (default: all)
  --out        where to write the results (default: bench/RESULTS.md)`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item))
      throw new Error(`unknown ${what} "${item}" (one of ${allowed.join(', ')})`);
  }
  return items as T[];
}

function positive(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new Error(`${what} must be a positive number, not "${value}"`);
  return n;
}

export function parseOptions(argv: readonly string[], defaultOut: string): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      peers: { type: 'string' },
      scenarios: { type: 'string' },
      reps: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      scale: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const quick = values.quick;
  const scale = values.scale?.split(',').map((s) => positive(s, '--scale')!) ?? (quick ? [1000, 2000] : [1000, 10_000]);
  return {
    quick,
    peers: list(values.peers, PEER_NAMES, 'peer') ?? PEER_NAMES,
    scenarios: list(values.scenarios, SCENARIO_IDS, 'scenario') ?? SCENARIO_IDS,
    // Five short runs beat three long ones on a shared machine: noise comes in bursts, medians drop them.
    reps: Math.round(positive(values.reps, '--reps') ?? (quick ? 1 : 5)),
    seconds: positive(values.seconds, '--seconds') ?? (quick ? 2 : 3),
    warmupSeconds: positive(values.warmup, '--warmup') ?? 1,
    scale,
    out: values.out ?? defaultOut,
  };
}
