// The compiled, immutable world the data plane serves: listeners, route tables and clusters, versioned.
// Everything here is plain data (JSON-serialisable for /config_dump); the data plane never sees YAML types.
import type { DomainIndex } from '../model/vhost-domains.ts';
import type { Diagnostic } from '../registry/service.ts';

export type OutboundPolicy = 'ALLOW_ANY' | 'REGISTRY_ONLY';

/** Envoy cluster discovery types, per resolution (spec §3.3). */
/** DYNAMIC_FORWARD_PROXY (resolution DYNAMIC_DNS) resolves the requested host per request, as Envoy's DFP does. */
export type ClusterType = 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST' | 'DYNAMIC_FORWARD_PROXY' | 'STATIC';

export interface ClusterEndpoint {
  /** IP or DNS name (STRICT_DNS/LOGICAL_DNS resolve it). */
  readonly address: string;
  readonly port: number;
  readonly weight: number;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Cluster {
  readonly name: string;
  readonly type: ClusterType;
  /** The service this cluster serves; absent for PassthroughCluster and BlackHoleCluster. */
  readonly service?: { readonly hostname: string; readonly namespace: string; readonly port: number; readonly protocol: string };
  readonly subset: string;
  readonly connectTimeoutMs: number;
  readonly lbPolicy: 'LEAST_REQUEST' | 'ROUND_ROBIN' | 'RANDOM' | 'CLUSTER_PROVIDED';
  readonly endpoints: readonly ClusterEndpoint[];
  /** ORIGINAL_DST clusters: the port to dial instead of the requested one (SE targetPort). */
  readonly portOverride?: number;
  /** Idle upstream HTTP connections are closed after this long (DR http.idleTimeout, default 1h). */
  readonly idleTimeoutMs: number;
  /** A tunnel with no bytes either way for this long is closed (DR tcp.idleTimeout, default 1h; 0 = never). */
  readonly tcpIdleTimeoutMs: number;
}

export interface RetryPolicy {
  readonly numRetries: number;
  /** Envoy retry_on tokens, e.g. `connect-failure`, `5xx`, `retriable-status-codes`. */
  readonly retryOn: readonly string[];
  readonly retriableStatusCodes: readonly number[];
  /** 0 = no per-try timeout. */
  readonly perTryTimeoutMs: number;
  readonly retryOtherHosts: boolean;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
}

export type RouteAction =
  | {
      readonly kind: 'route';
      readonly clusters: readonly WeightedCluster[];
      readonly totalWeight: number;
      /** 0 = no route timeout (Istio's default). */
      readonly timeoutMs: number;
      readonly retryPolicy: RetryPolicy | null;
    }
  | { readonly kind: 'direct'; readonly status: number; readonly body: string };

/** A string condition compiled from Istio's StringMatch; `present` only checks that a header exists. */
export interface StringMatcher {
  readonly kind: 'exact' | 'prefix' | 'regex' | 'present';
  readonly value: string;
  readonly ignoreCase: boolean;
}

export interface HeaderMatcher {
  readonly name: string;
  readonly matcher: StringMatcher;
  readonly invert: boolean;
}

/** One VirtualService match entry: all set fields must hold (AND). */
export interface RouteMatch {
  readonly name: string;
  readonly uri?: StringMatcher;
  readonly method?: StringMatcher;
  readonly scheme?: StringMatcher;
  readonly authority?: StringMatcher;
  readonly headers: readonly HeaderMatcher[];
  readonly queryParams: readonly { readonly name: string; readonly matcher: StringMatcher }[];
}

export interface Route {
  /** %ROUTE_NAME%: `default`, `allow_any`, `block_all`, `<http.name>` or `<http.name>.<match.name>`; '' when unnamed. */
  readonly name: string;
  /** OR of match entries; empty = matches every request. */
  readonly matches: readonly RouteMatch[];
  readonly action: RouteAction;
}

export interface VirtualHost {
  /** `<host>:<port>`, or `allow_any` / `block_all` for the catch-all. */
  readonly name: string;
  readonly domains: readonly string[];
  readonly routes: readonly Route[];
}

export interface RouteConfig {
  /** The port number as text, as Istio names shared HTTP route configs. */
  readonly name: string;
  readonly virtualHosts: readonly VirtualHost[];
  /** Domain → index into virtualHosts. */
  readonly domainIndex: DomainIndex;
}

/** How a CONNECT (or captured TLS/TCP) stream on one port finds its cluster (spec §3.4, §7). */
export interface TunnelChain {
  readonly name: string;
  readonly serverNames: readonly string[];
  readonly cluster: string;
}

export interface Listener {
  /** `0.0.0.0_<port>`. */
  readonly name: string;
  readonly port: number;
  /** HTTP route config for this port, if any HTTP or protocol-less service uses it. */
  readonly routeConfigName?: string;
  /** Chains matched by the requested host (SNI); index → chains position. */
  readonly chains: readonly TunnelChain[];
  readonly serverNameIndex: DomainIndex;
  /** Chains matched by destination IP (services with addresses). */
  readonly addressChains: readonly { readonly address: string; readonly cluster: string }[];
  /** A TCP or protocol-less service without addresses claims every destination on the port. */
  readonly matchAllCluster?: string;
}

export interface ServiceSummary {
  readonly hostname: string;
  readonly namespace: string;
  readonly resolution: string;
  readonly ports: readonly { readonly number: number; readonly name: string; readonly protocol: string }[];
  readonly source: string;
}

export interface Snapshot {
  readonly version: string;
  readonly namespace: string;
  readonly outboundTrafficPolicy: OutboundPolicy;
  readonly services: readonly ServiceSummary[];
  /** Keyed by port number as text. */
  readonly listeners: Readonly<Record<string, Listener>>;
  readonly routeConfigs: Readonly<Record<string, RouteConfig>>;
  readonly clusters: Readonly<Record<string, Cluster>>;
  readonly diagnostics: readonly Diagnostic[];
}
