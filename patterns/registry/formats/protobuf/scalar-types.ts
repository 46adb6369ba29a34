/** The built-in scalar type names of the protobuf language. */
export const SCALAR_TYPES: ReadonlySet<string> = new Set([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);

export function isScalarType(name: string): boolean {
  return SCALAR_TYPES.has(name);
}
