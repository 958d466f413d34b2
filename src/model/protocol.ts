// Istio's port protocol names (pkg/config/protocol): parsing and the families routing and validation care about.

/** Canonical spelling of every protocol Istio accepts on a port; parsing is case-insensitive. */
export type Protocol =
  'TCP' | 'UDP' | 'GRPC' | 'GRPC-Web' | 'HTTP' | 'HTTP_PROXY' | 'HTTP2' | 'HTTPS' | 'TLS' | 'Mongo' | 'Redis' | 'MySQL';

const BY_LOWER_NAME: ReadonlyMap<string, Protocol> = new Map<string, Protocol>([
  ['tcp', 'TCP'],
  ['udp', 'UDP'],
  ['grpc', 'GRPC'],
  ['grpc-web', 'GRPC-Web'],
  ['http', 'HTTP'],
  ['http_proxy', 'HTTP_PROXY'],
  ['http2', 'HTTP2'],
  ['https', 'HTTPS'],
  ['tls', 'TLS'],
  ['mongo', 'Mongo'],
  ['redis', 'Redis'],
  ['mysql', 'MySQL'],
]);

/** The protocol a port names, or undefined when Istio would call it unsupported (including ""). */
export function parseProtocol(name: string | undefined): Protocol | undefined {
  if (name === undefined) return undefined;
  return BY_LOWER_NAME.get(name.toLowerCase());
}

/** Protocols whose traffic the proxy reads as HTTP (Istio's IsHTTP). */
export function isHttpProtocol(p: Protocol | undefined): boolean {
  return p === 'HTTP' || p === 'HTTP2' || p === 'HTTP_PROXY' || p === 'GRPC' || p === 'GRPC-Web';
}

/** Protocols routed by SNI without termination (Istio's IsTLS). */
export function isTlsProtocol(p: Protocol | undefined): boolean {
  return p === 'HTTPS' || p === 'TLS';
}

/** Protocols carried as opaque TCP streams (Istio's IsTCP; note HTTPS and TLS count). */
export function isTcpProtocol(p: Protocol | undefined): boolean {
  return p === 'TCP' || p === 'HTTPS' || p === 'TLS' || p === 'Mongo' || p === 'Redis' || p === 'MySQL';
}
