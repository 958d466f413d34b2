// Rewrites test/fixtures/tls/*.bin with ClientHellos captured from real clients on this machine
// (run: node --import tsx scripts/capture-client-hellos.ts). The fixtures pin bytes across library
// upgrades; the client-hello tests also capture fresh ones on every run.
import { writeFileSync } from 'node:fs';
import { captureFirstBytes, curlClient, nodeClient, opensslClient } from '../test/helpers/client-hello-capture.ts';

const fixtures: Record<string, (port: number) => void> = {
  'curl-httpbin.org.bin': curlClient('httpbin.org'),
  'curl-tls12-http1.bin': curlClient('api.example.com', ['--tlsv1.2', '--tls-max', '1.2', '--http1.1']),
  'node-h2-alpn.bin': nodeClient({ servername: 'www.google.com', alpn: ['h2', 'http/1.1'] }),
  'node-no-sni.bin': nodeClient({}),
  'openssl-s_client.bin': opensslClient(['-servername', 'Mixed.Case.Example.ORG', '-alpn', 'h2,http/1.1']),
  'openssl-tls12-no-sni.bin': opensslClient(['-noservername', '-tls1_2']),
};

for (const [name, client] of Object.entries(fixtures)) {
  const bytes = await captureFirstBytes(client);
  writeFileSync(`test/fixtures/tls/${name}`, bytes);
  console.log(`${name}: ${bytes.length} bytes`);
}
