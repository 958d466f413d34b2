// The exportTo rules every networking kind shares (Istio's validateExportTo): which namespaces may see a resource.
import type { FieldPath } from '../config/resource.ts';
import { isDns1123Label } from './fields.ts';
import type { Findings } from './findings.ts';

/** '.' = the resource's own namespace, '*' = every namespace, '~' = nobody (ServiceEntry only). */
export const EXPORT_PRIVATE = '.';
export const EXPORT_PUBLIC = '*';
export const EXPORT_NONE = '~';

export interface ExportToOptions {
  /** Only a ServiceEntry may be exported to nobody ('~'). */
  readonly isServiceEntry: boolean;
  /** A DestinationRule with a workloadSelector may only be exported to its own namespace. */
  readonly isDestinationRuleWithSelector?: boolean;
}

/**
 * Checks `exportTo` of a resource living in `namespace`. Problems with one entry point at that entry;
 * problems with the combination point at the list.
 */
export function validateExportTo(
  exportTo: readonly string[] | undefined,
  namespace: string,
  options: ExportToOptions,
  findings: Findings,
  path: FieldPath = ['exportTo'],
): void {
  if (exportTo === undefined || exportTo.length === 0) return;

  // Namespaces seen so far, with '.' replaced by the own namespace so ". + own name" counts as a duplicate.
  const seen = new Set<string>();
  for (const [i, entry] of exportTo.entries()) {
    const key = entry === EXPORT_PRIVATE ? namespace : entry;
    if (seen.has(key)) {
      const message =
        key !== entry
          ? `duplicate entries in exportTo: . and current namespace ${namespace}`
          : `duplicate entries in exportTo for entry ${entry}`;
      findings.error([...path, i], 'EXPORT_TO_DUPLICATE', message);
      continue;
    }
    if (entry === EXPORT_NONE && options.isServiceEntry) {
      seen.add(key);
      continue;
    }
    const problem = entryProblem(key);
    if (problem === undefined) seen.add(key);
    else findings.error([...path, i], problem.code, problem.message);
  }

  if (options.isDestinationRuleWithSelector === true && seen.size > 0) {
    if (!seen.has(namespace)) {
      findings.error(
        path,
        'EXPORT_TO_DR_SELECTOR_BEYOND_NAMESPACE',
        'destination rule with workload selector cannot have exportTo beyond current namespace',
      );
    } else if (seen.size > 1) {
      findings.error(
        path,
        'EXPORT_TO_DR_SELECTOR_MULTIPLE',
        'destination rule with workload selector cannot have multiple entries in exportTo',
      );
    }
  }

  // Listing namespaces next to '*' means nothing more than '*', so Istio refuses the mix.
  if (seen.has(EXPORT_PUBLIC) && exportTo.length > 1) {
    findings.error(
      path,
      'EXPORT_TO_PUBLIC_MIXED',
      'cannot have both public (*) and non-public exportTo values for a resource',
    );
  }
  if (seen.has(EXPORT_NONE) && exportTo.length > 1) {
    findings.error(path, 'EXPORT_TO_NONE_MIXED', 'cannot export service entry to no one (~) and someone');
  }
}

function entryProblem(entry: string): { code: string; message: string } | undefined {
  if (entry === EXPORT_PRIVATE || entry === EXPORT_PUBLIC) return undefined;
  if (entry === EXPORT_NONE) {
    return {
      code: 'EXPORT_TO_NONE_NOT_ALLOWED',
      message: 'exportTo ~ (none) is not allowed for Istio configuration objects',
    };
  }
  if (!isDns1123Label(entry)) {
    return { code: 'EXPORT_TO_INVALID', message: 'only .,*, or a valid DNS 1123 label is allowed as exportTo entry' };
  }
  return undefined;
}
