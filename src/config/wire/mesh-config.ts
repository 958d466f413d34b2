// The MeshConfig fields meshgate reads (the YAML under the `mesh` key of Istio's ConfigMap).
import type { Duration } from './common.ts';
import type { ClientTLSSettings, ConnectionPoolSettings, LoadBalancerSettings } from './destination-rule.ts';
import type { OutboundTrafficPolicyMode } from './sidecar.ts';
import type { HTTPRetry } from './virtual-service.ts';

export interface MeshConfigSpec {
  outboundTrafficPolicy?: { mode?: OutboundTrafficPolicyMode; tls?: ClientTLSSettings };
  connectTimeout?: Duration;
  protocolDetectionTimeout?: Duration;
  dnsRefreshRate?: Duration;
  defaultServiceExportTo?: string[];
  defaultVirtualServiceExportTo?: string[];
  defaultDestinationRuleExportTo?: string[];
  accessLogFile?: string;
  accessLogEncoding?: 'TEXT' | 'JSON';
  accessLogFormat?: string;
  rootNamespace?: string;
  defaultHttpRetryPolicy?: HTTPRetry;
  proxyListenPort?: number;
  proxyInboundListenPort?: number;
  enableAutoMtls?: boolean;
  h2UpgradePolicy?: 'DO_NOT_UPGRADE' | 'UPGRADE';
  tcpKeepalive?: NonNullable<ConnectionPoolSettings['tcp']>['tcpKeepalive'];
  localityLbSetting?: LoadBalancerSettings['localityLbSetting'];
  zoneAwareLbSetting?: LoadBalancerSettings['zoneAwareLbSetting'];
}
