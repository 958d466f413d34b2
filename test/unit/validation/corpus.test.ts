// Runs the YAML corpus under test/fixtures/validation through the ServiceEntry and Sidecar rules, as a user writes it.
import { describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ServiceEntrySpec } from '../../../src/config/wire/service-entry.ts';
import type { SidecarSpec } from '../../../src/config/wire/sidecar.ts';
import type { FieldPath } from '../../../src/config/resource.ts';
import { validateServiceEntry } from '../../../src/validation/service-entry.ts';
import { validateSidecar } from '../../../src/validation/sidecar.ts';
import { assertFindings, runRules, validationContext } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

const EXPECT = 'test.meshgate.io/expect';
const dir = join(import.meta.dirname, '../../fixtures/validation');

interface Resource {
  readonly kind: string;
  readonly metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  readonly spec?: unknown;
}

/** "E SE_HOST_WILDCARD hosts.0" → ['E', 'SE_HOST_WILDCARD', ['hosts', 0], '']. */
function parseExpectation(line: string): ExpectedFinding {
  const [severity, code = '', dotted = ''] = line.trim().split(/\s+/);
  const path: FieldPath =
    dotted === '' ? [] : dotted.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return [severity === 'W' ? 'W' : 'E', code, path, ''];
}

function run(resource: Resource): ReturnType<typeof runRules> {
  const meta = resource.metadata;
  const { [EXPECT]: _expect, ...annotations } = meta.annotations ?? {};
  const ctx = { ...validationContext(meta.namespace ?? 'default', meta.labels ?? {}), name: meta.name, annotations };
  if (resource.kind === 'ServiceEntry')
    return runRules(validateServiceEntry, (resource.spec ?? {}) as ServiceEntrySpec, ctx);
  if (resource.kind === 'Sidecar') return runRules(validateSidecar, (resource.spec ?? {}) as SidecarSpec, ctx);
  throw new Error(`the corpus holds only ServiceEntry and Sidecar documents, not ${resource.kind}`);
}

for (const kind of ['service-entry', 'sidecar']) {
  for (const variant of ['valid', 'invalid']) {
    const file = join(dir, kind, `${variant}.yaml`);
    void describe(`${kind}/${variant}.yaml`, () => {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const resource = doc.toJS() as Resource;
        void test(resource.metadata.name, () => {
          const lines = (resource.metadata.annotations?.[EXPECT] ?? '').split('\n').filter((l) => l.trim() !== '');
          assertFindings(run(resource), lines.map(parseExpectation));
        });
      }
    });
  }
}
