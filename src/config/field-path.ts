// Renders a FieldPath the way users write it in YAML (`ports[0].number`, `metadata.name`) for messages.
import type { FieldPath } from './resource.ts';

/**
 * `['ports', 0, 'number']` → `ports[0].number`; a leading '$' (document root) is dropped; map keys with
 * dots or slashes are quoted (`annotations["istio.io/dry-run"]`).
 */
export function formatFieldPath(path: FieldPath): string {
  let out = '';
  for (const [i, segment] of path.entries()) {
    if (i === 0 && segment === '$') continue;
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
