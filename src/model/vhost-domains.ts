// Envoy's virtual-host selection (config_impl.cc): exact domain, then the longest suffix wildcard, then the
// longest prefix wildcard, then `*`; compiled once into an index that the router only looks up.

/** Lookup tables built at config time; `target` is whatever the caller indexes (a vhost or cluster position). */
export interface DomainIndex {
  readonly exact: Readonly<Record<string, number>>;
  /**
   * `*.foo.com` stored as `.foo.com`: suffixes that begin a label, looked up label by label, so a host
   * costs one lookup per dot however many wildcards there are.
   */
  readonly labelSuffixes: Readonly<Record<string, number>>;
  /** Other suffix wildcards (`*-bar.foo.com` stored as `-bar.foo.com`), longest first. */
  readonly suffixes: readonly { readonly suffix: string; readonly target: number }[];
  /** `foo.*` stored as `foo.`, longest first. */
  readonly prefixes: readonly { readonly prefix: string; readonly target: number }[];
  /** Target of the `*` domain, or -1. */
  readonly any: number;
}

export interface DomainEntry {
  readonly domains: readonly string[];
  readonly target: number;
}

export interface BuiltDomainIndex {
  readonly index: DomainIndex;
  /** Domains claimed by more than one entry; the first entry keeps them (Envoy rejects duplicates, Istio drops them). */
  readonly duplicates: readonly { readonly domain: string; readonly kept: number; readonly dropped: number }[];
}

export function buildDomainIndex(entries: readonly DomainEntry[]): BuiltDomainIndex {
  const exact: Record<string, number> = Object.create(null) as Record<string, number>;
  const labelSuffixes: Record<string, number> = Object.create(null) as Record<string, number>;
  const suffixes: { suffix: string; target: number }[] = [];
  const prefixes: { prefix: string; target: number }[] = [];
  // Where a wildcard domain went first; exact domains are looked up in `exact` itself, which spares a
  // second table of every domain (20k for 10k services).
  const wildcards = new Map<string, number>();
  const duplicates: { domain: string; kept: number; dropped: number }[] = [];
  let any = -1;
  for (const entry of entries) {
    for (const raw of entry.domains) {
      const domain = normaliseDomain(raw);
      const wild = domain !== '*' && (domain.startsWith('*') || domain.endsWith('*'));
      const kept = domain === '*' ? (any >= 0 ? any : undefined) : wild ? wildcards.get(domain) : exact[domain];
      if (kept !== undefined) {
        if (kept !== entry.target) duplicates.push({ domain, kept, dropped: entry.target });
        continue;
      }
      if (domain === '*') any = entry.target;
      else if (!wild) exact[domain] = entry.target;
      else {
        wildcards.set(domain, entry.target);
        if (domain.startsWith('*.')) labelSuffixes[domain.slice(1)] = entry.target;
        else if (domain.startsWith('*')) suffixes.push({ suffix: domain.slice(1), target: entry.target });
        else prefixes.push({ prefix: domain.slice(0, -1), target: entry.target });
      }
    }
  }
  // Longest first; equal lengths keep insertion order (Array.prototype.sort is stable).
  suffixes.sort((a, b) => b.suffix.length - a.suffix.length);
  prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  return { index: { exact, labelSuffixes, suffixes, prefixes, any }, duplicates };
}

/** Lower-cased, without a trailing dot: `Foo.COM.` and `foo.com` are one domain. */
export function normaliseDomain(domain: string): string {
  const lower = domain.toLowerCase();
  return lower.length > 1 && lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `host[:port]` or `[v6]:port` → the host part, lower-cased, trailing dot removed (ignore_port_in_host_matching). */
export function hostOfAuthority(authority: string): string {
  let host = authority;
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    host = end > 0 ? host.slice(0, end + 1) : host;
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(':') === colon) host = host.slice(0, colon);
  }
  return normaliseDomain(host);
}

/** The target for an already normalised host, or -1; wildcards never match the empty string. */
export function lookupDomain(index: DomainIndex, host: string): number {
  const exact = index.exact[host];
  if (exact !== undefined) return exact;
  // The longest label suffix first: the one from the first dot (a wildcard never matches the whole host,
  // so not a dot at position 0).
  let labelTarget = -1;
  let labelLength = 0;
  for (let dot = host.indexOf('.', 1); dot > 0; dot = host.indexOf('.', dot + 1)) {
    const target = index.labelSuffixes[host.slice(dot)];
    if (target !== undefined) {
      labelTarget = target;
      labelLength = host.length - dot;
      break;
    }
  }
  // A longer suffix of the other kind still wins. Indexed loops: the index lives in a frozen snapshot,
  // which V8 iterates slowly with for-of.
  const suffixes = index.suffixes;
  for (let i = 0; i < suffixes.length; i++) {
    const { suffix, target } = suffixes[i]!;
    if (suffix.length <= labelLength) break;
    if (host.length > suffix.length && host.endsWith(suffix)) return target;
  }
  if (labelTarget >= 0) return labelTarget;
  const prefixes = index.prefixes;
  for (let i = 0; i < prefixes.length; i++) {
    const { prefix, target } = prefixes[i]!;
    if (host.length > prefix.length && host.startsWith(prefix)) return target;
  }
  return index.any;
}
