// Generates a folder of many ServiceEntries, as a large mesh's egress config would look: files of 100,
// spread over 20 namespaces, every 10th a wildcard, HTTP and HTTPS ports, static endpoints.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PER_FILE = 100;
const NAMESPACES = 20;

function serviceEntry(i: number, httpPort: number): string {
  const id = String(i).padStart(5, '0');
  const namespace = `ns-${i % NAMESPACES}`;
  // Wildcard hosts cannot have addresses to resolve: Istio wants resolution NONE for them.
  const wildcard = i % 10 === 0;
  const host = wildcard ? `"*.svc-${id}.bench.example"` : `svc-${id}.${namespace}.bench.example`;
  const resolution = wildcard
    ? '  resolution: NONE\n'
    : `  resolution: STATIC\n  endpoints:\n  - address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}\n`;
  return `apiVersion: networking.istio.io/v1alpha3
kind: ServiceEntry
metadata:
  name: svc-${id}
  namespace: ${namespace}
spec:
  hosts:
  - ${host}
  location: MESH_EXTERNAL
  ports:
  - number: ${httpPort}
    name: http
    protocol: HTTP
  - number: 443
    name: https
    protocol: HTTPS
${resolution}`;
}

export function fileName(index: number): string {
  return `services-${String(index).padStart(4, '0')}.yaml`;
}

/** The text of file `index`; `httpPort` lets a later write change one service and nothing else. */
export function fileText(index: number, count: number, firstServiceHttpPort = 80): string {
  const docs: string[] = [];
  for (let i = index * PER_FILE; i < Math.min(count, (index + 1) * PER_FILE); i++) {
    docs.push(serviceEntry(i, i === index * PER_FILE ? firstServiceHttpPort : 80));
  }
  return docs.join('---\n');
}

/** Writes `count` ServiceEntries into `dir`; returns the number of files. */
export function generateConfig(dir: string, count: number): number {
  mkdirSync(dir, { recursive: true });
  const files = Math.ceil(count / PER_FILE);
  for (let f = 0; f < files; f++) writeFileSync(join(dir, fileName(f)), fileText(f, count));
  return files;
}
