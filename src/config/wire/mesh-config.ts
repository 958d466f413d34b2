// The MeshConfig fields meshgate reads (the YAML under the `mesh` key of Istio's ConfigMap).
import type { Duration } from './common.ts';
import type { OutboundTrafficPolicyMode } from './sidecar.ts';

export interface MeshConfigSpec {
  outboundTrafficPolicy?: { mode?: OutboundTrafficPolicyMode };
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
  defaultHttpRetryPolicy?: { attempts?: number; perTryTimeout?: Duration; retryOn?: string };
  proxyListenPort?: number;
  enableAutoMtls?: boolean;
}
