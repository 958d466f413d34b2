// loadConfig: documents → identity → decode → per-kind rules → defaults, as the CLI and the proxy see it.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig, type KindRules } from '../../../src/validation/validate.ts';
import type { LocatedFinding } from '../../../src/validation/located-finding.ts';

const FIX = 'test/fixtures/config';

const render = (findings: readonly LocatedFinding[]): string[] =>
  findings.map((f) => {
    const subject =
      f.kind === undefined ? '' : f.name === undefined ? `${f.kind}: ` : `${f.kind} ${f.namespace}/${f.name}: `;
    return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${subject}${f.message}`;
  });

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'meshgate-validate-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function yamlFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

describe('loadConfig on valid input', () => {
  test('the seed with its mesh config: no findings, three resources with defaults, REGISTRY_ONLY', async () => {
    const result = await loadConfig(['examples/seed'], { meshConfigPath: 'examples/mesh-config.yaml' });
    assert.deepEqual(render(result.findings), []);
    assert.deepEqual(result.unreadable, []);
    const { serviceEntries, virtualServices, mesh } = result.configSet;
    assert.deepEqual(
      serviceEntries.map((r) => `${r.key.namespace}/${r.key.name}`),
      ['default/google', 'foo/httpbin.org'],
    );
    assert.deepEqual(
      virtualServices.map((r) => `${r.key.namespace}/${r.key.name}`),
      ['foo/httpbin.org'],
    );
    assert.equal(mesh.outboundTrafficPolicyMode, 'REGISTRY_ONLY');
    const google = serviceEntries[0];
    assert.deepEqual([google?.spec.exportTo, google?.spec.addresses, google?.spec.endpoints], [['*'], [], []]);
    assert.deepEqual(serviceEntries[1]?.spec.exportTo, ['.']);
    assert.deepEqual(virtualServices[0]?.spec.gateways, ['mesh']);
    assert.deepEqual(google?.source, { file: 'examples/seed/google-service-entry.yaml', line: 1, column: 1 });
    assert.equal(result.resourceCount, 3);
  });

  test('--namespace fills in resources without a namespace; written namespaces stay', async () => {
    const result = await loadConfig([`${FIX}/tree`], { namespace: 'shop' });
    const keys = [
      ...result.configSet.serviceEntries,
      ...result.configSet.virtualServices,
      ...result.configSet.destinationRules,
    ].map((r) => `${r.key.kind} ${r.key.namespace}/${r.key.name}`);
    assert.deepEqual(keys, [
      'ServiceEntry shop/httpbin',
      'VirtualService shop/httpbin',
      'DestinationRule shop/httpbin',
    ]);
  });

  test('kind: List items become resources', async () => {
    const result = await loadConfig([`${FIX}/list.yaml`]);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(
      result.configSet.sidecars.map((s) => [s.key.namespace, s.key.name, s.source.line]),
      [['team', 'two', 10]],
    );
    assert.deepEqual(
      result.configSet.serviceEntries.map((s) => s.key.name),
      ['one'],
    );
  });

  test('the ConfigSet is deep-frozen', async () => {
    const { configSet } = await loadConfig([`${FIX}/tree`]);
    assert.ok(
      Object.isFrozen(configSet) &&
        Object.isFrozen(configSet.serviceEntries) &&
        Object.isFrozen(configSet.serviceEntries[0]?.spec.hosts),
    );
  });
});

describe('loadConfig on bad input', () => {
  test('a malformed document is an error at its line; the good documents of the file still load', async () => {
    const result = await loadConfig([`${FIX}/malformed.yaml`]);
    assert.deepEqual(render(result.findings), [
      `${FIX}/malformed.yaml:12:3: error: invalid YAML: Map keys must be unique`,
      `${FIX}/malformed.yaml:21:3: error: ServiceEntry default/after: unknown field "hostz" (did you mean "hosts"?)`,
    ]);
    assert.equal(result.findings[0]?.code, 'YAML_SYNTAX');
    assert.deepEqual(
      result.configSet.serviceEntries.map((r) => r.key.name),
      ['before'],
    );
  });

  test('other kinds and API groups are skipped, not errors, even with a dry-run annotation', async () => {
    const result = await loadConfig([`${FIX}/skipped.yaml`]);
    assert.deepEqual(result.findings, []);
    assert.deepEqual(
      result.skipped.map((s) => `${s.line}:${s.column} ${s.apiVersion} ${s.kind} ${s.namespace}/${s.name}`),
      [
        '1:1 networking.istio.io/v1 Gateway istio-system/egress-gateway',
        '10:1 security.istio.io/v1 AuthorizationPolicy default/deny-all',
        '18:1 apps/v1 Deployment default/sleep',
      ],
    );
  });

  test('envelope errors: kind typo, missing name, invalid name, missing apiVersion, unknown metadata and top-level fields', async () => {
    const result = await loadConfig([`${FIX}/envelope.yaml`]);
    assert.deepEqual(render(result.findings), [
      `${FIX}/envelope.yaml:2:1: error: ServiceEntri default/typo-kind: unknown kind "ServiceEntri" (did you mean "ServiceEntry"?)`,
      `${FIX}/envelope.yaml:10:1: error: DestinationRule: metadata.name is required`,
      `${FIX}/envelope.yaml:18:3: error: DestinationRule default/Upper_Case: metadata.name "Upper_Case" must be a lowercase DNS-1123 subdomain (a-z, 0-9, '-' and '.')`,
      `${FIX}/envelope.yaml:22:1: error: Sidecar default/no-api-version: apiVersion is required: this does not look like a Kubernetes resource`,
      `${FIX}/envelope.yaml:30:3: error: Sidecar default/sidecar: unknown field "labelz" (did you mean "labels"?)`,
      `${FIX}/envelope.yaml:31:1: error: Sidecar default/sidecar: unknown field "specs" (did you mean "spec"?)`,
    ]);
    assert.deepEqual(
      result.findings.map((f) => f.code),
      ['UNKNOWN_KIND', 'MISSING_NAME', 'INVALID_NAME', 'MISSING_TYPE_META', 'UNKNOWN_FIELD', 'UNKNOWN_FIELD'],
    );
    assert.equal(
      result.configSet.destinationRules.length +
        result.configSet.sidecars.length +
        result.configSet.serviceEntries.length,
      0,
    );
  });

  test('an unknown version of networking.istio.io for a kind meshgate reads is an error at apiVersion', async () => {
    const file = await yamlFile(
      'v2.yaml',
      'apiVersion: networking.istio.io/v2\nkind: Sidecar\nmetadata:\n  name: s\nspec: {}\n',
    );
    assert.deepEqual(render((await loadConfig([file])).findings), [
      `${file}:1:1: error: Sidecar default/s: apiVersion networking.istio.io/v2 is not served for Sidecar; use networking.istio.io/v1, v1beta1 or v1alpha3`,
    ]);
  });

  test('a forgotten version (apiVersion: networking.istio.io) is an error too, not a skipped document', async () => {
    const file = await yamlFile(
      'noversion.yaml',
      'apiVersion: networking.istio.io\nkind: ServiceEntry\nmetadata:\n  name: s\nspec:\n  hosts: [a.example.com]\n',
    );
    const result = await loadConfig([file]);
    assert.deepEqual(
      result.findings.map((f) => `${f.line}:${f.column} ${f.code}`),
      ['1:1 UNSUPPORTED_API_VERSION'],
    );
    assert.deepEqual(result.skipped, []);
  });

  test('istio.io/dry-run on a networking kind is an error at the annotation', async () => {
    const result = await loadConfig([`${FIX}/invalid.yaml`]);
    const dryRun = result.findings.find((f) => f.code === 'DRY_RUN_ANNOTATION');
    assert.deepEqual(render(dryRun === undefined ? [] : [dryRun]), [
      `${FIX}/invalid.yaml:6:5: error: VirtualService default/reviews: annotation istio.io/dry-run is only allowed on AuthorizationPolicy, not on VirtualService`,
    ]);
    assert.equal(result.findings.length, 6);
  });

  test('a duplicate kind/namespace/name is an error at the second one; the first stays in the ConfigSet', async () => {
    const result = await loadConfig([`${FIX}/tree`, `${FIX}/duplicate.yaml`]);
    assert.deepEqual(render(result.findings), [
      `${FIX}/duplicate.yaml:5:3: error: ServiceEntry default/httpbin: duplicate resource: already defined at ${FIX}/tree/a-services.yaml:2:1`,
    ]);
    assert.deepEqual(
      result.configSet.serviceEntries.map((r) => r.source.file),
      [`${FIX}/tree/a-services.yaml`],
    );
  });

  test('unreadable paths are listed apart; readable ones still load', async () => {
    const result = await loadConfig([`${FIX}/nope`, `${FIX}/list.yaml`], { meshConfigPath: `${FIX}/nope-mesh.yaml` });
    assert.deepEqual(result.unreadable, [
      { path: `${FIX}/nope-mesh.yaml`, message: 'no such file or directory' },
      { path: `${FIX}/nope`, message: 'no such file or directory' },
    ]);
    assert.equal(result.configSet.serviceEntries.length, 1);
    assert.equal(result.meshConfigRejected, true);
  });

  test('a rejected mesh config leaves Istio defaults in the ConfigSet and says so', async () => {
    const result = await loadConfig([`${FIX}/list.yaml`], { meshConfigPath: `${FIX}/mesh/invalid.yaml` });
    assert.equal(result.meshConfigRejected, true);
    assert.equal(result.configSet.mesh.outboundTrafficPolicyMode, 'ALLOW_ANY');
    assert.equal(result.findings[0]?.file, `${FIX}/mesh/invalid.yaml`);
  });

  test('never throws, whatever the bytes', async () => {
    const binary = join(dir, 'binary.yaml');
    await writeFile(binary, Buffer.from([0, 159, 146, 150, 0xff, 0x00, 0x3a, 0x0a, 0x2d, 0x2d, 0x2d]));
    const tabs = await yamlFile('tabs.yaml', 'kind: ServiceEntry\n\tspec: x\n');
    const scalar = await yamlFile('scalar.yaml', 'just a string\n---\n42\n---\n[1, 2]\n');
    const result = await loadConfig([binary, tabs, scalar]);
    assert.ok(result.findings.length >= 3);
    assert.ok(result.findings.every((f) => f.severity === 'error' && f.line >= 1 && f.column >= 1));
  });
});

describe('per-kind rules through the KindRules table', () => {
  const seInput = [
    'apiVersion: networking.istio.io/v1',
    'kind: ServiceEntry',
    'metadata:',
    '  name: api',
    '  namespace: shop',
    '  labels: {team: a}',
    'spec:',
    '  hosts: [api.example.com, "*"]',
    '  ports:',
    '  - {number: 443, name: https, protocol: HTTPS}',
    '',
  ].join('\n');

  const rules = (overrides: Partial<KindRules>): KindRules => ({
    ServiceEntry: () => {},
    VirtualService: () => {},
    DestinationRule: () => {},
    Sidecar: () => {},
    ...overrides,
  });

  test('rules get the typed spec and context; their paths are placed in the file; an error drops the resource', async () => {
    const file = await yamlFile('se.yaml', seInput);
    const seen: unknown[] = [];
    const result = await loadConfig([file], {
      kindRules: rules({
        ServiceEntry: (spec, ctx, findings) => {
          seen.push(ctx, spec.ports?.[0]?.number);
          spec.hosts?.forEach((h, i) => h === '*' && findings.error(['hosts', i], 'invalid-host', 'invalid host *'));
          findings.warning(['ports', 0, 'protocol'], 'demo', 'a warning');
        },
      }),
    });
    assert.deepEqual(seen, [{ namespace: 'shop', name: 'api', labels: { team: 'a' }, annotations: {} }, 443]);
    assert.deepEqual(render(result.findings), [
      `${file}:8:28: error: ServiceEntry shop/api: invalid host *`,
      `${file}:10:32: warning: ServiceEntry shop/api: a warning`,
    ]);
    assert.equal(result.configSet.serviceEntries.length, 0);
  });

  test('warnings keep the resource', async () => {
    const file = await yamlFile('se-warn.yaml', seInput);
    const result = await loadConfig([file], {
      kindRules: rules({ ServiceEntry: (_s, _c, f) => f.warning([], 'demo', 'just so you know') }),
    });
    assert.deepEqual(render(result.findings), [`${file}:7:1: warning: ServiceEntry shop/api: just so you know`]);
    assert.equal(result.configSet.serviceEntries.length, 1);
  });

  test('rules do not run on a spec that failed decoding', async () => {
    const file = await yamlFile('se-bad.yaml', seInput.replace('number: 443', 'number: "443"'));
    let ran = false;
    const result = await loadConfig([file], { kindRules: rules({ ServiceEntry: () => (ran = true) }) });
    assert.equal(ran, false);
    assert.deepEqual(
      result.findings.map((f) => f.code),
      ['WRONG_TYPE'],
    );
  });

  test('a rule that throws rejects its resource with an internal error instead of failing the load', async () => {
    const file = await yamlFile('se-throw.yaml', seInput);
    const result = await loadConfig([file], {
      kindRules: rules({
        ServiceEntry: () => {
          throw new Error('boom');
        },
      }),
    });
    assert.deepEqual(render(result.findings), [
      `${file}:7:1: error: ServiceEntry shop/api: internal error while validating: boom`,
    ]);
    assert.equal(result.configSet.serviceEntries.length, 0);
  });
});
