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
  for (const name of mutation.remove) delete headers[wireName(name)];
  for (const [name, value] of mutation.set) headers[wireName(name)] = value;
  for (const [rawName, value] of mutation.add) {
    const name = wireName(rawName);
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
}
