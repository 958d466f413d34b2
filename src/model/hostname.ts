// Istio's host-name relations (pkg/config/host): plain, case-sensitive suffix logic shared by validation and routing.

/** A host is wildcarded when it starts with '*' ('*', '*.example.com', and also '*foo.com'). */
export function isWildcarded(host: string): boolean {
  return host.startsWith('*');
}

/**
 * True when the two hosts can name a common service: '*.x' matches anything ending in '.x',
 * two wildcards match when one suffix ends the other, and plain names match only themselves.
 * '*.example.com' does not match 'example.com'; '*' matches everything.
 */
export function hostMatches(a: string, b: string): boolean {
  const aWild = isWildcarded(a);
  const bWild = isWildcarded(b);
  if (aWild && bWild) {
    return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  }
  if (aWild) return b.endsWith(a.slice(1));
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * True when every name `a` covers is also covered by `b`: a wildcard is never a subset of a plain
 * name, and '*.a.b.com' is a subset of '*.b.com' but not the other way round.
 */
export function hostSubsetOf(a: string, b: string): boolean {
  const aWild = isWildcarded(a);
  const bWild = isWildcarded(b);
  if (aWild && bWild) {
    if (a.length < b.length) return false;
    return a.slice(1).endsWith(b.slice(1));
  }
  if (aWild) return false;
  if (bWild) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * Istio's ResolveShortnameToFQDN for VirtualService and DestinationRule hosts: a name without a dot is a
 * Kubernetes short name, completed with the resource's namespace (`reviews` in `prod` →
 * `reviews.prod.svc.cluster.local`). Wildcards, IPs and dotted names stay as written.
 */
export function qualifyShortName(host: string, namespace: string, domainSuffix = 'cluster.local'): string {
  if (host === '' || host.includes('.') || host.startsWith('*') || host.includes(':')) return host;
  return `${host}.${namespace}.svc.${domainSuffix}`;
}
