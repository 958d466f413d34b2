// Micro-benchmarks of the ClientHello parser (SNI and ALPN) on ClientHellos captured from real clients.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseClientHello } from '../../src/dataplane/listeners/client-hello.ts';
import type { MicroCase } from './harness.ts';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/tls/', import.meta.url));

export function sniParseCases(): MicroCase[] {
  const hellos = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => ({ name: f.replace(/\.bin$/, ''), bytes: new Uint8Array(readFileSync(`${FIXTURES}${f}`)) }));
  const cases: MicroCase[] = hellos.map(({ name, bytes }) => ({
    name: `parseClientHello: ${name} (${bytes.length} B)`,
    run: () => parseClientHello(bytes),
  }));
  const first = hellos.find((h) => h.name.startsWith('curl')) ?? hellos[0];
  if (first !== undefined) {
    // A hello split across reads is parsed again on every read until it is whole.
    const partial = first.bytes.subarray(0, Math.floor(first.bytes.length / 2));
    cases.push({
      name: `parseClientHello: first half of ${first.name} (needMore)`,
      run: () => parseClientHello(partial),
    });
  }
  const http = new TextEncoder().encode('GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n');
  cases.push({ name: 'parseClientHello: plain HTTP request (notTls)', run: () => parseClientHello(http) });
  return cases;
}
