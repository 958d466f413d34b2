// ServiceEntries both tunnel-routing simulations use: a TLS wildcard, a DNS TCP service on its port, and
// a STATIC TCP service reached by its address range.
import type { ServiceEntryResource } from '../../src/config/model.ts';
import { serviceEntry } from './config-set.ts';

export function tunnelServices(): ServiceEntryResource[] {
  return [
    serviceEntry(
      { name: 'wild-tls', namespace: 'foo' },
      { hosts: ['*.googleapis.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'NONE' },
    ),
    serviceEntry(
      { name: 'db', namespace: 'foo' },
      { hosts: ['db.internal'], ports: [{ number: 5432, name: 'pg', protocol: 'TCP' }], resolution: 'DNS' },
    ),
    serviceEntry(
      { name: 'vip', namespace: 'foo' },
      {
        hosts: ['vip.internal'],
        addresses: ['10.1.0.0/16'],
        ports: [{ number: 9000, name: 'tcp', protocol: 'TCP' }],
        resolution: 'STATIC',
        endpoints: [{ address: '10.1.0.5' }],
      },
    ),
  ];
}
