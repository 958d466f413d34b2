// Checks plain YAML data against an Istio message schema (unknown fields, types, enums) and returns the typed value.
import type { Findings } from '../validation/findings.ts';
import { formatFieldPath } from './field-path.ts';
import type { Kind, FieldPath } from './resource.ts';
import { destinationRuleSpec } from './schema/destination-rule.ts';
import type { FieldSchema, MessageSchema } from './schema/field-schema.ts';
import { serviceEntrySpec } from './schema/service-entry.ts';
import { sidecarSpec } from './schema/sidecar.ts';
import { virtualServiceSpec } from './schema/virtual-service.ts';
import { suggest } from './suggest.ts';
import type { DestinationRuleSpec } from './wire/destination-rule.ts';
import type { ServiceEntrySpec } from './wire/service-entry.ts';
import type { SidecarSpec } from './wire/sidecar.ts';
import type { VirtualServiceSpec } from './wire/virtual-service.ts';

/** Finding codes the decoder emits. */
export const DecodeCode = {
  unknownField: 'UNKNOWN_FIELD',
  wrongType: 'WRONG_TYPE',
  unknownEnumValue: 'UNKNOWN_ENUM_VALUE',
} as const;

export interface SpecByKind {
  ServiceEntry: ServiceEntrySpec;
  VirtualService: VirtualServiceSpec;
  DestinationRule: DestinationRuleSpec;
  Sidecar: SidecarSpec;
}

export const SPEC_SCHEMAS: { readonly [K in Kind]: MessageSchema } = {
  ServiceEntry: serviceEntrySpec,
  VirtualService: virtualServiceSpec,
  DestinationRule: destinationRuleSpec,
  Sidecar: sidecarSpec,
};

/**
 * Decodes a resource's `spec` (paths in findings are relative to it). A missing spec decodes as `{}` and is
 * left to the kind's rules. Fields with problems are dropped from the result; callers must not use the
 * result as valid when `findings` gained an error.
 */
export function decodeSpec<K extends Kind>(kind: K, spec: unknown, findings: Findings): SpecByKind[K] {
  if (spec === undefined || spec === null) return {} as SpecByKind[K];
  return decodeMessage(spec, SPEC_SCHEMAS[kind], findings, []) as SpecByKind[K];
}

/** Decodes one message; a value that is not a map is reported and decodes as `{}`. */
export function decodeMessage(
  value: unknown,
  schema: MessageSchema,
  findings: Findings,
  path: FieldPath,
): Record<string, unknown> {
  const decoded = decodeValue(value, schema, findings, path);
  return isRecord(decoded) ? decoded : {};
}

const DROP = Symbol('drop');

/**
 * Whether `value` is already a valid scalar of `schema`: then it decodes as itself, and the field path
 * (an array per field, needed only to report a finding or to descend) is never built. Most fields of a
 * large config are such scalars.
 */
function isValidScalar(value: unknown, schema: FieldSchema): boolean {
  switch (schema.type) {
    case 'string':
    case 'duration':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'enum':
      return typeof value === 'string' && schema.values.includes(value);
    case 'any':
      return true;
    default:
      return false;
  }
}

function decodeValue(value: unknown, schema: FieldSchema, findings: Findings, path: FieldPath): unknown {
  switch (schema.type) {
    case 'any':
      return value;
    case 'string':
    case 'duration':
      return typeof value === 'string' ? value : wrongType(value, schema, findings, path);
    case 'bool':
      return typeof value === 'boolean' ? value : wrongType(value, schema, findings, path);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : wrongType(value, schema, findings, path);
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) ? value : wrongType(value, schema, findings, path);
    case 'enum':
      return decodeEnum(value, schema.values, findings, path);
    case 'list':
      return decodeList(value, schema.items, findings, path);
    case 'map':
      return decodeMap(value, schema.values, findings, path);
    case 'message':
      return decodeFields(value, schema, findings, path);
  }
}

function decodeEnum(value: unknown, values: readonly string[], findings: Findings, path: FieldPath): unknown {
  if (typeof value !== 'string') return wrongType(value, { type: 'enum', values }, findings, path);
  if (values.includes(value)) return value;
  const guess = suggest(value, values);
  const hint = guess === undefined ? '' : ` (did you mean "${guess}"?)`;
  findings.error(
    path,
    DecodeCode.unknownEnumValue,
    `${formatFieldPath(path)}: unknown value "${value}"${hint}; allowed values: ${values.join(', ')}`,
  );
  return DROP;
}

// The three collection decoders return their input itself when every entry decodes as written, and
// copy only once something differs: a large config is mostly valid, and copying each of its maps and
// lists would only make garbage. The input is the loader's own parse, which nothing else holds.

function decodeList(value: unknown, items: FieldSchema, findings: Findings, path: FieldPath): unknown {
  if (!Array.isArray(value)) return wrongType(value, { type: 'list', items }, findings, path);
  // Items are never dropped, so indexes (and so positions) stay those of the file; a bad item is kept
  // as written, which is harmless because a resource with errors never reaches the model.
  let out: unknown[] | undefined;
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (isValidScalar(item, items)) continue;
    const decoded = decodeValue(item, items, findings, [...path, index]);
    if (decoded === DROP || decoded === item) continue;
    out ??= value.slice();
    out[index] = decoded;
  }
  return out ?? value;
}

function decodeMap(value: unknown, values: FieldSchema, findings: Findings, path: FieldPath): unknown {
  if (!isRecord(value)) return wrongType(value, { type: 'map', values }, findings, path);
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const entry = value[key];
    const decoded = isValidScalar(entry, values) ? entry : decodeValue(entry, values, findings, [...path, key]);
    if (decoded === entry && out === undefined) continue;
    out ??= copyFirst(value, keys, i);
    if (decoded !== DROP) out[key] = decoded;
  }
  return out ?? value;
}

function decodeFields(value: unknown, schema: MessageSchema, findings: Findings, path: FieldPath): unknown {
  if (!isRecord(value)) return wrongType(value, schema, findings, path);
  const keys = Object.keys(value);
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const written = keys[i]!;
    const entry = value[written];
    const key =
      schema.aliases !== undefined && Object.hasOwn(schema.aliases, written)
        ? (schema.aliases[written] ?? written)
        : written;
    const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (field === undefined) {
      reportUnknownField(written, schema, findings, [...path, written]);
      out ??= copyFirst(value, keys, i);
      continue;
    }
    // Kubernetes drops explicit nulls of non-nullable fields, so `hosts:` with nothing after it is "not set".
    if (entry === null) {
      out ??= copyFirst(value, keys, i);
      continue;
    }
    const decoded = isValidScalar(entry, field) ? entry : decodeValue(entry, field, findings, [...path, written]);
    if (decoded === entry && key === written && out === undefined) continue;
    out ??= copyFirst(value, keys, i);
    if (decoded !== DROP) out[key] = decoded;
  }
  return out ?? value;
}

/** A new map with the first `count` entries of `value`, which decoded as written. */
function copyFirst(value: Record<string, unknown>, keys: readonly string[], count: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) out[keys[i]!] = value[keys[i]!];
  return out;
}

function reportUnknownField(key: string, schema: MessageSchema, findings: Findings, path: FieldPath): void {
  const guess = suggest(key, Object.keys(schema.fields));
  const message = `unknown field "${key}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
  if (schema.unknownFields === 'warning') findings.warning(path, DecodeCode.unknownField, `${message}; ignored`);
  else findings.error(path, DecodeCode.unknownField, message);
}

function wrongType(value: unknown, schema: FieldSchema, findings: Findings, path: FieldPath): typeof DROP {
  const field = path.length === 0 ? 'spec' : formatFieldPath(path);
  findings.error(path, DecodeCode.wrongType, `${field} must be ${expected(schema)}, got ${describe(value)}`);
  return DROP;
}

function expected(schema: FieldSchema): string {
  switch (schema.type) {
    case 'string':
      return 'a string';
    case 'duration':
      return 'a duration string such as "5s" or "100ms"';
    case 'bool':
      return 'true or false';
    case 'int':
      return 'an integer';
    case 'double':
      return 'a number';
    case 'enum':
      return `one of ${schema.values.join(', ')}`;
    case 'list':
      return schema.items.type === 'message' ? `a list of ${schema.items.name}` : `a list of ${plural(schema.items)}`;
    case 'map':
      return `a map of ${plural(schema.values)}`;
    case 'message':
      return `a map of ${schema.name} fields`;
    case 'any':
      return 'a value';
  }
}

function plural(schema: FieldSchema): string {
  switch (schema.type) {
    case 'string':
      return 'strings';
    case 'int':
      return 'integers';
    case 'message':
      return `${schema.name} values`;
    default:
      return `${schema.type} values`;
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return typeof value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
