// Installs, re-installs and removes the capture rules in a fresh network namespace with the real
// iptables (root only; skips with the reason otherwise), through the library and the CLI.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseCaptureFlags } from '../../../src/capture/capture-options.ts';
import { applyRuleset, cleanupRules } from '../../../src/capture/iptables-apply.ts';
import { buildRuleset, ruleText, type Ruleset } from '../../../src/capture/iptables-rules.ts';
import { createNetns, deleteNetns, natRules, netnsRunner, netnsSkipReason } from '../../helpers/netns.ts';

const skip = netnsSkipReason(['iptables', 'ip6tables']);
if (skip) console.log(`# skipping iptables namespace tests: ${skip}`);

/** What `iptables -S` prints once `ruleset` is installed on top of `base`. */
function expectedListing(base: string[], ruleset: Ruleset): string[] {
  const policies = base.filter((line) => line.startsWith('-P'));
  const others = base.filter((line) => !line.startsWith('-P'));
  // iptables -S names the tcp match that `-p tcp --dport` loads implicitly.
  const listed = (text: string): string => `-A ${text.replace('-p tcp --dport', '-p tcp -m tcp --dport')}`;
  const byChain = (chain: string): string[] =>
    ruleset.rules.filter((r) => r.chain === chain).map((r) => listed(ruleText(r)));
  return [
    ...policies,
    ...ruleset.chains.map((c) => `-N ${c}`),
    ...others.filter((l) => l.startsWith('-N')),
    ...others.filter((l) => !l.startsWith('-N')),
    `-A ${ruleText(ruleset.jump)}`,
    ...byChain('MESHGATE_OUTPUT'),
    ...byChain('MESHGATE_REDIRECT'),
  ];
}

function meshgate(netns: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    'ip',
    ['netns', 'exec', netns, process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'iptables', ...args],
    { encoding: 'utf8' },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `body` in its own fresh namespace, deleted by name afterwards whatever happens. */
async function inNetns(body: (netns: string) => Promise<void>): Promise<void> {
  const netns = createNetns();
  try {
    await body(netns);
  } finally {
    deleteNetns(netns);
  }
}

describe('meshgate iptables in a network namespace', { skip }, () => {
  test('install, re-install with other flags, duplicate hooks, and cleanup leave only what they should', () =>
    inNetns(async (netns) => {
      const run = netnsRunner(netns);
      // A rule of the user's own in nat OUTPUT, which meshgate must neither duplicate nor remove.
      assert.equal(
        (await run('iptables', ['-t', 'nat', '-A', 'OUTPUT', '-d', '192.0.2.1/32', '-j', 'RETURN'])).code,
        0,
      );
      const pristine = await natRules(netns);

      const first = buildRuleset(parseCaptureFlags({ excludePorts: '22', excludeCidrs: '169.254.169.254' }));
      const report = await applyRuleset(first, run);
      assert.equal(report.hooked, true);
      const installed = await natRules(netns);
      assert.deepEqual(installed, expectedListing(pristine, first));

      const again = await applyRuleset(first, run);
      assert.deepEqual({ hooked: again.hooked, stale: again.removedStaleHooks }, { hooked: false, stale: 0 });
      assert.deepEqual(await natRules(netns), installed, 're-running must not duplicate anything');

      const changed = buildRuleset(parseCaptureFlags({ proxyPort: '15111', proxyUid: '2000' }));
      await applyRuleset(changed, run);
      const replaced = await natRules(netns);
      assert.deepEqual(replaced, expectedListing(pristine, changed));
      assert.ok(
        !replaced.some((line) => line.includes('15001') || line.includes('--dport 22')),
        'old rules must be gone',
      );

      // Someone added the hook twice (e.g. by hand): the next install leaves exactly one.
      await run('iptables', ['-t', 'nat', '-A', 'OUTPUT', '-p', 'tcp', '-j', 'MESHGATE_OUTPUT']);
      await run('iptables', ['-t', 'nat', '-A', 'OUTPUT', '-j', 'MESHGATE_OUTPUT']);
      await run('iptables', [
        '-t',
        'nat',
        '-A',
        'OUTPUT',
        '-m',
        'comment',
        '--comment',
        'added "by hand"',
        '-j',
        'MESHGATE_OUTPUT',
      ]);
      const repaired = await applyRuleset(changed, run);
      assert.equal(repaired.removedStaleHooks, 3);
      assert.deepEqual(await natRules(netns), replaced);

      // Cleanup removes hooks however they were written, comments with spaces included.
      await run('iptables', [
        '-t',
        'nat',
        '-I',
        'OUTPUT',
        '-m',
        'comment',
        '--comment',
        'by hand',
        '-j',
        'MESHGATE_OUTPUT',
      ]);
      const cleaned = await cleanupRules(4, run);
      assert.deepEqual(cleaned, {
        family: 4,
        removedHooks: 2,
        removedChains: ['MESHGATE_OUTPUT', 'MESHGATE_REDIRECT'],
      });
      assert.deepEqual(await natRules(netns), pristine, 'cleanup must remove exactly what was installed');
      assert.deepEqual(await cleanupRules(4, run), { family: 4, removedHooks: 0, removedChains: [] });
      assert.deepEqual(await natRules(netns), pristine);
    }));

  test('the CLI: --dry-run changes nothing, install is idempotent, --ipv6 and --cleanup', () =>
    inNetns(async (netns) => {
      const pristine = await natRules(netns);
      const pristine6 = await natRules(netns, 'ip6tables');

      const dry = meshgate(netns, ['--dry-run', '--exclude-ports', '22']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /-A MESHGATE_OUTPUT -p tcp --dport 22 -j RETURN/);
      assert.deepEqual(await natRules(netns), pristine, '--dry-run must not touch the kernel');

      const install = meshgate(netns, ['--exclude-ports', '22', '--ipv6']);
      assert.equal(install.code, 0, install.stderr);
      assert.match(
        install.stdout,
        /meshgate iptables \(iptables\): nat chains MESHGATE_OUTPUT, MESHGATE_REDIRECT hold 8 rules; outbound TCP is redirected to port 15001; uid 1337 and gid 1337 are exempt\n/,
      );
      const once4 = await natRules(netns);
      const once6 = await natRules(netns, 'ip6tables');
      assert.ok(once6.includes('-A MESHGATE_OUTPUT -d ::1/128 -j RETURN'));

      const twice = meshgate(netns, ['--exclude-ports', '22', '--ipv6']);
      assert.match(twice.stdout, /\(OUTPUT hook already in place\)/);
      assert.deepEqual(await natRules(netns), once4);
      assert.deepEqual(await natRules(netns, 'ip6tables'), once6);

      const cleanup = meshgate(netns, ['--cleanup', '--ipv6']);
      assert.equal(cleanup.code, 0, cleanup.stderr);
      assert.match(cleanup.stdout, /removed 1 OUTPUT hook\(s\) and chains MESHGATE_OUTPUT, MESHGATE_REDIRECT/);
      assert.deepEqual(await natRules(netns), pristine);
      assert.deepEqual(await natRules(netns, 'ip6tables'), pristine6);
      assert.match(meshgate(netns, ['--cleanup']).stdout, /nothing to remove/);
    }));

  test('bad flags exit 2 with every problem named, and change nothing', () =>
    inNetns(async (netns) => {
      const pristine = await natRules(netns);
      const bad = meshgate(netns, ['--proxy-port', 'x', '--exclude-cidrs', '10.0.0.0/40']);
      assert.equal(bad.code, 2);
      assert.equal(
        bad.stderr,
        'meshgate iptables: --proxy-port: "x" is not an integer from 1 to 65535\nmeshgate iptables: --exclude-cidrs: "10.0.0.0/40" is not an IP address or CIDR\n',
      );
      assert.deepEqual(await natRules(netns), pristine);
    }));
});
