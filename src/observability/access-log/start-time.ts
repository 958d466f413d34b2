// %START_TIME% as Envoy prints it by default: UTC, millisecond precision (`2020-11-25T21:26:18.409Z`).

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * Formats epoch ms as ISO-8601 UTC with milliseconds. Lines logged in the same second share the
 * `YYYY-MM-DDTHH:MM:SS.` prefix, so a busy proxy formats one Date per second instead of one per line.
 */
export function formatStartTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const ms = epochMs - second * 1000;
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${Math.floor(ms)}Z`;
}
