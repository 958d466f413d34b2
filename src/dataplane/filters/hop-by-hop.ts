// Request headers that describe one connection, not the request, so a proxy never forwards them.

/** Hop-by-hop headers (RFC 9110 §7.6.1) and proxy credentials never go upstream. */
/** `expect` too: Node already answered `100-continue` to the client, as Envoy does itself. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
]);
