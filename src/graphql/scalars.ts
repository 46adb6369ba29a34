/**
 * The custom scalars a schema derived from protos needs, each written the way proto3 JSON
 * writes the value, so results (rendered as proto3 JSON by the template engine) pass through
 * unchanged and arguments reach the request mapper in the form it already reads:
 * - `Int64`, `UInt64`: 64-bit integers as decimal strings (a GraphQL Int is 32-bit, and a JSON
 *   number loses precision past 2^53); an Int literal is accepted on input.
 * - `UInt32`: uint32/fixed32 as a number (past GraphQL Int's signed range).
 * - `Bytes`: base64 text.
 * - `DateTime`: google.protobuf.Timestamp's RFC 3339 text; `Duration`: its `1.5s` text.
 * - `FieldMask`: google.protobuf.FieldMask as a list of paths (proto3 JSON writes `"a,b"`).
 * - `JSON`: any JSON value (maps, Struct, Value, ListValue, Any, and templates of no one type).
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const INT64 = /^-?(0|[1-9][0-9]*)$/;
const UINT64 = /^(0|[1-9][0-9]*)$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function int64Scalar(name: 'Int64' | 'UInt64', description: string): GraphQLScalarType {
  const signed = name === 'Int64';
  const check = (text: string): string => {
    if (!(signed ? INT64 : UINT64).test(text)) throw new GraphQLError(`${name} cannot represent '${text}': expected ${signed ? 'an' : 'a non-negative'} integer in decimal`);
    const n = BigInt(text);
    if (n > (signed ? INT64_MAX : UINT64_MAX) || (signed && n < INT64_MIN)) throw new GraphQLError(`${name} cannot represent '${text}': out of range`);
    return text;
  };
  return new GraphQLScalarType({
    name,
    description,
    // Results are already decimal strings (proto3 JSON); a number or a Long is written as one.
    serialize: (value) => (typeof value === 'string' ? value : String(value)),
    parseValue: (value) => {
      if (typeof value === 'string') return check(value);
      if (typeof value === 'number' && Number.isSafeInteger(value)) return check(String(value));
      throw new GraphQLError(`${name} cannot represent a non-integer value: ${JSON.stringify(value)}`);
    },
    parseLiteral: (ast) => {
      if (ast.kind === Kind.STRING || ast.kind === Kind.INT) return check(ast.value);
      throw new GraphQLError(`${name} cannot represent a non-integer value`, { nodes: ast });
    },
  });
}

export const Int64Scalar = int64Scalar('Int64', 'A signed 64-bit integer (int64, sint64, sfixed64) as a decimal string.');
export const UInt64Scalar = int64Scalar('UInt64', 'An unsigned 64-bit integer (uint64, fixed64) as a decimal string.');

export const UInt32Scalar = new GraphQLScalarType({
  name: 'UInt32',
  description: 'An unsigned 32-bit integer (uint32, fixed32).',
  serialize: (value) => Number(value),
  parseValue: (value) => checkUint32(value),
  parseLiteral: (ast) => (ast.kind === Kind.INT ? checkUint32(Number(ast.value)) : fail('UInt32', 'a non-integer value', ast)),
});

function checkUint32(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff) return value;
  throw new GraphQLError(`UInt32 cannot represent ${JSON.stringify(value)}: expected an integer from 0 to 4294967295`);
}

/** A string scalar whose text must match `pattern` (checked on input; results are trusted). */
function textScalar(name: string, description: string, pattern: RegExp, expected: string): GraphQLScalarType {
  const check = (value: unknown): string => {
    if (typeof value === 'string' && pattern.test(value)) return value;
    throw new GraphQLError(`${name} cannot represent ${JSON.stringify(value)}: expected ${expected}`);
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: check,
    parseLiteral: (ast) => (ast.kind === Kind.STRING ? check(ast.value) : fail(name, 'a non-string value', ast)),
  });
}

export const BytesScalar = textScalar('Bytes', 'Bytes as base64 text (either alphabet, padding optional).', /^[A-Za-z0-9+/_-]*={0,2}$/, 'base64 text');
export const DateTimeScalar = textScalar(
  'DateTime',
  'A google.protobuf.Timestamp as RFC 3339 text (`2026-12-03T07:00:00.000Z`).',
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/,
  'an RFC 3339 date-time',
);
export const DurationScalar = textScalar('Duration', 'A google.protobuf.Duration as seconds with an `s` suffix (`1.5s`).', /^-?\d+(\.\d{1,9})?s$/, "seconds with an 's' suffix");

export const FieldMaskScalar = new GraphQLScalarType({
  name: 'FieldMask',
  description: 'A google.protobuf.FieldMask as a list of field paths.',
  // proto3 JSON writes the paths joined by commas.
  serialize: (value) => (typeof value === 'string' ? (value === '' ? [] : value.split(',')) : value),
  // The request mapper reads proto3 JSON: the paths joined again.
  parseValue: (value) => {
    if (Array.isArray(value) && value.every((p) => typeof p === 'string')) return value.join(',');
    if (typeof value === 'string') return value;
    throw new GraphQLError(`FieldMask cannot represent ${JSON.stringify(value)}: expected a list of field paths`);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return ast.value;
    if (ast.kind === Kind.LIST && ast.values.every((v) => v.kind === Kind.STRING)) return ast.values.map((v) => (v as { value: string }).value).join(',');
    return fail('FieldMask', 'a value that is not a list of strings', ast);
  },
});

export const JsonScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (proto maps, google.protobuf.Struct, Value, ListValue and Any).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables ?? undefined),
});

/** A literal as the JSON value it spells (variables substituted). */
function literalValue(ast: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

function fail(name: string, what: string, ast: ValueNode): never {
  throw new GraphQLError(`${name} cannot represent ${what}`, { nodes: ast });
}

/** Every custom scalar by name (their names are reserved: no derived type takes one). */
export const CUSTOM_SCALARS: ReadonlyMap<string, GraphQLScalarType> = new Map(
  [Int64Scalar, UInt64Scalar, UInt32Scalar, BytesScalar, DateTimeScalar, DurationScalar, FieldMaskScalar, JsonScalar].map((s) => [s.name, s]),
);
