// defaults: Istio's defaulting of ServiceEntry, VirtualService, DestinationRule, Sidecar and MeshConfig.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_MESH_CONFIG,
  destinationRuleWithDefaults,
  meshConfigWithDefaults,
  serviceEntryWithDefaults,
  sidecarWithDefaults,
  virtualServiceWithDefaults,
} from '../../../src/config/defaults.ts';
import { parseDurationMs } from '../../../src/config/duration.ts';
import type { SidecarSpec } from '../../../src/config/wire/sidecar.ts';

describe('ServiceEntry defaults', () => {
  test('exportTo from the mesh, MESH_EXTERNAL, NONE and empty lists', () => {
    assert.deepEqual(serviceEntryWithDefaults({ hosts: ['a.example.com'] }, DEFAULT_MESH_CONFIG), {
      hosts: ['a.example.com'],
      addresses: [],
      ports: [],
      endpoints: [],
      exportTo: ['*'],
      location: 'MESH_EXTERNAL',
      resolution: 'NONE',
    });
  });

  test('the mesh defaultServiceExportTo applies when exportTo is absent or empty, not when set', () => {
    const mesh = meshConfigWithDefaults({ defaultServiceExportTo: ['.'] });
    assert.deepEqual(serviceEntryWithDefaults({ hosts: ['a'] }, mesh).exportTo, ['.']);
    assert.deepEqual(serviceEntryWithDefaults({ hosts: ['a'], exportTo: [] }, mesh).exportTo, ['.']);
    assert.deepEqual(serviceEntryWithDefaults({ hosts: ['a'], exportTo: ['*'] }, mesh).exportTo, ['*']);
  });

  test('written values win and the result is deep-frozen, the input untouched', () => {
    const input = {
      hosts: ['a'],
      resolution: 'DNS' as const,
      location: 'MESH_INTERNAL' as const,
      ports: [{ number: 80, name: 'http' }],
    };
    const out = serviceEntryWithDefaults(input, DEFAULT_MESH_CONFIG);
    assert.equal(out.resolution, 'DNS');
    assert.equal(out.location, 'MESH_INTERNAL');
    assert.ok(Object.isFrozen(out) && Object.isFrozen(out.ports) && Object.isFrozen(out.ports[0]));
    assert.throws(() => {
      (out.ports[0] as { number: number }).number = 81;
    }, TypeError);
    assert.equal(Object.isFrozen(input), false);
  });
});

describe('VirtualService, DestinationRule and Sidecar defaults', () => {
  test('VirtualService: gateways ["mesh"], exportTo from the mesh, empty route lists', () => {
    assert.deepEqual(virtualServiceWithDefaults({ hosts: ['a'] }, DEFAULT_MESH_CONFIG), {
      hosts: ['a'],
      gateways: ['mesh'],
      http: [],
      tls: [],
      tcp: [],
      exportTo: ['*'],
    });
    const mesh = meshConfigWithDefaults({ defaultVirtualServiceExportTo: ['istio-system'] });
    const vs = virtualServiceWithDefaults({ hosts: ['a'], gateways: ['istio-system/egress'] }, mesh);
    assert.deepEqual([vs.gateways, vs.exportTo], [['istio-system/egress'], ['istio-system']]);
  });

  test('DestinationRule: exportTo from the mesh and empty subsets', () => {
    const mesh = meshConfigWithDefaults({ defaultDestinationRuleExportTo: ['.'] });
    assert.deepEqual(destinationRuleWithDefaults({ host: 'a' }, mesh), { host: 'a', subsets: [], exportTo: ['.'] });
  });

  test('Sidecar: nothing is filled in (no outboundTrafficPolicy means the mesh one), but the copy is frozen', () => {
    const input: SidecarSpec = { egress: [{ hosts: ['./*'] }] };
    const sc = sidecarWithDefaults(input);
    assert.equal(sc.outboundTrafficPolicy, undefined);
    assert.deepEqual(sc, { egress: [{ hosts: ['./*'] }] });
    assert.ok(Object.isFrozen(sc.egress?.[0]?.hosts));
  });
});

describe('MeshConfig defaults', () => {
  test("Istio's DefaultMeshConfig values for the fields meshgate reads", () => {
    assert.deepEqual(meshConfigWithDefaults({}), {
      outboundTrafficPolicyMode: 'ALLOW_ANY',
      connectTimeoutMs: 10_000,
      protocolDetectionTimeoutMs: 0,
      dnsRefreshRateMs: 60_000,
      defaultServiceExportTo: ['*'],
      defaultVirtualServiceExportTo: ['*'],
      defaultDestinationRuleExportTo: ['*'],
      rootNamespace: 'istio-system',
    });
  });

  test('written values are converted (durations to ms) and kept', () => {
    const mesh = meshConfigWithDefaults({
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
      connectTimeout: '2.5s',
      protocolDetectionTimeout: '100ms',
      dnsRefreshRate: '1m',
      rootNamespace: 'mesh-root',
      defaultHttpRetryPolicy: { attempts: 0 },
    });
    assert.deepEqual(
      [
        mesh.outboundTrafficPolicyMode,
        mesh.connectTimeoutMs,
        mesh.protocolDetectionTimeoutMs,
        mesh.dnsRefreshRateMs,
        mesh.rootNamespace,
      ],
      ['REGISTRY_ONLY', 2500, 100, 60_000, 'mesh-root'],
    );
    assert.deepEqual(mesh.defaultHttpRetryPolicy, { attempts: 0 });
    assert.ok(Object.isFrozen(mesh.defaultHttpRetryPolicy));
  });
});

describe('parseDurationMs', () => {
  test("Go duration syntax, as Istio's YAML accepts it", () => {
    assert.equal(parseDurationMs('10s'), 10_000);
    assert.equal(parseDurationMs('0.5s'), 500);
    assert.equal(parseDurationMs('1m30s'), 90_000);
    assert.equal(parseDurationMs('1h'), 3_600_000);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('1500us'), 1.5);
    assert.equal(parseDurationMs('0'), 0);
    assert.equal(parseDurationMs('-1s'), -1000);
    for (const bad of ['', '10', 's', '1 s', '1d', '1.2.3s', 'ten seconds'])
      assert.equal(parseDurationMs(bad), undefined, bad);
  });
});
