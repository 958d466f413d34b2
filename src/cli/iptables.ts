// `meshgate iptables`: installs, prints or removes the outbound capture rules in the current network
// namespace, like istio-iptables in Istio's init container (REDIRECT mode, outbound only).
import type { Command } from 'commander';
import {
  CaptureOptionsError,
  DEFAULT_PROXY_PORT,
  DEFAULT_PROXY_UID,
  parseCaptureFlags,
  type CaptureFlags,
} from '../capture/capture-options.ts';
import {
  applyRuleset,
  checkIptables,
  cleanupCommands,
  cleanupRules,
  IptablesError,
} from '../capture/iptables-apply.ts';
import { buildRuleset, renderRestore, type Family } from '../capture/iptables-rules.ts';

interface IptablesCommandOptions extends CaptureFlags {
  readonly ipv6?: boolean;
  readonly dryRun?: boolean;
  readonly cleanup?: boolean;
}

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

function families(options: IptablesCommandOptions): Family[] {
  return options.ipv6 ? [4, 6] : [4];
}

async function run(options: IptablesCommandOptions): Promise<void> {
  const capture = parseCaptureFlags(options);
  const rulesets = families(options).map((family) => buildRuleset(capture, family));
  if (options.dryRun) {
    for (const ruleset of rulesets) {
      const tool = ruleset.family === 4 ? 'iptables' : 'ip6tables';
      if (options.cleanup) {
        process.stdout.write(
          `# ${tool}: commands --cleanup runs when the rules are installed\n${cleanupCommands(ruleset).join('\n')}\n`,
        );
      } else {
        process.stdout.write(
          `# ${tool}-restore --noflush input (nothing was changed)\n${renderRestore(ruleset, { comments: true })}`,
        );
      }
    }
    return;
  }
  for (const ruleset of rulesets) {
    const tool = ruleset.family === 4 ? 'iptables' : 'ip6tables';
    await checkIptables(ruleset.family);
    if (options.cleanup) {
      const report = await cleanupRules(ruleset.family);
      const what =
        report.removedChains.length === 0 && report.removedHooks === 0
          ? 'nothing to remove'
          : `removed ${report.removedHooks} OUTPUT hook(s) and chains ${report.removedChains.join(', ') || '(none)'}`;
      process.stdout.write(`meshgate iptables (${tool}): ${what}\n`);
    } else {
      const report = await applyRuleset(ruleset);
      process.stdout.write(
        `meshgate iptables (${tool}): nat chains ${ruleset.chains.join(', ')} hold ${ruleset.rules.length} rules; ` +
          `outbound TCP is redirected to port ${capture.proxyPort}; uid ${capture.proxyUid} and gid ${capture.proxyGid} are exempt` +
          `${report.hooked ? '' : ' (OUTPUT hook already in place)'}${report.removedStaleHooks > 0 ? `; removed ${report.removedStaleHooks} stale hook(s)` : ''}\n`,
      );
    }
  }
}

/** Adds the `iptables` command to the CLI program. */
export function registerIptablesCommand(program: Command): void {
  program
    .command('iptables')
    .description(
      'install the nat rules that redirect outbound TCP to the proxy (run as root in the pod network namespace)',
    )
    .option('--proxy-uid <uid>', `uid whose traffic is never captured (the proxy's) [default: ${DEFAULT_PROXY_UID}]`)
    .option('--proxy-gid <gid>', 'gid whose traffic is never captured [default: the proxy uid]')
    .option('--proxy-port <port>', `port of the proxy's outbound listener [default: ${DEFAULT_PROXY_PORT}]`)
    .option('--include-ports <list>', 'ports always captured, whatever the destination (comma-separated)')
    .option('--exclude-ports <list>', 'outbound ports never captured (comma-separated)')
    .option(
      '--include-cidrs <list>',
      "destinations captured: '*' or comma-separated CIDRs [default: '*', or none with --include-ports]",
    )
    .option('--exclude-cidrs <list>', 'destinations never captured (comma-separated CIDRs)')
    .option('--ipv6', 'also install the same rules with ip6tables')
    .option(
      '--dry-run',
      'print the iptables-restore rules (or, with --cleanup, the commands) without changing anything',
    )
    .option('--cleanup', 'remove the rules and chains this command installs')
    .action(async (options: IptablesCommandOptions) => {
      try {
        await run(options);
      } catch (err) {
        if (err instanceof CaptureOptionsError) {
          for (const problem of err.problems) process.stderr.write(`meshgate iptables: ${problem}\n`);
          process.exit(EXIT_USAGE);
        }
        if (err instanceof IptablesError) {
          process.stderr.write(`meshgate iptables: ${err.message}\n`);
          process.exit(EXIT_FAILED);
        }
        throw err;
      }
    });
}
