// Compares validation findings with a compact expected list: severity, code, path and a message fragment.
import assert from 'node:assert/strict';
import type { FieldPath } from '../../src/config/resource.ts';
import type { ValidationContext } from '../../src/validation/context.ts';
import { Findings } from '../../src/validation/findings.ts';
import type { Finding } from '../../src/validation/findings.ts';

/** [severity ('E' | 'W'), code, path, a fragment the message must contain]. */
export type ExpectedFinding = readonly ['E' | 'W', string, FieldPath, string];

export function validationContext(namespace = 'default', labels: Record<string, string> = {}): ValidationContext {
  return { namespace, name: 'test', labels, annotations: {} };
}

/** Runs one kind's rules on a spec and returns what a user would see. */
export function runRules<S>(
  rules: (spec: S, ctx: ValidationContext, findings: Findings) => void,
  spec: S,
  ctx: ValidationContext = validationContext(),
): readonly Finding[] {
  const findings = new Findings();
  rules(spec, ctx, findings);
  return findings.items;
}

function key(severity: string, code: string, path: FieldPath): string {
  return `${severity} ${code} ${JSON.stringify(path)}`;
}

/** Asserts the findings are exactly the expected ones (order-insensitive) and each message holds its fragment. */
export function assertFindings(actual: readonly Finding[], expected: readonly ExpectedFinding[]): void {
  const actualKeys = actual.map((f) => key(f.severity === 'error' ? 'E' : 'W', f.code, f.path)).sort();
  const expectedKeys = expected.map(([s, c, p]) => key(s, c, p)).sort();
  assert.deepEqual(actualKeys, expectedKeys, `findings were: ${JSON.stringify(actual, null, 1)}`);
  for (const [s, code, path, fragment] of expected) {
    const found = actual.find((f) => key(f.severity === 'error' ? 'E' : 'W', f.code, f.path) === key(s, code, path));
    assert.ok(found?.message.includes(fragment), `message of ${code} "${found?.message}" should contain "${fragment}"`);
  }
}
