// Picks the DestinationRule that applies to a service and merges its traffic policy for one port and subset.
import type { DestinationRuleResource } from '../config/model.ts';
import type { ConnectionPoolSettings, LoadBalancerSettings, TrafficPolicy } from '../config/wire/destination-rule.ts';
import type { DeepReadonly } from '../config/model.ts';
import { qualifyShortName } from '../model/hostname.ts';
import { isExportedTo, istioHostMatches, selectorMatches } from '../registry/visibility.ts';

export interface PortPolicy {
  readonly connectionPool?: DeepReadonly<ConnectionPoolSettings>;
  readonly loadBalancer?: DeepReadonly<LoadBalancerSettings>;
}

/**
 * DestinationRules the proxy sees, in Istio's preference order: in its own namespace those whose
 * workloadSelector matches its labels first, then the rest of its namespace, then other namespaces.
 * A rule with a selector applies only in its own namespace and only when every matchLabels entry matches.
 */
export function visibleDestinationRules(
  rules: readonly DestinationRuleResource[],
  namespace: string,
  defaultExportTo: readonly string[],
  labels: Readonly<Record<string, string>> = {},
): DestinationRuleResource[] {
  const rank = (r: DestinationRuleResource): number => (r.key.namespace !== namespace ? 0 : hasSelector(r) ? 2 : 1);
  const visible = rules.filter((r) =>
    hasSelector(r)
      ? r.key.namespace === namespace && selectorMatches(r.spec.workloadSelector?.matchLabels, labels)
      : isExportedTo(r.spec.exportTo.length > 0 ? r.spec.exportTo : defaultExportTo, r.key.namespace, namespace),
  );
  return visible.sort((a, b) => rank(b) - rank(a));
}

/** An empty matchLabels selects nothing in particular, so the rule is treated as selector-less. */
function hasSelector(rule: DestinationRuleResource): boolean {
  return Object.keys(rule.spec.workloadSelector?.matchLabels ?? {}).length > 0;
}

/** The most specific matching rule: exact host first, then the longest wildcard. */
export function destinationRuleFor(
  rules: readonly DestinationRuleResource[],
  hostname: string,
): DestinationRuleResource | undefined {
  return destinationRuleIndex(rules)(hostname);
}

/**
 * destinationRuleFor for many hostnames: each rule's host is qualified once, exact hosts are looked up
 * in a map, and only wildcard rules are tried one by one. Ties go to the earlier rule.
 */
export function destinationRuleIndex(
  rules: readonly DestinationRuleResource[],
): (hostname: string) => DestinationRuleResource | undefined {
  const exact = new Map<string, DestinationRuleResource>();
  const wildcards: { host: string; rule: DestinationRuleResource }[] = [];
  for (const rule of rules) {
    // A short host is a Kubernetes name in the rule's own namespace, as Istio resolves it.
    const host = qualifyShortName((rule.spec.host ?? '').toLowerCase(), rule.key.namespace);
    if (!exact.has(host)) exact.set(host, rule);
    if (host.startsWith('*')) wildcards.push({ host, rule });
  }
  return (hostname) => {
    const own = exact.get(hostname);
    if (own !== undefined) return own;
    // A wildcard rule applies to every host under it; the longest wins.
    let best: DestinationRuleResource | undefined;
    let bestLength = -1;
    for (const { host, rule } of wildcards) {
      if (host.length > bestLength && istioHostMatches(host, hostname) && hostname.length > host.length - 1) {
        best = rule;
        bestLength = host.length;
      }
    }
    return best;
  };
}

/** Port-level settings replace whole components of the top-level policy (Istio does not merge fields). */
/** What a port gets when no policy applies; shared, as most services have no DestinationRule. */
const NO_POLICY: PortPolicy = Object.freeze({});

function forPort(policy: DeepReadonly<TrafficPolicy> | undefined, port: number): PortPolicy {
  if (policy === undefined) return NO_POLICY;
  const level = policy.portLevelSettings?.find((p) => p.port?.number === port);
  const connectionPool = level?.connectionPool ?? policy.connectionPool;
  const loadBalancer = level?.loadBalancer ?? policy.loadBalancer;
  return {
    ...(connectionPool !== undefined ? { connectionPool } : {}),
    ...(loadBalancer !== undefined ? { loadBalancer } : {}),
  };
}

/** The policy for one cluster: a subset's policy overrides the rule's per component. */
export function policyFor(rule: DestinationRuleResource | undefined, port: number, subset: string): PortPolicy {
  const top = forPort(rule?.spec.trafficPolicy, port);
  if (subset === '' || rule === undefined) return top;
  const sub = forPort(rule.spec.subsets.find((s) => s.name === subset)?.trafficPolicy, port);
  return { ...top, ...sub };
}
