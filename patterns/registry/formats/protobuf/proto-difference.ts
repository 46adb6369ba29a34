/**
 * The difference types of Confluent's protobuf diff, which of them are compatible, and how an
 * incompatible one is rendered for verbose responses (compatibility-rules.md §4.2, §4.3).
 */

export const PROTO_DIFFERENCE_TYPES = [
  'PACKAGE_CHANGED', 'MESSAGE_ADDED', 'MESSAGE_REMOVED', 'MESSAGE_MOVED',
  'ENUM_ADDED', 'ENUM_REMOVED', 'ENUM_CONST_ADDED', 'ENUM_CONST_CHANGED', 'ENUM_CONST_REMOVED',
  'FIELD_ADDED', 'FIELD_REMOVED', 'FIELD_NAME_CHANGED', 'FIELD_KIND_CHANGED',
  'FIELD_SCALAR_KIND_CHANGED', 'FIELD_NAMED_TYPE_CHANGED',
  'FIELD_NUMERIC_LABEL_CHANGED', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'REQUIRED_FIELD_ADDED', 'REQUIRED_FIELD_REMOVED',
  'ONEOF_ADDED', 'ONEOF_REMOVED', 'ONEOF_FIELD_ADDED', 'ONEOF_FIELD_REMOVED',
  'ONEOF_FIELD_MOVED_TO_TOP_LEVEL', 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', 'FIELD_MOVED_TO_EXISTING_ONEOF',
] as const;

export type ProtoDifferenceType = (typeof PROTO_DIFFERENCE_TYPES)[number];

export interface ProtoDifference {
  readonly type: ProtoDifferenceType;
  /** JSON-pointer-like location, e.g. `#/Message/Nested/3` or `#/Message/oneofName/3`. */
  readonly path: string;
}

/** `SchemaDiff.COMPATIBLE_CHANGES`: everything else is an incompatibility. */
export const PROTO_COMPATIBLE_CHANGES: ReadonlySet<ProtoDifferenceType> = new Set<ProtoDifferenceType>([
  'MESSAGE_ADDED', 'MESSAGE_MOVED', 'ENUM_ADDED', 'ENUM_REMOVED',
  'ENUM_CONST_ADDED', 'ENUM_CONST_CHANGED', 'ENUM_CONST_REMOVED',
  'FIELD_ADDED', 'FIELD_REMOVED', 'FIELD_NAME_CHANGED', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED', 'ONEOF_REMOVED', 'ONEOF_FIELD_ADDED', 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL',
]);

export function isCompatibleProtoDifference(type: ProtoDifferenceType): boolean {
  return PROTO_COMPATIBLE_CHANGES.has(type);
}

/**
 * The description sentence with both role slots filled (reader first). The sentences, their
 * odd spacing included, are Confluent's; a type Confluent has no sentence for gets "".
 */
function describe(d: ProtoDifference, reader: string, writer: string): string {
  const p = d.path;
  switch (d.type) {
    case 'PACKAGE_CHANGED':
      return `The package at '${p}' in the ${reader} schema does not match the package in the ${writer} schema`;
    case 'MESSAGE_REMOVED':
      return `The ${reader} schema is missing a MESSAGE type at path '${p}' in the ${writer} schema`;
    case 'FIELD_KIND_CHANGED':
      return `The type of a field at path '${p}' in the ${reader} schema does not match the ${writer} schema`;
    case 'FIELD_SCALAR_KIND_CHANGED':
      return `The kind of a SCALAR field at path '${p}' in the ${reader} schema does not match its kind in the ${writer} schema`;
    case 'FIELD_NAMED_TYPE_CHANGED':
      return `The type of a MESSAGE field at path '${p}' in the ${reader} schema does not match its type in the ${writer} schema`;
    case 'FIELD_NUMERIC_LABEL_CHANGED':
      return `The label for a NUMERIC field at path '${p}' in the ${reader} schema does not match its label in the ${writer} schema`;
    case 'REQUIRED_FIELD_ADDED':
      return `A required field  at path '${p}' in the ${reader} schema is missing in the ${writer} schema`;
    case 'REQUIRED_FIELD_REMOVED':
      return `The ${reader} schema is missing a required field at path: '${p}' in the ${writer} schema`;
    case 'ONEOF_FIELD_REMOVED':
      return `The ${reader} schema is missing a oneof field at path '${p}' in the ${writer} schema`;
    case 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL':
      return `The oneof field at path '${p}' in the ${reader} schema was moved out of its oneof to a top-level field in the ${writer} schema`;
    case 'MULTIPLE_FIELDS_MOVED_TO_ONEOF':
      return `Multiple fields in the oneof at path '${p}' in the ${reader} schema are outside a oneof in the ${writer} schema`;
    case 'FIELD_MOVED_TO_EXISTING_ONEOF':
      return `A field in the oneof at path '${p}' in the ${reader} schema is outside an existing oneof in the ${writer} schema`;
    default:
      return '';
  }
}

/** `{errorType:"<TYPE>", description:"<text>"}` exactly as Confluent's `Difference.toString`. */
export function formatProtoDifference(d: ProtoDifference, reader: string, writer: string): string {
  return `{errorType:"${d.type}", description:"${describe(d, reader, writer)}"}`;
}
