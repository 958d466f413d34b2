// Small statistics for benchmark samples: medians and ranges that ignore failed (NaN) runs.

export function finite(values: readonly number[]): number[] {
  return values.filter((v) => Number.isFinite(v));
}

export function median(values: readonly number[]): number {
  const sorted = finite(values).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function min(values: readonly number[]): number {
  const f = finite(values);
  return f.length === 0 ? Number.NaN : Math.min(...f);
}

export function max(values: readonly number[]): number {
  const f = finite(values);
  return f.length === 0 ? Number.NaN : Math.max(...f);
}

/** Median of per-repetition ratios a[i]/b[i]: each pair ran back to back, so slow drift cancels. */
export function medianRatio(a: readonly number[], b: readonly number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) ratios.push(a[i]! / b[i]!);
  return median(ratios);
}

/** Median of per-repetition differences a[i] - b[i]. */
export function medianDifference(a: readonly number[], b: readonly number[]): number {
  const diffs: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) diffs.push(a[i]! - b[i]!);
  return median(diffs);
}
