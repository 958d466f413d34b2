// Match conditions Istio settles when it builds a proxy's config, not per request: `sourceNamespace` and
// `sourceLabels` compare against the proxy's own namespace and labels (`meshgate proxy --labels`).
import type { DeepReadonly } from '../config/model.ts';

/** Who the proxy is, as a workload: its namespace and labels. */
export interface ProxyIdentity {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface StaticConditions {
  readonly sourceNamespace?: string;
  readonly sourceLabels?: DeepReadonly<Record<string, string>>;
}

/** True when the entry's source conditions hold for this proxy (an unset condition always holds). */
export function staticMatchApplies(match: StaticConditions, proxy: ProxyIdentity | undefined): boolean {
  if (match.sourceNamespace !== undefined && match.sourceNamespace !== '' && match.sourceNamespace !== proxy?.namespace)
    return false;
  const labels = match.sourceLabels ?? {};
  return Object.keys(labels).every((k) => proxy?.labels[k] === labels[k]);
}
