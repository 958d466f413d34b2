// Stage 1 fast path: parses a YAML file into plain documents with js-yaml, keeping only where each starts.
//
// The positioned `yaml` parser (yaml-documents.ts) builds a syntax tree with offsets for every node,
// which costs ten times what js-yaml does on large folders. Positions matter only to report findings,
// so a file is parsed here first, and the caller re-parses with positions only the files that have
// findings. For that to be invisible, this parser must give exactly the documents the positioned one
// gives, or give up: it returns undefined whenever a file uses a YAML feature on which the two could
// disagree (anchors, tags, merge keys, directives, null or collection keys, a BOM, lone CRs, a
// document that is not a map, `kind: List`), and whenever js-yaml rejects the file.
import jsYaml from 'js-yaml';
import type { SourcePosition } from './resource.ts';

/** One object of a file and where it starts (its first key), as yaml-documents.ts would place it. */
export interface PlainDocument {
  readonly position: SourcePosition;
  readonly value: Record<string, unknown>;
}

/**
 * YAML 1.2's core schema as the `yaml` library resolves plain scalars (so `yes` stays a string and
 * dates stay strings). Its patterns are tried in order and the first match wins; a scalar's first
 * character rules out all but one group, so only that group is tried.
 */
const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const CORE_NUMBERS: readonly (readonly [RegExp, (text: string) => unknown])[] = [
  [/^0o[0-7]+$/, (s) => parseInt(s.substring(2), 8)],
  [/^[-+]?[0-9]+$/, (s) => parseInt(s, 10)],
  [/^0x[0-9a-fA-F]+$/, (s) => parseInt(s.substring(2), 16)],
  [
    /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    (s) => (s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity),
  ],
  [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, (s) => parseFloat(s)],
  [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, (s) => parseFloat(s)],
];

function resolveScalar(text: string): unknown {
  if (text === '') return null;
  const c = text.charCodeAt(0);
  // ~ n N: null or a string.
  if (c === 0x7e || c === 0x6e || c === 0x4e) return CORE_NULL.test(text) ? null : text;
  // t T f F: a boolean or a string.
  if (c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46)
    return CORE_BOOL.test(text) ? c === 0x74 || c === 0x54 : text;
  // 0-9 - + .: a number or a string.
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) {
    for (const [test, construct] of CORE_NUMBERS) if (test.test(text)) return construct(text);
  }
  return text;
}

/** js-yaml calls construct right after a resolve that said yes, on the same text: resolve once. */
let resolved: unknown;

/**
 * One implicit type for all of them: js-yaml tries every implicit type on every plain scalar, and most
 * scalars in a config are names, which the first-character check settles at once. The tag is private:
 * an explicit `!!int` or `!!null` is then an unknown tag to js-yaml, which throws, and the file goes to
 * the positioned parser.
 */
const CORE_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    new jsYaml.Type('tag:meshgate.dev,2026:core-scalar', {
      kind: 'scalar',
      resolve: (data: unknown) => typeof data === 'string' && (resolved = resolveScalar(data)) !== data,
      construct: () => resolved,
    }),
  ],
});

/** The parts of js-yaml's parser state a listener can read (its typings list only some of them). */
interface ParserState {
  readonly input: string;
  readonly position: number;
  readonly line: number;
  readonly lineStart: number;
  readonly depth: number;
  readonly kind: string | null;
  readonly tag: string | null;
  readonly anchor: string | null;
  readonly result: unknown;
}

/** Thrown from the listener to stop at the first feature this path does not take. */
class NotPlain extends Error {}

/**
 * Whole-file checks that are cheaper as one scan than per node: directives (`%YAML 1.1` would change
 * how scalars resolve), a byte-order mark or a lone CR (the two parsers count columns differently),
 * an empty key (`: value`), which js-yaml reads without telling its listener, and a verbatim tag
 * (`!<…>`), which could name this schema's private tag. Searched for character by character: one
 * regular expression for all of them tried a match at every position of the file.
 */
export function hasUnsafeText(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first === 0xfeff || first === 0x25 || text.includes('!<')) return true;
  if (text.includes('\n%') || text.includes('\u2028%') || text.includes('\u2029%')) return true;
  for (let cr = text.indexOf('\r'); cr >= 0; cr = text.indexOf('\r', cr + 1)) {
    if (text.charCodeAt(cr + 1) !== 0x0a) return true;
  }
  return hasEmptyKey(text, ':') || hasEmptyKey(text, '?');
}

/** A `:` (or `?`) that starts a line or follows a space or `[{,-`, and ends its line or precedes a blank. */
function hasEmptyKey(text: string, indicator: string): boolean {
  for (let at = text.indexOf(indicator); at >= 0; at = text.indexOf(indicator, at + 1)) {
    const next = text.charCodeAt(at + 1);
    const endsToken = Number.isNaN(next) || next === 0x20 || next === 0x09 || isLineBreak(next);
    if (endsToken && (at === 0 || opensToken(text.charCodeAt(at - 1)))) return true;
  }
  return false;
}

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/** Whitespace (as a regular expression's \s) or one of `[{,-`. */
function opensToken(c: number): boolean {
  if (c === 0x5b || c === 0x7b || c === 0x2c || c === 0x2d || c === 0x20 || (c >= 0x09 && c <= 0x0d)) return true;
  return c > 0x7f && /\s/.test(String.fromCharCode(c));
}

/** Parses `text`; undefined means "use the positioned parser for this file". Never throws. */
export function parsePlainYaml(file: string, text: string): PlainDocument[] | undefined {
  if (hasUnsafeText(text)) return undefined;
  const starts: SourcePosition[] = [];
  // The line each open node started on, by depth: a node that ends on a later line spans lines.
  const openLines: number[] = [];
  let values: unknown[];
  try {
    values = jsYaml.loadAll(text, null, {
      schema: CORE_SCHEMA,
      listener(event, raw) {
        const state = raw as unknown as ParserState;
        if (event === 'open') {
          openLines[state.depth] = state.line;
          if (state.depth === 1)
            starts.push({ file, line: state.line + 1, column: state.position - state.lineStart + 1 });
          return;
        }
        checkNode(state, state.line > (openLines[state.depth] ?? state.line));
      },
    });
  } catch {
    return undefined;
  }
  const documents: PlainDocument[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null) continue;
    // Anything but a map is a problem to report with its position; `kind: List` needs item positions.
    if (!isRecord(value) || value['kind'] === 'List') return undefined;
    const position = starts[i];
    if (position === undefined) return undefined;
    documents.push({ position, value });
  }
  return documents;
}

function checkNode(state: ParserState, spansLines: boolean): void {
  const { result, kind } = state;
  // An anchor can be aliased (shared objects, merge keys); a lone `!` makes a plain scalar a string.
  if (state.anchor !== null || state.tag === '!' || result === '<<') throw new NotPlain();
  // yaml checks the indentation of a quoted or plain scalar's and a flow collection's later lines;
  // js-yaml does not. A block scalar (`|`, `>`) ends at a line break, and both read those alike.
  if (spansLines && endsInsideLine(state)) throw new NotPlain();
  // A null or a collection used as a map key: js-yaml and yaml turn it into different strings.
  if ((result === null || kind === 'sequence' || kind === 'mapping') && keyFollows(state)) throw new NotPlain();
  // yaml limits an implicit key to 1024 characters; js-yaml does not.
  if (typeof result === 'string' && result.length > 1000 && keyFollows(state)) throw new NotPlain();
}

/**
 * Whether the node just read ended on a token of its own (a quote, a plain scalar's last character, a
 * flow collection's bracket) rather than after a block scalar's or block collection's line break.
 */
function endsInsideLine(state: ParserState): boolean {
  const last = state.input.charCodeAt(state.position - 1);
  if (state.kind === 'scalar') return last !== 0x0a && last !== 0x20 && last !== 0x09 && last !== 0x0d;
  return last === 0x5d || last === 0x7d;
}

/** Whether the next token after the node just read is a `:` that makes the node a key. */
function keyFollows(state: ParserState): boolean {
  const { input } = state;
  let i = state.position;
  for (let c = input.charCodeAt(i); c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d; c = input.charCodeAt(++i));
  if (input.charCodeAt(i) !== 0x3a) return false;
  const next = input.charCodeAt(i + 1);
  return (
    Number.isNaN(next) ||
    next === 0 ||
    next === 0x20 ||
    next === 0x09 ||
    next === 0x0a ||
    next === 0x0d ||
    next === 0x2c ||
    next === 0x5d ||
    next === 0x7d
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
