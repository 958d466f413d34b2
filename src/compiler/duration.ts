// Istio Duration strings in the config model ("3s", "0.5s", "1m30s") → whole milliseconds for the builders,
// through the same parser validation uses, so compiled timeouts and validated ones cannot disagree.
import { parseDurationMs } from '../config/duration.ts';

/** Milliseconds (rounded), or `fallback` when the text is absent (validation rejected malformed ones already). */
export function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const ms = parseDurationMs(text);
  return ms === undefined ? fallback : Math.round(ms);
}
