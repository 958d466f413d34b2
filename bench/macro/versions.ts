// One version line per program in the run, for the results header.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function firstLine(program: string, args: readonly string[]): string {
  const run = spawnSync(program, args, { encoding: 'utf8' });
  const text = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown version';
}

export function programVersion(name: string, path: string): string {
  if (name === 'squid') return firstLine(path, ['-v']);
  if (name === 'tinyproxy') return firstLine(path, ['-v']);
  if (name === 'wrk') return firstLine(path, ['--version']);
  return firstLine(path, ['--version']);
}

export function meshgateVersion(repoRoot: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
  return `meshgate ${pkg.version ?? 'unknown'} (this checkout, built with scripts/build.mjs), Node ${process.version}`;
}
