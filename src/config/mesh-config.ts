// Loads the MeshConfig file (the `mesh` YAML of Istio's ConfigMap, or the whole ConfigMap) into the model.
import { readFile } from 'node:fs/promises';
import { Findings } from '../validation/findings.ts';
import { locate, type LocatedFinding } from '../validation/located-finding.ts';
import { validateMeshConfig } from '../validation/mesh-config.ts';
import { decodeMessage } from './decode.ts';
import { DEFAULT_MESH_CONFIG, meshConfigWithDefaults } from './defaults.ts';
import type { MeshConfig } from './model.ts';
import type { PositionLookup, SourcePosition } from './resource.ts';
import { meshConfigSchema } from './schema/mesh-config.ts';
import { parseYamlDocuments, parseYamlFile, type UnreadableInput, type YamlDocument } from './yaml-documents.ts';
import type { MeshConfigSpec } from './wire/mesh-config.ts';

export const MeshConfigLoadCode = { syntax: 'YAML_SYNTAX' } as const;

export interface MeshConfigResult {
  /** The mesh to use: Istio's defaults when there is no file or the file has errors. */
  readonly mesh: MeshConfig;
  readonly findings: readonly LocatedFinding[];
  /** True when the file had errors: callers that already run with a good mesh should keep it. */
  readonly rejected: boolean;
  readonly unreadable?: UnreadableInput;
}

const SUBJECT = { kind: 'MeshConfig' };

/** Reads and checks one MeshConfig file. Never throws. */
export async function loadMeshConfig(path: string | undefined): Promise<MeshConfigResult> {
  if (path === undefined) return { mesh: DEFAULT_MESH_CONFIG, findings: [], rejected: false };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const message =
      err instanceof Error && 'code' in err && err.code === 'ENOENT'
        ? 'no such file or directory'
        : String(err instanceof Error ? err.message : err);
    return { mesh: DEFAULT_MESH_CONFIG, findings: [], rejected: true, unreadable: { path, message } };
  }
  return parseMeshConfig(path, text);
}

/** Checks MeshConfig text; `file` only names it in findings. */
export function parseMeshConfig(file: string, text: string): MeshConfigResult {
  const outer = parseYamlFile(file, text);
  const syntax = outer.problems.map((p) => problemFinding(p.position, p.message));
  const doc = outer.documents[0];
  if (syntax.length > 0 || doc === undefined) {
    return { mesh: DEFAULT_MESH_CONFIG, findings: syntax, rejected: syntax.length > 0 };
  }
  if (outer.documents.length > 1) {
    const extra = outer.documents[1] as YamlDocument;
    return reject([problemFinding(extra.position, 'a MeshConfig file holds one document, found more')]);
  }
  const embedded = configMapMesh(doc, text);
  if (embedded === 'not-a-string') {
    return reject([
      problemFinding(
        doc.positions(['$', 'data', 'mesh']),
        'ConfigMap data.mesh must be a string holding the MeshConfig YAML',
      ),
    ]);
  }
  if (embedded !== undefined && embedded.problems.length > 0) return reject(embedded.problems);
  const source = embedded ?? { value: doc.value, positions: doc.positions };
  // Rules and the decoder write paths relative to the MeshConfig itself, i.e. the document root.
  const positions: PositionLookup = (path) => source.positions(path[0] === '$' ? path : ['$', ...path]);
  const findings = new Findings();
  const spec = decodeMessage(source.value ?? {}, meshConfigSchema, findings, []) as MeshConfigSpec;
  // The decoder dropped every field of the wrong type, so the rules can still run and report the rest.
  validateMeshConfig(spec, findings);
  const located = locate(findings.items, positions, SUBJECT).sort((a, b) => a.line - b.line || a.column - b.column);
  if (findings.hasErrors) return reject(located);
  return { mesh: meshConfigWithDefaults(spec), findings: located, rejected: false };
}

/**
 * For a whole ConfigMap, returns the `data.mesh` YAML with positions mapped back into the outer file:
 * a block scalar (`mesh: |`) keeps its lines, shifted by where it starts and how far it is indented.
 */
function configMapMesh(
  doc: YamlDocument,
  text: string,
): { value: unknown; positions: PositionLookup; problems: LocatedFinding[] } | 'not-a-string' | undefined {
  const value = doc.value as { kind?: unknown; data?: { mesh?: unknown } } | null;
  if (value?.kind !== 'ConfigMap') return undefined;
  const mesh = value.data?.mesh;
  if (typeof mesh !== 'string') return 'not-a-string';
  const keyAt = doc.positions(['$', 'data', 'mesh']);
  const inner = parseYamlDocuments(keyAt.file, mesh);
  const shift = blockShift(text, keyAt);
  const map = (p: SourcePosition): SourcePosition =>
    shift === undefined ? keyAt : { file: keyAt.file, line: p.line + shift.lines, column: p.column + shift.columns };
  const problems = inner.problems.map((p) => problemFinding(map(p.position), p.message));
  const first = inner.documents[0];
  if (first === undefined) return { value: {}, positions: () => keyAt, problems };
  return { value: first.value, positions: (path) => map(first.positions(path)), problems };
}

function blockShift(text: string, keyAt: SourcePosition): { lines: number; columns: number } | undefined {
  const lines = text.split(/\r?\n/);
  const header = lines[keyAt.line - 1] ?? '';
  if (!/:\s*[|>][-+0-9]*\s*(#.*)?$/.test(header)) return undefined;
  const firstContent = lines.slice(keyAt.line).findIndex((l) => l.trim() !== '');
  if (firstContent < 0) return undefined;
  const indent = /^ */.exec(lines[keyAt.line + firstContent] ?? '')?.[0].length ?? 0;
  return { lines: keyAt.line, columns: indent };
}

function problemFinding(position: SourcePosition, message: string): LocatedFinding {
  return {
    severity: 'error',
    code: MeshConfigLoadCode.syntax,
    message,
    path: [],
    file: position.file,
    line: position.line,
    column: position.column,
    ...SUBJECT,
  };
}

function reject(findings: LocatedFinding[]): MeshConfigResult {
  return { mesh: DEFAULT_MESH_CONFIG, findings, rejected: true };
}
