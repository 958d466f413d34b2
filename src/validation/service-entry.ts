// ServiceEntry rules: Istio's CRD schema (CEL) and validating webhook (ValidateServiceEntry), top to bottom.
//
// Where both layers catch one problem it is reported once. Paths are relative to `spec`. Codes and
// messages are listed in docs/validation.md.
import type { ServiceEntrySpec, ServicePort } from '../config/wire/service-entry.ts';
import { isWildcarded } from '../model/hostname.ts';
import { isHttpProtocol, isTcpProtocol, isTlsProtocol, parseProtocol } from '../model/protocol.ts';
import type { ValidationContext } from './context.ts';
import { validateExportTo } from './export-to.ts';
import {
  isPresent,
  reportIssues,
  validateFQDN,
  validateIPSubnet,
  validatePartialWildcard,
  validatePort,
  validatePortName,
  validateProtocol,
  validateWildcardDomain,
  validateWorkloadSelector,
} from './fields.ts';
import type { Findings } from './findings.ts';
import { validateServiceEntryEndpoints } from './service-entry-endpoints.ts';

const MAX_HOSTS = 256;
const MAX_ADDRESSES = 256;
const MAX_ADDRESS_LENGTH = 64;
const MAX_PORTS = 256;
const LOCATIONS: readonly string[] = ['MESH_EXTERNAL', 'MESH_INTERNAL'];
const RESOLUTIONS: readonly string[] = ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'];

/** Label with which a ServiceEntry opts out of automatic VIP allocation. */
export const AUTOALLOCATE_LABEL = 'networking.istio.io/enable-autoallocate-ip';
/** Label that routes a ServiceEntry's traffic through a waypoint (ambient mode). */
export const USE_WAYPOINT_LABEL = 'istio.io/use-waypoint';

export function validateServiceEntry(spec: ServiceEntrySpec, ctx: ValidationContext, findings: Findings): void {
  const resolution: string = spec.resolution ?? 'NONE';

  // The selector picks workloads as endpoints, so it excludes a literal endpoint list.
  reportIssues(
    findings,
    ['workloadSelector'],
    validateWorkloadSelector(spec.workloadSelector ?? undefined, 'service entry'),
  );
  if (isPresent(spec.workloadSelector) && isPresent(spec.endpoints)) {
    findings.error(
      ['workloadSelector'],
      'SE_SELECTOR_WITH_ENDPOINTS',
      'only one of WorkloadSelector or Endpoints is allowed in Service Entry',
    );
  }

  checkHosts(spec, resolution, findings);
  checkAddresses(spec, resolution, findings);
  checkPorts(spec, resolution, ctx, findings);
  checkEnums(spec, resolution, findings);

  // What each resolution mode allows.
  validateServiceEntryEndpoints(spec, resolution, findings);
  if (resolution === 'NONE' && isPresent(spec.workloadSelector)) {
    findings.warning(
      ['workloadSelector'],
      'SE_NONE_SELECTOR',
      'workloadSelector should not be set when resolution mode is NONE',
    );
  }
  if (resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') checkDnsResolution(spec, resolution, findings);
  if (resolution === 'DYNAMIC_DNS') checkDynamicDns(spec, ctx, findings);

  checkMultipleHosts(spec, resolution, findings);
  // '~' (visible to nobody but the service's own proxies) is allowed for ServiceEntries only.
  validateExportTo(spec.exportTo, ctx.namespace, { isServiceEntry: true }, findings);
}

/** The CRD schema refuses enum values it does not list. */
function checkEnums(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  if (spec.location !== undefined && !LOCATIONS.includes(spec.location)) {
    findings.error(['location'], 'SE_LOCATION_INVALID', `unsupported location ${String(spec.location)}`);
  }
  if (!RESOLUTIONS.includes(resolution)) {
    findings.error(['resolution'], 'SE_RESOLUTION_INVALID', `unsupported resolution type ${resolution}`);
  }
}

/**
 * Several hosts behind one port only work when the proxy can tell them apart, by Host header (HTTP) or
 * SNI (TLS). With NONE the hosts play no part in forwarding, so anything goes.
 */
function checkMultipleHosts(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  if (resolution === 'NONE' || (spec.hosts ?? []).length <= 1) return;
  const i = (spec.ports ?? []).findIndex((p) => isPresent(p) && !isHttpOrTls(p));
  if (i >= 0)
    findings.error(
      ['ports', i, 'protocol'],
      'SE_MULTI_HOST_NON_HTTP_TLS',
      'multiple hosts provided with non-HTTP, non-TLS ports',
    );
}

function checkHosts(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  const hosts = spec.hosts ?? [];
  if (hosts.length === 0) findings.error(['hosts'], 'SE_HOSTS_REQUIRED', 'service entry must have at least one host');
  if (hosts.length > MAX_HOSTS)
    findings.error(['hosts'], 'SE_HOSTS_TOO_MANY', `hosts may have at most ${MAX_HOSTS} items`);
  for (const [i, host] of hosts.entries()) {
    if (host === '*') {
      findings.error(['hosts', i], 'SE_HOST_WILDCARD', 'hostname cannot be wildcard');
      continue;
    }
    const problem = validateWildcardDomain(host);
    if (problem !== undefined) findings.error(['hosts', i], 'SE_HOST_INVALID', problem);
    // DYNAMIC_DNS resolves whatever name the client asked for, so any wildcard shape is meaningful there.
    const partial = resolution === 'DYNAMIC_DNS' ? undefined : validatePartialWildcard(host);
    if (partial !== undefined) findings.warning(['hosts', i], 'SE_HOST_PARTIAL_WILDCARD', partial);
  }
}

function checkAddresses(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  const addresses = spec.addresses ?? [];
  if (addresses.length > MAX_ADDRESSES)
    findings.error(['addresses'], 'SE_ADDRESSES_TOO_MANY', `addresses may have at most ${MAX_ADDRESSES} items`);
  let firstCidr = -1;
  for (const [i, address] of addresses.entries()) {
    if (address.includes('/') && firstCidr < 0) firstCidr = i;
    if (address.length > MAX_ADDRESS_LENGTH) {
      findings.error(
        ['addresses', i],
        'SE_ADDRESS_TOO_LONG',
        `address may be at most ${MAX_ADDRESS_LENGTH} characters`,
      );
    }
    const problem = validateIPSubnet(address);
    if (problem !== undefined) findings.error(['addresses', i], 'SE_ADDRESS_INVALID', problem);
  }
  // A CIDR range cannot be resolved or health-checked as one endpoint, so only NONE/STATIC may match on it.
  if (firstCidr >= 0 && resolution !== 'NONE' && resolution !== 'STATIC') {
    findings.error(
      ['addresses', firstCidr],
      'SE_ADDRESS_CIDR_RESOLUTION',
      'CIDR addresses are allowed only for NONE/STATIC resolution types',
    );
  }
}

function checkPorts(spec: ServiceEntrySpec, resolution: string, ctx: ValidationContext, findings: Findings): void {
  const ports = spec.ports ?? [];
  if (ports.length > MAX_PORTS)
    findings.error(['ports'], 'SE_PORTS_TOO_MANY', `ports may have at most ${MAX_PORTS} items`);
  const needsAddress = (spec.addresses ?? []).length === 0 && !autoAllocatesAddress(spec, resolution, ctx);
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const [i, port] of ports.entries()) {
    if (!isPresent(port)) {
      findings.error(['ports', i], 'SE_PORT_NULL', 'service entry port may not be null');
      continue;
    }
    if (port.name === undefined) {
      findings.error(['ports', i], 'SE_PORT_NAME_REQUIRED', 'port name is required');
    } else if (names.has(port.name)) {
      findings.error(
        ['ports', i, 'name'],
        'SE_PORT_NAME_DUPLICATE',
        `service entry port name "${port.name}" already defined`,
      );
    } else {
      names.add(port.name);
      const problem = validatePortName(port.name);
      if (problem !== undefined) findings.error(['ports', i, 'name'], 'SE_PORT_NAME_INVALID', problem);
    }
    if (port.number === undefined) {
      findings.error(['ports', i], 'SE_PORT_NUMBER_REQUIRED', 'port number is required');
    } else if (numbers.has(port.number)) {
      findings.error(
        ['ports', i, 'number'],
        'SE_PORT_NUMBER_DUPLICATE',
        `service entry port ${port.number} already defined`,
      );
    } else {
      numbers.add(port.number);
      const problem = validatePort(port.number);
      if (problem !== undefined) findings.error(['ports', i, 'number'], 'SE_PORT_NUMBER_INVALID', problem);
    }
    // The CRD schema checks targetPort whenever it is written, 0 included.
    const target = port.targetPort === undefined ? undefined : validatePort(port.targetPort);
    if (target !== undefined) findings.error(['ports', i, 'targetPort'], 'SE_PORT_TARGET_INVALID', target);
    const protocol = validateProtocol(port.protocol ?? '');
    if (protocol !== undefined) findings.error(['ports', i, 'protocol'], 'SE_PORT_PROTOCOL_INVALID', protocol);
    // Without a VIP, plain TCP can only be matched by port, which captures every destination on that port.
    if (needsAddress && (port.protocol === undefined || port.protocol === '' || port.protocol === 'TCP')) {
      findings.warning(
        ['ports', i],
        'SE_PORT_TCP_NEEDS_ADDRESS',
        'addresses are required for ports serving TCP (or unset) protocol when IP Autoallocation is not enabled',
      );
    }
  }
}

/** Istio allocates a VIP (PILOT_ENABLE_IP_AUTOALLOCATE, on by default) unless NONE, opted out, or addresses given. */
function autoAllocatesAddress(spec: ServiceEntrySpec, resolution: string, ctx: ValidationContext): boolean {
  if (resolution === 'NONE') return false;
  if (ctx.labels[AUTOALLOCATE_LABEL]?.toLowerCase() === 'false') return false;
  return (spec.addresses ?? []).length === 0;
}

function checkDnsResolution(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  const hosts = spec.hosts ?? [];
  const endpoints = spec.endpoints ?? [];
  // Without endpoints the proxy resolves each host itself, so each must be a real DNS name (first one reported).
  if (endpoints.length === 0) {
    for (const [i, host] of hosts.entries()) {
      const problem = validateFQDN(host);
      if (problem === undefined) continue;
      findings.error(
        ['hosts', i],
        'SE_DNS_HOST_NOT_FQDN',
        `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${problem}`,
      );
      break;
    }
  }
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
    findings.error(
      ['endpoints'],
      'SE_DNS_RR_MULTIPLE_ENDPOINTS',
      `there must only be 0 or 1 endpoint for resolution mode ${resolution}`,
    );
  }
  if ((spec.addresses ?? []).length > 0 && hosts.length > 1) {
    const tcp = (spec.ports ?? []).findIndex((p) => isPresent(p) && isTcpProtocol(parseProtocol(p.protocol)));
    if (tcp >= 0) {
      findings.warning(
        ['hosts'],
        'SE_DNS_TCP_MULTIPLE_HOSTS',
        'service entry can not have more than one host specified simultaneously with address and tcp port',
      );
    }
  }
}

function checkDynamicDns(spec: ServiceEntrySpec, ctx: ValidationContext, findings: Findings): void {
  const mode = 'DYNAMIC_DNS';
  for (const [i, host] of (spec.hosts ?? []).entries()) {
    if (!isWildcarded(host))
      findings.error(
        ['hosts', i],
        'SE_DYNAMIC_DNS_HOST_NOT_WILDCARD',
        `host must be wildcarded for resolution mode ${mode}`,
      );
  }
  if ((spec.addresses ?? []).length > 0) {
    findings.error(
      ['addresses'],
      'SE_DYNAMIC_DNS_ADDRESSES',
      `addresses cannot be set for resolution type ${mode}. HTTP route domains will only be generated from the hosts field values`,
    );
  }
  if ((spec.endpoints ?? []).length > 0) {
    findings.error(
      ['endpoints'],
      'SE_DYNAMIC_DNS_ENDPOINTS',
      `endpoints cannot be set for resolution type ${mode}. Destination IP address determined from hosts field values`,
    );
  }
  for (const [i, port] of (spec.ports ?? []).entries()) {
    if (!isPresent(port)) continue;
    const p = parseProtocol(port.protocol);
    // The dynamic forward proxy needs a name to resolve: the Host header or the SNI.
    if (p !== 'HTTP' && p !== 'TLS' && p !== 'GRPC' && p !== 'HTTP2') {
      findings.error(
        ['ports', i, 'protocol'],
        'SE_DYNAMIC_DNS_PROTOCOL',
        `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${mode}`,
      );
    }
  }
  const waypoint = ctx.labels[USE_WAYPOINT_LABEL];
  if (
    spec.location === 'MESH_INTERNAL' &&
    waypoint !== undefined &&
    waypoint !== '' &&
    waypoint.toLowerCase() !== 'none'
  ) {
    findings.error(
      ['location'],
      'SE_DYNAMIC_DNS_INTERNAL_WAYPOINT',
      `location MESH_INTERNAL with resolution type ${mode} is not supported when using waypoints`,
    );
  }
}

function isHttpOrTls(port: ServicePort): boolean {
  const p = parseProtocol(port.protocol);
  return isHttpProtocol(p) || isTlsProtocol(p);
}
