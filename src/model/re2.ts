// RE2 (linear-time regular expressions, Envoy's safe_regex) loaded on first use: most configurations have
// no regex match at all, and the engine would otherwise cost every idle proxy a few MB.
import { createRequire } from 'node:module';
import type { RE2JS as RE2JSClass } from 're2js';

export type Re2Program = RE2JSClass;

let engine: typeof RE2JSClass | undefined;

/** Compiles `pattern` with RE2 semantics; throws RE2's syntax error for an invalid one. */
export function compileRe2(pattern: string): Re2Program {
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSClass }).RE2JS;
  return engine.compile(pattern);
}
