// Protocol names: case-insensitive parsing to Istio's spelling, and the HTTP / TLS / TCP families.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isHttpProtocol, isTcpProtocol, isTlsProtocol, parseProtocol } from '../../../src/model/protocol.ts';

void describe('parseProtocol', () => {
  void test('any letter case gives the canonical name', () => {
    assert.equal(parseProtocol('http'), 'HTTP');
    assert.equal(parseProtocol('Grpc-Web'), 'GRPC-Web');
    assert.equal(parseProtocol('HTTP_PROXY'), 'HTTP_PROXY');
    assert.equal(parseProtocol('mongo'), 'Mongo');
    assert.equal(parseProtocol('MYSQL'), 'MySQL');
  });
  void test('empty, missing and unknown names are not protocols', () => {
    assert.equal(parseProtocol(''), undefined);
    assert.equal(parseProtocol(undefined), undefined);
    assert.equal(parseProtocol('http1'), undefined);
  });
});

void describe('protocol families', () => {
  void test('HTTP family: HTTP, HTTP2, HTTP_PROXY, GRPC, GRPC-Web', () => {
    for (const p of ['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web'] as const)
      assert.equal(isHttpProtocol(p), true, p);
    for (const p of ['HTTPS', 'TLS', 'TCP', undefined] as const) assert.equal(isHttpProtocol(p), false, String(p));
  });
  void test('TLS family: HTTPS and TLS', () => {
    assert.equal(isTlsProtocol('HTTPS'), true);
    assert.equal(isTlsProtocol('TLS'), true);
    assert.equal(isTlsProtocol('HTTP'), false);
  });
  void test('TCP family includes HTTPS and TLS but not HTTP or UDP', () => {
    for (const p of ['TCP', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL'] as const)
      assert.equal(isTcpProtocol(p), true, p);
    for (const p of ['HTTP', 'UDP', undefined] as const) assert.equal(isTcpProtocol(p), false, String(p));
  });
});
