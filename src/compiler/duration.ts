// Istio Duration strings ("3s", "0.5s", "100ms", "1m", "1h30m") → milliseconds, for the builders.

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;

/** Milliseconds (rounded), or `fallback` when the text is absent or not a duration (validation rejects those earlier). */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let m = PART.exec(text); m !== null; m = PART.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = PART.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? Math.round(total) : fallback;
}
