// yaml-documents: multi-document files, kind: List, malformed documents among good ones, folder walks,
// and the positions each document's lookup gives for nested fields and list items.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseYamlDocuments, readYamlInputs } from '../../../src/config/yaml-documents.ts';

const FIXTURES = 'test/fixtures/config';

const kindOf = (value: unknown): unknown => (value as { kind?: unknown }).kind;
const nameOf = (value: unknown): unknown => (value as { metadata?: { name?: unknown } }).metadata?.name;

describe('parseYamlDocuments', () => {
  test('splits a multi-document file and gives each document its own start line', () => {
    const text = ['kind: A', 'metadata: {name: a}', '---', '# comment', 'kind: B', 'metadata: {name: b}', ''].join(
      '\n',
    );
    const { documents, problems } = parseYamlDocuments('f.yaml', text);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      documents.map((d) => [kindOf(d.value), d.position.line, d.position.column]),
      [
        ['A', 1, 1],
        ['B', 5, 1],
      ],
    );
  });

  test('ignores empty documents and comment-only documents', () => {
    const { documents, problems } = parseYamlDocuments('f.yaml', '---\n# nothing here\n---\nkind: A\n---\n');
    assert.deepEqual(problems, []);
    assert.equal(documents.length, 1);
    assert.equal(documents[0]?.position.line, 4);
  });

  test('a malformed document is a problem at its own line and the others are still read', () => {
    const text = ['kind: A', '---', 'kind: B', 'spec:', '  x: 1', '  x: 2', '---', 'kind: C', ''].join('\n');
    const { documents, problems } = parseYamlDocuments('f.yaml', text);
    assert.deepEqual(
      documents.map((d) => kindOf(d.value)),
      ['A', 'C'],
    );
    assert.equal(problems.length, 1);
    assert.deepEqual(problems[0]?.position, { file: 'f.yaml', line: 6, column: 3 });
    assert.equal(problems[0]?.message, 'invalid YAML: Map keys must be unique');
  });

  test('an unclosed flow list is reported where the parser noticed it', () => {
    const { documents, problems } = parseYamlDocuments('f.yaml', 'kind: A\nhosts: [a.com\nports: []\n');
    assert.equal(documents.length, 0);
    assert.match(problems[0]?.message ?? '', /^invalid YAML: /);
    assert.equal(problems[0]?.position.line, 3);
  });

  test('a document that is not a map is a problem, not a crash', () => {
    const { documents, problems } = parseYamlDocuments('f.yaml', '- just\n- a list\n');
    assert.equal(documents.length, 0);
    assert.deepEqual(problems, [
      {
        position: { file: 'f.yaml', line: 1, column: 1 },
        message: 'document is not a map of fields (expected apiVersion, kind, metadata, spec)',
      },
    ]);
  });

  test('an alias bomb is refused as a problem instead of exhausting memory', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 6; i++)
      lines.push(
        `${'bcdefg'[i]}: &${'bcdefg'[i]} [${Array(10)
          .fill(`*${i === 0 ? 'a' : 'bcdefg'[i - 1]}`)
          .join(', ')}]`,
      );
    const { documents, problems } = parseYamlDocuments('bomb.yaml', lines.join('\n'));
    assert.equal(documents.length, 0);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /^invalid YAML: .*alias/i);
  });

  test('merge keys (<<: *anchor) are expanded as Kubernetes does', () => {
    const text = [
      'kind: ServiceEntry',
      'x-port: &p {number: 80, name: http}',
      'spec:',
      '  ports:',
      '  - <<: *p',
      '    protocol: HTTP',
      '',
    ].join('\n');
    const doc = parseYamlDocuments('m.yaml', text).documents[0];
    assert.deepEqual((doc?.value as { spec: unknown }).spec, {
      ports: [{ number: 80, name: 'http', protocol: 'HTTP' }],
    });
    // A merged field has no key of its own in the item, so it resolves to the item.
    assert.deepEqual(doc?.positions(['ports', 0, 'number']), { file: 'm.yaml', line: 5, column: 5 });
    assert.deepEqual(doc?.positions(['ports', 0, 'protocol']), { file: 'm.yaml', line: 6, column: 5 });
  });

  test('kind: List expands into its items, each positioned at its own item', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- kind: A',
      '  metadata: {name: a}',
      '- kind: B',
      '  spec:',
      '    hosts: [b.com]',
      '',
    ].join('\n');
    const { documents } = parseYamlDocuments('l.yaml', text);
    assert.deepEqual(
      documents.map((d) => [kindOf(d.value), d.position.line, d.position.column]),
      [
        ['A', 4, 3],
        ['B', 6, 3],
      ],
    );
    assert.deepEqual(documents[1]?.positions(['hosts', 0]), { file: 'l.yaml', line: 8, column: 13 });
  });

  test('kind: List without a list of items is a problem', () => {
    const { documents, problems } = parseYamlDocuments('l.yaml', 'kind: List\nitems: {}\n');
    assert.equal(documents.length, 0);
    assert.deepEqual(problems, [
      { position: { file: 'l.yaml', line: 1, column: 1 }, message: 'kind: List must have a list of items' },
    ]);
  });
});

describe('position lookup', () => {
  const text = [
    'apiVersion: networking.istio.io/v1', // 1
    'kind: ServiceEntry', // 2
    'metadata:', // 3
    '  name: httpbin', // 4
    'spec:', // 5
    '  hosts:', // 6
    '  - httpbin.org', // 7
    '  - www.httpbin.org', // 8
    '  ports:', // 9
    '  - number: 80', // 10
    '    name: http', // 11
    '  endpoints: [{address: 1.2.3.4, ports: {http: 8080}}]', // 12
    '',
  ].join('\n');
  const doc = parseYamlDocuments('se.yaml', text).documents[0];
  const at = (...path: (string | number)[]): [number, number] => {
    const p = doc?.positions(path);
    return [p?.line ?? 0, p?.column ?? 0];
  };

  test('map fields resolve to their key', () => {
    assert.deepEqual(at('hosts'), [6, 3]);
    assert.deepEqual(at('ports', 0, 'name'), [11, 5]);
    assert.deepEqual(at('endpoints', 0, 'ports', 'http'), [12, 42]);
  });

  test('list indexes resolve to the item', () => {
    assert.deepEqual(at('hosts', 1), [8, 5]);
    assert.deepEqual(at('ports', 0), [10, 5]);
    assert.deepEqual(at('endpoints', 0), [12, 15]);
  });

  test("'$' paths are relative to the document root", () => {
    assert.deepEqual(at('$', 'metadata', 'name'), [4, 3]);
    assert.deepEqual(at('$', 'kind'), [2, 1]);
    assert.deepEqual(at('$'), [1, 1]);
  });

  test('missing fields fall back to the nearest ancestor that exists', () => {
    assert.deepEqual(at('ports', 0, 'targetPort'), [10, 5]);
    assert.deepEqual(at('ports', 3, 'number'), [9, 3]);
    assert.deepEqual(at('resolution'), [5, 1]);
    assert.deepEqual(at('$', 'metadata', 'namespace'), [3, 1]);
  });

  test('a document without spec falls back to its start', () => {
    const bare = parseYamlDocuments('x.yaml', '\n\nkind: Sidecar\nmetadata: {name: s}\n').documents[0];
    assert.deepEqual(bare?.positions(['egress', 0]), { file: 'x.yaml', line: 3, column: 1 });
  });
});

describe('readYamlInputs', () => {
  test('walks folders recursively in name order, reading only .yaml/.yml and skipping hidden entries', async () => {
    const inputs = await readYamlInputs([`${FIXTURES}/tree`]);
    assert.deepEqual(inputs.files, [`${FIXTURES}/tree/a-services.yaml`, `${FIXTURES}/tree/sub/b-rule.yml`]);
    assert.deepEqual(
      inputs.documents.map((d) => [kindOf(d.value), d.file, d.position.line]),
      [
        ['ServiceEntry', `${FIXTURES}/tree/a-services.yaml`, 2],
        ['VirtualService', `${FIXTURES}/tree/a-services.yaml`, 15],
        ['DestinationRule', `${FIXTURES}/tree/sub/b-rule.yml`, 1],
      ],
    );
    assert.deepEqual(inputs.unreadable, []);
  });

  test('a file named explicitly is read whatever its extension', async () => {
    const inputs = await readYamlInputs([`${FIXTURES}/tree/notes.txt`]);
    assert.deepEqual(inputs.files, [`${FIXTURES}/tree/notes.txt`]);
    // The note happens to be a one-entry YAML map; what matters is that it was read at all.
    assert.deepEqual(
      inputs.documents.map((d) => d.value),
      [{ 'Not YAML': 'a folder walk must ignore this file.' }],
    );
  });

  test('a missing path is unreadable input, and the other paths are still read', async () => {
    const inputs = await readYamlInputs([`${FIXTURES}/no-such-dir`, `${FIXTURES}/list.yaml`]);
    assert.deepEqual(inputs.unreadable, [{ path: `${FIXTURES}/no-such-dir`, message: 'no such file or directory' }]);
    assert.deepEqual(
      inputs.documents.map((d) => nameOf(d.value)),
      ['one', 'two'],
    );
  });

  test('malformed.yaml: the bad middle document is a problem; first and last documents are read', async () => {
    const inputs = await readYamlInputs([`${FIXTURES}/malformed.yaml`]);
    assert.deepEqual(
      inputs.documents.map((d) => nameOf(d.value)),
      ['before', 'after'],
    );
    assert.deepEqual(inputs.problems, [
      {
        position: { file: `${FIXTURES}/malformed.yaml`, line: 12, column: 3 },
        message: 'invalid YAML: Map keys must be unique',
      },
    ]);
  });
});
