// MeshConfig loading: the bare `mesh` YAML or a whole ConfigMap, findings placed in the outer file, defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MESH_CONFIG } from '../../../src/config/defaults.ts';
import { loadMeshConfig, parseMeshConfig } from '../../../src/config/mesh-config.ts';
import type { LocatedFinding } from '../../../src/validation/located-finding.ts';

const FIXTURES = 'test/fixtures/config/mesh';

const render = (findings: readonly LocatedFinding[]): string[] =>
  findings.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.kind ?? '-'}: ${f.message}`);

describe('loadMeshConfig', () => {
  test('no file: Istio defaults, nothing to report', async () => {
    const result = await loadMeshConfig(undefined);
    assert.equal(result.mesh, DEFAULT_MESH_CONFIG);
    assert.deepEqual([result.findings, result.rejected, result.unreadable], [[], false, undefined]);
  });

  test('the seed mesh config: REGISTRY_ONLY, everything else default', async () => {
    const result = await loadMeshConfig('examples/mesh-config.yaml');
    assert.deepEqual(result.findings, []);
    assert.equal(result.mesh.outboundTrafficPolicyMode, 'REGISTRY_ONLY');
    assert.equal(result.mesh.connectTimeoutMs, 10_000);
  });

  test('a whole ConfigMap: data.mesh is read, other MeshConfig fields Istio knows are accepted quietly', async () => {
    const result = await loadMeshConfig(`${FIXTURES}/configmap.yaml`);
    assert.deepEqual(render(result.findings), []);
    assert.equal(result.mesh.outboundTrafficPolicyMode, 'REGISTRY_ONLY');
    assert.equal(result.mesh.connectTimeoutMs, 2000);
  });

  test('a finding inside a ConfigMap block scalar points at the line and column in the outer file', async () => {
    const result = await loadMeshConfig(`${FIXTURES}/configmap-invalid.yaml`);
    assert.deepEqual(render(result.findings), [
      `${FIXTURES}/configmap-invalid.yaml:8:7: error: MeshConfig: outboundTrafficPolicy.mode: unknown value "ALLOW_ALL"; allowed values: REGISTRY_ONLY, ALLOW_ANY, ALLOW_ANY_DYNAMIC_DNS`,
    ]);
    assert.equal(result.rejected, true);
    assert.equal(result.mesh, DEFAULT_MESH_CONFIG);
  });

  test('an unknown field is a warning (Istio ignores it) with a suggestion; the file is still used', async () => {
    const result = await loadMeshConfig(`${FIXTURES}/unknown-field.yaml`);
    assert.deepEqual(render(result.findings), [
      `${FIXTURES}/unknown-field.yaml:4:1: warning: MeshConfig: unknown field "conectTimeout" (did you mean "connectTimeout"?); ignored`,
    ]);
    assert.equal(result.rejected, false);
    assert.equal(result.mesh.outboundTrafficPolicyMode, 'ALLOW_ANY');
  });

  test('every error of an invalid file is reported, and the file is rejected', async () => {
    const result = await loadMeshConfig(`${FIXTURES}/invalid.yaml`);
    assert.deepEqual(render(result.findings), [
      `${FIXTURES}/invalid.yaml:2:3: error: MeshConfig: outboundTrafficPolicy.mode: unknown value "REGISTRY_ONY" (did you mean "REGISTRY_ONLY"?); allowed values: REGISTRY_ONLY, ALLOW_ANY, ALLOW_ANY_DYNAMIC_DNS`,
      `${FIXTURES}/invalid.yaml:3:1: error: MeshConfig: connectTimeout: duration must be greater than 1ms`,
      `${FIXTURES}/invalid.yaml:4:33: error: MeshConfig: defaultVirtualServiceExportTo: exportTo ~ (none) is not allowed for Istio configuration objects`,
    ]);
    assert.equal(result.rejected, true);
  });

  test('a missing file is unreadable input', async () => {
    const result = await loadMeshConfig(`${FIXTURES}/missing.yaml`);
    assert.deepEqual(result.unreadable, { path: `${FIXTURES}/missing.yaml`, message: 'no such file or directory' });
    assert.equal(result.rejected, true);
  });
});

describe('parseMeshConfig', () => {
  test('invalid YAML is an error at the line the parser stopped', () => {
    const result = parseMeshConfig('m.yaml', 'outboundTrafficPolicy:\n  mode: ALLOW_ANY\n  mode: REGISTRY_ONLY\n');
    assert.deepEqual(render(result.findings), ['m.yaml:3:3: error: MeshConfig: invalid YAML: Map keys must be unique']);
    assert.equal(result.rejected, true);
  });

  test('more than one document is refused', () => {
    const result = parseMeshConfig('m.yaml', 'connectTimeout: 1s\n---\nconnectTimeout: 2s\n');
    assert.deepEqual(render(result.findings), [
      'm.yaml:3:1: error: MeshConfig: a MeshConfig file holds one document, found more',
    ]);
  });

  test('a ConfigMap whose data.mesh is not a string', () => {
    const result = parseMeshConfig('cm.yaml', 'kind: ConfigMap\ndata:\n  mesh:\n    connectTimeout: 1s\n');
    assert.deepEqual(render(result.findings), [
      'cm.yaml:3:3: error: MeshConfig: ConfigMap data.mesh must be a string holding the MeshConfig YAML',
    ]);
  });

  test('invalid YAML inside a ConfigMap block scalar is placed in the outer file', () => {
    const text = ['kind: ConfigMap', 'data:', '  mesh: |', '    connectTimeout: 1s', '    connectTimeout: 2s', ''].join(
      '\n',
    );
    const result = parseMeshConfig('cm.yaml', text);
    assert.deepEqual(render(result.findings), [
      'cm.yaml:5:5: error: MeshConfig: invalid YAML: Map keys must be unique',
    ]);
  });

  test('an empty file means all defaults', () => {
    const result = parseMeshConfig('m.yaml', '# nothing set\n');
    assert.deepEqual([result.findings, result.rejected, result.mesh], [[], false, DEFAULT_MESH_CONFIG]);
  });
});
