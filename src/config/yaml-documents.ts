// Stage 1 input: reads YAML files and folders into single documents with source positions (multi-doc, kind: List).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Document, LineCounter, Node } from 'yaml';
import { positionedYaml } from './yaml-positioned.ts';
import { createPositionLookup } from './position-lookup.ts';
import type { PositionLookup, SourcePosition } from './resource.ts';
import { parsePlainYaml } from './yaml-plain.ts';

/** One Kubernetes-style object from a file: a YAML document, or one item of a `kind: List`. */
export interface YamlDocument {
  readonly file: string;
  /** Where the object starts (its first key). */
  readonly position: SourcePosition;
  /** The object as plain data (maps, lists, strings, numbers, booleans, null). */
  readonly value: unknown;
  readonly positions: PositionLookup;
}

/** A document that could not be parsed; the file's other documents are still read. */
export interface YamlProblem {
  readonly position: SourcePosition;
  readonly message: string;
}

/** A path given by the user that could not be read at all (missing, permission denied, …). */
export interface UnreadableInput {
  readonly path: string;
  readonly message: string;
}

export interface YamlInputs {
  /** Every YAML file read, in the order their documents appear in `documents`. */
  readonly files: readonly string[];
  readonly documents: readonly YamlDocument[];
  readonly problems: readonly YamlProblem[];
  readonly unreadable: readonly UnreadableInput[];
}

const YAML_FILE = /\.ya?ml$/i;

/** One YAML file's text, as read. */
export interface YamlFile {
  readonly file: string;
  readonly text: string;
}

/** Reads files and folders (recursively, `.yaml`/`.yml` only, sorted by name) without parsing. Never throws. */
export async function readYamlFiles(
  paths: readonly string[],
): Promise<{ files: YamlFile[]; unreadable: UnreadableInput[] }> {
  const names: string[] = [];
  const unreadable: UnreadableInput[] = [];
  for (const path of paths) {
    try {
      names.push(...(await listYamlFiles(path, true)));
    } catch (err) {
      unreadable.push({ path, message: describeError(err) });
    }
  }
  // Read concurrently: on a large folder the reads overlap instead of queueing one by one.
  const texts = await Promise.all(names.map((file) => readFile(file, 'utf8').catch((err: unknown) => err)));
  const files: YamlFile[] = [];
  names.forEach((file, i) => {
    const text = texts[i];
    if (typeof text === 'string') files.push({ file, text });
    else unreadable.push({ path: file, message: describeError(text) });
  });
  return { files, unreadable };
}

/** Reads files and folders (see readYamlFiles) and splits them into documents with positions. Never throws. */
export async function readYamlInputs(paths: readonly string[]): Promise<YamlInputs> {
  const { files, unreadable } = await readYamlFiles(paths);
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  for (const { file, text } of files) {
    const parsed = parseYamlFile(file, text);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  return { files: files.map((f) => f.file), documents, problems, unreadable };
}

/**
 * Lists the YAML files under `path`. A file named explicitly is read whatever its extension; inside
 * folders only `.yaml`/`.yml` count, and hidden entries are skipped: Kubernetes mounts a ConfigMap as
 * `..data/` plus symlinks to it, and reading both would load every resource twice.
 */
async function listYamlFiles(path: string, explicit: boolean): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return explicit || YAML_FILE.test(path) ? [path] : [];
  const entries = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
  // Stat the entries concurrently (one by one, a folder of 100 files waited on 100 round trips).
  const infos = await Promise.all(entries.map((name) => stat(join(path, name)).catch(() => undefined)));
  const found: string[] = [];
  for (const [i, name] of entries.entries()) {
    const childInfo = infos[i];
    if (childInfo === undefined) continue;
    const child = join(path, name);
    if (childInfo.isDirectory()) found.push(...(await listYamlFiles(child, false)));
    else if (YAML_FILE.test(name)) found.push(child);
  }
  return found;
}

/**
 * Splits one file's text into objects, fast: js-yaml reads the file when it can (yaml-plain.ts), and
 * positions are worked out only if a document's lookup is called, that is, when it has a finding.
 * Files the fast parser declines are read by the positioned parser straight away.
 */
export function parseYamlFile(file: string, text: string): { documents: YamlDocument[]; problems: YamlProblem[] } {
  const plain = parsePlainYaml(file, text);
  if (plain === undefined) return parseYamlDocuments(file, text);
  const twin = new PositionedTwin(file, text, plain.length);
  const documents = plain.map(({ position, value }, index): YamlDocument => ({
    file,
    position,
    value,
    positions: twin.lookup(index, position),
  }));
  return { documents, problems: [] };
}

/**
 * The same file parsed with positions, document for document, on first use. The fast parser takes only
 * files both parsers read alike (see yaml-plain.ts and its tests); should they still differ, findings
 * fall back to where their document starts rather than to a field of another document.
 */
class PositionedTwin {
  readonly #file: string;
  readonly #text: string;
  readonly #count: number;
  #documents: YamlDocument[] | undefined | null = null;

  constructor(file: string, text: string, count: number) {
    this.#file = file;
    this.#text = text;
    this.#count = count;
  }

  lookup(index: number, start: SourcePosition): PositionLookup {
    return (path) => this.#parsed()?.[index]?.positions(path) ?? start;
  }

  #parsed(): YamlDocument[] | undefined {
    if (this.#documents === null) {
      const parsed = parseYamlDocuments(this.#file, this.#text);
      this.#documents =
        parsed.problems.length === 0 && parsed.documents.length === this.#count ? parsed.documents : undefined;
    }
    return this.#documents;
  }
}

/** Splits one file's text into objects; a malformed document becomes a problem at its own line. */
export function parseYamlDocuments(file: string, text: string): { documents: YamlDocument[]; problems: YamlProblem[] } {
  const { isMap, isSeq, LineCounter, parseAllDocuments } = positionedYaml();
  const lineCounter = new LineCounter();
  const documents: YamlDocument[] = [];
  const problems: YamlProblem[] = [];
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // `merge: true` honours `<<: *anchor` keys, which Kubernetes' YAML reader (go-yaml) also expands.
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true })) {
    if (doc.errors.length > 0) {
      for (const error of doc.errors)
        problems.push({ position: at(error.pos[0]), message: `invalid YAML: ${error.message}` });
      continue;
    }
    const root = doc.contents;
    if (root === null || (!isMap(root) && !isSeq(root) && isEmptyScalar(root))) continue;
    const value = toPlain(doc, root);
    if (value instanceof Error) {
      problems.push({ position: at(root.range?.[0] ?? 0), message: `invalid YAML: ${value.message}` });
      continue;
    }
    if (!isMap(root)) {
      problems.push({
        position: at(root.range?.[0] ?? 0),
        message: 'document is not a map of fields (expected apiVersion, kind, metadata, spec)',
      });
      continue;
    }
    const listItems = isRecord(value) && value['kind'] === 'List' ? root.get('items', true) : undefined;
    if (listItems === undefined) {
      documents.push(makeDocument(file, doc, root, value, lineCounter));
      continue;
    }
    if (!isSeq(listItems)) {
      problems.push({ position: at(root.range?.[0] ?? 0), message: 'kind: List must have a list of items' });
      continue;
    }
    for (const item of listItems.items as Node[]) {
      const itemValue = toPlain(doc, item);
      if (itemValue instanceof Error)
        problems.push({ position: at(item.range?.[0] ?? 0), message: `invalid YAML: ${itemValue.message}` });
      else documents.push(makeDocument(file, doc, item, itemValue, lineCounter));
    }
  }
  return { documents, problems };
}

function makeDocument(file: string, doc: Document, root: Node, value: unknown, lineCounter: LineCounter): YamlDocument {
  const positions = createPositionLookup(file, doc, root, lineCounter);
  return { file, position: positions(['$']), value, positions };
}

/** Converts to plain data; aliases beyond yaml's limit (a "billion laughs" file) come back as an Error. */
function toPlain(doc: Document, node: Node): unknown {
  try {
    return node.toJS(doc, { maxAliasCount: 100 });
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function isEmptyScalar(node: Node): boolean {
  return 'value' in node && (node.value === null || node.value === undefined);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') {
    const reasons: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
    };
    return reasons[err.code] ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
