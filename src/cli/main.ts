// Command-line entry: parses argv and dispatches to one command module.
import { Command } from 'commander';
import { registerIptablesCommand } from './iptables.ts';

const program = new Command('meshgate').description('Istio egress traffic management as a sidecar proxy');
registerIptablesCommand(program);
await program.parseAsync();
