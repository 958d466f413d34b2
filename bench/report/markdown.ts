// Markdown building blocks for RESULTS.md: tables and number formatting that shows a failed run as "—".

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

export function fixed(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** Requests per second, grouped by thousands for reading. */
export function rate(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en-US');
}

/** Bytes in MB (10^6), the unit of the memory target. */
export function megabytes(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) || bytes === 0 ? '—' : `${(bytes / 1e6).toFixed(1)} MB`;
}

export function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}x`;
}

export function signedMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;
}
