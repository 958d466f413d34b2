// DestinationRule spec as written in YAML.
import type { Duration, PortSelector } from './common.ts';

export type SimpleLB = 'UNSPECIFIED' | 'LEAST_CONN' | 'RANDOM' | 'PASSTHROUGH' | 'ROUND_ROBIN' | 'LEAST_REQUEST';

export interface LoadBalancerSettings {
  simple?: SimpleLB;
  consistentHash?: {
    httpHeaderName?: string;
    httpCookie?: { name?: string; path?: string; ttl?: Duration; attributes?: { name?: string; value?: string }[] };
    useSourceIp?: boolean;
    httpQueryParameterName?: string;
    ringHash?: { minimumRingSize?: number };
    maglev?: { tableSize?: number };
    minimumRingSize?: number;
  };
  localityLbSetting?: {
    distribute?: { from?: string; to?: Record<string, number> }[];
    failover?: { from?: string; to?: string }[];
    failoverPriority?: string[];
    enabled?: boolean;
  };
  /** Istio's ZoneAwareLoadBalancerSetting (the CRD has exactly these four fields). */
  zoneAwareLbSetting?: {
    enabled?: boolean;
    minClusterSize?: number;
    failover?: { from?: string; to?: string }[];
    failoverPriority?: string[];
  };
  warmupDurationSecs?: Duration;
  warmup?: { duration?: Duration; minimumPercent?: number; aggression?: number };
}

export interface ConnectionPoolSettings {
  tcp?: {
    maxConnections?: number;
    connectTimeout?: Duration;
    tcpKeepalive?: { probes?: number; time?: Duration; interval?: Duration };
    maxConnectionDuration?: Duration;
    idleTimeout?: Duration;
  };
  http?: {
    http1MaxPendingRequests?: number;
    http2MaxRequests?: number;
    maxRequestsPerConnection?: number;
    maxRetries?: number;
    idleTimeout?: Duration;
    h2UpgradePolicy?: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
    useClientProtocol?: boolean;
    maxConcurrentStreams?: number;
    http2KeepAlive?: { interval?: Duration; timeout?: Duration };
  };
}

export interface OutlierDetection {
  splitExternalLocalOriginErrors?: boolean;
  consecutiveLocalOriginFailures?: number;
  consecutiveGatewayErrors?: number;
  consecutive5xxErrors?: number;
  consecutiveErrors?: number;
  interval?: Duration;
  baseEjectionTime?: Duration;
  maxEjectionPercent?: number;
  minHealthPercent?: number;
  outlierDetectionHttpErrorCodes?: number[];
}

export type ClientTLSMode = 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';

export interface ClientTLSSettings {
  mode?: ClientTLSMode;
  clientCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  caCrl?: string;
  credentialName?: string;
  subjectAltNames?: string[];
  sni?: string;
  insecureSkipVerify?: boolean;
}

export interface PortTrafficPolicy {
  port?: PortSelector;
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
}

export interface TrafficPolicy {
  loadBalancer?: LoadBalancerSettings;
  connectionPool?: ConnectionPoolSettings;
  outlierDetection?: OutlierDetection;
  tls?: ClientTLSSettings;
  portLevelSettings?: PortTrafficPolicy[];
  tunnel?: { protocol?: string; targetHost?: string; targetPort?: number };
  proxyProtocol?: { version?: 'V1' | 'V2' };
  /** `percent` is a DoubleValue in Istio's API: a plain number in YAML, not a Percent message. */
  retryBudget?: { percent?: number; minRetryConcurrency?: number; budgetInterval?: Duration };
}

export interface Subset {
  name?: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRuleSpec {
  host?: string;
  trafficPolicy?: TrafficPolicy;
  subsets?: Subset[];
  exportTo?: string[];
  /** istio.type.v1beta1.WorkloadSelector: spelled `matchLabels`, unlike ServiceEntry's and Sidecar's `labels`. */
  workloadSelector?: { matchLabels?: Record<string, string> };
}
