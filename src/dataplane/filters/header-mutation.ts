// Applies compiled VirtualService header operations to a request or response header map, as Envoy's
// request/response_headers_to_add and _to_remove do: remove, then set (overwrite), then add (append).
import type { HeaderMutation } from '../../compiler/snapshot.ts';

export type HeaderMap = Record<string, string | string[]>;

/** Envoy spells the request authority `:authority`; over HTTP/1 it travels as `host`. */
function wireName(name: string): string {
  return name === ':authority' ? 'host' : name;
}

export function applyHeaderMutation(headers: HeaderMap, mutation: HeaderMutation | undefined): void {
  if (mutation === undefined) return;
  // Indexed loops over the frozen snapshot arrays (V8 iterates them slowly with for-of).
  const { remove, set, add } = mutation;
  for (let i = 0; i < remove.length; i++) delete headers[wireName(remove[i]!)];
  for (let i = 0; i < set.length; i++) headers[wireName(set[i]![0])] = set[i]![1];
  for (let i = 0; i < add.length; i++) {
    const name = wireName(add[i]![0]);
    const value = add[i]![1];
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
}
