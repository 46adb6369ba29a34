/**
 * GraphQL types derived from proto types, never written twice (issue #20):
 * - a message is an object type (results) and an input type (`<Name>Input`, arguments), its
 *   fields under their proto3 JSON names (the names results are rendered with);
 * - an enum is an enum type with the proto value names (what proto3 JSON writes);
 * - `repeated` is a non-null list of non-null elements;
 * - a map is the `JSON` scalar: a GraphQL object needs its keys declared, and key/value lists
 *   would make results differ from the proto3 JSON every other frontend answers;
 * - a oneof's members are nullable fields, and the object type gets `<oneof>Case: String`
 *   naming the member that is set (null when none is);
 * - 64-bit integers are the string-backed `Int64`/`UInt64`, uint32 is `UInt32`, bytes `Bytes`
 *   (base64), and the well-known types become scalars (scalars.ts): Timestamp → DateTime,
 *   Duration → Duration, wrappers → nullable scalars, Struct/Value/ListValue/Any → JSON,
 *   FieldMask → FieldMask (a list of paths);
 * - a scalar or enum field without presence is non-null (results render default values), a
 *   message field, a proto3 `optional` field and a oneof member are nullable;
 * - a message with no fields (google.protobuf.Empty) gets one field `_empty: Boolean` (always
 *   null), as GraphQL refuses empty object and input types.
 *
 * Names are resolved deterministically over the types the schema reaches: a message or enum
 * takes its name inside its package (`Outer_Inner` for a nested one); names that two reached
 * types would share, or that a built-in, custom scalar or declared type already has, take the
 * full name instead (`prism_test_v1_Everything`), for every type of the clash, so adding a type
 * never renames another that does not clash with it.
 */
import protobuf from 'protobufjs';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLString,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLScalarType,
} from 'graphql';
import { jsonName } from '../mapping/field-path.js';
import { BytesScalar, CUSTOM_SCALARS, DateTimeScalar, DurationScalar, FieldMaskScalar, Int64Scalar, JsonScalar, UInt32Scalar, UInt64Scalar } from './scalars.js';

/** Names no derived type may take. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set(['Query', 'Mutation', 'Subscription', 'String', 'Int', 'Float', 'Boolean', 'ID', ...CUSTOM_SCALARS.keys()]);

const SCALAR_KINDS: Readonly<Record<string, GraphQLScalarType>> = {
  double: GraphQLFloat,
  float: GraphQLFloat,
  int32: GraphQLInt,
  sint32: GraphQLInt,
  sfixed32: GraphQLInt,
  uint32: UInt32Scalar,
  fixed32: UInt32Scalar,
  int64: Int64Scalar,
  sint64: Int64Scalar,
  sfixed64: Int64Scalar,
  uint64: UInt64Scalar,
  fixed64: UInt64Scalar,
  bool: GraphQLBoolean,
  string: GraphQLString,
  bytes: BytesScalar,
};

/** Well-known message types written as one scalar (always nullable: they are messages). */
const WELL_KNOWN: Readonly<Record<string, GraphQLScalarType>> = {
  '.google.protobuf.Timestamp': DateTimeScalar,
  '.google.protobuf.Duration': DurationScalar,
  '.google.protobuf.FieldMask': FieldMaskScalar,
  '.google.protobuf.Struct': JsonScalar,
  '.google.protobuf.Value': JsonScalar,
  '.google.protobuf.ListValue': JsonScalar,
  '.google.protobuf.Any': JsonScalar,
  '.google.protobuf.DoubleValue': GraphQLFloat,
  '.google.protobuf.FloatValue': GraphQLFloat,
  '.google.protobuf.Int64Value': Int64Scalar,
  '.google.protobuf.UInt64Value': UInt64Scalar,
  '.google.protobuf.Int32Value': GraphQLInt,
  '.google.protobuf.UInt32Value': UInt32Scalar,
  '.google.protobuf.BoolValue': GraphQLBoolean,
  '.google.protobuf.StringValue': GraphQLString,
  '.google.protobuf.BytesValue': BytesScalar,
};

type Kind = 'object' | 'input' | 'enum';

export interface ProtoTypeOptions {
  /** Names declared by the definition (result types): derived types never take them. */
  readonly reserved: ReadonlySet<string>;
  /** Fields added to a derived object type by the definition (`types:`), by type name. */
  readonly extraFields?: (typeName: string, existing: readonly string[]) => GraphQLFieldConfigMap<unknown, unknown>;
}

/**
 * The derived types of one schema. Types are reached first (`reachOutput`, `reachInput`), then
 * `freezeNames()` fixes every name; only then may types be asked for.
 */
export class ProtoTypes {
  readonly #reached = new Map<string, { kind: Kind; type: protobuf.Type | protobuf.Enum }>();
  readonly #names = new Map<string, string>();
  readonly #built = new Map<string, GraphQLNamedType>();
  readonly #options: ProtoTypeOptions;

  constructor(options: ProtoTypeOptions) {
    this.#options = options;
  }

  /** Reaches a message as a result type (and everything its fields reach). */
  reachOutput(type: protobuf.Type): void {
    this.#reach(type, 'object');
  }

  /** Reaches a message as an argument type. */
  reachInput(type: protobuf.Type): void {
    this.#reach(type, 'input');
  }

  /** Reaches the type of one field (its message or enum), as a result or as an argument. */
  reachField(field: protobuf.Field, kind: 'object' | 'input'): void {
    field.resolve();
    const t = field.resolvedType;
    if (field.map) return;
    if (t instanceof protobuf.Enum) this.#reach(t, 'enum');
    else if (t instanceof protobuf.Type) this.#reach(t, kind);
  }

  #reach(type: protobuf.Type | protobuf.Enum, kind: Kind): void {
    if (type instanceof protobuf.Type && WELL_KNOWN[type.fullName]) return;
    const key = `${kind} ${type.fullName}`;
    if (this.#reached.has(key)) return;
    this.#reached.set(key, { kind, type });
    if (type instanceof protobuf.Type) for (const field of type.fieldsArray) this.reachField(field, kind === 'enum' ? 'object' : kind);
  }

  /**
   * Fixes every reached type's name (module doc: short names, full names for clashes).
   * @returns names two reached types still share after that (a definition problem), normally none.
   */
  freezeNames(): string[] {
    const wanted = new Map<string, string[]>();
    const candidates = [...this.#reached.keys()].sort();
    for (const key of candidates) {
      const name = this.#candidate(key, false);
      wanted.set(name, [...(wanted.get(name) ?? []), key]);
    }
    const taken = new Map<string, string>();
    const clashes: string[] = [];
    for (const [name, keys] of wanted) {
      const qualify = keys.length > 1 || this.#options.reserved.has(name) || BUILTIN_NAMES.has(name);
      for (const key of keys) {
        const final = qualify ? this.#candidate(key, true) : name;
        if (taken.has(final) || this.#options.reserved.has(final) || BUILTIN_NAMES.has(final)) clashes.push(final);
        taken.set(final, key);
        this.#names.set(key, final);
      }
    }
    return clashes;
  }

  #candidate(key: string, qualified: boolean): string {
    const { kind, type } = this.#reached.get(key)!;
    let base: string;
    if (qualified) base = type.fullName.replace(/^\./, '').replace(/\./g, '_');
    else {
      // The name inside the package: the chain of enclosing messages.
      const chain: string[] = [];
      for (let t: protobuf.ReflectionObject | null = type; t && !(t instanceof protobuf.Namespace && !(t instanceof protobuf.Type)); t = t.parent) chain.unshift(t.name);
      base = chain.join('_');
    }
    return kind === 'input' ? `${base}Input` : base;
  }

  /** Every name a derived type took (for clash checks with the definition's own types). */
  get names(): ReadonlySet<string> {
    return new Set(this.#names.values());
  }

  /** The object type of a message, or its well-known scalar. */
  output(type: protobuf.Type): GraphQLOutputType {
    const scalar = WELL_KNOWN[type.fullName];
    if (scalar) return scalar;
    return this.#build(`object ${type.fullName}`, (name) => this.#objectType(name, type)) as GraphQLObjectType;
  }

  /** The input type of a message, or its well-known scalar. */
  input(type: protobuf.Type): GraphQLInputType {
    const scalar = WELL_KNOWN[type.fullName];
    if (scalar) return scalar;
    return this.#build(`input ${type.fullName}`, (name) => this.#inputType(name, type)) as GraphQLInputObjectType;
  }

  enumType(type: protobuf.Enum): GraphQLEnumType {
    return this.#build(`enum ${type.fullName}`, (name) => this.#enumType(name, type)) as GraphQLEnumType;
  }

  /** A field's result type, nullability included (module doc). */
  outputOfField(field: protobuf.Field): GraphQLOutputType {
    field.resolve();
    if (field.map) return JsonScalar;
    const element = this.#element(field, 'object') as GraphQLOutputType;
    if (field.repeated) return new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(element)));
    return nullable(field) ? element : new GraphQLNonNull(element);
  }

  /** A field's argument type: always nullable (proto fields are optional on the wire). */
  inputOfField(field: protobuf.Field): GraphQLInputType {
    field.resolve();
    if (field.map) return JsonScalar;
    const element = this.#element(field, 'input') as GraphQLInputType;
    return field.repeated ? new GraphQLList(new GraphQLNonNull(element)) : element;
  }

  /** A derived type by its GraphQL name, when the schema reached it. */
  named(name: string): GraphQLNamedType | undefined {
    for (const [key, n] of this.#names) {
      if (n !== name) continue;
      const { kind, type } = this.#reached.get(key)!;
      if (kind === 'enum') return this.enumType(type as protobuf.Enum);
      return kind === 'input' ? (this.input(type as protobuf.Type) as GraphQLNamedType) : (this.output(type as protobuf.Type) as GraphQLNamedType);
    }
    return undefined;
  }

  #element(field: protobuf.Field, kind: 'object' | 'input'): GraphQLOutputType | GraphQLInputType {
    const t = field.resolvedType;
    if (t instanceof protobuf.Enum) return this.enumType(t);
    if (t instanceof protobuf.Type) return kind === 'object' ? this.output(t) : this.input(t);
    return SCALAR_KINDS[field.type] ?? JsonScalar;
  }

  #build(key: string, make: (name: string) => GraphQLNamedType): GraphQLNamedType {
    let built = this.#built.get(key);
    if (!built) {
      const name = this.#names.get(key);
      if (name === undefined) throw new Error(`type ${key} was not reached before the names were fixed`);
      built = make(name);
      this.#built.set(key, built);
    }
    return built;
  }

  #objectType(name: string, type: protobuf.Type): GraphQLObjectType {
    return new GraphQLObjectType({
      name,
      description: comment(type) ?? `${type.fullName.replace(/^\./, '')}`,
      // A thunk: messages may refer to each other (and to themselves).
      fields: () => {
        const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
        for (const field of type.fieldsArray) fields[jsonName(field)] = { type: this.outputOfField(field), ...describe(field) };
        for (const oneof of type.oneofsArray) {
          if (isSyntheticOneof(oneof)) continue;
          const members = oneof.fieldsArray.map((f) => jsonName(f));
          fields[`${lowerCamel(oneof.name)}Case`] = {
            type: GraphQLString,
            description: `Which member of the oneof '${oneof.name}' is set (${members.join(', ')}), or null.`,
            resolve: (source) => members.find((m) => (source as Record<string, unknown> | null)?.[m] != null) ?? null,
          };
        }
        Object.assign(fields, this.#options.extraFields?.(name, Object.keys(fields)) ?? {});
        if (Object.keys(fields).length === 0) fields._empty = { type: GraphQLBoolean, description: 'GraphQL object types need a field; this message has none.', resolve: () => null };
        return fields;
      },
    });
  }

  #inputType(name: string, type: protobuf.Type): GraphQLInputObjectType {
    return new GraphQLInputObjectType({
      name,
      description: comment(type) ?? `${type.fullName.replace(/^\./, '')}`,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const field of type.fieldsArray) fields[jsonName(field)] = { type: this.inputOfField(field), ...describe(field) };
        if (Object.keys(fields).length === 0) fields._empty = { type: GraphQLBoolean, description: 'GraphQL input types need a field; this message has none.' };
        return fields;
      },
    });
  }

  #enumType(name: string, type: protobuf.Enum): GraphQLEnumType {
    const values: Record<string, { value: string; description?: string }> = {};
    for (const [value, _n] of Object.entries(type.values)) {
      // The internal value is the name itself: results carry names (proto3 JSON) and the
      // request mapper reads names.
      const description = type.comments?.[value] ?? undefined;
      values[value] = { value, ...(description ? { description } : {}) };
    }
    return new GraphQLEnumType({ name, description: comment(type) ?? type.fullName.replace(/^\./, ''), values });
  }
}

/** Whether a field's value may be absent in results (module doc). */
function nullable(field: protobuf.Field): boolean {
  if (field.resolvedType instanceof protobuf.Type) return true;
  if (field.partOf) return true;
  return (field as protobuf.Field & { hasPresence?: boolean }).hasPresence === true && field.options?.['proto3_optional'] === true;
}

/** protobufjs models a proto3 `optional` field as a oneof of its own (`_name`). */
function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  return oneof.fieldsArray.length === 1 && (oneof.name === `_${oneof.fieldsArray[0].name}` || oneof.fieldsArray[0].options?.['proto3_optional'] === true);
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function comment(t: protobuf.ReflectionObject): string | undefined {
  return t.comment ?? undefined;
}

function describe(field: protobuf.Field): { description?: string } {
  return field.comment ? { description: field.comment } : {};
}
