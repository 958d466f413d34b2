// Field checks shared by every kind's validation rules: names, addresses, ports, durations, labels, selectors.
//
// Conventions, so that every rules file reads the same way:
// - A check of one scalar value returns Istio's message for the first problem, or undefined when the value is
//   fine. The caller decides the finding's code, severity and path (it knows which field it looked at).
// - A check of a map or message (labels, workloadSelector, destination) returns one FieldIssue per problem,
//   with a shared code and a path relative to the value checked; `reportIssues` appends them to Findings
//   under the caller's path.
// Messages keep Istio's wording (pkg/config/validation, pkg/config/labels) so users recognise them.
import { isIP } from 'node:net';
import type { FieldPath } from '../config/resource.ts';
import type { Destination } from '../config/wire/common.ts';
import { parseProtocol } from '../model/protocol.ts';
import type { Findings, Severity } from './findings.ts';

export interface FieldIssue {
  readonly severity: Severity;
  readonly code: string;
  readonly path: FieldPath;
  readonly message: string;
}

/** Appends issues found inside the value at `base` to `findings`, keeping each issue's shared code. */
export function reportIssues(findings: Findings, base: FieldPath, issues: readonly FieldIssue[]): void {
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    if (issue.severity === 'error') findings.error(path, issue.code, issue.message);
    else findings.warning(path, issue.code, issue.message);
  }
}

/** YAML may hold `null` where the wire type says "absent or a value"; both count as not set. */
export function isPresent<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

// ---- DNS names -------------------------------------------------------------------------------------------

const DNS1123_LABEL_MAX = 63;
const DNS1123_LABEL_FORMAT = '[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FORMAT}$`);
// A wildcard first label is '*', or a normal label preceded by '*' or '*-'.
const WILDCARD_LABEL = new RegExp(`^(?:\\*|(?:\\*|\\*-)?${DNS1123_LABEL_FORMAT})$`);

/** DNS-1123 label, upper case accepted as Istio does: letters, digits and inner '-', at most 63 characters. */
export function isDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && DNS1123_LABEL.test(value);
}

export function isWildcardDns1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX && WILDCARD_LABEL.test(value);
}

function checkDomainPreconditions(name: string): string | undefined {
  if (name.length > 255) return `domain name "${name}" too long (max 255)`;
  if (name.length === 0) return 'empty domain name not allowed';
  return undefined;
}

// Go's strconv.Atoi: an optional sign and decimal digits that fit in 64 bits.
function isGoInteger(s: string): boolean {
  if (!/^[+-]?\d+$/.test(s)) return false;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** Every label a DNS-1123 label; the top-level label not numeric (so IPv4 literals fail); a trailing dot allowed. */
export function validateDns1123Labels(domain: string): string | undefined {
  const labels = domain.split('.');
  const top = labels[labels.length - 1] ?? '';
  if (isGoInteger(top)) return `domain name "${domain}" invalid (top level domain "${top}" cannot be all-numeric)`;
  for (const [i, label] of labels.entries()) {
    if (i === labels.length - 1 && label === '') return undefined;
    if (!isDns1123Label(label)) return `domain name "${domain}" invalid (label "${label}" invalid)`;
  }
  return undefined;
}

/** A DNS name whose first label may be '*', '*foo' or '*-foo' (ValidateWildcardDomain). */
export function validateWildcardDomain(domain: string): string | undefined {
  const pre = checkDomainPreconditions(domain);
  if (pre !== undefined) return pre;
  const dot = domain.indexOf('.');
  const first = dot < 0 ? domain : domain.slice(0, dot);
  if (!isWildcardDns1123Label(first)) return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot < 0 ? undefined : validateDns1123Labels(domain.slice(dot + 1));
}

/** A DNS name with no wildcard at all (ValidateFQDN); short names without a dot pass. */
export function validateFQDN(fqdn: string): string | undefined {
  return checkDomainPreconditions(fqdn) ?? validateDns1123Labels(fqdn);
}

/** Any '*' other than a leading '*.' or the lone '*' is a partial wildcard. */
export function validatePartialWildcard(host: string): string | undefined {
  if (host.includes('*') && host.length !== 1 && !host.startsWith('*.'))
    return `partial wildcard "${host}" not allowed`;
  return undefined;
}

// ---- Addresses -------------------------------------------------------------------------------------------

export const UNIX_ADDRESS_PREFIX = 'unix://';

/** IPv4 dotted decimal (no leading zeros) or IPv6, optionally with a zone, as Go's netip.ParseAddr. */
export function isValidIPAddress(addr: string): boolean {
  return isIP(addr) !== 0;
}

export function validateIPAddress(addr: string): string | undefined {
  return isValidIPAddress(addr) ? undefined : `${addr} is not a valid IP`;
}

/** `addr/bits` (bits in range for the family, no zone, no leading zeros) or a plain IP address. */
export function validateIPSubnet(subnet: string): string | undefined {
  const parts = subnet.split('/');
  if (parts.length !== 2) return validateIPAddress(subnet);
  const [addr = '', bits = ''] = parts;
  const family = addr.includes('%') ? 0 : isIP(addr);
  const max = family === 4 ? 32 : 128;
  const bitsOk = /^(0|[1-9]\d{0,2})$/.test(bits) && Number(bits) <= max;
  return family !== 0 && bitsOk ? undefined : `${subnet} is not a valid CIDR block`;
}

/** The part after `unix://`: an abstract name ('@…') or an absolute path that is not a directory. */
export function validateUnixAddress(addr: string): string | undefined {
  if (addr.length === 0) return 'unix address must not be empty';
  if (addr.startsWith('@')) return undefined;
  if (!addr.startsWith('/') || addr.endsWith('/')) return `${addr} is not an absolute path to a file`;
  return undefined;
}

// ---- Ports and protocols ---------------------------------------------------------------------------------

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

export function validatePort(port: number): string | undefined {
  return isValidPort(port) ? undefined : `port number ${port} must be in the range 1..65535`;
}

export function validatePortName(name: string): string | undefined {
  return isDns1123Label(name) ? undefined : `invalid port name: ${name}`;
}

/** Empty means "detect the protocol"; anything else must be a name Istio knows (case-insensitive). */
export function validateProtocol(protocol: string): string | undefined {
  if (protocol === '' || parseProtocol(protocol) !== undefined) return undefined;
  return `unsupported protocol: ${protocol}`;
}

// ---- Durations and percentages ---------------------------------------------------------------------------

const NANOS_PER_UNIT: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const DURATION_PART = /^(\d*)(?:\.(\d*))?([a-zµμ]+)/;

/**
 * Parses a duration as Istio's YAML accepts it: proto JSON ("3s", "0.5s") and Go's form ("100ms", "1m30s",
 * "1h"), with an optional sign. Returns nanoseconds, or undefined when the text is not a duration.
 */
export function parseDurationNanos(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = DURATION_PART.exec(rest);
    if (m === null) return undefined;
    const [whole, intPart = '', fracPart = '', unit = ''] = m;
    const perUnit = NANOS_PER_UNIT[unit];
    if (perUnit === undefined || (intPart === '' && fracPart === '')) return undefined;
    const fracScale = 10n ** BigInt(fracPart.length);
    // Go truncates sub-nanosecond fractions; integer arithmetic keeps "1.5s" exact.
    total += BigInt(intPart || '0') * perUnit + (BigInt(fracPart || '0') * perUnit) / fracScale;
    rest = rest.slice(whole.length);
  }
  return negative ? -total : total;
}

/** The duration in milliseconds, or undefined when it does not parse (fractions of a ms are truncated). */
export function durationToMs(text: string): number | undefined {
  const nanos = parseDurationNanos(text);
  return nanos === undefined ? undefined : Number(nanos / 1_000_000n);
}

/** Istio's ValidateDuration: at least 1ms and a whole number of milliseconds. */
export function validateDuration(text: string): string | undefined {
  const nanos = parseDurationNanos(text);
  if (nanos === undefined) return `invalid duration "${text}"`;
  if (nanos < 1_000_000n) return 'duration must be greater than 1ms';
  if (nanos % 1_000_000n !== 0n) return 'only durations to ms precision are supported';
  return undefined;
}

/** `Percent.value`: exactly 0, or within [0.0001, 100]. */
export function validatePercentage(value: number): string | undefined {
  if (Number.isNaN(value) || value < 0 || value > 100 || (value > 0 && value < 0.0001)) {
    return `percentage ${value} is neither 0.0, nor in range [0.0001, 100.0]`;
  }
  return undefined;
}

// ---- Labels and selectors --------------------------------------------------------------------------------

const QUALIFIED_NAME = '(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const DNS_PREFIX = `${DNS1123_LABEL_FORMAT}(?:\\.${DNS1123_LABEL_FORMAT})*/`;
const LABEL_KEY = new RegExp(`^(${DNS_PREFIX})?(${QUALIFIED_NAME})$`);
const LABEL_VALUE = new RegExp(`^(?:${QUALIFIED_NAME})?$`);

/** Kubernetes label key: optional `dns.prefix/` (≤253) and a name (≤63). */
export function validateLabelKey(key: string): string | undefined {
  const m = LABEL_KEY.exec(key);
  if (m === null) return `invalid tag key: "${key}"`;
  const prefix = m[1] ?? '';
  if (prefix.length > 0 && prefix.length - 1 > 253) return `invalid tag key: "${key}" (DNS prefix is too long)`;
  if ((m[2] ?? '').length > DNS1123_LABEL_MAX) return `invalid tag key: "${key}" (name is too long)`;
  return undefined;
}

/** Kubernetes label value: empty, or alphanumerics with inner '-', '_', '.'. */
export function validateLabelValue(value: string): string | undefined {
  return LABEL_VALUE.test(value) ? undefined : `invalid tag value: "${value}"`;
}

/** Istio's labels.Instance.Validate over a whole map; each issue points at the offending key. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = validateLabelKey(key);
    if (keyProblem !== undefined)
      issues.push({ severity: 'error', code: 'LABEL_KEY_INVALID', path: [key], message: keyProblem });
    const valueProblem = validateLabelValue(value);
    if (valueProblem !== undefined)
      issues.push({ severity: 'error', code: 'LABEL_VALUE_INVALID', path: [key], message: valueProblem });
  }
  return issues;
}

/**
 * `workloadSelector` of ServiceEntry and Sidecar, relative to the selector: no empty key, no '*' in keys or
 * values, at most 256 labels with values of at most 63 characters (CRD schema); a selector without labels
 * is only a warning, because Istio then applies the resource to every workload of the namespace. `kind` prefixes that warning
 * ("service entry", "sidecar") as Istio does.
 */
export function validateWorkloadSelector(
  selector: { readonly labels?: Readonly<Record<string, string>> } | undefined,
  kind: string,
): FieldIssue[] {
  if (selector === undefined || selector === null) return [];
  const issues: FieldIssue[] = [];
  const labels = selector.labels ?? {};
  if (Object.keys(labels).length > 256) {
    issues.push({
      severity: 'error',
      code: 'SELECTOR_TOO_MANY_LABELS',
      path: ['labels'],
      message: 'workload selector may have at most 256 labels',
    });
  }
  for (const [key, value] of Object.entries(labels)) {
    const path = ['labels', key];
    if (key === '') {
      issues.push({
        severity: 'error',
        code: 'SELECTOR_EMPTY_KEY',
        path,
        message: `empty key is not supported in selector: "=${value}"`,
      });
    }
    if (key.includes('*') || value.includes('*')) {
      issues.push({
        severity: 'error',
        code: 'SELECTOR_WILDCARD',
        path,
        message: `wildcard is not supported in selector: "${key}=${value}"`,
      });
    }
    if (value.length > DNS1123_LABEL_MAX) {
      issues.push({
        severity: 'error',
        code: 'SELECTOR_VALUE_TOO_LONG',
        path,
        message: `selector label value for "${key}" must be at most 63 characters`,
      });
    }
  }
  if (Object.keys(labels).length === 0) {
    issues.push({
      severity: 'warning',
      code: 'SELECTOR_NO_LABELS',
      path: [],
      message: `${kind}: workload selector specified without labels, will be applied to all services in namespace`,
    });
  }
  return issues;
}

// ---- Destinations ----------------------------------------------------------------------------------------

export function validateSubsetName(name: string): string | undefined {
  if (name.length === 0) return 'subset name cannot be empty';
  return isDns1123Label(name) ? undefined : `subset name is invalid: ${name}`;
}

/**
 * A route `Destination` (Istio's validateDestination): host a wildcard domain but not '*', subset a DNS
 * label when set, port number 1..65535 when a port is given. Paths are relative to the destination.
 */
export function validateDestination(dest: Destination): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const host = dest.host ?? '';
  const hostProblem = host === '*' ? `invalid destination host ${host}` : validateWildcardDomain(host);
  if (hostProblem !== undefined)
    issues.push({ severity: 'error', code: 'DESTINATION_HOST_INVALID', path: ['host'], message: hostProblem });
  if (dest.subset !== undefined && dest.subset !== '') {
    const subsetProblem = validateSubsetName(dest.subset);
    if (subsetProblem !== undefined)
      issues.push({ severity: 'error', code: 'DESTINATION_SUBSET_INVALID', path: ['subset'], message: subsetProblem });
  }
  if (dest.port !== undefined && dest.port !== null) {
    const portProblem = validatePort(dest.port.number ?? 0);
    if (portProblem !== undefined)
      issues.push({
        severity: 'error',
        code: 'DESTINATION_PORT_INVALID',
        path: ['port', 'number'],
        message: portProblem,
      });
  }
  return issues;
}

/** Reports Istio's duration rule for an optional duration field at `path`; nothing when the field is absent. */
export function checkDurationField(value: unknown, path: FieldPath, findings: Findings, code: string): void {
  if (value === undefined || value === null) return;
  const problem = validateDuration(String(value));
  if (problem !== undefined) findings.error(path, code, problem);
}
