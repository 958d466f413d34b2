// Tells what a YAML document is: one of the four kinds meshgate reads (with its key), or something to skip.
import type { Findings } from '../validation/findings.ts';
import { decodeMessage } from './decode.ts';
import { ISTIO_NETWORKING_GROUP, ISTIO_NETWORKING_VERSIONS, KINDS, type ResourceKey } from './resource.ts';
import { objectEnvelope } from './schema/object-meta.ts';
import { suggest } from './suggest.ts';

/** Finding codes about a document's envelope. */
export const IdentityCode = {
  missingTypeMeta: 'MISSING_TYPE_META',
  unsupportedVersion: 'UNSUPPORTED_API_VERSION',
  unknownKind: 'UNKNOWN_KIND',
  missingName: 'MISSING_NAME',
  invalidName: 'INVALID_NAME',
} as const;

export interface IdentifiedResource {
  readonly type: 'resource';
  readonly key: ResourceKey;
  readonly apiVersion: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly creationTimestamp?: string;
  /** The raw `spec`, still to be decoded against the kind's schema. */
  readonly spec: unknown;
}

/** A document of a kind meshgate does not read (Gateway, Deployment, …): reported, never an error. */
export interface SkippedIdentity {
  readonly type: 'skipped';
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The envelope itself is wrong; `findings` says why. Carries what could be read, for messages. */
export interface InvalidIdentity {
  readonly type: 'invalid';
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export type Identity = IdentifiedResource | SkippedIdentity | InvalidIdentity;

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Reads apiVersion/kind/metadata of one document; findings use '$'-rooted paths. */
export function identify(value: unknown, defaultNamespace: string, findings: Findings): Identity {
  const apiVersion = stringField(value, 'apiVersion');
  const kind = stringField(value, 'kind');
  const meta = recordField(value, 'metadata');
  const name = stringField(meta, 'name');
  const namespace = stringField(meta, 'namespace') ?? defaultNamespace;
  if (apiVersion === undefined || kind === undefined) {
    const missing = apiVersion === undefined ? 'apiVersion' : 'kind';
    findings.error(
      ['$', missing],
      IdentityCode.missingTypeMeta,
      `${missing} is required: this does not look like a Kubernetes resource`,
    );
    return { type: 'invalid', ...optional({ kind, name, namespace }) };
  }
  // A bare "networking.istio.io" (version forgotten) is Istio's group, not a core-API version.
  const [group, version] = apiVersion.includes('/')
    ? apiVersion.split('/', 2)
    : apiVersion === ISTIO_NETWORKING_GROUP
      ? [apiVersion, '']
      : ['', apiVersion];
  const readKind = KINDS.find((k) => k === kind);
  if (group !== ISTIO_NETWORKING_GROUP || readKind === undefined) {
    const meant = group === ISTIO_NETWORKING_GROUP ? suggest(kind, KINDS) : undefined;
    if (meant === undefined) return { type: 'skipped', apiVersion, kind, namespace, name: name ?? '' };
    findings.error(['$', 'kind'], IdentityCode.unknownKind, `unknown kind "${kind}" (did you mean "${meant}"?)`);
    return { type: 'invalid', ...optional({ kind, name, namespace }) };
  }
  const envelope = decodeMessage(value, objectEnvelope, findings, ['$']);
  const metadata = (envelope['metadata'] ?? {}) as {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
  };
  if (!(ISTIO_NETWORKING_VERSIONS as readonly string[]).includes(version ?? '')) {
    findings.error(
      ['$', 'apiVersion'],
      IdentityCode.unsupportedVersion,
      `apiVersion ${apiVersion} is not served for ${kind}; use ${ISTIO_NETWORKING_GROUP}/v1, v1beta1 or v1alpha3`,
    );
  }
  checkNames(name, meta, namespace, findings);
  if (findings.hasErrors) return { type: 'invalid', ...optional({ kind, name, namespace }) };
  const resource: IdentifiedResource = {
    type: 'resource',
    key: { kind: readKind, namespace, name: name ?? '' },
    apiVersion,
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    spec: recordOrRaw(value, 'spec'),
  };
  return metadata.creationTimestamp === undefined
    ? resource
    : { ...resource, creationTimestamp: metadata.creationTimestamp };
}

function checkNames(
  name: string | undefined,
  meta: Record<string, unknown> | undefined,
  namespace: string,
  findings: Findings,
): void {
  if (name === undefined || name === '') {
    if (meta === undefined || meta['name'] === undefined || meta['name'] === null || meta['name'] === '') {
      findings.error(['$', 'metadata', 'name'], IdentityCode.missingName, 'metadata.name is required');
    }
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    findings.error(
      ['$', 'metadata', 'name'],
      IdentityCode.invalidName,
      `metadata.name "${name}" must be a lowercase DNS-1123 subdomain (a-z, 0-9, '-' and '.')`,
    );
  }
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    findings.error(
      ['$', 'metadata', 'namespace'],
      IdentityCode.invalidName,
      `namespace "${namespace}" must be a lowercase DNS-1123 label (a-z, 0-9 and '-')`,
    );
  }
}

/** Drops undefined entries so the result fits exactOptionalPropertyTypes. */
function optional(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

function recordField(value: unknown, key: string): Record<string, unknown> | undefined {
  const field = isRecord(value) ? value[key] : undefined;
  return isRecord(field) ? field : undefined;
}

function recordOrRaw(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const field = isRecord(value) ? value[key] : undefined;
  return typeof field === 'string' ? field : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
