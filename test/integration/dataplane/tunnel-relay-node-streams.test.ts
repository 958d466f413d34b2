// The tunnel relay cases of tunnel-relay.test.ts with the kernel relay switched off, so the Node streams
// path (other platforms, MESHGATE_TUNNEL_RELAY=node) stays as well tested as the native one.
process.env.MESHGATE_TUNNEL_RELAY = 'node';
await import('./tunnel-relay.test.ts');
