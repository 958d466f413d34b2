// Sidecar `ingress[].tls` rules: what a sidecar's inbound TLS may not use, then Istio's server TLS option checks.
import type { FieldPath } from '../config/resource.ts';
import { isTlsProtocol, parseProtocol } from '../model/protocol.ts';
import type { Findings } from './findings.ts';

/** Cipher names Envoy (BoringSSL) accepts in `cipherSuites`, as Istio lists them. */
const VALID_CIPHER_SUITES: ReadonlySet<string> = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA',
  'AES256-SHA',
  'DES-CBC3-SHA',
]);

const TLS_MODES: readonly string[] = [
  'PASSTHROUGH',
  'SIMPLE',
  'MUTUAL',
  'AUTO_PASSTHROUGH',
  'ISTIO_MUTUAL',
  'OPTIONAL_MUTUAL',
];
const TLS_VERSIONS: readonly string[] = ['TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3'];

interface TlsCertificate {
  readonly serverCertificate?: string;
  readonly privateKey?: string;
}

/** The ServerTLSSettings fields these rules read, taken from the untyped wire value. */
interface ServerTls {
  readonly mode: string;
  readonly httpsRedirect: boolean;
  readonly serverCertificate: string;
  readonly privateKey: string;
  readonly caCertificates: string;
  readonly caCrl: string;
  readonly credentialName: string;
  readonly credentialNames: readonly string[];
  readonly tlsCertificates: readonly TlsCertificate[];
  readonly subjectAltNames: readonly string[];
  readonly minProtocolVersion: string;
  readonly maxProtocolVersion: string;
  readonly cipherSuites: readonly string[];
}

function readTls(raw: Readonly<Record<string, unknown>>): ServerTls {
  const str = (k: string): string => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
  const list = <T>(k: string): readonly T[] => (Array.isArray(raw[k]) ? (raw[k] as T[]) : []);
  return {
    mode: str('mode') || 'PASSTHROUGH',
    httpsRedirect: raw['httpsRedirect'] === true,
    serverCertificate: str('serverCertificate'),
    privateKey: str('privateKey'),
    caCertificates: str('caCertificates'),
    caCrl: str('caCrl'),
    credentialName: str('credentialName'),
    credentialNames: list<string>('credentialNames'),
    tlsCertificates: list<TlsCertificate>('tlsCertificates').filter((c) => c !== null && typeof c === 'object'),
    subjectAltNames: list<string>('subjectAltNames'),
    minProtocolVersion: str('minProtocolVersion'),
    maxProtocolVersion: str('maxProtocolVersion'),
    cipherSuites: list<string>('cipherSuites'),
  };
}

/** Checks one ingress listener's `tls` at `path`; `protocol` is the listener port's protocol. */
export function validateSidecarIngressTls(
  raw: object,
  protocol: string | undefined,
  path: FieldPath,
  findings: Findings,
): void {
  const tls = readTls(raw as Readonly<Record<string, unknown>>);
  // Enum values the CRD schema lists.
  if (!TLS_MODES.includes(tls.mode))
    findings.error([...path, 'mode'], 'SC_INGRESS_TLS_ENUM_INVALID', `unsupported tls mode ${tls.mode}`);
  for (const field of ['minProtocolVersion', 'maxProtocolVersion'] as const) {
    if (tls[field] !== '' && !TLS_VERSIONS.includes(tls[field])) {
      findings.error([...path, field], 'SC_INGRESS_TLS_ENUM_INVALID', `unsupported tls ${field} ${tls[field]}`);
    }
  }
  // The sidecar terminates with its own workload certificate source; these gateway-only knobs do nothing here.
  if (tls.subjectAltNames.length > 0)
    findings.error(
      [...path, 'subjectAltNames'],
      'SC_INGRESS_TLS_SANS',
      'sidecar: subjectAltNames is not supported in ingress tls',
    );
  if (tls.httpsRedirect)
    findings.error(
      [...path, 'httpsRedirect'],
      'SC_INGRESS_TLS_HTTPS_REDIRECT',
      'sidecar: httpsRedirect is not supported',
    );
  if (tls.credentialName !== '') {
    findings.error(
      [...path, 'credentialName'],
      'SC_INGRESS_TLS_CREDENTIAL_NAME',
      'sidecar: credentialName is not currently supported',
    );
  }
  if (tls.credentialNames.length > 0) {
    findings.error(
      [...path, 'credentialNames'],
      'SC_INGRESS_TLS_CREDENTIAL_NAMES',
      'sidecar: credentialNames is not currently supported',
    );
  }
  if (tls.tlsCertificates.length > 0) {
    findings.error(
      [...path, 'tlsCertificates'],
      'SC_INGRESS_TLS_CERTIFICATES',
      'sidecar: tls_certificates is not currently supported',
    );
  }
  if (tls.mode === 'ISTIO_MUTUAL' || tls.mode === 'AUTO_PASSTHROUGH') {
    findings.error(
      [...path, 'mode'],
      'SC_INGRESS_TLS_MODE',
      `configuration is invalid: cannot set mode to ${tls.mode} in sidecar ingress tls`,
    );
  }
  if (!isTlsProtocol(parseProtocol(protocol))) {
    findings.error(path, 'SC_INGRESS_TLS_PROTOCOL', 'server cannot have TLS settings for non HTTPS/TLS ports');
  }
  validateServerTlsOptions(tls, path, findings);
}

/** Istio's validateTLSOptions for server-side TLS: ciphers, certificate sources, and what each mode needs. */
function validateServerTlsOptions(tls: ServerTls, path: FieldPath, findings: Findings): void {
  if ((tls.minProtocolVersion === 'TLSV1_0' || tls.minProtocolVersion === 'TLSV1_1') && tls.cipherSuites.length === 0) {
    findings.warning(
      [...path, 'minProtocolVersion'],
      'SC_INGRESS_TLS_OLD_VERSION_CIPHERS',
      'TLS version below TLSV1_2 require setting compatible ciphers as by default they no longer include compatible ciphers.',
    );
  }
  checkCiphers(tls.cipherSuites, [...path, 'cipherSuites'], findings);
  if (tls.mode === 'ISTIO_MUTUAL') return; // already refused for sidecars above; its own rules would only repeat that
  const hasCertificates =
    tls.caCrl !== '' ||
    tls.serverCertificate !== '' ||
    tls.privateKey !== '' ||
    tls.caCertificates !== '' ||
    tls.tlsCertificates.length > 0 ||
    tls.credentialName !== '' ||
    tls.credentialNames.length > 0;
  if ((tls.mode === 'PASSTHROUGH' || tls.mode === 'AUTO_PASSTHROUGH') && hasCertificates) {
    findings.warning(
      path,
      'SC_INGRESS_TLS_PASSTHROUGH_CERTS',
      `${tls.mode} mode does not use certificates, they will be ignored`,
    );
  }
  const sources = [
    tls.serverCertificate !== '' && tls.privateKey !== '',
    tls.credentialName !== '',
    tls.credentialNames.length > 0,
    tls.tlsCertificates.length > 0,
  ].filter(Boolean).length;
  if (sources > 1) {
    findings.error(
      path,
      'SC_INGRESS_TLS_CERT_SOURCES',
      'only one of credential_name, credential_names, server_certificate/private_key, tls_certificates should be specified',
    );
  }
  const terminating = tls.mode === 'SIMPLE' || tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL';
  const remoteCredentials = tls.credentialName !== '' || tls.credentialNames.length > 0;
  if (terminating && !remoteCredentials) checkTerminatingCertificates(tls, path, findings);
  if (tls.caCrl !== '') {
    if (tls.credentialName !== '') {
      findings.error(
        [...path, 'caCrl'],
        'SC_INGRESS_TLS_CRL',
        'CRL is not supported with credentialName. CRL has to be specified in the credential',
      );
    }
    if (tls.mode === 'SIMPLE')
      findings.error([...path, 'caCrl'], 'SC_INGRESS_TLS_CRL', 'CRL is not supported with SIMPLE TLS');
  }
}

function checkTerminatingCertificates(tls: ServerTls, path: FieldPath, findings: Findings): void {
  const prefix = tls.mode === 'SIMPLE' ? 'SIMPLE TLS' : 'MUTUAL TLS';
  if (prefix === 'MUTUAL TLS' && tls.caCertificates === '') {
    findings.error([...path, 'caCertificates'], 'SC_INGRESS_TLS_CA_REQUIRED', `${prefix} requires a client CA bundle`);
  }
  if (tls.tlsCertificates.length > 2) {
    findings.warning(
      [...path, 'tlsCertificates'],
      'SC_INGRESS_TLS_TOO_MANY_CERTIFICATES',
      `${prefix} can support up to 2 server certificates`,
    );
  }
  // Either the listed tlsCertificates or the single serverCertificate/privateKey pair must be complete.
  const listed = tls.tlsCertificates.length > 0;
  const certs: readonly TlsCertificate[] = listed
    ? tls.tlsCertificates
    : [{ serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }];
  for (const [k, cert] of certs.entries()) {
    const at = listed ? [...path, 'tlsCertificates', k] : path;
    if ((cert.serverCertificate ?? '') === '') {
      findings.error(
        [...at, 'serverCertificate'],
        'SC_INGRESS_TLS_CERT_REQUIRED',
        `${prefix} requires a server certificate`,
      );
    }
    if ((cert.privateKey ?? '') === '')
      findings.error([...at, 'privateKey'], 'SC_INGRESS_TLS_KEY_REQUIRED', `${prefix} requires a private key`);
  }
}

function checkCiphers(suites: readonly string[], path: FieldPath, findings: Findings): void {
  const invalid = new Set<string>();
  const valid = new Set<string>();
  const duplicate = new Set<string>();
  for (const cs of suites) {
    if (!isValidCipherSuite(cs)) invalid.add(cs);
    else if (valid.has(cs)) duplicate.add(cs);
    else valid.add(cs);
  }
  if (invalid.size > 0)
    findings.warning(
      path,
      'SC_INGRESS_TLS_INVALID_CIPHERS',
      `ignoring invalid cipher suites: [${[...invalid].sort().join(' ')}]`,
    );
  if (duplicate.size > 0)
    findings.warning(
      path,
      'SC_INGRESS_TLS_DUPLICATE_CIPHERS',
      `ignoring duplicate cipher suites: [${[...duplicate].sort().join(' ')}]`,
    );
}

/** "" and "ALL" pass, as do expressions starting with an operator ('-', '+', '!'), which Envoy parses itself. */
function isValidCipherSuite(cs: string): boolean {
  if (cs === '' || cs === 'ALL') return true;
  if (!/^[\p{L}\p{N}]/u.test(cs)) return true;
  return VALID_CIPHER_SUITES.has(cs);
}
