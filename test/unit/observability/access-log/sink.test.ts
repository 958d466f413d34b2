import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { AccessLogSink, openAccessLogSink } from '../../../../src/observability/access-log/sink.ts';

void describe('access log sink', () => {
  void test('many lines, then close: the file holds all of them, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-sink-'));
    try {
      const path = join(dir, 'access.log');
      const sink = await openAccessLogSink(path);
      const total = 50_000;
      for (let i = 0; i < total; i++) {
        sink.write(`line ${i} ${'x'.repeat(i % 200)}\n`);
        // Yield now and then so batches are written while lines keep coming, as under real load.
        if (i % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await sink.close();
      const lines = (await readFile(path, 'utf8')).split('\n');
      assert.equal(lines.pop(), '');
      assert.equal(lines.length, total);
      for (let i = 0; i < total; i++) assert.equal(lines[i], `line ${i} ${'x'.repeat(i % 200)}`);
      assert.equal(sink.writtenLines, total);
      assert.equal(sink.droppedLines, 0);
      sink.write('after close\n');
      assert.equal(sink.droppedLines, 1, 'a straggler after close is counted, not thrown');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('flush resolves once queued lines are on disk, and appends to an existing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-sink-'));
    try {
      const path = join(dir, 'access.log');
      const first = await openAccessLogSink(path);
      first.write('one\n');
      await first.close();
      const sink = await openAccessLogSink(path);
      sink.write('two\n');
      sink.write('three\n');
      await sink.flush();
      assert.equal(await readFile(path, 'utf8'), 'one\ntwo\nthree\n');
      await sink.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test('a path that cannot be opened is a clear startup error', async () => {
    await assert.rejects(openAccessLogSink('/nonexistent-dir/access.log'), { code: 'MG_ERR_ACCESS_LOG_WRITE' });
  });

  void test('stdout (-): a child process logs many lines and exits after close without losing any', async () => {
    const script = `
      import { Writable } from 'node:stream';
import { AccessLogSink, openAccessLogSink } from ${JSON.stringify(new URL('../../../../src/observability/access-log/sink.ts', import.meta.url).href)};
      const sink = await openAccessLogSink('-');
      for (let i = 0; i < 20000; i++) sink.write('L' + i + '\\n');
      await sink.close();
      process.exit(0);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const lines = out.split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 20000);
    assert.equal(lines[19999], 'L19999');
  });

  void test('a slow destination: batches wait for drain, flush waits for all, overflow is counted', async () => {
    const received: string[] = [];
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk.toString());
        setTimeout(callback, 2);
      },
    });
    const sink = new AccessLogSink('slow', slow, true, { maxBufferedBytes: 4000 });
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) sink.write(`r${round}-${i}\n`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sink.flush();
    const expected = Array.from({ length: 200 }, (_, n) => `r${Math.floor(n / 10)}-${n % 10}\n`).join('');
    assert.equal(received.join(''), expected);
    for (let i = 0; i < 1000; i++) sink.write(`${'y'.repeat(9)}\n`);
    assert.ok(sink.droppedLines > 0, 'lines beyond maxBufferedBytes are dropped, not buffered without bound');
    await sink.close();
    assert.equal(sink.writtenLines + sink.droppedLines, 1200);
  });

  void test('a destination that fails: lines are counted as dropped, the error reported, close still resolves', async () => {
    const errors: string[] = [];
    const broken = new Writable({
      write(_chunk: Buffer, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    const sink = new AccessLogSink('broken', broken, true, {
      onError: (e) => errors.push(`${e.code}: ${(e.cause as Error).message}`),
    });
    sink.write('a\n');
    sink.write('b\n');
    await sink.flush();
    sink.write('c\n');
    await sink.close();
    assert.deepEqual(errors, ['MG_ERR_ACCESS_LOG_WRITE: disk full']);
    assert.equal(sink.writtenLines, 0);
    assert.equal(sink.droppedLines, 3);
  });
});
