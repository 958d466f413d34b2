// Micro-benchmarks of Istio host-name relations (src/model/hostname.ts), as validation and the registry
// call them for every pair of hosts they compare.
import { hostMatches, hostSubsetOf } from '../../src/model/hostname.ts';
import type { MicroCase } from './harness.ts';

export function hostMatchCases(): MicroCase[] {
  const registered = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? `*.svc-${i}.example.com` : `api-${i}.svc-${i}.example.com`));
  const asked = Array.from({ length: 1000 }, (_, i) => `api-${(i * 7) % 1000}.svc-${(i * 7) % 1000}.example.com`);
  let i = 0;
  return [
    { name: 'hostMatches: exact names', run: () => hostMatches('api.example.com', 'api.example.com') },
    { name: 'hostMatches: wildcard vs name', run: () => hostMatches('*.example.com', 'api.eu.example.com') },
    { name: 'hostMatches: wildcard vs wildcard', run: () => hostMatches('*.example.com', '*.eu.example.com') },
    { name: 'hostSubsetOf: name under wildcard', run: () => hostSubsetOf('api.eu.example.com', '*.example.com') },
    {
      name: 'hostMatches: 1000 mixed pairs (10% wildcards)',
      run: () => {
        i = (i + 1) % 1000;
        return hostMatches(registered[i]!, asked[i]!);
      },
    },
  ];
}
