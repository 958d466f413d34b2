// ServiceEntry `endpoints[]` rules (inline WorkloadEntries): CRD schema limits plus the webhook's per-resolution checks.
import type { ServiceEntrySpec, WorkloadEntry } from '../config/wire/service-entry.ts';
import type { FieldPath } from '../config/resource.ts';
import {
  UNIX_ADDRESS_PREFIX,
  isDns1123Label,
  isPresent,
  isValidIPAddress,
  reportIssues,
  validateFQDN,
  validateLabels,
  validatePort,
  validateUnixAddress,
} from './fields.ts';
import type { Findings } from './findings.ts';

const MAX_ENDPOINTS = 4096;
const MAX_ADDRESS_LENGTH = 256;
const MAX_ENDPOINT_PORTS = 128;
const MAX_LABELS = 256;
const MAX_NETWORK_LENGTH = 2048;
const MAX_LOCALITY_LENGTH = 2048;
const MAX_SERVICE_ACCOUNT_LENGTH = 253;
const MAX_UINT32 = 4294967295;

/** What an endpoint address may be under each resolution; NONE and DYNAMIC_DNS refuse endpoints altogether. */
type AddressRule = 'ip-or-unix' | 'ip-or-fqdn' | 'any';

interface EndpointContext {
  readonly rule: AddressRule;
  /** Only STATIC and DNS modes compare endpoint ports with the service's ports (Istio's webhook). */
  readonly servicePortNames: ReadonlySet<string> | undefined;
  readonly servicePortCount: number;
}

export function validateServiceEntryEndpoints(spec: ServiceEntrySpec, resolution: string, findings: Findings): void {
  const endpoints = spec.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS)
    findings.error(['endpoints'], 'SE_ENDPOINTS_TOO_MANY', `endpoints may have at most ${MAX_ENDPOINTS} items`);
  // With NONE the proxy forwards to the original destination, so there is nothing to send to an endpoint.
  // The CRD schema refuses the field as soon as it is written, even as an empty list.
  if (resolution === 'NONE' && isPresent(spec.endpoints)) {
    findings.error(['endpoints'], 'SE_NONE_ENDPOINTS', 'no endpoints should be provided for resolution type none');
  }
  const ports = (spec.ports ?? []).filter(isPresent);
  const checksPorts = resolution === 'STATIC' || resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN';
  const ctx: EndpointContext = {
    rule: resolution === 'STATIC' ? 'ip-or-unix' : checksPorts ? 'ip-or-fqdn' : 'any',
    servicePortNames: checksPorts ? new Set(ports.map((p) => p.name ?? '')) : undefined,
    servicePortCount: ports.length,
  };
  for (const [i, endpoint] of endpoints.entries()) {
    if (!isPresent(endpoint)) {
      findings.error(['endpoints', i], 'SE_ENDPOINT_NULL', 'endpoint cannot be nil');
      continue;
    }
    checkAddress(endpoint, ['endpoints', i], ctx, findings);
    checkPorts(endpoint, ['endpoints', i], ctx, findings);
    checkAttributes(endpoint, ['endpoints', i], findings);
  }
}

function checkAddress(ep: WorkloadEntry, base: FieldPath, ctx: EndpointContext, findings: Findings): void {
  const address = ep.address ?? '';
  const at = [...base, 'address'];
  const notFqdn = `endpoint address "${address}" is not a valid FQDN or an IP address`;
  if (address === '') {
    // An endpoint in another network may be reached through that network's gateway, without an address.
    if ((ep.network ?? '') === '') findings.error(base, 'SE_ENDPOINT_ADDRESS_REQUIRED', 'address is required');
    else if (ctx.rule === 'ip-or-unix')
      findings.warning(base, 'SE_ENDPOINT_ADDRESS_UNSET', `address is unset with network "${ep.network ?? ''}"`);
    else if (ctx.rule === 'ip-or-fqdn') findings.error(base, 'SE_ENDPOINT_ADDRESS_NOT_FQDN', notFqdn);
    return;
  }
  if (address.length > MAX_ADDRESS_LENGTH) {
    findings.error(
      at,
      'SE_ENDPOINT_ADDRESS_TOO_LONG',
      `endpoint address may be at most ${MAX_ADDRESS_LENGTH} characters`,
    );
  }
  if (address.startsWith(UNIX_ADDRESS_PREFIX)) {
    const problem = validateUnixAddress(address.slice(UNIX_ADDRESS_PREFIX.length));
    if (problem !== undefined) findings.error(at, 'SE_ENDPOINT_UDS_INVALID', problem);
    if (Object.keys(ep.ports ?? {}).length > 0) {
      findings.error([...base, 'ports'], 'SE_ENDPOINT_UDS_PORTS', `unix endpoint ${address} must not include ports`);
    }
    // A socket has no port, so the service must have exactly one port to map onto it.
    if (ctx.rule === 'ip-or-unix' && ctx.servicePortCount !== 1) {
      findings.error(at, 'SE_ENDPOINT_UDS_SERVICE_PORTS', 'exactly 1 service port required for unix endpoints');
    }
    if (ctx.rule === 'ip-or-fqdn') findings.error(at, 'SE_ENDPOINT_ADDRESS_NOT_FQDN', notFqdn);
    return;
  }
  if (isValidIPAddress(address)) return;
  if (ctx.rule === 'ip-or-unix') {
    findings.error(at, 'SE_ENDPOINT_ADDRESS_NOT_IP', `endpoint address "${address}" is not a valid IP address`);
  } else if (ctx.rule === 'ip-or-fqdn' && validateFQDN(address) !== undefined) {
    findings.error(at, 'SE_ENDPOINT_ADDRESS_NOT_FQDN', notFqdn);
  }
}

function checkPorts(ep: WorkloadEntry, base: FieldPath, ctx: EndpointContext, findings: Findings): void {
  const ports = Object.entries(ep.ports ?? {});
  if (ports.length > MAX_ENDPOINT_PORTS) {
    findings.error(
      [...base, 'ports'],
      'SE_ENDPOINT_PORTS_TOO_MANY',
      `endpoint ports may have at most ${MAX_ENDPOINT_PORTS} entries`,
    );
  }
  for (const [name, number] of ports) {
    const at = [...base, 'ports', name];
    if (ctx.servicePortNames !== undefined && !ctx.servicePortNames.has(name)) {
      findings.error(at, 'SE_ENDPOINT_PORT_UNDEFINED', `endpoint port ${number} is not defined by the service entry`);
    }
    // The CRD schema wants the name shorter than 63 characters; the webhook wants a DNS-1123 label.
    if (!isDns1123Label(name) || name.length >= 63)
      findings.error(at, 'SE_ENDPOINT_PORT_NAME_INVALID', `invalid port name: ${name}`);
    const problem = validatePort(number);
    if (problem !== undefined) findings.error(at, 'SE_ENDPOINT_PORT_INVALID', problem);
  }
}

function checkAttributes(ep: WorkloadEntry, base: FieldPath, findings: Findings): void {
  if (Object.keys(ep.labels ?? {}).length > MAX_LABELS) {
    findings.error(
      [...base, 'labels'],
      'SE_ENDPOINT_LABELS_TOO_MANY',
      `endpoint labels may have at most ${MAX_LABELS} entries`,
    );
  }
  reportIssues(findings, [...base, 'labels'], validateLabels(ep.labels));
  if ((ep.network ?? '').length > MAX_NETWORK_LENGTH) {
    findings.error(
      [...base, 'network'],
      'SE_ENDPOINT_NETWORK_TOO_LONG',
      `endpoint network may be at most ${MAX_NETWORK_LENGTH} characters`,
    );
  }
  if ((ep.locality ?? '').length > MAX_LOCALITY_LENGTH) {
    findings.error(
      [...base, 'locality'],
      'SE_ENDPOINT_LOCALITY_TOO_LONG',
      `endpoint locality may be at most ${MAX_LOCALITY_LENGTH} characters`,
    );
  }
  if ((ep.serviceAccount ?? '').length > MAX_SERVICE_ACCOUNT_LENGTH) {
    findings.error(
      [...base, 'serviceAccount'],
      'SE_ENDPOINT_SERVICE_ACCOUNT_TOO_LONG',
      `endpoint serviceAccount may be at most ${MAX_SERVICE_ACCOUNT_LENGTH} characters`,
    );
  }
  if (ep.weight !== undefined && !(Number.isInteger(ep.weight) && ep.weight >= 0 && ep.weight <= MAX_UINT32)) {
    findings.error(
      [...base, 'weight'],
      'SE_ENDPOINT_WEIGHT_INVALID',
      `endpoint weight ${ep.weight} must be an integer in 0..${MAX_UINT32}`,
    );
  }
}
