/** Groups of protobuf scalar kinds, and the wrapper types whose JSON form is their value. */

export const INT32_KINDS: ReadonlySet<string> = new Set(['int32', 'sint32', 'sfixed32']);
export const UINT32_KINDS: ReadonlySet<string> = new Set(['uint32', 'fixed32']);
export const INT64_KINDS: ReadonlySet<string> = new Set(['int64', 'sint64', 'sfixed64']);
export const UINT64_KINDS: ReadonlySet<string> = new Set(['uint64', 'fixed64']);
/** Every 64-bit kind: JSON strings in proto3 JSON. */
export const LONG_KINDS: ReadonlySet<string> = new Set([...INT64_KINDS, ...UINT64_KINDS]);

/** google.protobuf wrapper message (full name) → the scalar kind it wraps. */
export const WRAPPER_KINDS: Readonly<Record<string, string>> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

/**
 * Well-known types whose proto3 JSON is not an object of their fields: inside an Any their JSON
 * goes under `value` (`{"@type": …, "value": "1.5s"}`), every other message's fields sit beside
 * `@type`.
 */
export const CUSTOM_JSON_TYPES: ReadonlySet<string> = new Set([
  '.google.protobuf.Any',
  '.google.protobuf.Timestamp',
  '.google.protobuf.Duration',
  '.google.protobuf.FieldMask',
  '.google.protobuf.Struct',
  '.google.protobuf.Value',
  '.google.protobuf.ListValue',
  ...Object.keys(WRAPPER_KINDS),
]);

export const NULL_VALUE_ENUM = '.google.protobuf.NullValue';
