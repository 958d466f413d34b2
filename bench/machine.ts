// Describes where and on what a benchmark ran: CPU, cores, memory, load, Node, commit, date.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** 1-minute load average when the run started: above the core count, expect noisier numbers. */
  readonly loadAverage: number;
  readonly node: string;
  readonly commit: string;
  readonly date: string;
}

function git(args: readonly string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function describeMachine(repoRoot: string): Machine {
  const head = git(['rev-parse', '--short=12', 'HEAD'], repoRoot) || 'unknown';
  // Only source changes make the numbers differ from the commit's; results and scratch files do not.
  const dirty = git(['status', '--porcelain', '--', 'src', 'bin', 'package.json'], repoRoot) !== '';
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    node: process.version,
    commit: dirty ? `${head} (with uncommitted changes in src/)` : head,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}
