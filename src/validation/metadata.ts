// Istio's generic metadata rules, applied to every kind before its own rules.
import type { Findings } from './findings.ts';

export const MetadataCode = { dryRun: 'DRY_RUN_ANNOTATION' } as const;

const DRY_RUN = 'istio.io/dry-run';

/** Paths are '$'-rooted (metadata lives outside `spec`). */
export function validateMetadata(
  kind: string,
  annotations: Readonly<Record<string, string>>,
  findings: Findings,
): void {
  if (Object.hasOwn(annotations, DRY_RUN) && kind !== 'AuthorizationPolicy') {
    findings.error(
      ['$', 'metadata', 'annotations', DRY_RUN],
      MetadataCode.dryRun,
      `annotation ${DRY_RUN} is only allowed on AuthorizationPolicy, not on ${kind}`,
    );
  }
}
