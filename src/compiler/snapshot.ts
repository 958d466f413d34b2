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
  readonly service?: {
    readonly hostname: string;
    readonly namespace: string;
    readonly port: number;
    readonly protocol: string;
  };
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

/** One direction's header operations, in Envoy's order of application: remove, then set (overwrite), then add (append). */
export interface HeaderMutation {
  readonly set: readonly (readonly [string, string])[];
  readonly add: readonly (readonly [string, string])[];
  readonly remove: readonly string[];
}

/** VirtualService `headers` (route level or per destination). */
export interface HeaderOperations {
  readonly request?: HeaderMutation;
  readonly response?: HeaderMutation;
}

export interface WeightedCluster {
  readonly name: string;
  readonly weight: number;
  /** Per-destination `headers`; applied before the route's own, so the route's `set` wins (Envoy's default). */
  readonly headers?: HeaderOperations;
}

/** `rewrite`: Envoy's prefix_rewrite / regex_rewrite and host_rewrite_literal. */
export interface PathRewrite {
  /** prefix_rewrite: replaces `matchedPrefix` at the start of the path. */
  readonly prefix?: { readonly matchedPrefix: string; readonly replacement: string };
  /** regex_rewrite: every match of `pattern` (RE2) in the path is replaced; groups are written as in Envoy (\1). */
  readonly regex?: { readonly pattern: string; readonly substitution: string };
  readonly authority?: string;
}

/** `mirror` / `mirrors`: a fire-and-forget copy to `cluster` for `percent` (0..100) of requests. */
export interface MirrorPolicy {
  readonly cluster: string;
  readonly percent: number;
}

/** `fault`: chosen per request with the injectable random source; percentages are 0..100. */
export interface FaultPolicy {
  readonly delay?: { readonly fixedDelayMs: number; readonly percent: number };
  /** `httpStatus`, or `grpcStatus` as its numeric code (then the HTTP status is 200, as Envoy's gRPC local replies). */
  readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: number; readonly percent: number };
}

/** `corsPolicy`, compiled as Envoy's CORS filter reads it. */
export interface CorsPolicy {
  readonly allowOrigins: readonly StringMatcher[];
  /** Comma-joined lists, '' when unset. */
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly exposeHeaders: string;
  /** Seconds, as text; '' when unset. */
  readonly maxAge: string;
  readonly allowCredentials: boolean;
  /** unmatchedPreflights FORWARD (default): a preflight from an origin not allowed goes upstream. */
  readonly forwardNotMatchingPreflights: boolean;
}

/** `redirect`, as Envoy's RedirectAction: each part left unset keeps the request's. */
export interface RedirectAction {
  readonly kind: 'redirect';
  readonly responseCode: number;
  readonly scheme?: string;
  readonly host?: string;
  readonly port?: number;
  /** FROM_REQUEST_PORT: the port the request was sent to. */
  readonly portFromRequest?: boolean;
  /** Replaces the whole path (the query string is kept). */
  readonly path?: string;
  /** Replaces `matchedPrefix` at the start of the path. */
  readonly prefixRewrite?: { readonly matchedPrefix: string; readonly replacement: string };
}

export type RouteAction =
  | {
      readonly kind: 'route';
      readonly clusters: readonly WeightedCluster[];
      readonly totalWeight: number;
      /** 0 = no route timeout (Istio's default). */
      readonly timeoutMs: number;
      readonly retryPolicy: RetryPolicy | null;
      readonly rewrite?: PathRewrite;
      /** Empty when the route mirrors nothing. */
      readonly mirrors?: readonly MirrorPolicy[];
    }
  | {
      readonly kind: 'direct';
      readonly status: number;
      readonly body: string;
      /** `body.bytes`: `body` holds base64 and is sent decoded. */
      readonly bodyIsBase64?: boolean;
    }
  | RedirectAction;

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
  /** Route-level `headers`. */
  readonly headers?: HeaderOperations;
  readonly fault?: FaultPolicy;
  readonly cors?: CorsPolicy;
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

/** A VirtualService `tls[]` or `tcp[]` route inside a chain: destination subnets (empty = any) → weighted clusters. */
export interface L4Route {
  /** `<VirtualService namespace>/<name> tls[i]` or `tcp[i]`, for the trace and simulation results. */
  readonly name: string;
  readonly destinationSubnets: readonly string[];
  readonly clusters: readonly WeightedCluster[];
  readonly totalWeight: number;
}

/** How a CONNECT (or captured TLS/TCP) stream on one port finds its cluster (spec §3.4, §7). */
export interface TunnelChain {
  readonly name: string;
  readonly serverNames: readonly string[];
  /** The service's own cluster; '' for a chain made only of VirtualService TLS routes (no default). */
  readonly cluster: string;
  /** VirtualService routes tried in order before `cluster`. */
  readonly routes?: readonly L4Route[];
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
  readonly addressChains: readonly {
    readonly address: string;
    readonly cluster: string;
    readonly routes?: readonly L4Route[];
  }[];
  /** A TCP or protocol-less service without addresses claims every destination on the port. */
  readonly matchAllCluster?: string;
  /** VirtualService `tcp[]` routes of the match-all service. */
  readonly matchAllRoutes?: readonly L4Route[];
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
  /** Mesh protocolDetectionTimeout for sniffing captured connections; absent = 0 = wait for the client forever. */
  readonly protocolDetectionTimeoutMs?: number;
  readonly services: readonly ServiceSummary[];
  /** Keyed by port number as text. */
  readonly listeners: Readonly<Record<string, Listener>>;
  readonly routeConfigs: Readonly<Record<string, RouteConfig>>;
  readonly clusters: Readonly<Record<string, Cluster>>;
  readonly diagnostics: readonly Diagnostic[];
}
