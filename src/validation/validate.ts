// Stage 2 entry: YAML files → documents → decode → Istio's rules per kind → defaults → a frozen ConfigSet.
import { decodeSpec, type SpecByKind } from '../config/decode.ts';
import {
  destinationRuleWithDefaults,
  serviceEntryWithDefaults,
  sidecarWithDefaults,
  virtualServiceWithDefaults,
} from '../config/defaults.ts';
import { deepFreeze } from '../config/deep-freeze.ts';
import { identify, type IdentifiedResource } from '../config/identify.ts';
import { loadMeshConfig } from '../config/mesh-config.ts';
import type { ConfigResource, ConfigSet, DeepReadonly, MeshConfig } from '../config/model.ts';
import { DEFAULT_NAMESPACE, formatKey, type Kind, type ResourceKey, type SourcePosition } from '../config/resource.ts';
import {
  parseYamlFile,
  readYamlFiles,
  type UnreadableInput,
  type YamlDocument,
  type YamlFile,
} from '../config/yaml-documents.ts';
import type { ValidationContext } from './context.ts';
import { Findings } from './findings.ts';
import { kindRules as productionRules } from './kind-rules.ts';
import { locate, positionFields, type LocatedFinding } from './located-finding.ts';
import { validateMetadata } from './metadata.ts';

/** The rules of one kind: append findings (paths relative to `spec`), never throw. */
export type KindRule<K extends Kind> = (spec: SpecByKind[K], ctx: ValidationContext, findings: Findings) => void;
export type KindRules = { readonly [K in Kind]: KindRule<K> };

export const LoadCode = {
  yamlSyntax: 'YAML_SYNTAX',
  duplicate: 'DUPLICATE_RESOURCE',
  internal: 'INTERNAL_ERROR',
} as const;

export interface LoadOptions {
  /** Namespace of resources whose metadata has none (CLI --namespace); default "default". */
  readonly namespace?: string;
  readonly meshConfigPath?: string;
  readonly kindRules?: KindRules;
}

/** A document of a kind meshgate does not read; listed so users see it was not silently used. */
export interface SkippedDocument {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export interface LoadResult {
  readonly configSet: ConfigSet;
  /** Sorted by file (in load order), line and column. */
  readonly findings: readonly LocatedFinding[];
  readonly skipped: readonly SkippedDocument[];
  readonly files: readonly string[];
  /** Paths that could not be read at all; non-empty means the load is incomplete (CLI exit 2). */
  readonly unreadable: readonly UnreadableInput[];
  /** Documents of the four kinds found, valid or not. */
  readonly resourceCount: number;
  /** The MeshConfig file had errors, so `configSet.mesh` holds Istio's defaults instead of it. */
  readonly meshConfigRejected: boolean;
}

type AnyResource = ConfigResource<unknown>;

/** Loads and validates everything under `paths`. Never throws on bad input: every problem is a finding. */
export async function loadConfig(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const meshResult = await loadMeshConfig(options.meshConfigPath);
  const read = await readYamlFiles(paths);
  const checked = checkYamlFiles(read.files, meshResult.mesh, options);
  const files = read.files.map((f) => f.file);
  const unreadable = [...(meshResult.unreadable === undefined ? [] : [meshResult.unreadable]), ...read.unreadable];
  return {
    ...checked,
    findings: sortFindings([...meshResult.findings, ...checked.findings], files, options.meshConfigPath),
    unreadable,
    meshConfigRejected: meshResult.rejected,
  };
}

/**
 * Validates files already read against a MeshConfig already loaded: loadConfig without the reading, for
 * a caller that holds both (the directory source re-checks one changed file at a time). Never throws.
 */
export function checkYamlTexts(
  files: readonly YamlFile[],
  mesh: MeshConfig,
  options: Pick<LoadOptions, 'namespace' | 'kindRules'> = {},
): LoadResult {
  const checked = checkYamlFiles(files, mesh, options);
  return {
    ...checked,
    findings: sortFindings(
      checked.findings,
      files.map((f) => f.file),
      undefined,
    ),
    unreadable: [],
    meshConfigRejected: false,
  };
}

type CheckedFiles = Omit<LoadResult, 'unreadable' | 'meshConfigRejected'>;

function checkYamlFiles(
  files: readonly YamlFile[],
  mesh: MeshConfig,
  options: Pick<LoadOptions, 'namespace' | 'kindRules'>,
): CheckedFiles {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const rules = options.kindRules ?? productionRules;
  const problems: LocatedFinding[] = [];
  const documentFindings: LocatedFinding[] = [];
  const skipped: SkippedDocument[] = [];
  const accepted: Record<Kind, AnyResource[]> = {
    ServiceEntry: [],
    VirtualService: [],
    DestinationRule: [],
    Sidecar: [],
  };
  const seen = new Map<string, SourcePosition>();
  let resourceCount = 0;
  // File by file, so that a file's parsed data is garbage before the next is read: on a large folder,
  // holding every file's documents until the end made the garbage collector copy them all.
  for (const { file, text } of files) {
    const parsed = parseYamlFile(file, text);
    for (const problem of parsed.problems) {
      problems.push({
        severity: 'error',
        code: LoadCode.yamlSyntax,
        message: problem.message,
        path: [],
        ...positionFields(problem.position),
      });
    }
    for (const doc of parsed.documents) {
      const local = new Findings();
      const identity = identify(doc.value, namespace, local);
      if (identity.type === 'skipped') {
        const { apiVersion, kind, namespace: ns, name } = identity;
        skipped.push({ ...positionFields(doc.position), apiVersion, kind, namespace: ns, name });
        continue;
      }
      if (identity.type === 'invalid') {
        const { kind, namespace: ns, name } = identity;
        documentFindings.push(...locate(local.items, doc.positions, { kind, namespace: ns, name }));
        continue;
      }
      resourceCount++;
      const resource = checkResource(identity, doc, local, rules, mesh, seen);
      documentFindings.push(...locate(local.items, doc.positions, identity.key));
      if (resource !== undefined) accepted[identity.key.kind].push(resource);
    }
  }
  return {
    configSet: buildConfigSet(accepted, mesh),
    findings: [...problems, ...documentFindings],
    skipped,
    files: files.map((f) => f.file),
    resourceCount,
  };
}

/** Runs every check on one resource; returns it with defaults applied, or undefined when it has an error. */
function checkResource(
  identity: IdentifiedResource,
  doc: YamlDocument,
  findings: Findings,
  rules: KindRules,
  mesh: MeshConfig,
  seen: Map<string, SourcePosition>,
): AnyResource | undefined {
  const { key } = identity;
  validateMetadata(key.kind, identity.annotations, findings);
  const id = formatKey(key);
  const first = seen.get(id);
  if (first === undefined) seen.set(id, doc.position);
  else {
    const where = `${first.file}:${first.line}:${first.column}`;
    findings.error(['$', 'metadata', 'name'], LoadCode.duplicate, `duplicate resource: already defined at ${where}`);
  }
  const spec = decodeSpec(key.kind, identity.spec, findings);
  if (findings.hasErrors) return undefined;
  const ctx: ValidationContext = {
    namespace: key.namespace,
    name: key.name,
    labels: identity.labels,
    annotations: identity.annotations,
  };
  try {
    runRules(rules, key.kind, spec, ctx, findings);
  } catch (err) {
    // A rule that throws is a meshgate bug; the resource is rejected rather than the whole load failing.
    findings.error(
      [],
      LoadCode.internal,
      `internal error while validating: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (findings.hasErrors) return undefined;
  const labels = copyOrNone(identity.labels);
  const annotations = copyOrNone(identity.annotations);
  const source = doc.position;
  const defaulted = withDefaults(key.kind, spec, mesh);
  const { creationTimestamp } = identity;
  // Frozen whole here, so that freezing the ConfigSet only has its lists left to do. Two literals, not a
  // conditional spread, with the same field order.
  return deepFreeze(
    creationTimestamp === undefined
      ? { key, labels, annotations, source, spec: defaulted }
      : { key, labels, annotations, creationTimestamp, source, spec: defaulted },
  );
}

/** Most resources have no labels or annotations: they share one frozen empty map instead of 20k. */
const NONE: Readonly<Record<string, string>> = Object.freeze({});

function copyOrNone(map: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  for (const _ in map) return { ...map };
  return NONE;
}

function runRules(
  rules: KindRules,
  kind: Kind,
  spec: SpecByKind[Kind],
  ctx: ValidationContext,
  findings: Findings,
): void {
  // The switch ties each kind to its own spec type, which an indexed call cannot express.
  switch (kind) {
    case 'ServiceEntry':
      return rules.ServiceEntry(spec as SpecByKind['ServiceEntry'], ctx, findings);
    case 'VirtualService':
      return rules.VirtualService(spec as SpecByKind['VirtualService'], ctx, findings);
    case 'DestinationRule':
      return rules.DestinationRule(spec as SpecByKind['DestinationRule'], ctx, findings);
    case 'Sidecar':
      return rules.Sidecar(spec as SpecByKind['Sidecar'], ctx, findings);
  }
}

/** The spec was decoded for this load alone, so defaults freeze it in place instead of copying it. */
function withDefaults(kind: Kind, spec: SpecByKind[Kind], mesh: MeshConfig): DeepReadonly<unknown> {
  switch (kind) {
    case 'ServiceEntry':
      return serviceEntryWithDefaults(spec as SpecByKind['ServiceEntry'], mesh, 'adopt');
    case 'VirtualService':
      return virtualServiceWithDefaults(spec as SpecByKind['VirtualService'], mesh, 'adopt');
    case 'DestinationRule':
      return destinationRuleWithDefaults(spec as SpecByKind['DestinationRule'], mesh, 'adopt');
    case 'Sidecar':
      return sidecarWithDefaults(spec as SpecByKind['Sidecar'], 'adopt');
  }
}

function buildConfigSet(accepted: Readonly<Record<Kind, AnyResource[]>>, mesh: MeshConfig): ConfigSet {
  const of = <S>(kind: Kind): ConfigResource<S>[] =>
    (accepted[kind] as ConfigResource<S>[]).sort((a, b) => compareKeys(a.key, b.key));
  return deepFreeze({
    serviceEntries: of('ServiceEntry'),
    virtualServices: of('VirtualService'),
    destinationRules: of('DestinationRule'),
    sidecars: of('Sidecar'),
    mesh,
  }) as ConfigSet;
}

function compareKeys(a: ResourceKey, b: ResourceKey): number {
  return a.namespace === b.namespace
    ? a.name < b.name
      ? -1
      : a.name > b.name
        ? 1
        : 0
    : a.namespace < b.namespace
      ? -1
      : 1;
}

function sortFindings(
  findings: readonly LocatedFinding[],
  files: readonly string[],
  meshPath: string | undefined,
): LocatedFinding[] {
  const order = new Map<string, number>(files.map((f, i) => [f, i]));
  if (meshPath !== undefined) order.set(meshPath, -1);
  return findings
    .map((f, i) => ({ f, i }))
    .sort(
      (a, b) =>
        (order.get(a.f.file) ?? 0) - (order.get(b.f.file) ?? 0) ||
        a.f.line - b.f.line ||
        a.f.column - b.f.column ||
        a.i - b.i,
    )
    .map(({ f }) => f);
}
