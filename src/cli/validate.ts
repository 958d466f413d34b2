// `meshgate validate`: checks Istio YAML like Istio's webhook would; exit 0 clean, 1 on errors, 2 on unreadable input.
import { Option, type Command } from 'commander';
import { loadConfig } from '../validation/validate.ts';
import { formatJson, formatSummaryLine, formatText, type OutputFormat } from './findings-output.ts';
import { UsageError } from './usage-error.ts';

interface ValidateFlags {
  readonly meshConfig?: string;
  readonly namespace: string;
  readonly output: OutputFormat;
}

const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check ServiceEntry, VirtualService, DestinationRule and Sidecar YAML the way Istio would')
    .argument('<paths...>', 'YAML files or folders (read recursively: *.yaml, *.yml)')
    .option('--mesh-config <file>', "MeshConfig YAML (the `mesh` key of Istio's ConfigMap, or the whole ConfigMap)")
    .option('--namespace <ns>', 'namespace of resources whose metadata has none', 'default')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], flags: ValidateFlags) => {
      process.exitCode = await runValidate(paths, flags);
    });
}

async function runValidate(paths: string[], flags: ValidateFlags): Promise<number> {
  if (!NAMESPACE.test(flags.namespace))
    throw new UsageError(`--namespace "${flags.namespace}" is not a valid namespace name`);
  const result = await loadConfig(paths, {
    namespace: flags.namespace,
    ...(flags.meshConfig === undefined ? {} : { meshConfigPath: flags.meshConfig }),
  });
  for (const input of result.unreadable)
    process.stderr.write(`meshgate: cannot read ${input.path}: ${input.message}\n`);
  if (flags.output === 'json') {
    process.stdout.write(formatJson(result));
  } else {
    process.stdout.write(formatText(result));
    process.stderr.write(`${formatSummaryLine(result)}\n`);
  }
  if (result.unreadable.length > 0) return 2;
  return result.findings.some((f) => f.severity === 'error') ? 1 : 0;
}
