/**
 * A plain model of an Avro schema, built from its JSON the way Apache Avro's Java
 * `Schema.Parser` builds its `Schema` objects: names resolved against the enclosing
 * namespace, named types shared by reference (so recursion is a cycle), custom properties
 * kept in declaration order. The canonical printer and the compatibility checker both walk
 * it, because they need exactly the details Java keeps (namespaces as written, property
 * order, field order and aliases) and avsc's types do not expose all of them.
 *
 * Validation (names, defaults, duplicates) is avsc's job and happens before this model is
 * built; `parseAvroModel` only rejects what it cannot represent.
 */
import { spendWork } from '../../work-budget.js';

export const AVRO_PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'] as const;
export type AvroPrimitiveName = (typeof AVRO_PRIMITIVES)[number];

/** A property of a schema or a field that Avro does not reserve, kept in declaration order. */
export type AvroProps = ReadonlyArray<readonly [string, unknown]>;

export interface AvroName {
  /** The unqualified name. */
  readonly name: string;
  /** The namespace, or null for the null namespace. */
  readonly namespace: string | null;
  /** `namespace.name`, or `name` in the null namespace. */
  readonly full: string;
}

export interface AvroPrimitive {
  readonly kind: 'primitive';
  readonly type: AvroPrimitiveName;
  readonly props: AvroProps;
}
export interface AvroField {
  readonly name: string;
  readonly type: AvroNode;
  readonly doc?: string;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  readonly order?: string;
  readonly aliases: readonly string[];
  readonly props: AvroProps;
}
export interface AvroRecord {
  readonly kind: 'record';
  readonly isError: boolean;
  readonly name: AvroName;
  readonly doc?: string;
  /** Filled after the record is registered, so fields can refer to it. */
  fields: AvroField[];
  /** Full names. */
  readonly aliases: readonly string[];
  readonly props: AvroProps;
}
export interface AvroEnum {
  readonly kind: 'enum';
  readonly name: AvroName;
  readonly doc?: string;
  readonly symbols: readonly string[];
  readonly default?: string;
  readonly aliases: readonly string[];
  readonly props: AvroProps;
}
export interface AvroFixed {
  readonly kind: 'fixed';
  readonly name: AvroName;
  readonly doc?: string;
  readonly size: number;
  readonly aliases: readonly string[];
  readonly props: AvroProps;
}
export interface AvroArray {
  readonly kind: 'array';
  readonly items: AvroNode;
  readonly props: AvroProps;
}
export interface AvroMap {
  readonly kind: 'map';
  readonly values: AvroNode;
  readonly props: AvroProps;
}
export interface AvroUnion {
  readonly kind: 'union';
  readonly branches: readonly AvroNode[];
}
export type AvroNamed = AvroRecord | AvroEnum | AvroFixed;
export type AvroNode = AvroPrimitive | AvroNamed | AvroArray | AvroMap | AvroUnion;

/** Named types by full name: those of referenced schemas first, then the schema's own. */
export type AvroNames = Map<string, AvroNamed>;

// Java's SCHEMA_RESERVED / ENUM_RESERVED / FIELD_RESERVED: everything else is a custom prop.
const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

export class AvroModelError extends Error {
  override readonly name = 'AvroModelError';
}

/** Java's `Name(name, space)`: a dotted name carries its own namespace; "" is the null namespace. */
export function makeAvroName(name: string, space: string | null): AvroName {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    const namespace = name.slice(0, dot) || null;
    const short = name.slice(dot + 1);
    return { name: short, namespace, full: namespace ? `${namespace}.${short}` : short };
  }
  const namespace = space || null;
  return { name, namespace, full: namespace ? `${namespace}.${name}` : name };
}

function propsOf(json: Record<string, unknown>, reserved: ReadonlySet<string>): AvroProps {
  return Object.entries(json).filter(([key]) => !reserved.has(key));
}

function optionalString(json: Record<string, unknown>, key: string): string | undefined {
  const value = json[key];
  return typeof value === 'string' ? value : undefined;
}

function aliasesOf(json: Record<string, unknown>, space: string | null, qualify: boolean): string[] {
  const value = json.aliases;
  if (!Array.isArray(value)) return [];
  return value.filter((a): a is string => typeof a === 'string').map((a) => (qualify ? makeAvroName(a, space).full : a));
}

/**
 * Builds the model of one schema's JSON. `names` holds the named types already defined
 * (by referenced schemas) and receives the ones this schema defines.
 * @throws AvroModelError for JSON that is not an Avro schema (unknown names, missing type).
 */
export function parseAvroModel(json: unknown, names: AvroNames, space: string | null = null): AvroNode {
  spendWork();
  if (typeof json === 'string') return resolveName(json, names, space);
  if (Array.isArray(json)) return { kind: 'union', branches: json.map((branch) => parseAvroModel(branch, names, space)) };
  if (json === null || typeof json !== 'object') throw new AvroModelError(`not a schema: ${JSON.stringify(json)}`);
  const obj = json as Record<string, unknown>;
  const type = obj.type;
  // Java requires a textual "type" in the object form ("No type").
  if (typeof type !== 'string') throw new AvroModelError('No type');
  if ((AVRO_PRIMITIVES as readonly string[]).includes(type)) {
    return { kind: 'primitive', type: type as AvroPrimitiveName, props: propsOf(obj, SCHEMA_RESERVED) };
  }
  switch (type) {
    case 'record':
    case 'error': {
      const name = definedName(obj, space);
      const record: AvroRecord = {
        kind: 'record',
        isError: type === 'error',
        name,
        doc: optionalString(obj, 'doc'),
        fields: [],
        aliases: aliasesOf(obj, name.namespace, true),
        props: propsOf(obj, SCHEMA_RESERVED),
      };
      define(names, record);
      const fields = Array.isArray(obj.fields) ? obj.fields : [];
      record.fields = fields.map((f) => parseField(f as Record<string, unknown>, names, name.namespace));
      return record;
    }
    case 'enum': {
      const name = definedName(obj, space);
      const symbols = Array.isArray(obj.symbols) ? obj.symbols.filter((s): s is string => typeof s === 'string') : [];
      const node: AvroEnum = {
        kind: 'enum',
        name,
        doc: optionalString(obj, 'doc'),
        symbols,
        default: optionalString(obj, 'default'),
        aliases: aliasesOf(obj, name.namespace, true),
        props: propsOf(obj, ENUM_RESERVED),
      };
      define(names, node);
      return node;
    }
    case 'fixed': {
      const name = definedName(obj, space);
      const node: AvroFixed = {
        kind: 'fixed',
        name,
        doc: optionalString(obj, 'doc'),
        size: typeof obj.size === 'number' ? obj.size : 0,
        aliases: aliasesOf(obj, name.namespace, true),
        props: propsOf(obj, SCHEMA_RESERVED),
      };
      define(names, node);
      return node;
    }
    case 'array':
      return { kind: 'array', items: parseAvroModel(obj.items, names, space), props: propsOf(obj, SCHEMA_RESERVED) };
    case 'map':
      return { kind: 'map', values: parseAvroModel(obj.values, names, space), props: propsOf(obj, SCHEMA_RESERVED) };
    default:
      // `{"type": "com.acme.Name"}` refers to a named type, as the bare string would.
      return resolveName(type, names, space);
  }
}

function definedName(obj: Record<string, unknown>, space: string | null): AvroName {
  const name = optionalString(obj, 'name');
  if (!name) throw new AvroModelError('No name in schema');
  const namespace = optionalString(obj, 'namespace');
  return makeAvroName(name, namespace !== undefined ? namespace : space);
}

function define(names: AvroNames, node: AvroNamed): void {
  if (names.has(node.name.full)) throw new AvroModelError(`Can't redefine: ${node.name.full}`);
  names.set(node.name.full, node);
}

function resolveName(name: string, names: AvroNames, space: string | null): AvroNode {
  if ((AVRO_PRIMITIVES as readonly string[]).includes(name)) return { kind: 'primitive', type: name as AvroPrimitiveName, props: [] };
  // Java looks the name up in the current namespace first, then in the null namespace.
  const found = names.get(makeAvroName(name, space).full) ?? names.get(name);
  if (!found) throw new AvroModelError(`"${name}" is not a defined name`);
  return found;
}

function parseField(json: Record<string, unknown>, names: AvroNames, space: string | null): AvroField {
  const name = optionalString(json, 'name');
  if (!name) throw new AvroModelError('No field name');
  const order = optionalString(json, 'order');
  return {
    name,
    type: parseAvroModel(json.type, names, space),
    doc: optionalString(json, 'doc'),
    hasDefault: Object.prototype.hasOwnProperty.call(json, 'default'),
    default: json.default,
    order: order && order !== 'ascending' ? order : undefined,
    aliases: aliasesOf(json, space, false),
    props: propsOf(json, FIELD_RESERVED),
  };
}

/** Java's `Schema.Type` name of a node (`RECORD`, `INT`, …), as Avro's messages print it. */
export function avroTypeName(node: AvroNode): string {
  return (node.kind === 'primitive' ? node.type : node.kind).toUpperCase();
}
