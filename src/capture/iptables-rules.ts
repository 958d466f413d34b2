// Builds the nat rules that capture outbound TCP for the proxy, in the spirit of istio-iptables'
// REDIRECT mode (outbound only), as data and as iptables-restore text; pure, no kernel access.
import type { CaptureOptions, Cidr } from './capture-options.ts';

export const OUTPUT_CHAIN = 'MESHGATE_OUTPUT';
export const REDIRECT_CHAIN = 'MESHGATE_REDIRECT';
/** Every chain meshgate creates, in the order they are declared; cleanup removes exactly these. */
export const MESHGATE_CHAINS = [OUTPUT_CHAIN, REDIRECT_CHAIN] as const;

export type Family = 4 | 6;

/** One `-A <chain> <spec…>` rule; `spec` is argv, so it can be run or rendered without quoting. */
export interface Rule {
  readonly chain: string;
  readonly spec: readonly string[];
  /** Why the rule exists, printed as a comment by --dry-run. */
  readonly why: string;
}

export interface Ruleset {
  readonly family: Family;
  readonly table: 'nat';
  readonly chains: readonly string[];
  /** The hook from the built-in OUTPUT chain into ours; kept apart because it must not be duplicated. */
  readonly jump: Rule;
  /** Rules inside our own chains, in order. */
  readonly rules: readonly Rule[];
}

const LOOPBACK: Record<Family, string> = { 4: '127.0.0.1/32', 6: '::1/128' };

function rule(chain: string, why: string, ...spec: string[]): Rule {
  return { chain, spec, why };
}

function ofFamily(cidrs: readonly Cidr[], family: Family): string[] {
  return cidrs.filter((cidr) => cidr.family === family).map((cidr) => cidr.text);
}

/**
 * The order matters and follows istio-iptables: exclusions first, then the owner exemptions that
 * keep the proxy's own traffic (and the app's loopback traffic) out, then what gets redirected.
 */
export function buildRuleset(options: CaptureOptions, family: Family = 4): Ruleset {
  const { proxyUid, proxyGid, proxyPort } = options;
  const uid = String(proxyUid);
  const gid = String(proxyGid);
  const rules: Rule[] = [
    rule(
      REDIRECT_CHAIN,
      `send captured TCP to the proxy's outbound listener`,
      '-p',
      'tcp',
      '-j',
      'REDIRECT',
      '--to-ports',
      String(proxyPort),
    ),
  ];
  for (const port of options.excludePorts) {
    rules.push(rule(OUTPUT_CHAIN, `port ${port} is excluded`, '-p', 'tcp', '--dport', String(port), '-j', 'RETURN'));
  }
  rules.push(
    rule(
      OUTPUT_CHAIN,
      `the application's own loopback traffic is not captured`,
      '-o',
      'lo',
      '-m',
      'owner',
      '!',
      '--uid-owner',
      uid,
      '-j',
      'RETURN',
    ),
    rule(
      OUTPUT_CHAIN,
      `the proxy (uid ${uid}) dials upstreams directly: no self-loop`,
      '-m',
      'owner',
      '--uid-owner',
      uid,
      '-j',
      'RETURN',
    ),
    rule(
      OUTPUT_CHAIN,
      `the same loopback exemption by group`,
      '-o',
      'lo',
      '-m',
      'owner',
      '!',
      '--gid-owner',
      gid,
      '-j',
      'RETURN',
    ),
    rule(
      OUTPUT_CHAIN,
      `the proxy (gid ${gid}) dials upstreams directly: no self-loop`,
      '-m',
      'owner',
      '--gid-owner',
      gid,
      '-j',
      'RETURN',
    ),
    rule(OUTPUT_CHAIN, 'localhost is never captured', '-d', LOOPBACK[family], '-j', 'RETURN'),
  );
  for (const cidr of ofFamily(options.excludeCidrs, family)) {
    rules.push(rule(OUTPUT_CHAIN, `${cidr} is excluded`, '-d', cidr, '-j', 'RETURN'));
  }
  for (const port of options.includePorts) {
    rules.push(
      rule(
        OUTPUT_CHAIN,
        `port ${port} is captured whatever the destination`,
        '-p',
        'tcp',
        '--dport',
        String(port),
        '-j',
        REDIRECT_CHAIN,
      ),
    );
  }
  if (options.includeCidrs === '*') {
    rules.push(rule(OUTPUT_CHAIN, 'everything else is captured', '-j', REDIRECT_CHAIN));
  } else {
    for (const cidr of ofFamily(options.includeCidrs, family)) {
      rules.push(rule(OUTPUT_CHAIN, `${cidr} is captured`, '-d', cidr, '-j', REDIRECT_CHAIN));
    }
  }
  return {
    family,
    table: 'nat',
    chains: MESHGATE_CHAINS,
    jump: rule('OUTPUT', "all outbound TCP goes through meshgate's chain", '-p', 'tcp', '-j', OUTPUT_CHAIN),
    rules,
  };
}

/** One rule as iptables prints it with -S (without the leading -A/-D verb). */
export function ruleText(r: Rule): string {
  return [r.chain, ...r.spec].join(' ');
}

export interface RenderOptions {
  /** Include the OUTPUT jump (dry-run shows everything; apply adds it only when missing). */
  readonly jump?: boolean;
  /** `-D OUTPUT …` lines for stale hooks to remove in the same commit. */
  readonly deleteJumps?: readonly (readonly string[])[];
  /** Prefix each rule with `# why` lines. */
  readonly comments?: boolean;
}

/** Quotes a word the way iptables -S prints it and iptables-restore reads it (e.g. a comment). */
export function restoreWord(word: string): string {
  return /^[^\s"\\]+$/.test(word) ? word : `"${word.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * iptables-restore input for `--noflush`: declaring our chains flushes (or creates) them, so the
 * whole ruleset is replaced in one atomic commit and re-running never duplicates a rule.
 */
export function renderRestore(ruleset: Ruleset, options: RenderOptions = {}): string {
  const lines = [`*${ruleset.table}`, ...ruleset.chains.map((chain) => `:${chain} - [0:0]`)];
  const add = (r: Rule): void => {
    if (options.comments) lines.push(`# ${r.why}`);
    lines.push(`-A ${ruleText(r)}`);
  };
  for (const spec of options.deleteJumps ?? []) lines.push(`-D OUTPUT ${spec.map(restoreWord).join(' ')}`);
  if (options.jump ?? true) add(ruleset.jump);
  for (const r of ruleset.rules) add(r);
  lines.push('COMMIT', '');
  return lines.join('\n');
}
