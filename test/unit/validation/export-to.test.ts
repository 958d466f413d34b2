// exportTo rules: the cases of Istio's Test_validateExportTo (namespace "ns5"), with the exact findings.
import { describe, test } from 'node:test';
import { validateExportTo } from '../../../src/validation/export-to.ts';
import type { ExportToOptions } from '../../../src/validation/export-to.ts';
import { Findings } from '../../../src/validation/findings.ts';
import { assertFindings } from '../../helpers/expect-findings.ts';
import type { ExpectedFinding } from '../../helpers/expect-findings.ts';

type Case = readonly [
  name: string,
  exportTo: string[] | undefined,
  options: ExportToOptions,
  expect: readonly ExpectedFinding[],
];

const other: ExportToOptions = { isServiceEntry: false };
const se: ExportToOptions = { isServiceEntry: true };
const drSelector: ExportToOptions = { isServiceEntry: false, isDestinationRuleWithSelector: true };

const cases: readonly Case[] = [
  ['empty exportTo is okay', undefined, other, []],
  ['an empty list is okay', [], other, []],
  ['* is allowed', ['*'], other, []],
  ['. and ns1 are allowed', ['.', 'ns1'], other, []],
  ['bunch of namespaces in exportTo is okay', ['ns1', 'ns2', 'ns5'], other, []],
  ['~ is allowed for service entry configs', ['~'], se, []],
  [
    '~ not allowed for non service entry configs',
    ['~', 'ns1'],
    other,
    [
      [
        'E',
        'EXPORT_TO_NONE_NOT_ALLOWED',
        ['exportTo', 0],
        'exportTo ~ (none) is not allowed for Istio configuration objects',
      ],
    ],
  ],
  [
    '. and * together are not allowed',
    ['.', '*'],
    other,
    [
      [
        'E',
        'EXPORT_TO_PUBLIC_MIXED',
        ['exportTo'],
        'cannot have both public (*) and non-public exportTo values for a resource',
      ],
    ],
  ],
  [
    '* and ns1 together are not allowed',
    ['*', 'ns1'],
    other,
    [['E', 'EXPORT_TO_PUBLIC_MIXED', ['exportTo'], 'cannot have both public (*)']],
  ],
  [
    '. and same namespace in exportTo is not okay',
    ['.', 'ns5'],
    other,
    [['E', 'EXPORT_TO_DUPLICATE', ['exportTo', 1], 'duplicate entries in exportTo for entry ns5']],
  ],
  [
    'same namespace and then . is not okay',
    ['ns5', '.'],
    other,
    [['E', 'EXPORT_TO_DUPLICATE', ['exportTo', 1], 'duplicate entries in exportTo: . and current namespace ns5']],
  ],
  [
    'duplicate namespaces in exportTo is not okay',
    ['ns1', 'ns2', 'ns1'],
    other,
    [['E', 'EXPORT_TO_DUPLICATE', ['exportTo', 2], 'duplicate entries in exportTo for entry ns1']],
  ],
  [
    'duplicate none in service entry exportTo is not okay',
    ['~', '~', 'ns1'],
    se,
    [
      ['E', 'EXPORT_TO_DUPLICATE', ['exportTo', 1], 'duplicate entries in exportTo for entry ~'],
      ['E', 'EXPORT_TO_NONE_MIXED', ['exportTo'], 'cannot export service entry to no one (~) and someone'],
    ],
  ],
  [
    'invalid namespace names are not okay',
    ['ns1_'],
    other,
    [['E', 'EXPORT_TO_INVALID', ['exportTo', 0], 'only .,*, or a valid DNS 1123 label is allowed as exportTo entry']],
  ],
  [
    'none and other namespaces cannot be combined in service entry exportTo',
    ['~', 'ns1'],
    se,
    [['E', 'EXPORT_TO_NONE_MIXED', ['exportTo'], 'no one (~) and someone']],
  ],
  [
    'destination rule with workloadselector cannot have exportTo (*)',
    ['*'],
    drSelector,
    [
      [
        'E',
        'EXPORT_TO_DR_SELECTOR_BEYOND_NAMESPACE',
        ['exportTo'],
        'destination rule with workload selector cannot have exportTo beyond current namespace',
      ],
    ],
  ],
  ['destination rule with workloadselector can have only exportTo (.)', ['.'], drSelector, []],
  [
    'destination rule with workloadselector cannot have another ns in exportTo',
    ['somens'],
    drSelector,
    [['E', 'EXPORT_TO_DR_SELECTOR_BEYOND_NAMESPACE', ['exportTo'], 'beyond current namespace']],
  ],
  [
    'destination rule with workloadselector cannot have another ns in addition to own ns',
    ['.', 'somens'],
    drSelector,
    [
      [
        'E',
        'EXPORT_TO_DR_SELECTOR_MULTIPLE',
        ['exportTo'],
        'destination rule with workload selector cannot have multiple entries in exportTo',
      ],
    ],
  ],
  ['upper case namespace names are DNS-1123 labels to Istio', ['Team-A'], other, []],
];

void describe('validateExportTo', () => {
  for (const [name, exportTo, options, expect] of cases) {
    void test(name, () => {
      const findings = new Findings();
      validateExportTo(exportTo, 'ns5', options, findings);
      assertFindings(findings.items, expect);
    });
  }

  void test('findings are placed under the path the caller gives', () => {
    const findings = new Findings();
    validateExportTo(['ns1_'], 'ns5', other, findings, ['spec', 'exportTo']);
    assertFindings(findings.items, [['E', 'EXPORT_TO_INVALID', ['spec', 'exportTo', 0], 'DNS 1123 label']]);
  });
});
