// Micro-benchmarks of host matching: the router's virtual-host lookup (Envoy's ranking over a compiled
// domain index, src/model/vhost-domains.ts) at 1k and 10k services, and Istio's pairwise host relations
// (src/model/hostname.ts) that validation and the registry call for every pair they compare.
import { hostMatches, hostSubsetOf } from '../../src/model/hostname.ts';
import { buildDomainIndex, hostOfAuthority, lookupDomain, type DomainIndex } from '../../src/model/vhost-domains.ts';
import type { MicroCase } from './harness.ts';

/** `count` services as the generated config names them: every 10th a wildcard. */
function domainIndex(count: number): DomainIndex {
  const entries = Array.from({ length: count }, (_, i) => {
    const id = String(i).padStart(5, '0');
    return {
      domains: [i % 10 === 0 ? `*.svc-${id}.bench.example` : `svc-${id}.ns-${i % 20}.bench.example`],
      target: i,
    };
  });
  return buildDomainIndex(entries).index;
}

function lookupCases(count: number): MicroCase[] {
  const index = domainIndex(count);
  const n = count.toLocaleString('en-US');
  const exact = 'svc-00123.ns-3.bench.example';
  const wildcard = 'api.svc-00120.bench.example';
  const unknown = 'not-registered.example.org';
  // Each case must find what its name says.
  if (
    lookupDomain(index, exact) !== 123 ||
    lookupDomain(index, wildcard) !== 120 ||
    lookupDomain(index, unknown) !== -1
  ) {
    throw new Error('host-match: the domain index does not answer as the cases assume');
  }
  return [
    { name: `lookupDomain: exact host among ${n}`, run: () => lookupDomain(index, exact) },
    {
      name: `lookupDomain: wildcard host among ${n} (${count / 10} wildcards)`,
      run: () => lookupDomain(index, wildcard),
    },
    {
      name: `lookupDomain: unknown host among ${n} (${count / 10} wildcards)`,
      run: () => lookupDomain(index, unknown),
    },
  ];
}

export function hostMatchCases(): MicroCase[] {
  return [
    { name: 'hostOfAuthority: Host:port to a normalised host', run: () => hostOfAuthority('API.Example.COM.:8080') },
    ...lookupCases(1000),
    ...lookupCases(10_000),
    { name: 'hostMatches: exact names', run: () => hostMatches('api.example.com', 'api.example.com') },
    { name: 'hostMatches: wildcard vs name', run: () => hostMatches('*.example.com', 'api.eu.example.com') },
    { name: 'hostMatches: wildcard vs wildcard', run: () => hostMatches('*.example.com', '*.eu.example.com') },
    { name: 'hostSubsetOf: name under wildcard', run: () => hostSubsetOf('api.eu.example.com', '*.example.com') },
  ];
}
