// Throw-away network namespaces for root-only capture tests: unique names, commands run inside
// them through `ip netns exec`, and deletion by name even when a test fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { systemRunner, type CommandRunner } from '../../src/capture/iptables-apply.ts';

function hasCommand(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** Why namespace tests cannot run here, or undefined when they can. Printed as the skip reason. */
export function netnsSkipReason(tools: string[] = ['iptables']): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (ip netns add, iptables); CI runs it as root';
  if (!hasCommand('ip', ['-V'])) return 'needs iproute2 (`ip`); install it with apt-get install iproute2';
  for (const tool of tools) {
    if (!hasCommand(tool, ['--version'])) return `needs ${tool}; install it with apt-get install ${tool}`;
  }
  return undefined;
}

/** A namespace named mg-test-<random>, with loopback up. */
export function createNetns(): string {
  const name = `mg-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Deletes the namespace (and the veth ends inside it); quiet when it is already gone. */
export function deleteNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
}

/** Runs a command inside the namespace; used as the iptables CommandRunner in tests. */
export function netnsRunner(name: string): CommandRunner {
  return (command, args, input) => systemRunner('ip', ['netns', 'exec', name, command, ...args], input);
}

/** `iptables -t nat -S` inside the namespace, as a list of lines. */
export async function natRules(name: string, tool = 'iptables'): Promise<string[]> {
  const result = await netnsRunner(name)(tool, ['-w', '-t', 'nat', '-S']);
  if (result.code !== 0) throw new Error(`${tool} -S failed: ${result.stderr}`);
  return result.stdout.split('\n').filter((line) => line !== '');
}
