// Embedding API: load and validate Istio networking YAML into the frozen model the compiler reads.
export { loadConfig, LoadCode } from './validation/validate.ts';
export type { KindRule, KindRules, LoadOptions, LoadResult, SkippedDocument } from './validation/validate.ts';
export { kindRules } from './validation/kind-rules.ts';
export type { LocatedFinding } from './validation/located-finding.ts';
export { loadMeshConfig, parseMeshConfig } from './config/mesh-config.ts';
export type { MeshConfigResult } from './config/mesh-config.ts';
export { DEFAULT_MESH_CONFIG } from './config/defaults.ts';
export { parseDurationMs } from './config/duration.ts';
export type { UnreadableInput } from './config/yaml-documents.ts';
export type * from './config/model.ts';
export type * from './config/resource.ts';
