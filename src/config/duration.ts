// Converts Istio durations ("5s", "0.5s", "1m30s", "250ms") to milliseconds for the model.
import { parseDurationNanos } from '../validation/fields.ts';

/**
 * Milliseconds (fractional below 1ms), or undefined when the text is not a duration; negative values
 * parse. One parser serves both the rules (validation/fields.ts) and the defaults, so they cannot disagree.
 */
export function parseDurationMs(text: string): number | undefined {
  const nanos = parseDurationNanos(text);
  return nanos === undefined ? undefined : Number(nanos) / 1e6;
}
