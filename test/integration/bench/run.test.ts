// Smoke test of the benchmark harness: `npm run bench -- --quick` against direct only must finish in
// seconds and write a RESULTS.md with every section, so CI notices when the harness breaks.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run bench --quick', () => {
  test('against direct only, writes every section of RESULTS.md', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    try {
      const out = join(dir, 'RESULTS.md');
      const run = await runBench(['--quick', '--peers', 'direct', '--seconds', '1', '--warmup', '0.5', '--out', out]);
      assert.equal(run.code, 0, run.stderr);
      const md = readFileSync(out, 'utf8');
      assert.match(md, /^# meshgate benchmark results/);
      assert.match(md, /\| Node \| v\d+/);
      assert.match(md, /^## Targets$/m);
      // meshgate was not asked for: every target says why it has no number instead of passing.
      assert.doesNotMatch(md, /\*\*PASS\*\*|\*\*FAIL\*\*/);
      assert.match(md, /\*\*NOT MEASURED\*\*/);
      // wrk may be missing where CI runs: then the scenario says exactly how to install it.
      assert.match(
        md,
        /## Plain HTTP forward proxy[^\n]*\n\n(\| peer[^\n]*\n(.*\n)*\| direct \| [\d,]+ \||Skipped: wrk is not installed: apt-get install -y wrk)/,
      );
      for (const title of [
        'CONNECT tunnels, many requests per tunnel',
        'CONNECT tunnels, one tunnel per request',
        'Latency at a fixed 1000 requests/s',
      ]) {
        const section = md.slice(md.indexOf(`## ${title}`));
        assert.match(section, /\n\| direct \| [\d,.]+ \|/, `${title} has a number for direct`);
      }
      assert.match(md, /## Config scale \(meshgate only\)\n\nSkipped: meshgate is not among --peers/);
      assert.match(
        md,
        /### SNI parse\n\n\| case \| ns\/call \| range \|\n\| --- \| --- \| --- \|\n\| parseClientHello: /,
      );
      assert.match(run.stdout, /NOT MEASURED +HTTP throughput/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown scenario is a usage error naming the choices', async () => {
    const run = await runBench(['--scenarios', 'nope']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown scenario "nope" \(one of http, connect, /);
  });
});
