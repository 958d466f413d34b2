// Header-name rules (Istio's TestValidateHTTPHeaderName) and JWT-claim keys.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  corsHeaderNameProblem,
  isJwtClaimRoute,
  matchHeaderNameProblem,
} from '../../../src/validation/header-names.ts';

void describe('matchHeaderNameProblem', () => {
  for (const name of [
    'header1',
    'X-Requested-With',
    ':authority',
    ':path',
    'funky!$#_',
    '@request.auth.claims.sub',
    '@Request.Auth.Claims[a][b]',
  ]) {
    void test(`accepts ${name}`, () => assert.equal(matchHeaderNameProblem(name), undefined));
  }
  for (const [name, message] of [
    ['', 'header name cannot be empty'],
    ['::', 'header name :: is not a valid header name'],
    ['illegal"char', 'header name illegal"char is not a valid header name'],
    [':foo', 'header name :foo is not a valid header name'],
    ['@request.auth.claims', 'header name @request.auth.claims is not a valid header name'],
  ] as const) {
    void test(`rejects ${JSON.stringify(name)}`, () => assert.equal(matchHeaderNameProblem(name), message));
  }
});

void describe('isJwtClaimRoute', () => {
  void test('dot and bracket forms', () => {
    assert.equal(isJwtClaimRoute('@request.auth.claims.groups'), true);
    assert.equal(isJwtClaimRoute('@request.auth.claims[nested][key]'), true);
    assert.equal(isJwtClaimRoute('@request.auth.claims.'), false);
    assert.equal(isJwtClaimRoute('@request.auth.claims[]'), false);
    assert.equal(isJwtClaimRoute('x-request-auth'), false);
  });
});

void describe('corsHeaderNameProblem', () => {
  void test('token or *', () => {
    assert.equal(corsHeaderNameProblem('*'), undefined);
    assert.equal(corsHeaderNameProblem('x-custom'), undefined);
    assert.equal(corsHeaderNameProblem(''), 'header name cannot be empty');
    assert.equal(corsHeaderNameProblem('a,b'), 'header name a,b is not a valid header name');
  });
});
