// Stage 3c: the visible services indexed by hostname once per compile, so that builders resolving a
// VirtualService host or a route destination do not scan every service for each one.
import type { Service } from './service.ts';
import { istioHostMatches } from './visibility.ts';

export class HostIndex {
  readonly services: readonly Service[];
  readonly #exact = new Map<string, Service[]>();
  readonly #order = new Map<Service, number>();
  /** Services with a wildcard hostname, in view order: the only ones a plain name can match besides its own. */
  readonly #wildcards: Service[] = [];

  constructor(services: readonly Service[]) {
    this.services = services;
    services.forEach((s, i) => {
      this.#order.set(s, i);
      // A view has one service per hostname, but a caller may pass the registry's full list.
      const same = this.#exact.get(s.hostname);
      if (same === undefined) this.#exact.set(s.hostname, [s]);
      else same.push(s);
      if (s.hostname.startsWith('*')) this.#wildcards.push(s);
    });
  }

  /** The (first) service whose hostname is exactly `host` (lower-case). */
  get(host: string): Service | undefined {
    return this.#exact.get(host)?.[0];
  }

  /**
   * The services `host` matches either way by Istio's host matching, in view order: what
   * `services.filter((s) => istioHostMatches(host, s.hostname))` gives. A plain name can match only
   * its own service and wildcard ones; a wildcard host still needs the whole list.
   */
  matching(host: string): Service[] {
    if (host.startsWith('*')) return this.services.filter((s) => istioHostMatches(host, s.hostname));
    const found = this.#wildcards.filter((s) => istioHostMatches(host, s.hostname));
    const own = this.#exact.get(host);
    if (own === undefined) return found;
    if (found.length === 0) return [...own];
    return this.#inViewOrder([...found, ...own]);
  }

  /** The services any of `hosts` matches, once each, in view order. */
  matchingAny(hosts: readonly string[]): Service[] {
    if (hosts.length === 1) return this.matching(hosts[0]!);
    return this.#inViewOrder([...new Set(hosts.flatMap((h) => this.matching(h)))]);
  }

  #inViewOrder(services: Service[]): Service[] {
    return services.sort((a, b) => this.#order.get(a)! - this.#order.get(b)!);
  }
}
