// Sidecar spec as written in YAML.
import type { Destination, WorkloadSelector } from './common.ts';
import type { ConnectionPoolSettings } from './destination-rule.ts';

export type CaptureMode = 'DEFAULT' | 'IPTABLES' | 'NONE';

export interface SidecarPort {
  number?: number;
  protocol?: string;
  name?: string;
  targetPort?: number;
}

export interface IstioEgressListener {
  port?: SidecarPort;
  bind?: string;
  captureMode?: CaptureMode;
  hosts?: string[];
}

export interface IstioIngressListener {
  port?: SidecarPort;
  bind?: string;
  captureMode?: CaptureMode;
  defaultEndpoint?: string;
  tls?: Record<string, unknown>;
  connectionPool?: ConnectionPoolSettings;
}

export type OutboundTrafficPolicyMode = 'REGISTRY_ONLY' | 'ALLOW_ANY' | 'ALLOW_ANY_DYNAMIC_DNS';

export interface OutboundTrafficPolicy {
  mode?: OutboundTrafficPolicyMode;
  egressProxy?: Destination;
}

export interface SidecarSpec {
  workloadSelector?: WorkloadSelector;
  ingress?: IstioIngressListener[];
  egress?: IstioEgressListener[];
  inboundConnectionPool?: ConnectionPoolSettings;
  outboundTrafficPolicy?: OutboundTrafficPolicy;
}
