// Checks locality-aware load balancing (localityLbSetting) and zone-aware routing (zoneAwareLbSetting).
import type { FieldPath } from '../config/resource.ts';
import type { LoadBalancerSettings, OutlierDetection } from '../config/wire/destination-rule.ts';
import type { Findings } from './findings.ts';

type LocalitySetting = NonNullable<LoadBalancerSettings['localityLbSetting']>;
type ZoneAwareSetting = NonNullable<LoadBalancerSettings['zoneAwareLbSetting']>;

/** The well-known topology labels; failover by region/zone/subzone is configured by `failover`, not by these. */
const TOPOLOGY_LABELS = new Set([
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.istio.io/subzone',
]);

const FAILOVER_NEEDS_OUTLIER = 'outlier detection policy must be provided for failover';

/**
 * Localities are `region[/zone[/subzone]]`, '*' allowed once and last. Two entries may not cover the
 * same endpoints; Istio reports the first overlap only. Returns that problem, if any.
 */
export function localitiesProblem(localities: readonly string[]): string | undefined {
  const regions = new Map<string, Map<string, Set<string>>>();
  for (const locality of localities) {
    const stars = locality.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !locality.endsWith('*'))) {
      return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
    }
    const overlap = `locality ${locality} overlap with previous specified ones`;
    if (regions.has('*')) return overlap;
    const items = splitN(locality, '/', 3);
    if (items.some((item) => item === ''))
      return `locality ${locality} must not contain empty region/zone/subzone info`;
    const [region = '', zone = '', subzone = ''] = items;
    const zones = regions.get(region);
    if (items.length === 1) {
      if (zones) return overlap;
      regions.set(region, new Map([['*', new Set(['*'])]]));
    } else if (items.length === 2) {
      if (zones?.has('*') || zones?.has(zone)) return overlap;
      if (zones) zones.set(zone, new Set(['*']));
      else regions.set(region, new Map([[zone, new Set(['*'])]]));
    } else {
      if (zones?.has('*')) return overlap;
      const subzones = zones?.get(zone);
      if (subzones?.has('*') || subzones?.has(subzone)) return overlap;
      if (subzones) subzones.add(subzone);
      else if (zones) zones.set(zone, new Set([subzone]));
      else regions.set(region, new Map([[zone, new Set([subzone])]]));
    }
  }
  return undefined;
}

/** Go's strings.SplitN: at most `n` pieces, the last one keeping any further separators. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function checkDistribute(setting: LocalitySetting, path: FieldPath, findings: Findings): boolean {
  const sources: string[] = [];
  for (const [i, rule] of (setting.distribute ?? []).entries()) {
    sources.push(rule?.from ?? '');
    let total = 0;
    for (const weight of Object.values(rule?.to ?? {})) {
      if (!(weight > 0 && weight <= 100)) {
        findings.error(
          [...path, 'distribute', i, 'to'],
          'DR_LOCALITY_WEIGHT_RANGE',
          'locality weight must be in range [1, 100]',
        );
        return false;
      }
      total += weight;
    }
    if (total !== 100) {
      findings.error(
        [...path, 'distribute', i, 'to'],
        'DR_LOCALITY_WEIGHT_TOTAL',
        `total locality weight ${total} != 100`,
      );
      return false;
    }
    const problem = localitiesProblem(Object.keys(rule?.to ?? {}));
    if (problem !== undefined) findings.error([...path, 'distribute', i, 'to'], 'DR_LOCALITY_INVALID', problem);
  }
  const problem = localitiesProblem(sources);
  if (problem !== undefined) findings.error([...path, 'distribute'], 'DR_LOCALITY_INVALID', problem);
  return true;
}

export function checkLocalityLb(
  setting: LocalitySetting | null | undefined,
  outlier: OutlierDetection | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!setting) return;
  const failover = setting.failover ?? [];
  const priority = setting.failoverPriority ?? [];
  if ((setting.distribute ?? []).length > 0 && failover.length > 0) {
    findings.error(
      path,
      'DR_LOCALITY_DISTRIBUTE_AND_FAILOVER',
      "can not simultaneously specify 'distribute' and 'failover'",
    );
    return;
  }
  if (failover.length > 0) {
    const label = priority.find((l) => TOPOLOGY_LABELS.has(l));
    if (label !== undefined) {
      findings.error(
        [...path, 'failoverPriority'],
        'DR_LOCALITY_FAILOVER_TOPOLOGY_PRIORITY',
        `can not simultaneously set 'failover' and topology label '${label}' in 'failover_priority'`,
      );
      return;
    }
  }
  if (!checkDistribute(setting, path, findings)) return;
  checkFailovers(failover, priority, outlier, 'locality', path, findings);
}

/** The failover checks locality and zone-aware settings share. */
function checkFailovers(
  failover: readonly ({ from?: string; to?: string } | null)[],
  priority: readonly unknown[],
  outlier: OutlierDetection | null | undefined,
  kind: keyof typeof FAILOVER_MESSAGES,
  path: FieldPath,
  findings: Findings,
): void {
  // Failover only happens when endpoints are ejected, which needs outlier detection.
  if ((failover.length > 0 || priority.length > 0) && !outlier) {
    findings.warning(path, 'DR_FAILOVER_WITHOUT_OUTLIER', FAILOVER_NEEDS_OUTLIER);
  }
  failover.forEach((f, i) => checkFailover(f ?? {}, kind, [...path, 'failover', i], findings));
}

const FAILOVER_MESSAGES = {
  locality: {
    same: 'locality lb failover settings must specify different regions',
    slash: 'locality lb failover only specify region',
    star: "locality lb failover region should not contain '*' wildcard",
  },
  zoneAware: {
    same: 'zone aware lb failover settings must specify different regions',
    slash: 'zone aware lb failover only specifies region; zone and subzone failover are handled automatically',
    star: "zone aware lb failover region should not contain '*' wildcard",
  },
} as const;

function checkFailover(
  failover: { from?: string; to?: string },
  kind: keyof typeof FAILOVER_MESSAGES,
  path: FieldPath,
  findings: Findings,
): void {
  const from = failover.from ?? '';
  const to = failover.to ?? '';
  const messages = FAILOVER_MESSAGES[kind];
  if (from === to) findings.error(path, 'DR_FAILOVER_SAME_REGION', messages.same);
  if (from.includes('/') || to.includes('/')) findings.error(path, 'DR_FAILOVER_NOT_REGION', messages.slash);
  if (from.includes('*') || to.includes('*')) findings.error(path, 'DR_FAILOVER_WILDCARD', messages.star);
}

export function checkZoneAwareLb(
  setting: ZoneAwareSetting | null | undefined,
  outlier: OutlierDetection | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!setting) return;
  const failover = setting.failover ?? [];
  const priority = setting.failoverPriority ?? [];
  priority.forEach((label, i) => {
    if (!TOPOLOGY_LABELS.has(label)) return;
    findings.error(
      [...path, 'failoverPriority', i],
      'DR_ZONE_AWARE_TOPOLOGY_PRIORITY',
      `'failover_priority' for zone aware lb must not use topology label '${label}'; region- and zone-level routing are handled automatically`,
    );
  });
  checkFailovers(failover, priority, outlier, 'zoneAware', path, findings);
}
