// Runs every test file under test/ with node:test + tsx and fails when no test ran at all:
// Node 20's `node --test` neither globs nor finds .ts files, and "0 tests" would otherwise pass.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir) {
  const found = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) found.push(...collect(path));
    else if (entry.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = collect('test')
  .filter((f) => filters.length === 0 || filters.some((p) => f.includes(p)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
mkdirSync('.test-results', { recursive: true });
const tapFile = join('.test-results', 'results.tap');
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=2',
  // A hung test must fail the build, not stall CI: no single test may take longer than this.
  '--test-timeout=180000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tapFile}`,
  ...files,
];
// Every snapshot compiled under test is deep-frozen, in-process and in spawned proxies alike, so a write
// to a live snapshot fails a test instead of passing silently (docs/decisions/0010).
const child = spawn(process.execPath, args, {
  stdio: 'inherit',
  env: { ...process.env, MESHGATE_FREEZE_SNAPSHOTS: '1' },
});
child.on('exit', (code, signal) => {
  const tap = readFileSync(tapFile, 'utf8');
  const count = (name) =>
    Number(
      /^# (\w+) (\d+)$/m.exec(
        tap
          .split('\n')
          .filter((l) => l.startsWith(`# ${name} `))
          .pop() ?? '',
      )?.[2] ?? 0,
    );
  const tests = count('tests');
  const skipped = count('skipped');
  console.log(
    `run-tests: ${files.length} files, ${tests} tests, ${count('pass')} passed, ${count('fail')} failed, ${count('cancelled')} cancelled, ${skipped} skipped`,
  );
  if (tests === 0) {
    console.error('run-tests: zero tests ran; failing the build');
    process.exit(1);
  }
  process.exit(signal ? 1 : (code ?? 1));
});
