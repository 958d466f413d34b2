// Compiles Istio YAML as the proxy would (the real loader: parse, decode, validate, defaults; then compile),
// for simulation tests written in the YAML users write. Any error finding fails the test with its message.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../../src/compiler/compile.ts';
import type { Snapshot } from '../../src/compiler/snapshot.ts';
import { loadConfig } from '../../src/validation/validate.ts';

export interface YamlSnapshotOptions {
  /** The proxy's namespace (default `default`). */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** MeshConfig YAML, e.g. `outboundTrafficPolicy: {mode: REGISTRY_ONLY}`. */
  readonly mesh?: string;
}

export async function snapshotFromYaml(yaml: string, options: YamlSnapshotOptions = {}): Promise<Snapshot> {
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-sim-'));
  try {
    const file = join(dir, 'config.yaml');
    await writeFile(file, yaml);
    let meshConfigPath: string | undefined;
    if (options.mesh !== undefined) {
      meshConfigPath = join(dir, 'mesh.yaml');
      await writeFile(meshConfigPath, options.mesh);
    }
    const namespace = options.namespace ?? 'default';
    const loaded = await loadConfig([file], { namespace, ...(meshConfigPath !== undefined ? { meshConfigPath } : {}) });
    const errors = loaded.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0)
      throw new Error(
        `config has errors:\n${errors.map((e) => `${e.line}:${e.column} ${e.code} ${e.message}`).join('\n')}`,
      );
    return compile(loaded.configSet, { namespace, version: '1', labels: options.labels ?? {} });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
