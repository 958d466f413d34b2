// Path rewrites and redirect Locations as Envoy computes them from a route's rewrite and redirect rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redirectLocation, rewritePath } from '../../../../src/dataplane/filters/rewrite.ts';

void describe('rewritePath', () => {
  void test('prefix_rewrite replaces the matched prefix and keeps the query', () => {
    assert.equal(
      rewritePath('/v1/users?id=1', { prefix: { matchedPrefix: '/v1/', replacement: '/api/' } }),
      '/api/users?id=1',
    );
    assert.equal(rewritePath('/exact', { prefix: { matchedPrefix: '/exact', replacement: '/new' } }), '/new');
    assert.equal(rewritePath('/anything', { prefix: { matchedPrefix: '/', replacement: '/base/' } }), '/base/anything');
  });

  void test('regex_rewrite replaces every match, with \\1 groups and literal $', () => {
    assert.equal(rewritePath('/a/1/b/2', { regex: { pattern: '/([a-z])/(\\d)', substitution: '/\\2\\1' } }), '/1a/2b');
    assert.equal(rewritePath('/price', { regex: { pattern: 'price', substitution: '$5' } }), '/$5');
  });

  void test('authority-only rewrites leave the path alone', () => {
    assert.equal(rewritePath('/x?y', { authority: 'other.test' }), '/x?y');
    assert.equal(rewritePath('/x', undefined), '/x');
  });
});

void describe('redirectLocation', () => {
  const request = { scheme: 'http', authority: 'a.test:8080', port: 8080, path: '/p/q?x=1' };

  void test("unset parts keep the request's; a redirect authority is used as written; a set port is always written", () => {
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, path: '/r' }, request),
      'http://a.test:8080/r?x=1',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, host: 'b.test' }, request),
      'http://b.test/p/q?x=1',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, host: 'b.test:9000' }, request),
      'http://b.test:9000/p/q?x=1',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, port: 80 }, request),
      'http://a.test:80/p/q?x=1',
    );
  });

  void test('scheme change, explicit port, FROM_REQUEST_PORT, and a path with its own query', () => {
    const plain = { scheme: 'http', authority: 'a.test', port: 80, path: '/p' };
    assert.equal(redirectLocation({ kind: 'redirect', responseCode: 301, scheme: 'https' }, plain), 'https://a.test/p');
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, scheme: 'https' }, { ...plain, authority: 'a.test:80' }),
      'https://a.test/p',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, scheme: 'https' }, request),
      'https://a.test:8080/p/q?x=1',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, scheme: 'https', port: 8443 }, plain),
      'https://a.test:8443/p',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, host: 'b.test', portFromRequest: true }, request),
      'http://b.test:8080/p/q?x=1',
    );
    assert.equal(
      redirectLocation({ kind: 'redirect', responseCode: 301, path: '/r?only=this' }, request),
      'http://a.test:8080/r?only=this',
    );
  });

  void test('prefixRewrite', () => {
    assert.equal(
      redirectLocation(
        { kind: 'redirect', responseCode: 302, prefixRewrite: { matchedPrefix: '/p/', replacement: '/new/' } },
        request,
      ),
      'http://a.test:8080/new/q?x=1',
    );
  });
});
