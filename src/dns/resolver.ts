// Resolves upstream host names to addresses with a TTL cache, as Envoy's STRICT_DNS clusters do:
// respect each answer's TTL, and when a lookup fails keep serving the last good answer and retry after
// the mesh `dnsRefreshRate`. With no --dns-server, /etc/hosts is honoured too, as the system resolver does.
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../dataplane/clock.ts';
import { DnsLookupError, DnsNotFoundError, type MeshgateError } from '../errors.ts';
import { systemClock } from '../system-clock.ts';
import { parseDnsServer } from './dns-servers.ts';

export interface ResolveResult {
  /** A records first, then AAAA, each in the order the server gave them. */
  readonly addresses: readonly string[];
  /** How long this answer may be used before asking again. */
  readonly ttlMs: number;
  /** True when the lookup failed and this is the last good answer, kept until the next retry. */
  readonly stale: boolean;
}

export interface DnsResolverOptions {
  /** `--dns-server` values (IP[:PORT]); empty or absent uses the system's resolvers. */
  readonly servers?: readonly string[];
  /** Mesh `dnsRefreshRate`: retry delay after a failure, and the TTL used for a 0-TTL answer (default 60 s). */
  readonly refreshRateMs?: number;
  /** Per-query timeout (default 2500 ms) and attempts per server (default 2). */
  readonly timeoutMs?: number;
  readonly tries?: number;
  readonly clock?: Clock;
}

export interface DnsStats {
  /** Lookups sent to DNS (a host's A and AAAA queries count once). */
  readonly lookups: number;
  readonly failures: number;
  /** Answers served from the cache without a query. */
  readonly cacheHits: number;
}

interface CacheEntry {
  result: ResolveResult | undefined;
  expiresAt: number;
  inFlight: Promise<ResolveResult> | undefined;
}

const DEFAULT_REFRESH_RATE_MS = 60_000;
/** Passthrough traffic can name any host; beyond this many names the oldest cached one is forgotten. */
const MAX_CACHED_NAMES = 10_000;
/** Names that never need a query (RFC 6761 reserves `localhost`). */
const LOCALHOST_ADDRESSES: readonly string[] = Object.freeze(['127.0.0.1', '::1']);
const NOT_FOUND_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/**
 * One per proxy. `resolve()` is safe to call per connection: fresh answers come from the cache, and
 * concurrent lookups of one name share a single query.
 */
export class DnsResolver {
  readonly #resolver: Resolver;
  /** No --dns-server: also ask the system (getaddrinfo: /etc/hosts, nsswitch), which c-ares alone skips. */
  readonly #useSystem: boolean;
  readonly #refreshRateMs: number;
  readonly #clock: Clock;
  readonly #cache = new Map<string, CacheEntry>();
  #lookups = 0;
  #failures = 0;
  #cacheHits = 0;

  constructor(options: DnsResolverOptions = {}) {
    this.#resolver = new Resolver({ timeout: options.timeoutMs ?? 2500, tries: options.tries ?? 2 });
    const servers = (options.servers ?? []).map(parseDnsServer);
    if (servers.length > 0) this.#resolver.setServers(servers);
    this.#useSystem = servers.length === 0;
    this.#refreshRateMs = options.refreshRateMs ?? DEFAULT_REFRESH_RATE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  get stats(): DnsStats {
    return { lookups: this.#lookups, failures: this.#failures, cacheHits: this.#cacheHits };
  }

  /**
   * Addresses for `host`. IP literals (with or without brackets) and `localhost` are answered without a
   * query. Rejects with MG_ERR_DNS_NOT_FOUND or MG_ERR_DNS_LOOKUP only when there is no earlier good answer.
   */
  resolve(host: string): Promise<ResolveResult> {
    const name = host.toLowerCase().replace(/\.$/, '');
    const literal = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
    if (isIP(literal) !== 0) return Promise.resolve({ addresses: [literal], ttlMs: this.#refreshRateMs, stale: false });
    if (name === 'localhost')
      return Promise.resolve({ addresses: LOCALHOST_ADDRESSES, ttlMs: this.#refreshRateMs, stale: false });

    let entry = this.#cache.get(name);
    const now = this.#clock.now();
    if (entry?.result !== undefined && now < entry.expiresAt) {
      this.#cacheHits++;
      return Promise.resolve({ ...entry.result, ttlMs: entry.expiresAt - now });
    }
    if (entry === undefined) {
      entry = { result: undefined, expiresAt: 0, inFlight: undefined };
      if (this.#cache.size >= MAX_CACHED_NAMES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(name, entry);
    }
    entry.inFlight ??= this.#refresh(name, entry);
    return entry.inFlight;
  }

  /** Forgets every cached answer (used when the set of DNS servers or clusters changes). */
  clear(): void {
    this.#cache.clear();
  }

  async #refresh(name: string, entry: CacheEntry): Promise<ResolveResult> {
    this.#lookups++;
    try {
      const fresh = await this.#query(name);
      entry.result = fresh;
      entry.expiresAt = this.#clock.now() + fresh.ttlMs;
      return fresh;
    } catch (error) {
      this.#failures++;
      if (entry.result === undefined) {
        this.#cache.delete(name);
        throw error;
      }
      // Keep the last good answer and ask again after the refresh rate, as Envoy does.
      entry.result = { addresses: entry.result.addresses, ttlMs: this.#refreshRateMs, stale: true };
      entry.expiresAt = this.#clock.now() + this.#refreshRateMs;
      return entry.result;
    } finally {
      entry.inFlight = undefined;
    }
  }

  async #query(name: string): Promise<ResolveResult> {
    if (!this.#useSystem) return this.#queryDns(name);
    const [dns, system] = await Promise.allSettled([
      this.#queryDns(name),
      lookup(name, { all: true, order: 'ipv4first' }),
    ]);
    if (system.status === 'rejected' || system.value.length === 0) {
      if (dns.status === 'fulfilled') return dns.value;
      throw dns.reason;
    }
    // The system's answer wins (a hosts-file entry shadows DNS); the DNS TTL applies only when both agree.
    const addresses = system.value.map((a) => a.address);
    const agree = dns.status === 'fulfilled' && sameSet(dns.value.addresses, addresses);
    return { addresses, ttlMs: agree ? dns.value.ttlMs : this.#refreshRateMs, stale: false };
  }

  async #queryDns(name: string): Promise<ResolveResult> {
    const [v4, v6] = await Promise.allSettled([
      this.#resolver.resolve4(name, { ttl: true }),
      this.#resolver.resolve6(name, { ttl: true }),
    ]);
    const records = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (records.length === 0) throw lookupError(name, v4, v6);
    const minTtlSeconds = Math.min(...records.map((r) => r.ttl));
    // A 0 TTL would mean a query per connection; Envoy falls back to the refresh rate for it.
    const ttlMs = minTtlSeconds > 0 ? minTtlSeconds * 1000 : this.#refreshRateMs;
    return { addresses: records.map((r) => r.address), ttlMs, stale: false };
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function lookupError(name: string, ...outcomes: PromiseSettledResult<unknown>[]): MeshgateError {
  const reasons = outcomes.flatMap((o) =>
    o.status === 'rejected' ? [o.reason as { code?: string; message?: string }] : [],
  );
  // Not found only when every query said so; a timeout or SERVFAIL on either is a lookup failure.
  if (reasons.every((r) => NOT_FOUND_CODES.has(r.code ?? ''))) return new DnsNotFoundError(name);
  const failure = reasons.find((r) => !NOT_FOUND_CODES.has(r.code ?? '')) ?? reasons[0];
  return new DnsLookupError(name, failure?.code ?? failure?.message ?? 'unknown error', { cause: failure });
}
