// Field schema of Sidecar.spec.
import { destination, workloadSelector } from './common.ts';
import { connectionPool } from './destination-rule.ts';
import { bool, enumOf, int, list, message, string, stringList } from './field-schema.ts';

const sidecarPort = message('SidecarPort', { number: int, protocol: string, name: string, targetPort: int });

const captureMode = enumOf('DEFAULT', 'IPTABLES', 'NONE');

const tlsProtocol = enumOf('TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3');

const serverTls = message('ServerTLSSettings', {
  httpsRedirect: bool,
  mode: enumOf('PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'),
  serverCertificate: string,
  privateKey: string,
  caCertificates: string,
  caCrl: string,
  credentialName: string,
  credentialNames: stringList,
  caCertCredentialName: string,
  tlsCertificates: list(
    message('TLSCertificate', { serverCertificate: string, privateKey: string, caCertificates: string }),
  ),
  subjectAltNames: stringList,
  verifyCertificateSpki: stringList,
  verifyCertificateHash: stringList,
  minProtocolVersion: tlsProtocol,
  maxProtocolVersion: tlsProtocol,
  cipherSuites: stringList,
  insecureSkipVerify: bool,
});

export const sidecarSpec = message('Sidecar', {
  workloadSelector,
  ingress: list(
    message('IstioIngressListener', {
      port: sidecarPort,
      bind: string,
      captureMode,
      defaultEndpoint: string,
      tls: serverTls,
      connectionPool,
    }),
  ),
  egress: list(message('IstioEgressListener', { port: sidecarPort, bind: string, captureMode, hosts: stringList })),
  inboundConnectionPool: connectionPool,
  outboundTrafficPolicy: message('OutboundTrafficPolicy', {
    // Istio's Sidecar CRD has only these two: ALLOW_ANY_DYNAMIC_DNS is a MeshConfig-only mode.
    mode: enumOf('REGISTRY_ONLY', 'ALLOW_ANY'),
    egressProxy: destination,
  }),
});
