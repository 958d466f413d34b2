// "Did you mean …?" for misspelt field names and enum values: case, snake_case and one-typo slips.

/** Returns the candidate the user most likely meant, or undefined when nothing is close enough. */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const lower = input.toLowerCase();
  const camel = input.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return (
    list.find((c) => c.toLowerCase() === lower) ??
    list.find((c) => c === camel || c.toLowerCase() === camel.toLowerCase()) ??
    list.find((c) => withinOneEdit(input, c)) ??
    list.find((c) => withinOneEdit(lower, c.toLowerCase()))
  );
}

/**
 * True when `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours: the slips
 * people make when typing field names (`hostz`, `hots`, `hsots`).
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
