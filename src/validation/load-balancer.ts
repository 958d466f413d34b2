// Checks a DestinationRule's load balancer settings: consistent hashing, locality/zone-aware routing and warmup.
import type { FieldPath } from '../config/resource.ts';
import type { LoadBalancerSettings, OutlierDetection } from '../config/wire/destination-rule.ts';
import { checkDurationField } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkLocalityLb, checkZoneAwareLb } from './locality-lb.ts';

/** Envoy's Maglev table must be prime and below this size. */
export const MAGLEV_TABLE_SIZE_LIMIT = 5000011;

/** Envoy's primality test (common/utility.cc), so the same table sizes pass: note it calls 0..3 prime except 0. */
export function isPrime(x: number): boolean {
  if (x !== 0 && x < 4) return true;
  if (x % 2 === 0) return false;
  const limit = Math.floor(Math.sqrt(x));
  for (let factor = 3; factor <= limit; factor += 2) {
    if (x % factor === 0) return false;
  }
  return true;
}

type ConsistentHash = NonNullable<LoadBalancerSettings['consistentHash']>;

function checkConsistentHash(hash: ConsistentHash, path: FieldPath, findings: Findings): void {
  const cookie = hash.httpCookie;
  if (cookie) {
    const cookiePath = [...path, 'httpCookie'];
    if ((cookie.name ?? '') === '')
      findings.error(cookiePath, 'DR_LB_COOKIE_NAME_REQUIRED', 'name required for HttpCookie');
    const seen = new Set<string>();
    (cookie.attributes ?? []).forEach((attr, i) => {
      const name = attr?.name ?? '';
      const attrPath = [...cookiePath, 'attributes', i, 'name'];
      if (name === '')
        findings.error(attrPath, 'DR_LB_COOKIE_ATTRIBUTE_EMPTY', 'cookie attribute name cannot be empty');
      else if (seen.has(name))
        findings.error(attrPath, 'DR_LB_COOKIE_ATTRIBUTE_DUPLICATE', `duplicate cookie attribute name: ${name}`);
      else seen.add(name);
    });
  }
  const ringSize = hash.minimumRingSize ?? 0;
  if (ringSize !== 0) {
    findings.warning(
      [...path, 'minimumRingSize'],
      'DR_LB_MINIMUM_RING_SIZE_DEPRECATED',
      "consistent hash MinimumRingSize is deprecated, use ConsistentHashLB's RingHash configuration instead",
    );
    if (hash.ringHash || hash.maglev) {
      findings.error(
        [...path, 'minimumRingSize'],
        'DR_LB_RING_SIZE_CONFLICT',
        'only one of MinimumRingSize or Maglev/Ringhash can be specified',
      );
    }
  }
  const maglev = hash.maglev;
  if (maglev) {
    const size = maglev.tableSize ?? 0;
    const sizePath = [...path, 'maglev', 'tableSize'];
    if (size === 0) findings.error(sizePath, 'DR_LB_MAGLEV_TABLE_SIZE_REQUIRED', 'tableSize must be set for maglev');
    if (size >= MAGLEV_TABLE_SIZE_LIMIT) {
      findings.error(
        sizePath,
        'DR_LB_MAGLEV_TABLE_SIZE_TOO_LARGE',
        `tableSize must be less than ${MAGLEV_TABLE_SIZE_LIMIT} for maglev`,
      );
    }
    if (!isPrime(size))
      findings.error(sizePath, 'DR_LB_MAGLEV_TABLE_SIZE_NOT_PRIME', 'tableSize must be a prime number for maglev');
  }
}

function checkWarmup(warmup: NonNullable<LoadBalancerSettings['warmup']>, path: FieldPath, findings: Findings): void {
  if (warmup.duration === undefined) findings.error(path, 'DR_LB_WARMUP_DURATION_REQUIRED', 'duration is required');
  else checkDurationField(warmup.duration, [...path, 'duration'], findings, 'DR_DURATION_INVALID');
  if ((warmup.minimumPercent ?? 0) > 100) {
    findings.error(
      [...path, 'minimumPercent'],
      'DR_LB_WARMUP_MINIMUM_PERCENT',
      'minimumPercent value should be less than or equal to 100',
    );
  }
  if (warmup.aggression !== undefined && warmup.aggression <= 0) {
    findings.error([...path, 'aggression'], 'DR_LB_WARMUP_AGGRESSION', 'aggression should be greater than 0');
  }
}

/** `outlier` is the policy's outlier detection at the same level: failover needs it to eject endpoints. */
export function checkLoadBalancer(
  lb: LoadBalancerSettings | null | undefined,
  outlier: OutlierDetection | null | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  if (!lb) return;
  if (lb.consistentHash) checkConsistentHash(lb.consistentHash, [...path, 'consistentHash'], findings);
  if (lb.localityLbSetting && lb.zoneAwareLbSetting) {
    findings.error(
      path,
      'DR_LB_LOCALITY_AND_ZONE_AWARE',
      'only one of localityLbSetting and zoneAwareLbSetting can be set',
    );
  }
  checkLocalityLb(lb.localityLbSetting, outlier, [...path, 'localityLbSetting'], findings);
  checkZoneAwareLb(lb.zoneAwareLbSetting, outlier, [...path, 'zoneAwareLbSetting'], findings);
  if (lb.warmup) checkWarmup(lb.warmup, [...path, 'warmup'], findings);
}
