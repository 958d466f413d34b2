// yaml-plain: the fast parser gives exactly the documents the positioned parser gives, or declines the
// file; tricky YAML (anchors, tags, merge keys, odd keys and scalars, malformed documents) included.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseYamlDocuments, parseYamlFile } from '../../../src/config/yaml-documents.ts';
import { hasUnsafeText, parsePlainYaml } from '../../../src/config/yaml-plain.ts';

/** Both parsers on one text: the fast one either declines or agrees on every value and position. */
function agree(text: string): 'fast' | 'declined' {
  const fast = parsePlainYaml('f.yaml', text);
  if (fast === undefined) return 'declined';
  const slow = parseYamlDocuments('f.yaml', text);
  assert.deepEqual(slow.problems, [], `the positioned parser found problems the fast one did not:\n${text}`);
  assert.deepEqual(
    fast.map((d) => ({ position: d.position, value: d.value })),
    slow.documents.map((d) => ({ position: d.position, value: d.value })),
    text,
  );
  return 'fast';
}

const doc = (spec: string): string =>
  `apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: a\nspec:\n${spec}`;

/** Scalars as the YAML 1.2 core schema resolves them, each inside a real document. */
const SCALARS = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Yes',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'tRUE',
  '~',
  'null',
  'Null',
  'NULL',
  'nULL',
  '',
  '0',
  '-0',
  '+0',
  '007',
  '0o17',
  '0o8',
  '-0o17',
  '0x1F',
  '0X1F',
  '-0x1F',
  '0b101',
  '1_000',
  '1,000',
  '12345678901234567890',
  '9007199254740993',
  '1e3',
  '1E+3',
  '-1.5e-3',
  '.5',
  '5.',
  '-.5',
  '+1.0',
  '1.0e',
  '1.2.3',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  '.NAN',
  'inf',
  'nan',
  '2024-01-02',
  '2024-01-02T10:00:00Z',
  '12:30:00',
  '1:30',
  '0.1.2.3',
  '10.0.0.1',
  '::1',
  '"quoted 1"',
  "'single ''q'''",
  '"\\x41\\u00e9\\U0001F600\\t\\n\\\\\\"\\/\\N\\_\\L\\P\\e\\a\\0"',
  '"line\\\n  continued"',
  'a#b',
  'a #comment',
  'http://x:80/a?b=c&d=e',
  '*.example.com"',
  '"*.example.com"',
  "'*.example.com'",
  '!important',
  'a !b',
  'a &b',
  'a *b',
  'x: y',
  'plain\n    continued\n\n    paragraph',
];

const DOCUMENTS: Record<string, string> = {
  'multi-document with comments and end markers':
    '# head\n---\napiVersion: v1\nkind: A\n...\n---   # trailing comment\n\n  # indented comment\nkind: B\n---\n---\n',
  'document starting on the --- line': '--- {kind: A, n: 1}\n--- \nkind: B\n',
  'quoted first key': '"kind": A\n\'spec\': {}\n---\n  "kind": B\n',
  'comment lines before the first key': '# a\n\n   # b\nkind: A\n',
  'flow map root': '{kind: A, spec: {hosts: [a, "b"], n: [1, 2.5]}}\n',
  'indented root map': '   kind: A\n   spec: {}\n',
  'CRLF line ends': 'kind: A\r\nspec:\r\n  hosts:\r\n  - a\r\n---\r\nkind: B\r\n',
  'lone CR': 'kind: A\rspec: {}\n',
  BOM: '\ufeffkind: A\n',
  'tabs after values': 'kind:\tA\nspec:\n  a:\tb\t# c\n',
  'tab indentation': 'kind: A\nspec:\n\ta: b\n',
  'block scalars':
    'kind: A\na: |\n  x\n   y\n\nb: >-\n  folded\n  text\n\n  more\nc: |+\n  keep\n\nd: |2\n    indented\ne: >\n  last\n',
  'anchor and alias': 'kind: A\nbase: &b {x: 1}\nuse: *b\n',
  'merge key': 'kind: A\nbase: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n',
  'merge key without anchors': 'kind: A\nuse:\n  <<: {x: 1}\n  y: 2\n',
  'explicit tags': 'kind: A\na: !!str 123\nb: !!int "7"\n',
  'str tag': 'kind: A\na: !!str 123\n',
  'map tag': 'kind: A\na: !!map {x: 1}\n',
  'verbatim private tag': 'kind: A\na: !<tag:meshgate.dev,2026:core-scalar> 12\n',
  'local tag': 'kind: A\na: !custom x\n',
  'non-specific tag': 'kind: A\na: ! 123\n',
  'timestamp tag': 'kind: A\na: !!timestamp 2024-01-01\n',
  'directive 1.1': '%YAML 1.1\n---\nkind: A\na: yes\n',
  'tag directive': '%TAG !e! tag:example.com,2000:\n---\nkind: A\n',
  'null key': 'kind: A\nm:\n  ~: x\n',
  'null word key': 'kind: A\nm:\n  null: x\n',
  'empty key': 'kind: A\nm:\n  : x\n',
  'empty key in flow': 'kind: A\nm: {: x}\n',
  'explicit key': 'kind: A\nm:\n  ? a\n  : x\n',
  'explicit null key': 'kind: A\nm:\n  ?\n  : x\n',
  'flow seq key': 'kind: A\nm:\n  [a, b]: x\n',
  'flow map key': 'kind: A\nm:\n  {a: 1}: x\n',
  'number and bool keys': 'kind: A\nm:\n  1: a\n  1.50: b\n  true: c\n  0x10: d\n  -0: e\n  .inf: f\n',
  'quoted keys': 'kind: A\nm:\n  "a b": 1\n  \'c\': 2\n  "null": 3\n',
  'proto key': 'kind: A\nm:\n  __proto__: {x: 1}\n  constructor: 2\n',
  'duplicate key': 'kind: A\nspec:\n  x: 1\n  x: 2\n',
  'malformed document among good ones': 'kind: A\n---\nkind: B\nhosts: [a\n---\nkind: C\n',
  'unterminated string': 'kind: A\na: "abc\n',
  'not a map': '- a\n- b\n',
  'scalar document': 'just text\n',
  'empty string document': '""\n',
  'kind List': 'kind: List\nitems:\n- kind: A\n- kind: B\n',
  'List not a list': 'kind: List\nitems: {}\n',
  'nested flow': 'kind: A\na: [{b: [c, {d: e}]}, [], {}]\nb: {"c": 1, \'d\': [x, y,]}\n',
  'json style': '{"kind": "A", "spec": {"hosts": ["a"], "n": 1, "f": 1.5, "t": true, "z": null}}\n',
  'multiline plain and quoted': 'kind: A\na: one\n  two\n\n  three\nb: "x\n  y\n\n  z"\nc: \'p\n  q\'\n',
  'comment after key': 'kind: A\na: # comment\n  b: c\n',
  'compact nested seq': 'kind: A\na:\n- - x\n  - y\n- b: c\n  d: e\n',
  'seq at key indent': 'kind: A\nhosts:\n- a\n- b\nports:\n  - 1\n',
  'long implicit key': `kind: A\n${'k'.repeat(1100)}: v\n`,
  'multi-line implicit key': 'kind: A\n"a\n b": c\n',
  'compact mapping in seq with nested map': 'kind: A\na:\n- b: c: d\n',
  'value on key line and below': 'kind: A\na: b\n  c: d\n',
  'trailing content after flow': 'kind: A\na: [b] c\n',
  'deep nesting': `kind: A\na: ${'['.repeat(200)}${']'.repeat(200)}\n`,
  'only comments': '# a\n# b\n',
  'empty file': '',
  'document end only': '...\n',
  'key with colon in value': 'kind: A\na: b:c\nurl: http://x\n',
  'space before colon': 'kind: A\na : b\n',
  'question mark in value': 'kind: A\nregex: "^/a?b"\nq: what ?\n',
  unicode: 'kind: A\nname: "caf\u00e9 \u2028 \u{1F600}"\nplain: caf\u00e9\n',
  'NEL and line separator': 'kind: A\na: x\u0085y\nb: x\u2028y\n',
  'null byte': 'kind: A\na: "\u0000"\n',
  'invalid escape': 'kind: A\na: "\\q"\n',
  'reserved indicator': 'kind: A\na: @x\n',
  backtick: 'kind: A\na: `x\n',
  'percent in value': 'kind: A\na: 100%\nb: "%x"\n',
  'dash values': 'kind: A\na: -\nb: - x\nc: -x\n',
  'empty values': 'kind: A\na:\nb: \nc: {}\nd: []\ne: ""\n',
  'document end then text': 'kind: A\n...\nkind: B\n',
  'indentation error': 'kind: A\nspec:\n  a: 1\n b: 2\n',
};

/** The documents above that the fast path takes; every other one it must decline. */
const FAST = new Set([
  'quoted first key',
  'comment lines before the first key',
  'multi-document with comments and end markers',
  'document starting on the --- line',
  'flow map root',
  'indented root map',
  'CRLF line ends',
  'tabs after values',
  'block scalars',
  'str tag',
  'map tag',
  'number and bool keys',
  'quoted keys',
  'proto key',
  'nested flow',
  'json style',
  'comment after key',
  'compact nested seq',
  'seq at key indent',
  'only comments',
  'empty file',
  'document end only',
  'key with colon in value',
  'unicode',
  'NEL and line separator',
  'percent in value',
  'empty values',
  'document end then text',
]);

describe('parsePlainYaml agrees with the positioned parser', () => {
  for (const s of SCALARS) {
    test(`scalar ${JSON.stringify(s)}`, () => {
      agree(doc(`  hosts:\n  - ${s}\n  value: ${s}\n  list: [${s}]\n`));
      agree(doc(`  value: ${s}\n`));
    });
  }
  for (const [name, text] of Object.entries(DOCUMENTS)) {
    test(name, () => {
      assert.equal(agree(text), FAST.has(name) ? 'fast' : 'declined');
    });
  }
});

/** Every path to a value in `value`, '$'-rooted as PositionLookup takes them. */
function paths(value: unknown, prefix: (string | number)[] = ['$']): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((v, i) => paths(v, [...prefix, i]))];
  if (typeof value === 'object' && value !== null)
    return [prefix, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]))];
  return [prefix];
}

describe('parseYamlFile', () => {
  test('a fast-parsed document finds every field where the positioned parser does', () => {
    const text = readFileSync('test/fixtures/validation/virtual-service/invalid.yaml', 'utf8');
    const fast = parseYamlFile('vs.yaml', text);
    const slow = parseYamlDocuments('vs.yaml', text);
    assert.equal(fast.documents.length, slow.documents.length);
    let checked = 0;
    fast.documents.forEach((doc, i) => {
      for (const path of paths(doc.value)) {
        assert.deepEqual(doc.positions(path), slow.documents[i]?.positions(path), path.join('.'));
        checked++;
      }
    });
    assert.ok(checked > 100);
  });

  test('a file the fast parser declines is read with positions, problems included', () => {
    const text = 'kind: A\n---\nkind: B\nhosts: [a\n---\nkind: C\n';
    const plain = (r: ReturnType<typeof parseYamlDocuments>): unknown => ({
      documents: r.documents.map((d) => [d.position, d.value, d.positions(['$', 'kind'])]),
      problems: r.problems,
    });
    const fast = parseYamlFile('m.yaml', text);
    assert.equal(fast.problems.length, 1);
    assert.deepEqual(plain(fast), plain(parseYamlDocuments('m.yaml', text)));
  });
});

describe('hasUnsafeText', () => {
  // The single regular expression it replaced, kept as the reference: a BOM aside, the two must agree.
  const reference = /^%|\r(?!\n)|(?:^|[\s[{,-])[?:](?:[ \t]|$)|!</m;
  const pieces = [
    'a',
    ' ',
    '\t',
    '\n',
    '\r',
    '\r\n',
    ':',
    '?',
    '%',
    '-',
    ',',
    '[',
    '{',
    '!',
    '<',
    '\u00a0',
    '\u2028',
    'x:',
  ];

  test('agrees with the one-pattern check on random texts', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let unsafe = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: 1 + random(8) }, () => pieces[random(pieces.length)]).join('');
      const expected = reference.test(text);
      if (expected) unsafe++;
      assert.equal(hasUnsafeText(text), expected, JSON.stringify(text));
    }
    assert.ok(unsafe > 1000 && unsafe < 19_000, `both outcomes are exercised (${unsafe} unsafe)`);
  });

  test('a byte-order mark', () => assert.equal(hasUnsafeText('\ufeffkind: A\n'), true));
});

describe("parsePlainYaml on the repository's own YAML", () => {
  const files = [...yamlFiles('examples'), ...yamlFiles('test/fixtures')];
  test('finds the fixtures', () => assert.ok(files.length > 20));
  for (const file of files) {
    test(file, () => {
      const outcome = agree(readFileSync(file, 'utf8'));
      // Only the malformed file and the `kind: List` file need positions to be read at all.
      assert.equal(outcome, /malformed|list\.yaml$/.test(file) ? 'declined' : 'fast');
    });
  }
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}
