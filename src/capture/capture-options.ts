// Parses and checks the `meshgate iptables` flags into CaptureOptions, the input of the rule
// builder; like istio-iptables' -u/-g/-p/-q/-o/-i/-x, every bad value is reported at once.
import { isIP } from 'node:net';

/** A CIDR split by address family, since iptables and ip6tables each take only their own. */
export interface Cidr {
  readonly family: 4 | 6;
  readonly text: string;
}

export interface CaptureOptions {
  /** Traffic from this uid (the proxy's) is never captured, so its own upstream dials do not loop. */
  readonly proxyUid: number;
  readonly proxyGid: number;
  /** Where captured outbound TCP is REDIRECTed: the proxy's outbound listener. */
  readonly proxyPort: number;
  /** Ports captured whatever the destination address (istio-iptables -q). */
  readonly includePorts: readonly number[];
  /** Ports never captured (istio-iptables -o). */
  readonly excludePorts: readonly number[];
  /** '*' captures every destination; otherwise only these ranges (istio-iptables -i). */
  readonly includeCidrs: '*' | readonly Cidr[];
  /** Destinations never captured (istio-iptables -x). */
  readonly excludeCidrs: readonly Cidr[];
}

/** The flags as typed on the command line; lists are comma-separated. */
export interface CaptureFlags {
  readonly proxyUid?: string;
  readonly proxyGid?: string;
  readonly proxyPort?: string;
  readonly includePorts?: string;
  readonly excludePorts?: string;
  readonly includeCidrs?: string;
  readonly excludeCidrs?: string;
}

export class CaptureOptionsError extends Error {
  readonly code = 'MG_ERR_CAPTURE_OPTIONS';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
    this.name = 'CaptureOptionsError';
  }
}

export const DEFAULT_PROXY_UID = 1337;
export const DEFAULT_PROXY_PORT = 15001;

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseInteger(flag: string, value: string, min: number, max: number, problems: string[]): number | undefined {
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${flag}: "${value}" is not an integer from ${min} to ${max}`);
    return undefined;
  }
  return parsed;
}

function parsePorts(flag: string, value: string | undefined, problems: string[]): number[] {
  const ports = new Set<number>();
  for (const item of splitList(value)) {
    const port = parseInteger(flag, item, 1, 65535, problems);
    if (port !== undefined) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Parses 'a.b.c.d[/n]' or 'x::y[/n]'; a bare address is a host route (/32 or /128). */
export function parseCidr(value: string): Cidr | undefined {
  const [address = '', prefix, extra] = value.split('/');
  const family = isIP(address);
  if (extra !== undefined || (family !== 4 && family !== 6)) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) return undefined;
  const bits = prefix === undefined ? max : Number(prefix);
  if (bits > max) return undefined;
  return { family, text: `${address.toLowerCase()}/${bits}` };
}

function parseCidrs(flag: string, value: string | undefined, problems: string[]): Cidr[] {
  const cidrs: Cidr[] = [];
  for (const item of splitList(value)) {
    const cidr = parseCidr(item);
    if (cidr === undefined) problems.push(`${flag}: "${item}" is not an IP address or CIDR`);
    else if (!cidrs.some((c) => c.text === cidr.text)) cidrs.push(cidr);
  }
  return cidrs;
}

/**
 * Turns flags into options. --include-cidrs defaults to '*' (what Istio's injector passes), except
 * when --include-ports is given alone: then only those ports are captured, as istio-iptables -q
 * does without -i.
 */
export function parseCaptureFlags(flags: CaptureFlags): CaptureOptions {
  const problems: string[] = [];
  const proxyUid = parseInteger('--proxy-uid', flags.proxyUid ?? String(DEFAULT_PROXY_UID), 0, 2 ** 32 - 2, problems);
  const proxyGid = parseInteger(
    '--proxy-gid',
    flags.proxyGid ?? String(proxyUid ?? DEFAULT_PROXY_UID),
    0,
    2 ** 32 - 2,
    problems,
  );
  const proxyPort = parseInteger('--proxy-port', flags.proxyPort ?? String(DEFAULT_PROXY_PORT), 1, 65535, problems);
  const includePorts = parsePorts('--include-ports', flags.includePorts, problems);
  const excludePorts = parsePorts('--exclude-ports', flags.excludePorts, problems);
  const excludeCidrs = parseCidrs('--exclude-cidrs', flags.excludeCidrs, problems);

  let includeCidrs: '*' | Cidr[];
  const includeText = flags.includeCidrs?.trim();
  if (includeText === '*' || (includeText === undefined && includePorts.length === 0)) includeCidrs = '*';
  else includeCidrs = parseCidrs('--include-cidrs', includeText, problems);

  for (const port of includePorts) {
    if (excludePorts.includes(port)) problems.push(`port ${port} is both included and excluded`);
  }
  if (proxyPort !== undefined && includePorts.includes(proxyPort)) {
    problems.push(`--include-ports must not contain the proxy port ${proxyPort}`);
  }
  if (problems.length > 0 || proxyUid === undefined || proxyGid === undefined || proxyPort === undefined) {
    throw new CaptureOptionsError(problems);
  }
  return Object.freeze({ proxyUid, proxyGid, proxyPort, includePorts, excludePorts, includeCidrs, excludeCidrs });
}
