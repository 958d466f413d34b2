// `meshgate validate` as users run it: the built CLI, its text and JSON output, and its exit codes 0/1/2.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { ensureBuilt, runCli } from '../../helpers/built-cli.ts';

const FIX = 'test/fixtures/config';

before(() => ensureBuilt());

describe('exit codes', () => {
  test('0: the seed with its REGISTRY_ONLY mesh config has no error', async () => {
    const run = await runCli(['validate', 'examples/seed', '--mesh-config', 'examples/mesh-config.yaml']);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, '0 errors, 0 warnings in 3 resources (3 files)\n');
    assert.equal(run.code, 0);
  });

  test('0 with warnings: warnings are printed but do not fail', async () => {
    const run = await runCli(['validate', `${FIX}/tree`, '--mesh-config', `${FIX}/mesh/unknown-field.yaml`]);
    assert.equal(
      run.stdout,
      `${FIX}/mesh/unknown-field.yaml:4:1: warning: MeshConfig: unknown field "conectTimeout" (did you mean "connectTimeout"?); ignored\n`,
    );
    assert.equal(run.stderr, '0 errors, 1 warning in 3 resources (2 files)\n');
    assert.equal(run.code, 0);
  });

  test('1: errors, one line each at the offending field', async () => {
    const run = await runCli(['validate', `${FIX}/invalid.yaml`]);
    assert.equal(
      run.stdout,
      [
        `${FIX}/invalid.yaml:6:5: error: VirtualService default/reviews: annotation istio.io/dry-run is only allowed on AuthorizationPolicy, not on VirtualService`,
        `${FIX}/invalid.yaml:12:9: error: VirtualService default/reviews: unknown field "prefx" (did you mean "prefix"?)`,
        `${FIX}/invalid.yaml:15:11: error: VirtualService default/reviews: http[0].match[0].headers.x-user.exact must be a string, got the integer 42`,
        `${FIX}/invalid.yaml:20:11: error: VirtualService default/reviews: unknown field "numbr" (did you mean "number"?)`,
        `${FIX}/invalid.yaml:21:7: error: VirtualService default/reviews: http[0].route[0].weight must be an integer, got the string "100"`,
        `${FIX}/invalid.yaml:24:7: error: VirtualService default/reviews: http[0].retries.retryOn must be a string, got a list`,
        '',
      ].join('\n'),
    );
    assert.equal(run.stderr, '6 errors, 0 warnings in 1 resource (1 file)\n');
    assert.equal(run.code, 1);
  });

  test('1: a malformed document among good ones', async () => {
    const run = await runCli(['validate', `${FIX}/malformed.yaml`]);
    assert.equal(
      run.stdout,
      `${FIX}/malformed.yaml:12:3: error: invalid YAML: Map keys must be unique\n` +
        `${FIX}/malformed.yaml:21:3: error: ServiceEntry default/after: unknown field "hostz" (did you mean "hosts"?)\n`,
    );
    assert.equal(run.code, 1);
  });

  test('1: an invalid mesh config, with its line and column', async () => {
    const run = await runCli(['validate', `${FIX}/tree`, '--mesh-config', `${FIX}/mesh/configmap-invalid.yaml`]);
    assert.match(
      run.stdout,
      /^test\/fixtures\/config\/mesh\/configmap-invalid\.yaml:8:7: error: MeshConfig: outboundTrafficPolicy\.mode: unknown value "ALLOW_ALL"/,
    );
    assert.equal(run.code, 1);
  });

  test('2: a path that does not exist, even next to readable ones', async () => {
    const run = await runCli(['validate', `${FIX}/tree`, `${FIX}/does-not-exist`]);
    assert.equal(
      run.stderr,
      `meshgate: cannot read ${FIX}/does-not-exist: no such file or directory\n0 errors, 0 warnings in 3 resources (2 files)\n`,
    );
    assert.equal(run.code, 2);
  });

  test('2: an unreadable mesh config', async () => {
    const run = await runCli(['validate', `${FIX}/tree`, '--mesh-config', `${FIX}/mesh/missing.yaml`]);
    assert.match(
      run.stderr,
      /^meshgate: cannot read test\/fixtures\/config\/mesh\/missing\.yaml: no such file or directory\n/,
    );
    assert.equal(run.code, 2);
  });

  test('2: usage mistakes (bad --output, bad --namespace, no path)', async () => {
    const output = await runCli(['validate', `${FIX}/tree`, '--output', 'yaml']);
    assert.match(output.stderr, /argument 'yaml' is invalid\. Allowed choices are text, json\./);
    assert.equal(output.code, 2);
    const namespace = await runCli(['validate', `${FIX}/tree`, '--namespace', 'Not_A_Namespace']);
    assert.equal(namespace.stderr, 'meshgate: --namespace "Not_A_Namespace" is not a valid namespace name\n');
    assert.equal(namespace.code, 2);
    const none = await runCli(['validate']);
    assert.match(none.stderr, /missing required argument 'paths'/);
    assert.equal(none.code, 2);
  });
});

describe('text output', () => {
  test('--namespace applies to resources without one', async () => {
    const run = await runCli(['validate', `${FIX}/malformed.yaml`, '--namespace', 'shop']);
    assert.match(run.stdout, /malformed\.yaml:21:3: error: ServiceEntry shop\/after: unknown field "hostz"/);
  });

  test('skipped documents are listed with their position and identity', async () => {
    const run = await runCli(['validate', `${FIX}/skipped.yaml`, '--namespace', 'ops']);
    assert.equal(
      run.stdout,
      [
        `${FIX}/skipped.yaml:1:1: skipped: Gateway istio-system/egress-gateway: not a kind meshgate reads`,
        `${FIX}/skipped.yaml:10:1: skipped: AuthorizationPolicy ops/deny-all: not a kind meshgate reads`,
        `${FIX}/skipped.yaml:18:1: skipped: Deployment ops/sleep: not a kind meshgate reads`,
        '',
      ].join('\n'),
    );
    assert.equal(run.stderr, '0 errors, 0 warnings in 0 resources (1 file, 3 skipped)\n');
    assert.equal(run.code, 0);
  });
});

describe('JSON output', () => {
  test('findings with file, line, column, severity, code, kind, namespace, name and message; a summary', async () => {
    const run = await runCli([
      'validate',
      `${FIX}/malformed.yaml`,
      `${FIX}/skipped.yaml`,
      '--output',
      'json',
      '--namespace',
      'shop',
    ]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    assert.deepEqual(JSON.parse(run.stdout), {
      findings: [
        {
          file: `${FIX}/malformed.yaml`,
          line: 12,
          column: 3,
          severity: 'error',
          code: 'YAML_SYNTAX',
          kind: null,
          namespace: null,
          name: null,
          message: 'invalid YAML: Map keys must be unique',
        },
        {
          file: `${FIX}/malformed.yaml`,
          line: 21,
          column: 3,
          severity: 'error',
          code: 'UNKNOWN_FIELD',
          kind: 'ServiceEntry',
          namespace: 'shop',
          name: 'after',
          message: 'unknown field "hostz" (did you mean "hosts"?)',
        },
      ],
      skipped: [
        {
          file: `${FIX}/skipped.yaml`,
          line: 1,
          column: 1,
          apiVersion: 'networking.istio.io/v1',
          kind: 'Gateway',
          namespace: 'istio-system',
          name: 'egress-gateway',
        },
        {
          file: `${FIX}/skipped.yaml`,
          line: 10,
          column: 1,
          apiVersion: 'security.istio.io/v1',
          kind: 'AuthorizationPolicy',
          namespace: 'shop',
          name: 'deny-all',
        },
        {
          file: `${FIX}/skipped.yaml`,
          line: 18,
          column: 1,
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'sleep',
        },
      ],
      summary: { errors: 2, warnings: 0, resources: 2 },
    });
  });

  test('a clean run is still one JSON object; unreadable input adds an "unreadable" list and exits 2', async () => {
    const clean = await runCli([
      'validate',
      'examples/seed',
      '--mesh-config',
      'examples/mesh-config.yaml',
      '--output',
      'json',
    ]);
    assert.deepEqual(JSON.parse(clean.stdout), {
      findings: [],
      skipped: [],
      summary: { errors: 0, warnings: 0, resources: 3 },
    });
    assert.equal(clean.code, 0);
    const missing = await runCli(['validate', `${FIX}/nope.yaml`, '--output', 'json']);
    assert.deepEqual(JSON.parse(missing.stdout).unreadable, [
      { path: `${FIX}/nope.yaml`, message: 'no such file or directory' },
    ]);
    assert.equal(missing.code, 2);
  });
});
