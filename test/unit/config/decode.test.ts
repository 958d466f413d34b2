// decode: Istio's strict schema — unknown fields with "did you mean", wrong scalar types, enum values —
// each finding checked for its message and for the line and column of the field it names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeSpec } from '../../../src/config/decode.ts';
import type { Kind } from '../../../src/config/resource.ts';
import { suggest, withinOneEdit } from '../../../src/config/suggest.ts';
import { parseYamlDocuments } from '../../../src/config/yaml-documents.ts';
import { Findings } from '../../../src/validation/findings.ts';

/** Decodes `spec` text (indented under `spec:` at line 2) and renders findings as `LINE:COL severity code: message`. */
function decode(kind: Kind, specYaml: string): { lines: string[]; value: unknown } {
  const text = `kind: ${kind}\nspec:\n${specYaml.replace(/^/gm, '  ')}\n`;
  const doc = parseYamlDocuments('t.yaml', text).documents[0];
  assert.ok(doc, 'fixture must parse');
  const findings = new Findings();
  const value = decodeSpec(kind, (doc.value as { spec?: unknown }).spec, findings);
  const lines = findings.items.map((f) => {
    const p = doc.positions(f.path);
    return `${p.line}:${p.column} ${f.severity} ${f.code}: ${f.message}`;
  });
  return { lines, value };
}

describe('unknown fields', () => {
  test('at the top of spec, with a one-letter typo', () => {
    assert.deepEqual(decode('ServiceEntry', 'hostz: [a.example.com]').lines, [
      '3:3 error UNKNOWN_FIELD: unknown field "hostz" (did you mean "hosts"?)',
    ]);
  });

  test('two levels down (ports[0]), with a swapped pair of letters', () => {
    const { lines } = decode('ServiceEntry', 'hosts: [a.example.com]\nports:\n- number: 80\n  nmae: http');
    assert.deepEqual(lines, ['6:5 error UNKNOWN_FIELD: unknown field "nmae" (did you mean "name"?)']);
  });

  test('deep inside a VirtualService route (http[0].route[0].destination.port)', () => {
    const yaml = [
      'hosts: [a]',
      'http:',
      '- route:',
      '  - destination:',
      '      host: a',
      '      port:',
      '        numbr: 80',
    ].join('\n');
    assert.deepEqual(decode('VirtualService', yaml).lines, [
      '9:11 error UNKNOWN_FIELD: unknown field "numbr" (did you mean "number"?)',
    ]);
  });

  test('inside a map of messages (headers) and a DestinationRule traffic policy', () => {
    const vs = decode('VirtualService', 'http:\n- match:\n  - headers:\n      x-user: {exakt: bob}');
    assert.deepEqual(vs.lines, ['6:18 error UNKNOWN_FIELD: unknown field "exakt" (did you mean "exact"?)']);
    const dr = decode(
      'DestinationRule',
      'host: a\ntrafficPolicy:\n  connectionPool:\n    tcp:\n      connectTimout: 1s',
    );
    assert.deepEqual(dr.lines, [
      '7:9 error UNKNOWN_FIELD: unknown field "connectTimout" (did you mean "connectTimeout"?)',
    ]);
  });

  test('case and snake_case slips are suggested too; far-off names get no suggestion', () => {
    const { lines } = decode('ServiceEntry', 'Hosts: [a]\nexport_to: ["."]\nfoo: 1');
    assert.deepEqual(lines, [
      '3:3 error UNKNOWN_FIELD: unknown field "Hosts" (did you mean "hosts"?)',
      '4:3 error UNKNOWN_FIELD: unknown field "export_to" (did you mean "exportTo"?)',
      '5:3 error UNKNOWN_FIELD: unknown field "foo"',
    ]);
  });

  test('unknown fields are dropped from the decoded value, known ones kept', () => {
    assert.deepEqual(decode('Sidecar', 'egres: []\noutboundTrafficPolicy: {mode: ALLOW_ANY}').value, {
      outboundTrafficPolicy: { mode: 'ALLOW_ANY' },
    });
  });
});

describe('wrong types', () => {
  test('string where an integer is expected (a quoted port number)', () => {
    const { lines } = decode('ServiceEntry', 'hosts: [a]\nports:\n- number: "80"\n  name: http');
    assert.deepEqual(lines, ['5:5 error WRONG_TYPE: ports[0].number must be an integer, got the string "80"']);
  });

  test('a fraction where an integer is expected', () => {
    assert.deepEqual(decode('VirtualService', 'http:\n- route:\n  - weight: 12.5').lines, [
      '5:7 error WRONG_TYPE: http[0].route[0].weight must be an integer, got the number 12.5',
    ]);
  });

  test('a string where a list is expected, and a list where a string is expected', () => {
    const { lines } = decode('ServiceEntry', 'hosts: a.example.com\nsubjectAltNames: [[x]]');
    assert.deepEqual(lines, [
      '3:3 error WRONG_TYPE: hosts must be a list of strings, got the string "a.example.com"',
      '4:21 error WRONG_TYPE: subjectAltNames[0] must be a string, got a list',
    ]);
  });

  test('a number in a string map (labels) and a string where a boolean is expected', () => {
    const yaml = [
      'host: a',
      'subsets:',
      '- name: v1',
      '  labels:',
      '    version: 1',
      'trafficPolicy:',
      '  tls:',
      '    insecureSkipVerify: "yes"',
    ].join('\n');
    assert.deepEqual(decode('DestinationRule', yaml).lines, [
      '7:7 error WRONG_TYPE: subsets[0].labels.version must be a string, got the integer 1',
      '10:7 error WRONG_TYPE: trafficPolicy.tls.insecureSkipVerify must be true or false, got the string "yes"',
    ]);
  });

  test('a list where a message is expected, and a number where a duration string is expected', () => {
    const { lines } = decode('VirtualService', 'http:\n- retries: [3]\n  timeout: 3');
    assert.deepEqual(lines, [
      '4:5 error WRONG_TYPE: http[0].retries must be a map of HTTPRetry fields, got a list',
      '5:5 error WRONG_TYPE: http[0].timeout must be a duration string such as "5s" or "100ms", got the integer 3',
    ]);
  });

  test('spec that is not a map', () => {
    assert.deepEqual(decode('Sidecar', '').lines, []);
    const doc = parseYamlDocuments('t.yaml', 'kind: Sidecar\nspec: [egress]\n').documents[0];
    const findings = new Findings();
    decodeSpec('Sidecar', (doc?.value as { spec: unknown }).spec, findings);
    assert.deepEqual(
      findings.items.map((f) => [doc?.positions(f.path).line, doc?.positions(f.path).column, f.message]),
      [[2, 1, 'spec must be a map of Sidecar fields, got a list']],
    );
  });

  test('an explicit null is "not set", as the Kubernetes API server treats it', () => {
    const { lines, value } = decode('ServiceEntry', 'hosts: [a]\naddresses:\nresolution: ~');
    assert.deepEqual(lines, []);
    assert.deepEqual(value, { hosts: ['a'] });
  });

  test('a null list item is reported where the empty item is', () => {
    assert.deepEqual(decode('ServiceEntry', 'hosts: [a]\nports:\n-\n- number: 80').lines, [
      '5:4 error WRONG_TYPE: ports[0] must be a map of ServicePort fields, got nothing (null)',
    ]);
  });
});

describe('enum values', () => {
  test('resolution: DNSS names the field, suggests DNS and lists the allowed values', () => {
    assert.deepEqual(decode('ServiceEntry', 'hosts: [a]\nresolution: DNSS').lines, [
      '4:3 error UNKNOWN_ENUM_VALUE: resolution: unknown value "DNSS" (did you mean "DNS"?); allowed values: NONE, STATIC, DNS, DNS_ROUND_ROBIN, DYNAMIC_DNS',
    ]);
  });

  test('lower case enum value, nested (trafficPolicy.tls.mode)', () => {
    assert.deepEqual(decode('DestinationRule', 'host: a\ntrafficPolicy:\n  tls:\n    mode: simple').lines, [
      '6:7 error UNKNOWN_ENUM_VALUE: trafficPolicy.tls.mode: unknown value "simple" (did you mean "SIMPLE"?); allowed values: DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL',
    ]);
  });

  test('a number where an enum name is expected', () => {
    assert.deepEqual(decode('ServiceEntry', 'hosts: [a]\nlocation: 1').lines, [
      '4:3 error WRONG_TYPE: location must be one of MESH_EXTERNAL, MESH_INTERNAL, got the integer 1',
    ]);
  });

  test('Sidecar egress captureMode and outbound mode', () => {
    const yaml = [
      'egress:',
      '- hosts: ["./*"]',
      '  captureMode: IPTABLE',
      'outboundTrafficPolicy:',
      '  mode: BLOCK',
    ].join('\n');
    assert.deepEqual(decode('Sidecar', yaml).lines, [
      '5:5 error UNKNOWN_ENUM_VALUE: egress[0].captureMode: unknown value "IPTABLE" (did you mean "IPTABLES"?); allowed values: DEFAULT, IPTABLES, NONE',
      '7:5 error UNKNOWN_ENUM_VALUE: outboundTrafficPolicy.mode: unknown value "BLOCK"; allowed values: REGISTRY_ONLY, ALLOW_ANY',
    ]);
  });

  test("ALLOW_ANY_DYNAMIC_DNS is a MeshConfig mode only: Istio's Sidecar schema does not have it", () => {
    assert.deepEqual(decode('Sidecar', 'outboundTrafficPolicy:\n  mode: ALLOW_ANY_DYNAMIC_DNS').lines, [
      '4:5 error UNKNOWN_ENUM_VALUE: outboundTrafficPolicy.mode: unknown value "ALLOW_ANY_DYNAMIC_DNS"; allowed values: REGISTRY_ONLY, ALLOW_ANY',
    ]);
  });
});

describe('every wire field decodes', () => {
  test('a ServiceEntry using every field decodes without findings and unchanged', () => {
    const yaml = [
      'hosts: [api.example.com]',
      'addresses: [10.0.0.1/32]',
      'ports: [{number: 443, protocol: TLS, name: tls, targetPort: 8443}]',
      'location: MESH_INTERNAL',
      'resolution: STATIC',
      'endpoints: [{address: 10.0.0.2, ports: {tls: 9443}, labels: {a: b}, network: n1, locality: r/z, weight: 2, serviceAccount: sa}]',
      'exportTo: ["."]',
      'subjectAltNames: [spiffe://x/y]',
    ].join('\n');
    const { lines, value } = decode('ServiceEntry', yaml);
    assert.deepEqual(lines, []);
    assert.equal((value as { endpoints: { weight: number }[] }).endpoints[0]?.weight, 2);
  });

  test('a VirtualService with redirect, rewrite, fault, mirrors, CORS, TLS and TCP routes decodes cleanly', () => {
    const yaml = [
      'hosts: [a.example.com]',
      'gateways: [mesh]',
      'exportTo: ["*"]',
      'http:',
      '- name: r1',
      '  match: [{name: m, uri: {prefix: /}, scheme: {exact: http}, method: {exact: GET}, authority: {regex: ".*"}, port: 80,',
      '           sourceLabels: {app: a}, gateways: [mesh], queryParams: {q: {exact: ""}}, ignoreUriCase: true,',
      '           withoutHeaders: {x: {}}, sourceNamespace: ns, statPrefix: s}]',
      '  redirect: {uri: /new, authority: b, port: 8080, scheme: https, redirectCode: 302, prefixRewrite: /p}',
      '- directResponse: {status: 503, body: {string: down}}',
      '- delegate: {name: d, namespace: ns}',
      '- route: [{destination: {host: a, subset: v1, port: {number: 80}}, weight: 100, headers: {request: {set: {a: b}, add: {c: d}, remove: [e]}}}]',
      '  rewrite: {uri: /, authority: c, uriRegexRewrite: {match: "^/a", rewrite: /b}}',
      '  timeout: 1s',
      '  retries: {attempts: 2, perTryTimeout: 1s, retryOn: 5xx, retryRemoteLocalities: true, retryIgnorePreviousHosts: false, backoff: 25ms}',
      '  fault: {delay: {fixedDelay: 1s, percentage: {value: 10}}, abort: {httpStatus: 500, percentage: {value: 0.5}}}',
      '  mirrors: [{destination: {host: m}, percentage: {value: 5}}]',
      '  corsPolicy: {allowOrigins: [{exact: "*"}], allowMethods: [GET], allowHeaders: [x], exposeHeaders: [y], maxAge: 1s,',
      '               allowCredentials: true, unmatchedPreflights: IGNORE}',
      '  headers: {response: {remove: [server]}}',
      'tls: [{match: [{sniHosts: [a.example.com], destinationSubnets: [10.0.0.0/8], port: 443, sourceLabels: {a: b}, gateways: [mesh], sourceNamespace: n}],',
      '       route: [{destination: {host: a}, weight: 1}]}]',
      'tcp: [{match: [{destinationSubnets: [10.0.0.0/8], port: 5432, sourceSubnet: 10.1.0.0/16, sourceLabels: {a: b}, gateways: [mesh], sourceNamespace: n}],',
      '       route: [{destination: {host: db}}]}]',
    ].join('\n');
    assert.deepEqual(decode('VirtualService', yaml).lines, []);
  });

  test('a DestinationRule with every traffic policy block decodes cleanly', () => {
    const yaml = [
      'host: a.example.com',
      'exportTo: ["."]',
      'workloadSelector: {matchLabels: {app: a}}',
      'trafficPolicy:',
      '  loadBalancer: {consistentHash: {httpCookie: {name: c, path: /, ttl: 1s, attributes: [{name: SameSite, value: Lax}]}, ringHash: {minimumRingSize: 1024}},',
      '                 localityLbSetting: {enabled: true, distribute: [{from: a/*, to: {b/*: 100}}], failover: [{from: a, to: b}], failoverPriority: [x]},',
      '                 warmupDurationSecs: 10s, warmup: {duration: 10s, minimumPercent: 10, aggression: 1.5}}',
      '  connectionPool:',
      '    tcp: {maxConnections: 10, connectTimeout: 1s, tcpKeepalive: {probes: 3, time: 1s, interval: 1s}, maxConnectionDuration: 1h, idleTimeout: 1h}',
      '    http: {http1MaxPendingRequests: 1, http2MaxRequests: 1, maxRequestsPerConnection: 1, maxRetries: 1, idleTimeout: 1s,',
      '           h2UpgradePolicy: UPGRADE, useClientProtocol: false, maxConcurrentStreams: 100, http2KeepAlive: {interval: 1s, timeout: 1s}}',
      '  outlierDetection: {consecutive5xxErrors: 5, consecutiveGatewayErrors: 1, consecutiveLocalOriginFailures: 1, splitExternalLocalOriginErrors: true,',
      '                     interval: 10s, baseEjectionTime: 30s, maxEjectionPercent: 10, minHealthPercent: 0, outlierDetectionHttpErrorCodes: [503]}',
      '  tls: {mode: SIMPLE, sni: a.example.com, subjectAltNames: [a], caCertificates: /ca.pem, insecureSkipVerify: false, caCrl: /crl.pem}',
      '  portLevelSettings: [{port: {number: 443}, loadBalancer: {simple: ROUND_ROBIN}}]',
      '  retryBudget: {percent: 20, minRetryConcurrency: 3, budgetInterval: 1s}',
      'subsets: [{name: v1, labels: {version: v1}, trafficPolicy: {tunnel: {protocol: CONNECT, targetHost: a, targetPort: 80}, proxyProtocol: {version: V2}}}]',
    ].join('\n');
    assert.deepEqual(decode('DestinationRule', yaml).lines, []);
  });

  test('a Sidecar with ingress TLS and connection pools decodes cleanly', () => {
    const yaml = [
      'workloadSelector: {labels: {app: a}}',
      'ingress: [{port: {number: 9080, protocol: HTTPS, name: https}, bind: 0.0.0.0, captureMode: DEFAULT, defaultEndpoint: "127.0.0.1:8080",',
      '           tls: {mode: SIMPLE, serverCertificate: /c.pem, privateKey: /k.pem, minProtocolVersion: TLSV1_2, cipherSuites: [x]},',
      '           connectionPool: {http: {maxRetries: 1}}}]',
      'egress: [{port: {number: 80, protocol: HTTP, name: http}, bind: 127.0.0.1, captureMode: NONE, hosts: ["./*"]}]',
      'inboundConnectionPool: {tcp: {maxConnections: 1}}',
      'outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: proxy.example.com, port: {number: 3128}}}',
    ].join('\n');
    assert.deepEqual(decode('Sidecar', yaml).lines, []);
  });
});

describe('spellings particular to one message', () => {
  test("HTTPRoute accepts the deprecated mirror_percent (the CRD's alternative name) as mirrorPercent", () => {
    const { lines, value } = decode('VirtualService', 'http:\n- mirror: {host: m}\n  mirror_percent: 5');
    assert.deepEqual(lines, []);
    assert.deepEqual(value, { http: [{ mirror: { host: 'm' }, mirrorPercent: 5 }] });
  });

  test("DestinationRule's workloadSelector is matchLabels, not ServiceEntry's and Sidecar's labels", () => {
    assert.deepEqual(decode('DestinationRule', 'host: a\nworkloadSelector:\n  labels: {app: a}').lines, [
      '5:5 error UNKNOWN_FIELD: unknown field "labels"',
    ]);
    assert.deepEqual(decode('ServiceEntry', 'hosts: [a]\nworkloadSelector:\n  matchLabels: {app: a}').lines, [
      '5:5 error UNKNOWN_FIELD: unknown field "matchLabels"',
    ]);
  });
});

describe('suggest', () => {
  test('one insertion, deletion, substitution or neighbour swap is close enough; two edits are not', () => {
    assert.equal(withinOneEdit('hosts', 'host'), true);
    assert.equal(withinOneEdit('host', 'hosts'), true);
    assert.equal(withinOneEdit('hostz', 'hosts'), true);
    assert.equal(withinOneEdit('hsots', 'hosts'), true);
    assert.equal(withinOneEdit('hozzs', 'hosts'), false);
    assert.equal(suggest('adresses', ['hosts', 'addresses']), 'addresses');
    assert.equal(suggest('xyz', ['hosts', 'addresses']), undefined);
  });
});
