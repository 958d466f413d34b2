// Istio's validateExportTo for MeshConfig's default*ExportTo lists: `.`, `*`, `~` (services only) or namespaces.
import { formatFieldPath } from '../config/field-path.ts';
import type { FieldPath } from '../config/resource.ts';
import type { Findings } from './findings.ts';

export const ExportToCode = { invalid: 'invalid-export-to' } as const;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function checkMeshExportTo(list: readonly string[] | undefined, path: FieldPath, findings: Findings, allowNone: boolean): void {
  if (list === undefined) return;
  const field = formatFieldPath(path);
  const seen = new Set<string>();
  for (const [index, entry] of list.entries()) {
    const at = [...path, index];
    if (typeof entry !== 'string') continue; // already reported by the decoder
    if (entry === '~' && !allowNone) {
      findings.error(at, ExportToCode.invalid, `${field}: exportTo ~ (none) is not allowed for Istio configuration objects`);
    } else if (entry !== '.' && entry !== '*' && entry !== '~' && (entry.length > 63 || !DNS1123_LABEL.test(entry))) {
      findings.error(at, ExportToCode.invalid, `${field}: "${entry}" is not ".", "*", "~" or a namespace name`);
    }
    if (seen.has(entry)) findings.error(at, ExportToCode.invalid, `${field}: duplicate entry "${entry}"`);
    seen.add(entry);
  }
  if (list.length > 1 && seen.has('*')) {
    findings.error(path, ExportToCode.invalid, `${field}: cannot have both public (*) and non-public exportTo values`);
  }
  if (list.length > 1 && seen.has('~')) {
    findings.error(path, ExportToCode.invalid, `${field}: cannot have both none (~) and other exportTo values`);
  }
}
