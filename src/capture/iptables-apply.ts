// Installs and removes the capture rules in the current network namespace by driving iptables and
// iptables-restore (or their ip6 twins); re-running replaces, --cleanup removes exactly our chains.
import { spawn } from 'node:child_process';
import { MESHGATE_CHAINS, OUTPUT_CHAIN, renderRestore, type Family, type Ruleset } from './iptables-rules.ts';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one external command; the seam where tests could stand in for the kernel (ours use a netns). */
export type CommandRunner = (command: string, args: readonly string[], input?: string) => Promise<CommandResult>;

export class IptablesError extends Error {
  readonly code = 'MG_ERR_IPTABLES';
  constructor(message: string) {
    super(message);
    this.name = 'IptablesError';
  }
}

export const systemRunner: CommandRunner = (command, args, input) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (err) => resolve({ code: 127, stdout, stderr: err.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');
  });

export function binaries(family: Family): { readonly iptables: string; readonly restore: string } {
  return family === 4
    ? { iptables: 'iptables', restore: 'iptables-restore' }
    : { iptables: 'ip6tables', restore: 'ip6tables-restore' };
}

async function must(runner: CommandRunner, command: string, args: readonly string[], input?: string): Promise<string> {
  const result = await runner(command, args, input);
  if (result.code !== 0) {
    const detail = result.stderr.trim() || result.stdout.trim() || `exit ${result.code}`;
    throw new IptablesError(`${command} ${args.join(' ')} failed: ${detail}`);
  }
  return result.stdout;
}

/** Splits one `iptables -S` line into argv; values with spaces (comments) come double-quoted. */
export function splitRuleLine(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
    words.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? ''));
  }
  return words;
}

/** The nat table as `iptables -t nat -S` lists it: our chains that exist and every hook into them. */
interface NatState {
  readonly chains: readonly string[];
  /** Specs (argv after `-A OUTPUT`) of OUTPUT rules that jump to MESHGATE_OUTPUT. */
  readonly jumps: readonly (readonly string[])[];
}

async function readNat(runner: CommandRunner, family: Family): Promise<NatState> {
  const listing = await must(runner, binaries(family).iptables, ['-w', '-t', 'nat', '-S']);
  const chains: string[] = [];
  const jumps: string[][] = [];
  for (const line of listing.split('\n')) {
    const words = splitRuleLine(line);
    if (words[0] === '-N' && words[1] !== undefined && (MESHGATE_CHAINS as readonly string[]).includes(words[1]))
      chains.push(words[1]);
    if (words[0] === '-A' && words[1] === 'OUTPUT') {
      const spec = words.slice(2);
      const target = spec.indexOf('-j');
      if (target >= 0 && spec[target + 1] === OUTPUT_CHAIN) jumps.push(spec);
    }
  }
  return { chains, jumps };
}

export interface ApplyReport {
  readonly family: Family;
  readonly rules: number;
  /** True when the OUTPUT hook was (re)installed; false when the one in place was kept. */
  readonly hooked: boolean;
  readonly removedStaleHooks: number;
}

/**
 * One atomic iptables-restore --noflush: our chains are declared (so flushed and refilled), a
 * missing OUTPUT hook is added, and extra or different hooks left by older runs are deleted.
 */
export async function applyRuleset(ruleset: Ruleset, runner: CommandRunner = systemRunner): Promise<ApplyReport> {
  const state = await readNat(runner, ruleset.family);
  const wanted = ruleset.jump.spec.join(' ');
  const keepIndex = state.jumps.findIndex((spec) => spec.join(' ') === wanted);
  const stale = state.jumps.filter((_, index) => index !== keepIndex);
  const input = renderRestore(ruleset, { jump: keepIndex < 0, deleteJumps: stale });
  await must(runner, binaries(ruleset.family).restore, ['-w', '--noflush'], input);
  return {
    family: ruleset.family,
    rules: ruleset.rules.length + (keepIndex < 0 ? 1 : 0),
    hooked: keepIndex < 0,
    removedStaleHooks: stale.length,
  };
}

export interface CleanupReport {
  readonly family: Family;
  readonly removedHooks: number;
  readonly removedChains: readonly string[];
}

/** Removes every hook into MESHGATE_OUTPUT and our two chains; touches nothing else; idempotent. */
export async function cleanupRules(family: Family, runner: CommandRunner = systemRunner): Promise<CleanupReport> {
  const { iptables } = binaries(family);
  const state = await readNat(runner, family);
  for (const spec of state.jumps) await must(runner, iptables, ['-w', '-t', 'nat', '-D', 'OUTPUT', ...spec]);
  // Flush all first: MESHGATE_OUTPUT refers to MESHGATE_REDIRECT, and a referenced chain cannot go.
  for (const chain of state.chains) await must(runner, iptables, ['-w', '-t', 'nat', '-F', chain]);
  for (const chain of state.chains) await must(runner, iptables, ['-w', '-t', 'nat', '-X', chain]);
  return { family, removedHooks: state.jumps.length, removedChains: state.chains };
}

/** The commands cleanup runs when the rules are in place, for --cleanup --dry-run. */
export function cleanupCommands(ruleset: Ruleset): string[] {
  const { iptables } = binaries(ruleset.family);
  return [
    `${iptables} -t nat -D OUTPUT ${ruleset.jump.spec.join(' ')}`,
    ...ruleset.chains.map((chain) => `${iptables} -t nat -F ${chain}`),
    ...ruleset.chains.map((chain) => `${iptables} -t nat -X ${chain}`),
  ];
}

/** Fails with a clear message when the iptables tools are not installed or not usable here. */
export async function checkIptables(family: Family, runner: CommandRunner = systemRunner): Promise<string> {
  const { iptables } = binaries(family);
  const result = await runner(iptables, ['--version']);
  if (result.code !== 0) {
    throw new IptablesError(
      `${iptables} is not usable (${result.stderr.trim() || `exit ${result.code}`}); install the iptables package`,
    );
  }
  return result.stdout.trim();
}
