// Headers as the fast lane keeps them: one flat list `[name0, value0, name1, value1, ...]`, names lower-cased.

/** The first value of `name` (lower-case), or undefined. */
export function flatHeader(headers: readonly string[], name: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1];
  return undefined;
}
