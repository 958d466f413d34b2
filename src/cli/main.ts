// Command-line entry: builds the program from one module per command and maps failures to exit codes.
import { Command, CommanderError } from 'commander';
import { registerIptablesCommand } from './iptables.ts';
import { registerProxyCommand } from './proxy.ts';
import { UsageError } from './usage-error.ts';
import { registerValidateCommand } from './validate.ts';

/** Exit code for usage mistakes and unreadable input, as for `validate`. */
const EXIT_USAGE = 2;

const program = new Command('meshgate').description('Istio egress traffic management as a sidecar proxy');
// Commander would exit 1 on a usage error; we want 2 for it, so it throws and we decide.
program.exitOverride();

// Each command lives in src/cli/<command>.ts and adds itself here.
registerValidateCommand(program);
registerProxyCommand(program);
registerIptablesCommand(program);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and --version also arrive here, with exit code 0; commander already printed the message.
    process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`meshgate: ${err.message}\n`);
    process.exit(EXIT_USAGE);
  }
  throw err;
}
