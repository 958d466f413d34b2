// MeshConfig rules: outbound mode, durations (≥1ms, whole ms), listener ports and the default exportTo lists.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseMeshConfig } from '../../../src/config/mesh-config.ts';

/** Checks MeshConfig text and renders findings as `LINE:COL severity: message`. */
function check(text: string): string[] {
  return parseMeshConfig('mesh.yaml', text).findings.map((f) => `${f.line}:${f.column} ${f.severity}: ${f.message}`);
}

describe('outboundTrafficPolicy.mode', () => {
  test('REGISTRY_ONLY, ALLOW_ANY and ALLOW_ANY_DYNAMIC_DNS are accepted', () => {
    for (const mode of ['REGISTRY_ONLY', 'ALLOW_ANY', 'ALLOW_ANY_DYNAMIC_DNS']) {
      const result = parseMeshConfig('mesh.yaml', `outboundTrafficPolicy:\n  mode: ${mode}\n`);
      assert.deepEqual(result.findings, [], mode);
      assert.equal(result.mesh.outboundTrafficPolicyMode, mode);
    }
  });

  test('the retired VIRTUAL_SERVICE_ONLY mode is an unknown value', () => {
    assert.deepEqual(check('outboundTrafficPolicy:\n  mode: VIRTUAL_SERVICE_ONLY\n'), [
      '2:3 error: outboundTrafficPolicy.mode: unknown value "VIRTUAL_SERVICE_ONLY"; allowed values: REGISTRY_ONLY, ALLOW_ANY, ALLOW_ANY_DYNAMIC_DNS',
    ]);
  });

  test('`outboundTrafficPolicy: {}` keeps the mesh default (ALLOW_ANY)', () => {
    assert.equal(parseMeshConfig('m.yaml', 'outboundTrafficPolicy: {}\n').mesh.outboundTrafficPolicyMode, 'ALLOW_ANY');
  });
});

describe('durations', () => {
  test('below 1ms, sub-millisecond precision and non-durations are errors', () => {
    assert.deepEqual(check('connectTimeout: 500us\ndnsRefreshRate: 1.5ms\nprotocolDetectionTimeout: soon\n'), [
      '1:1 error: connectTimeout: duration must be greater than 1ms',
      '2:1 error: dnsRefreshRate: only durations to ms precision are supported',
      '3:1 error: protocolDetectionTimeout: invalid duration "soon"',
    ]);
  });

  test('protocolDetectionTimeout may be 0s (sniffing without a timeout); connectTimeout may not', () => {
    assert.deepEqual(check('protocolDetectionTimeout: 0s\nconnectTimeout: 0s\n'), [
      '2:1 error: connectTimeout: duration must be greater than 1ms',
    ]);
  });

  test('a number instead of a duration string is a type error', () => {
    assert.deepEqual(check('connectTimeout: 10\n'), [
      '1:1 error: connectTimeout must be a duration string such as "5s" or "100ms", got the integer 10',
    ]);
  });

  test('defaultHttpRetryPolicy durations and attempts', () => {
    assert.deepEqual(check('defaultHttpRetryPolicy:\n  attempts: -1\n  perTryTimeout: 0.1ms\n'), [
      '2:3 error: defaultHttpRetryPolicy.attempts cannot be negative',
      '3:3 error: defaultHttpRetryPolicy.perTryTimeout: duration must be greater than 1ms',
    ]);
  });
});

describe('exportTo lists', () => {
  test('".", "*", "~" (services only) and namespace names are accepted', () => {
    assert.deepEqual(
      check(
        'defaultServiceExportTo: ["~"]\ndefaultVirtualServiceExportTo: ["."]\ndefaultDestinationRuleExportTo: [istio-system, team-a]\n',
      ),
      [],
    );
  });

  test('invalid names, duplicates, * mixed with other entries, and ~ outside services are errors', () => {
    const text = [
      'defaultServiceExportTo: ["*", "."]',
      'defaultVirtualServiceExportTo: [Team_A, team, team]',
      'defaultDestinationRuleExportTo: ["~", "."]',
      '',
    ].join('\n');
    assert.deepEqual(check(text), [
      '1:1 error: defaultServiceExportTo: cannot have both public (*) and non-public exportTo values for a resource',
      '2:33 error: defaultVirtualServiceExportTo: only .,*, or a valid DNS 1123 label is allowed as exportTo entry',
      '2:47 error: defaultVirtualServiceExportTo: duplicate entries in exportTo for entry team',
      '3:34 error: defaultDestinationRuleExportTo: exportTo ~ (none) is not allowed for Istio configuration objects',
    ]);
  });

  test('the accepted lists become the mesh defaults', () => {
    const mesh = parseMeshConfig('m.yaml', 'defaultServiceExportTo: ["."]\n').mesh;
    assert.deepEqual(mesh.defaultServiceExportTo, ['.']);
  });
});

describe('other fields', () => {
  test('listener ports must be 1..65535; rootNamespace must be a namespace name', () => {
    assert.deepEqual(check('proxyListenPort: 70000\nrootNamespace: Istio_System\n'), [
      '1:1 error: proxyListenPort: port number 70000 must be in the range 1..65535',
      '2:1 error: rootNamespace: "Istio_System" is not a valid namespace name',
    ]);
  });
});
