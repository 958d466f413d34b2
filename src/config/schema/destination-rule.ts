// Field schema of DestinationRule.spec, including the TrafficPolicy pieces Sidecar and MeshConfig reuse.
import { portSelector } from './common.ts';
import {
  bool,
  double,
  duration,
  enumOf,
  int,
  list,
  map,
  message,
  string,
  stringList,
  stringMap,
} from './field-schema.ts';

const consistentHash = message('ConsistentHashLB', {
  httpHeaderName: string,
  httpCookie: message('HTTPCookie', {
    name: string,
    path: string,
    ttl: duration,
    attributes: list(message('Attribute', { name: string, value: string })),
  }),
  useSourceIp: bool,
  httpQueryParameterName: string,
  ringHash: message('RingHash', { minimumRingSize: int }),
  maglev: message('MagLev', { tableSize: int }),
  minimumRingSize: int,
});

export const localityLbSetting = message('LocalityLoadBalancerSetting', {
  distribute: list(message('Distribute', { from: string, to: map(int) })),
  failover: list(message('Failover', { from: string, to: string })),
  failoverPriority: stringList,
  enabled: bool,
});

export const zoneAwareLbSetting = message('ZoneAwareLoadBalancerSetting', {
  enabled: bool,
  failover: list(message('Failover', { from: string, to: string })),
  failoverPriority: stringList,
  minClusterSize: int,
});

const loadBalancer = message('LoadBalancerSettings', {
  simple: enumOf('UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'),
  consistentHash,
  localityLbSetting,
  zoneAwareLbSetting,
  warmupDurationSecs: duration,
  warmup: message('WarmupConfiguration', { duration, minimumPercent: double, aggression: double }),
});

export const tcpKeepalive = message('TcpKeepalive', { probes: int, time: duration, interval: duration });

export const tcpSettings = message('TCPSettings', {
  maxConnections: int,
  connectTimeout: duration,
  tcpKeepalive,
  maxConnectionDuration: duration,
  idleTimeout: duration,
});

export const connectionPool = message('ConnectionPoolSettings', {
  tcp: tcpSettings,
  http: message('HTTPSettings', {
    http1MaxPendingRequests: int,
    http2MaxRequests: int,
    maxRequestsPerConnection: int,
    maxRetries: int,
    idleTimeout: duration,
    h2UpgradePolicy: enumOf('DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'),
    useClientProtocol: bool,
    maxConcurrentStreams: int,
    http2KeepAlive: message('ConnectionKeepalive', { interval: duration, timeout: duration }),
  }),
});

const outlierDetection = message('OutlierDetection', {
  consecutiveErrors: int,
  splitExternalLocalOriginErrors: bool,
  consecutiveLocalOriginFailures: int,
  consecutiveGatewayErrors: int,
  consecutive5xxErrors: int,
  interval: duration,
  baseEjectionTime: duration,
  maxEjectionPercent: int,
  minHealthPercent: int,
  outlierDetectionHttpErrorCodes: list(int),
});

export const clientTls = message('ClientTLSSettings', {
  mode: enumOf('DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'),
  clientCertificate: string,
  privateKey: string,
  caCertificates: string,
  credentialName: string,
  subjectAltNames: stringList,
  sni: string,
  insecureSkipVerify: bool,
  caCrl: string,
});

const trafficPolicy = message('TrafficPolicy', {
  loadBalancer,
  connectionPool,
  outlierDetection,
  tls: clientTls,
  portLevelSettings: list(
    message('PortTrafficPolicy', {
      port: portSelector,
      loadBalancer,
      connectionPool,
      outlierDetection,
      tls: clientTls,
    }),
  ),
  tunnel: message('TunnelSettings', { protocol: string, targetHost: string, targetPort: int }),
  proxyProtocol: message('ProxyProtocol', { version: enumOf('V1', 'V2') }),
  retryBudget: message('RetryBudget', { percent: double, minRetryConcurrency: int, budgetInterval: duration }),
});

export const destinationRuleSpec = message('DestinationRule', {
  host: string,
  trafficPolicy,
  subsets: list(message('Subset', { name: string, labels: stringMap, trafficPolicy })),
  exportTo: stringList,
  // istio.type.v1beta1.WorkloadSelector: `matchLabels`, unlike the `labels` of ServiceEntry and Sidecar.
  workloadSelector: message('WorkloadSelector', { matchLabels: stringMap }),
});
