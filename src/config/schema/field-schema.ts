// The declarative field schema the decoder checks YAML against: one entry per Istio message field.

export type FieldSchema =
  | { readonly type: 'string' }
  | { readonly type: 'bool' }
  /** int32, uint32, uint64 and their wrapper types: a whole JSON number. Ranges are the rules' job. */
  | { readonly type: 'int' }
  /** double, float, DoubleValue. */
  | { readonly type: 'double' }
  /** google.protobuf.Duration: a string such as "5s" or "100ms"; the rules check its value. */
  | { readonly type: 'duration' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'list'; readonly items: FieldSchema }
  | { readonly type: 'map'; readonly values: FieldSchema }
  | MessageSchema
  /** A field meshgate knows exists but does not read (e.g. most of MeshConfig): accepted as written. */
  | { readonly type: 'any' };

export interface MessageSchema {
  readonly type: 'message';
  /** Istio's message name, for messages about the message as a whole. */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSchema>>;
  /**
   * Istio's CRDs reject unknown fields (error); MeshConfig is decoded leniently by Istio (jsonpb with
   * AllowUnknownFields), so there an unknown field is only worth a warning.
   */
  readonly unknownFields?: 'error' | 'warning';
  /** Other spellings Istio's CRD accepts for a field (`+kubebuilder:altName`), mapped to the field's name. */
  readonly aliases?: Readonly<Record<string, string>>;
}

export const string: FieldSchema = { type: 'string' };
export const bool: FieldSchema = { type: 'bool' };
export const int: FieldSchema = { type: 'int' };
export const double: FieldSchema = { type: 'double' };
export const duration: FieldSchema = { type: 'duration' };
export const any: FieldSchema = { type: 'any' };

export function enumOf(...values: string[]): FieldSchema {
  return { type: 'enum', values };
}

export function list(items: FieldSchema): FieldSchema {
  return { type: 'list', items };
}

export function map(values: FieldSchema): FieldSchema {
  return { type: 'map', values };
}

export function message(
  name: string,
  fields: Record<string, FieldSchema>,
  unknownFields: 'error' | 'warning' = 'error',
  aliases?: Record<string, string>,
): MessageSchema {
  return { type: 'message', name, fields, unknownFields, ...(aliases === undefined ? {} : { aliases }) };
}

export const stringList = list(string);
export const stringMap = map(string);
