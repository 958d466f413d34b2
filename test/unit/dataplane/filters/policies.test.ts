// The per-request policy filters: fault draws, CORS decisions, header mutations and the replayable body.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { evaluateCors } from '../../../../src/dataplane/filters/cors.ts';
import { decideFault } from '../../../../src/dataplane/filters/fault.ts';
import { applyHeaderMutation, type HeaderMap } from '../../../../src/dataplane/filters/header-mutation.ts';
import { shadowAuthority } from '../../../../src/dataplane/filters/mirror.ts';
import { ReplayableBody } from '../../../../src/dataplane/filters/request-body.ts';
import type { CorsPolicy } from '../../../../src/compiler/snapshot.ts';

void describe('decideFault', () => {
  void test('each fault draws once against its percentage', () => {
    const policy = { delay: { fixedDelayMs: 500, percent: 10 }, abort: { httpStatus: 503, percent: 50 } };
    const draws =
      (values: number[]): (() => number) =>
      () =>
        values.shift()!;
    assert.deepEqual(decideFault(policy, draws([0.05, 0.4])), { delayMs: 500, abort: { httpStatus: 503 } });
    assert.deepEqual(decideFault(policy, draws([0.5, 0.6])), { delayMs: 0 });
    assert.deepEqual(
      decideFault({ abort: { grpcStatus: 14, percent: 100 } }, () => 0.999),
      { delayMs: 0, abort: { grpcStatus: 14 } },
    );
    assert.deepEqual(
      decideFault(undefined, () => 0),
      { delayMs: 0 },
    );
  });
});

void describe('evaluateCors', () => {
  const policy: CorsPolicy = {
    allowOrigins: [{ kind: 'exact', value: 'https://app.test', ignoreCase: false }],
    allowMethods: 'GET',
    allowHeaders: '',
    exposeHeaders: 'x-a',
    maxAge: '',
    allowCredentials: false,
    forwardNotMatchingPreflights: true,
  };
  const headers =
    (h: Record<string, string>) =>
    (name: string): string | undefined =>
      h[name];

  void test('preflight from an allowed origin is answered; from another origin it is forwarded, or answered bare with IGNORE', () => {
    const pre = { origin: 'https://app.test', 'access-control-request-method': 'GET' };
    assert.deepEqual(evaluateCors(policy, 'OPTIONS', headers(pre)), {
      kind: 'preflight',
      headers: { 'access-control-allow-origin': 'https://app.test', 'access-control-allow-methods': 'GET' },
    });
    assert.deepEqual(evaluateCors(policy, 'OPTIONS', headers({ ...pre, origin: 'https://x.test' })), { kind: 'none' });
    assert.deepEqual(
      evaluateCors(
        { ...policy, forwardNotMatchingPreflights: false },
        'OPTIONS',
        headers({ ...pre, origin: 'https://x.test' }),
      ),
      { kind: 'preflight', headers: {} },
    );
  });

  void test('simple requests from an allowed origin get the response headers; no Origin, nothing', () => {
    assert.deepEqual(evaluateCors(policy, 'GET', headers({ origin: 'https://app.test' })), {
      kind: 'forward',
      responseHeaders: { 'access-control-allow-origin': 'https://app.test', 'access-control-expose-headers': 'x-a' },
    });
    assert.deepEqual(evaluateCors(policy, 'GET', headers({})), { kind: 'none' });
  });
});

void describe('applyHeaderMutation and shadowAuthority', () => {
  void test('remove, then set, then add (append); :authority is the host header', () => {
    const h: HeaderMap = { host: 'a.test', 'x-old': '1', 'x-list': 'a' };
    applyHeaderMutation(h, {
      remove: ['x-old'],
      set: [
        [':authority', 'b.test'],
        ['x-new', 'n'],
      ],
      add: [
        ['x-list', 'b'],
        ['x-fresh', 'f'],
      ],
    });
    assert.deepEqual(h, { host: 'b.test', 'x-new': 'n', 'x-list': ['a', 'b'], 'x-fresh': 'f' });
  });

  void test('the shadow authority keeps the port after the suffix', () => {
    assert.equal(shadowAuthority('api.test'), 'api.test-shadow');
    assert.equal(shadowAuthority('api.test:8080'), 'api.test-shadow:8080');
    assert.equal(shadowAuthority('[::1]:80'), '[::1]-shadow:80');
  });
});

void describe('ReplayableBody', () => {
  async function readAll(body: AsyncIterable<Uint8Array>): Promise<string> {
    let text = '';
    for await (const chunk of body) text += Buffer.from(chunk).toString();
    return text;
  }

  void test('a second reader replays what the first read, then the rest', async () => {
    let bytes = 0;
    const body = new ReplayableBody(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), 100, (n) => {
      bytes += n;
    });
    const first = body.reader()[Symbol.asyncIterator]();
    assert.equal(Buffer.from((await first.next()).value!).toString(), 'ab');
    assert.equal(await readAll(body.reader()), 'abcd');
    assert.equal(bytes, 4, 'each byte is counted once');
    assert.ok(body.replayable);
    assert.equal(Buffer.concat((await body.whenComplete())!).toString(), 'abcd');
  });

  void test('past the limit it cannot be replayed and no complete copy exists', async () => {
    const body = new ReplayableBody(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 10, () => {});
    assert.equal((await readAll(body.reader())).length, 12);
    assert.equal(body.replayable, false);
    assert.equal(await body.whenComplete(), undefined);
  });
});
