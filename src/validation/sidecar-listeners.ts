// Sidecar ingress and egress listener rules: ports, binds, capture modes, default endpoints, uniqueness.
import type { FieldPath } from '../config/resource.ts';
import type { IstioEgressListener, IstioIngressListener, SidecarPort, SidecarSpec } from '../config/wire/sidecar.ts';
import { isHttpProtocol, parseProtocol } from '../model/protocol.ts';
import { checkConnectionPool } from './connection-pool.ts';
import {
  UNIX_ADDRESS_PREFIX,
  isPresent,
  validateIPAddress,
  validatePort,
  validatePortName,
  validateProtocol,
  validateUnixAddress,
} from './fields.ts';
import type { Findings } from './findings.ts';
import { validateSidecarEgressHosts } from './sidecar-egress-hosts.ts';
import { validateSidecarIngressTls } from './sidecar-ingress-tls.ts';

const CAPTURE_MODES: readonly string[] = ['DEFAULT', 'IPTABLES', 'NONE'];

export function validateSidecarIngress(spec: SidecarSpec, findings: Findings): void {
  const ports = new Set<number>();
  for (const [i, listener] of (spec.ingress ?? []).entries()) {
    const path = ['ingress', i];
    if (!isPresent(listener)) {
      findings.error(path, 'SC_INGRESS_NULL', 'sidecar: ingress may not be null');
      continue;
    }
    const port = listener.port;
    if (!isPresent(port)) {
      findings.error(path, 'SC_INGRESS_PORT_REQUIRED', 'sidecar: port is required for ingress listeners');
      continue;
    }
    checkTargetPort(port, path, findings);
    checkPortNameAndProtocol(port, path, findings);
    const number = port.number ?? 0;
    reportAt(findings, [...path, 'port', 'number'], 'SC_PORT_NUMBER_INVALID', validatePort(number));
    checkCaptureMode(listener, path, findings);
    if (listener.bind !== undefined && listener.bind !== '')
      reportAt(findings, [...path, 'bind'], 'SC_BIND_INVALID', validateIPAddress(listener.bind));
    if (ports.has(number))
      findings.error(
        [...path, 'port', 'number'],
        'SC_PORT_DUPLICATE',
        'sidecar: ports on IP bound listeners must be unique',
      );
    ports.add(number);
    if (listener.defaultEndpoint !== undefined && listener.defaultEndpoint !== '') {
      checkDefaultEndpoint(listener.defaultEndpoint, [...path, 'defaultEndpoint'], findings);
    }
    if (isPresent(listener.tls)) validateSidecarIngressTls(listener.tls, port.protocol, [...path, 'tls'], findings);
    checkIngressPool(listener, port, path, findings);
  }
}

function checkIngressPool(
  listener: IstioIngressListener,
  port: SidecarPort,
  path: FieldPath,
  findings: Findings,
): void {
  checkConnectionPool(listener.connectionPool, [...path, 'connectionPool'], findings);
  // Only TCP settings reach a non-HTTP listener; say so rather than ignore the HTTP block silently.
  if (isPresent(listener.connectionPool?.http) && !isHttpProtocol(parseProtocol(port.protocol))) {
    findings.warning(
      [...path, 'connectionPool', 'http'],
      'SC_INGRESS_HTTP_POOL_ON_NON_HTTP',
      `sidecar: HTTP connection pool settings are configured for port ${port.number ?? 0} ("${port.name ?? ''}") but its protocol is not HTTP (${port.protocol ?? ''}); only TCP settings will apply`,
    );
  }
}

export function validateSidecarEgress(spec: SidecarSpec, namespace: string, findings: Findings): void {
  const egress = spec.egress ?? [];
  const ports = new Set<number>();
  const sockets = new Set<string>();
  for (const [i, listener] of egress.entries()) {
    const path = ['egress', i];
    if (!isPresent(listener)) {
      findings.error(path, 'SC_EGRESS_NULL', 'egress listener may not be null');
      continue;
    }
    // A listener without a port catches all remaining traffic, so it must come last (which also makes it unique).
    if (!isPresent(listener.port)) {
      if (i !== egress.length - 1) {
        findings.error(
          path,
          'SC_EGRESS_CATCH_ALL_NOT_LAST',
          'sidecar: the egress listener with empty port should be the last listener in the list',
        );
      }
    } else {
      checkEgressPort(listener, listener.port, path, findings);
      const number = listener.port.number ?? 0;
      const bind = listener.bind ?? '';
      if (number === 0) {
        if (sockets.has(bind))
          findings.error(
            [...path, 'bind'],
            'SC_UDS_DUPLICATE',
            'sidecar: unix domain socket values for listeners must be unique',
          );
        sockets.add(bind);
      } else {
        if (ports.has(number))
          findings.error(
            [...path, 'port', 'number'],
            'SC_PORT_DUPLICATE',
            'sidecar: ports on IP bound listeners must be unique',
          );
        ports.add(number);
      }
    }
    validateSidecarEgressHosts(listener.hosts ?? [], namespace, [...path, 'hosts'], findings);
  }
}

/** Port 0 means "listen on the unix socket named by bind"; any other port is a TCP port on an IP. */
function checkEgressPort(listener: IstioEgressListener, port: SidecarPort, path: FieldPath, findings: Findings): void {
  checkTargetPort(port, path, findings);
  checkPortNameAndProtocol(port, path, findings);
  checkCaptureMode(listener, path, findings);
  const bind = listener.bind ?? '';
  if ((port.number ?? 0) === 0) {
    if (!bind.startsWith(UNIX_ADDRESS_PREFIX)) {
      findings.error(
        [...path, 'bind'],
        'SC_UDS_BIND_REQUIRED',
        'sidecar: ports with 0 value must have a unix domain socket bind address',
      );
    } else {
      reportAt(
        findings,
        [...path, 'bind'],
        'SC_UDS_BIND_INVALID',
        validateUnixAddress(bind.slice(UNIX_ADDRESS_PREFIX.length)),
      );
    }
    const mode = listener.captureMode ?? 'DEFAULT';
    if (mode !== 'DEFAULT' && mode !== 'NONE') {
      findings.error(
        [...path, 'captureMode'],
        'SC_UDS_CAPTURE_MODE',
        'sidecar: captureMode must be DEFAULT/NONE for unix domain socket listeners',
      );
    }
    return;
  }
  reportAt(findings, [...path, 'port', 'number'], 'SC_PORT_NUMBER_INVALID', validatePort(port.number ?? 0));
  if (bind !== '') reportAt(findings, [...path, 'bind'], 'SC_BIND_INVALID', validateIPAddress(bind));
}

function checkTargetPort(port: SidecarPort, path: FieldPath, findings: Findings): void {
  if ((port.targetPort ?? 0) > 0)
    findings.error([...path, 'port', 'targetPort'], 'SC_TARGET_PORT', 'targetPort has no impact on Sidecars');
}

function checkPortNameAndProtocol(port: SidecarPort, path: FieldPath, findings: Findings): void {
  // The name is optional on Sidecar ports.
  if (port.name !== undefined && port.name !== '')
    reportAt(findings, [...path, 'port', 'name'], 'SC_PORT_NAME_INVALID', validatePortName(port.name));
  reportAt(findings, [...path, 'port', 'protocol'], 'SC_PORT_PROTOCOL_INVALID', validateProtocol(port.protocol ?? ''));
}

function checkCaptureMode(listener: { readonly captureMode?: string }, path: FieldPath, findings: Findings): void {
  if (listener.captureMode !== undefined && !CAPTURE_MODES.includes(listener.captureMode)) {
    findings.error(
      [...path, 'captureMode'],
      'SC_CAPTURE_MODE_INVALID',
      `unsupported captureMode ${listener.captureMode}`,
    );
  }
}

const LOCAL_HOSTS: readonly string[] = ['', '127.0.0.1', '0.0.0.0', '::1', '::'];

/** Where inbound traffic is delivered: a loopback or any-address with a port, or a unix socket. */
function checkDefaultEndpoint(endpoint: string, path: FieldPath, findings: Findings): void {
  if (endpoint.startsWith(UNIX_ADDRESS_PREFIX)) {
    reportAt(
      findings,
      path,
      'SC_DEFAULT_ENDPOINT_INVALID',
      validateUnixAddress(endpoint.slice(UNIX_ADDRESS_PREFIX.length)),
    );
    return;
  }
  const split = splitHostPort(endpoint);
  if ('error' in split) {
    findings.error(path, 'SC_DEFAULT_ENDPOINT_INVALID', split.error);
    return;
  }
  if (!LOCAL_HOSTS.includes(split.host)) {
    findings.error(
      path,
      'SC_DEFAULT_ENDPOINT_INVALID',
      'sidecar: defaultEndpoint must be of form 127.0.0.1:<port>,0.0.0.0:<port>,[::1]:port,[::]:port,unix://filepath or unset',
    );
  }
  if (!/^[+-]?\d+$/.test(split.port)) {
    findings.error(
      path,
      'SC_DEFAULT_ENDPOINT_INVALID',
      `sidecar: defaultEndpoint port (${split.port}) is not a number`,
    );
  } else {
    reportAt(findings, path, 'SC_DEFAULT_ENDPOINT_INVALID', validatePort(Number(split.port)));
  }
}

/** Go's net.SplitHostPort: "host:port", "[v6]:port"; a bare IPv6 address needs brackets. */
export function splitHostPort(hostport: string): { host: string; port: string } | { error: string } {
  const fail = (why: string): { error: string } => ({ error: `address ${hostport}: ${why}` });
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return fail('missing port in address');
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === hostport.length) return fail('missing port in address');
    if (end + 1 !== colon)
      return fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
    if (host.includes('[')) return fail("unexpected '[' in address");
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(':')) return fail('too many colons in address');
    if (host.includes('[')) return fail("unexpected '[' in address");
    if (host.includes(']')) return fail("unexpected ']' in address");
  }
  const port = hostport.slice(colon + 1);
  if (port.includes(']')) return fail("unexpected ']' in address");
  return { host, port };
}

function reportAt(findings: Findings, path: FieldPath, code: string, problem: string | undefined): void {
  if (problem !== undefined) findings.error(path, code, problem);
}
