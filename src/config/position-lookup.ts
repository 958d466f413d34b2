// Maps a FieldPath of one YAML document to the file:line:col where that field was written.
import type { Document, LineCounter, Node } from 'yaml';
import { positionedYaml } from './yaml-positioned.ts';
import type { FieldPath, PositionLookup, SourcePosition } from './resource.ts';

/**
 * Builds the lookup for the resource rooted at `root` (a whole document, or one item of a `kind: List`).
 * Paths are relative to the resource's `spec`; a leading '$' makes them relative to the resource itself.
 * Map fields resolve to their key, list indexes to the item; a path that goes further than the YAML
 * does resolves to the deepest part that exists, so every finding still points somewhere useful.
 */
export function createPositionLookup(
  file: string,
  doc: Document,
  root: Node,
  lineCounter: LineCounter,
): PositionLookup {
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const rootOffset = root.range?.[0] ?? 0;
  return (path: FieldPath): SourcePosition => {
    const fromRoot = path[0] === '$';
    const segments = fromRoot ? path.slice(1) : ['spec', ...path];
    let node: unknown = root;
    let offset = rootOffset;
    for (const segment of segments) {
      const step = childOf(doc, node, segment);
      if (step === undefined) break;
      offset = step.offset;
      node = step.node;
    }
    return at(offset);
  };
}

function childOf(
  doc: Document,
  node: unknown,
  segment: string | number,
): { node: unknown; offset: number } | undefined {
  const { isAlias, isMap, isScalar, isSeq } = positionedYaml();
  const resolved = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(resolved)) {
    for (const pair of resolved.items) {
      const key = pair.key;
      const keyValue = isScalar(key) ? key.value : key;
      if (String(keyValue) !== String(segment)) continue;
      const keyOffset = isScalar(key) ? key.range?.[0] : undefined;
      const valueOffset = (pair.value as Node | null)?.range?.[0];
      const offset = keyOffset ?? valueOffset;
      return offset === undefined ? undefined : { node: pair.value, offset };
    }
    return undefined;
  }
  if (isSeq(resolved) && typeof segment === 'number') {
    const item = resolved.items[segment] as Node | undefined;
    const offset = item?.range?.[0];
    return item === undefined || offset === undefined ? undefined : { node: item, offset };
  }
  return undefined;
}
