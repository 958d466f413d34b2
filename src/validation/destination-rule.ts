// Istio's DestinationRule rules (ValidateDestinationRule), top to bottom; policies are checked in traffic-policy.ts.
import type { DestinationRuleSpec } from '../config/wire/destination-rule.ts';
import type { ValidationContext } from './context.ts';
import { validateExportTo } from './export-to.ts';
import { validateLabels, validateSubsetName, validateWildcardDomain } from './fields.ts';
import type { Findings } from './findings.ts';
import { checkTrafficPolicy } from './traffic-policy.ts';

/** DestinationRule's selector is istio.type.v1beta1.WorkloadSelector (`matchLabels`). */
function checkWorkloadSelector(selector: DestinationRuleSpec['workloadSelector'], findings: Findings): void {
  if (!selector) return;
  const labels = selector.matchLabels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    const path = ['workloadSelector', 'matchLabels', key];
    if (key === '')
      findings.error(path, 'DR_SELECTOR_EMPTY_KEY', `empty key is not supported in selector: "=${value}"`);
    if (key.includes('*') || String(value).includes('*')) {
      findings.error(path, 'DR_SELECTOR_WILDCARD', `wildcard is not supported in selector: "${key}=${value}"`);
    }
  }
  if (Object.keys(labels).length === 0) {
    findings.warning(['workloadSelector'], 'DR_SELECTOR_NO_LABELS', 'workload selector specified without labels');
  }
}

export function validateDestinationRule(spec: DestinationRuleSpec, ctx: ValidationContext, findings: Findings): void {
  const hostProblem = validateWildcardDomain(String(spec.host ?? ''));
  if (hostProblem !== undefined) findings.error(['host'], 'DR_HOST_INVALID', hostProblem);
  checkTrafficPolicy(spec.trafficPolicy, ctx.namespace, ['trafficPolicy'], findings);

  const names = new Set<string>();
  (spec.subsets ?? []).forEach((subset, i) => {
    const path = ['subsets', i];
    if (!subset) {
      findings.error(path, 'DR_SUBSET_NULL', 'subset may not be null');
      return;
    }
    const name = subset.name ?? '';
    if (names.has(name)) findings.error([...path, 'name'], 'DR_SUBSET_DUPLICATE', `duplicate subset names: ${name}`);
    names.add(name);
    const nameProblem = validateSubsetName(name);
    if (nameProblem !== undefined) findings.error([...path, 'name'], 'DR_SUBSET_NAME_INVALID', nameProblem);
    for (const issue of validateLabels(subset.labels)) {
      findings.error([...path, 'labels', ...issue.path], `DR_SUBSET_${issue.code}`, issue.message);
    }
    checkTrafficPolicy(subset.trafficPolicy, ctx.namespace, [...path, 'trafficPolicy'], findings);
  });

  validateExportTo(
    spec.exportTo,
    ctx.namespace,
    {
      isServiceEntry: false,
      isDestinationRuleWithSelector: spec.workloadSelector !== undefined && spec.workloadSelector !== null,
    },
    findings,
  );
  checkWorkloadSelector(spec.workloadSelector, findings);
}
