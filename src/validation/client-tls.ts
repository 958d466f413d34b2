// Checks a DestinationRule's client TLS settings (Istio's agent.ValidateTLS) for upstream TLS origination.
import type { FieldPath } from '../config/resource.ts';
import type { ClientTLSSettings } from '../config/wire/destination-rule.ts';
import type { Findings } from './findings.ts';

const CONFIGMAP_URI = 'configmap://';

/** `configmap://<namespace>/<name>`: both parts required; undefined means the name parses. */
function configMapNameProblem(credentialName: string): string | undefined {
  const parts = credentialName.slice(CONFIGMAP_URI.length).split('/');
  if (parts.length <= 1) return `invalid resource name "${credentialName}". Expected namespace and name`;
  if ((parts[0] ?? '') === '') return `invalid resource name "${credentialName}". Expected namespace`;
  if ((parts[1] ?? '') === '') return `invalid resource name "${credentialName}". Expected name`;
  return undefined;
}

/**
 * `configNamespace` is the DestinationRule's namespace: a CA bundle read from a ConfigMap must live
 * beside the rule, so one namespace cannot make proxies trust another namespace's data.
 */
export function checkClientTLS(
  tls: ClientTLSSettings | null | undefined,
  configNamespace: string,
  path: FieldPath,
  findings: Findings,
): void {
  if (!tls) return;
  const mode = tls.mode ?? 'DISABLE';
  const credentialName = tls.credentialName ?? '';
  if (credentialName.startsWith(CONFIGMAP_URI)) {
    const credPath = [...path, 'credentialName'];
    const problem = configMapNameProblem(credentialName);
    if (problem !== undefined) {
      findings.error(credPath, 'DR_TLS_CONFIGMAP_NAME_INVALID', `invalid configmap:// credentialName: ${problem}`);
    } else if (credentialName.slice(CONFIGMAP_URI.length).split('/')[0] !== configNamespace || configNamespace === '') {
      findings.error(
        credPath,
        'DR_TLS_CONFIGMAP_NAMESPACE',
        `invalid configmap:// credentialName: namespace must match the configuration namespace "${configNamespace}"`,
      );
    }
  }
  const caCertificates = tls.caCertificates ?? '';
  const hasSans = tls.subjectAltNames !== undefined && tls.subjectAltNames !== null;
  // Skipping verification while also naming what to verify against is a contradiction, not a preference.
  if (tls.insecureSkipVerify === true) {
    if (mode === 'SIMPLE' && (caCertificates !== '' || credentialName !== '' || hasSans)) {
      findings.error(
        [...path, 'insecureSkipVerify'],
        'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT',
        'cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true',
      );
    }
    if (mode === 'MUTUAL' && (caCertificates !== '' || hasSans)) {
      findings.error(
        [...path, 'insecureSkipVerify'],
        'DR_TLS_INSECURE_SKIP_VERIFY_CONFLICT',
        'cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true',
      );
    }
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && credentialName !== '') {
    const files = [tls.clientCertificate, tls.caCertificates, tls.privateKey, tls.caCrl].some((f) => (f ?? '') !== '');
    if (files) {
      findings.error(
        [...path, 'credentialName'],
        'DR_TLS_CREDENTIAL_WITH_FILES',
        'cannot specify client certificates or CA certificate or CA CRL If credentialName is set',
      );
    }
    // With a credentialName the certificates come from the secret, so none of the file fields is required.
    return;
  }
  if (mode === 'MUTUAL') {
    if ((tls.clientCertificate ?? '') === '') {
      findings.error(
        [...path, 'clientCertificate'],
        'DR_TLS_CLIENT_CERT_REQUIRED',
        'client certificate required for mutual tls',
      );
    }
    if ((tls.privateKey ?? '') === '') {
      findings.error([...path, 'privateKey'], 'DR_TLS_PRIVATE_KEY_REQUIRED', 'private key required for mutual tls');
    }
  }
}
