/**
 * The proto3 JSON mapping between a message's binary encoding and its JSON text, for the
 * Connect protocol's `json` codec (and Connect error details): built from the protobufjs
 * descriptors the gateway already loads, compiled once per message type, cached.
 *
 * Binary → JSON decodes with protobufjs and renders each field: json names, defaults left out
 * (fields with presence kept when set), 64-bit integers as strings, enums by name (numbers the
 * enum does not name stay numbers), bytes as standard base64, NaN and ±Infinity as strings, and
 * the well-known types in their own forms (Any with `@type`, NullValue as null): all of it is
 * src/mapping/message-json.ts, the renderer REST responses use too. A value with no JSON form (a
 * Timestamp past year 9999, a Value holding NaN, an Any of an unknown type) is INTERNAL, as
 * connect-go fails to marshal it.
 *
 * JSON → binary follows connect-go's default codec (protojson with DiscardUnknown): unknown
 * fields and enum names a field does not know are dropped, so clients and servers need not share
 * one version of a schema. It accepts proto names and json names, numbers or strings for 64-bit
 * integers and floats, enum names or numbers, standard or URL-safe base64 with or without padding,
 * and null as "not set" (except for google.protobuf.Value, where null is the null value). Values
 * are coerced by src/mapping/coerce.ts (scalars, the well-known types other than Any); the
 * message is written here with protobufjs' Writer, which (unlike encoding a plain object)
 * handles bool and 64-bit map keys.
 */
import protobuf from 'protobufjs';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { compileMessageCoercer, scalarCoercer, type Coercer } from '../mapping/coerce.js';
import { CoercionFailure, show } from '../mapping/coercion-failure.js';
import { jsonName, typeName } from '../mapping/field-path.js';
import { compileMessageRenderer, defaultJsonOptions, lookupAnyType, UnrenderableValue } from '../mapping/message-json.js';
import { CUSTOM_JSON_TYPES, LONG_KINDS, NULL_VALUE_ENUM } from '../mapping/proto-kinds.js';

export interface JsonCodec {
  /**
   * The message's proto3 JSON.
   * @throws GatewayError INTERNAL when the bytes are not a `type` message or hold a value the
   * JSON mapping cannot express (an Any of a type outside the root, a Timestamp out of range).
   */
  toJson(bytes: Uint8Array): string;
  /**
   * The binary encoding of the message the JSON text describes.
   * @throws GatewayError INVALID_ARGUMENT (reason MALFORMED_BODY) for text that is not JSON or a
   * value that does not fit its field; the message and `metadata.field` name the field's path.
   */
  fromJson(text: string): Uint8Array;
}

const codecs = new WeakMap<protobuf.Type, JsonCodec>();

/** The JSON codec of `type`, compiled on first use and cached with the type. */
export function jsonCodecFor(type: protobuf.Type): JsonCodec {
  let codec = codecs.get(type);
  if (!codec) {
    codec = compileJsonCodec(type);
    codecs.set(type, codec);
  }
  return codec;
}

function compileJsonCodec(type: protobuf.Type): JsonCodec {
  type.resolveAll();
  const name = typeName(type);
  let render: ((message: unknown) => unknown) | undefined;
  let write: Write | undefined;
  return {
    toJson(bytes) {
      render ??= compileMessageRenderer(type, defaultJsonOptions);
      let decoded: protobuf.Message;
      try {
        decoded = type.decode(bytes);
      } catch (err) {
        throw new GatewayError(Code.INTERNAL, `cannot decode ${name}: ${(err as Error).message}`, { reason: GatewayReason.INTERNAL, cause: err });
      }
      try {
        return JSON.stringify(render(decoded));
      } catch (err) {
        if (err instanceof UnrenderableValue) {
          throw new GatewayError(Code.INTERNAL, `cannot encode ${name} as JSON${err.at ? ` at '${err.at}'` : ''}: ${err.message}`, {
            reason: GatewayReason.INTERNAL,
            metadata: { field: err.at },
          });
        }
        throw err;
      }
    },
    fromJson(text) {
      write ??= messageWriter(type);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new GatewayError(Code.INVALID_ARGUMENT, `invalid JSON for ${name}: ${(err as Error).message}`, { reason: GatewayReason.MALFORMED_BODY });
      }
      const writer = protobuf.Writer.create();
      try {
        if (json === null && type.fullName !== VALUE) throw new CoercionFailure('type', `a JSON object (${name})`, 'null');
        write(json, writer);
      } catch (err) {
        if (!(err instanceof CoercionFailure)) throw err;
        const where = err.at ? ` at '${err.at}'` : '';
        throw new GatewayError(Code.INVALID_ARGUMENT, `invalid ${name} JSON${where}: ${err.message}`, {
          reason: GatewayReason.MALFORMED_BODY,
          metadata: { field: err.at, expected: err.expected, value: err.found },
        });
      }
      return writer.finish();
    },
  };
}

const ANY = '.google.protobuf.Any';
const VALUE = '.google.protobuf.Value';
const NULL_VALUE = NULL_VALUE_ENUM;
/** Types whose JSON is not an object of their fields (an Any of them nests it under `value`). */
const CUSTOM_JSON = CUSTOM_JSON_TYPES;
/** Well-known types coerce.ts reads (all but Any, which is written here with protobufjs' Writer). */
const DELEGATED = new Set([...CUSTOM_JSON, '.google.protobuf.Empty'].filter((n) => n !== ANY));

// ---------------------------------------------------------------------------------------------
// JSON → binary

/** Writes the fields of one message (no tag, no length) for a JSON value. */
type Write = (json: unknown, writer: protobuf.Writer) => void;

const writers = new WeakMap<protobuf.Type, Write>();

function messageWriter(type: protobuf.Type): Write {
  const cached = writers.get(type);
  if (cached) return cached;
  let write: Write;
  if (type.fullName === ANY) write = anyWriter(type);
  else if (DELEGATED.has(type.fullName)) write = wellKnownWriter(type);
  else write = plainMessageWriter(type);
  writers.set(type, write);
  return write;
}

interface FieldWriter {
  field: protobuf.Field;
  /** The field's own JSON null is a value (google.protobuf.Value, NullValue), not "not set". */
  nullIsValue: boolean;
  write: (json: unknown, writer: protobuf.Writer) => void;
}

function plainMessageWriter(type: protobuf.Type): Write {
  const expected = `a JSON object (${typeName(type)})`;
  // Built on first use, so recursive types compile.
  let byKey: Map<string, FieldWriter> | undefined;
  const build = () => {
    byKey = new Map();
    for (const field of type.fieldsArray) {
      field.resolve();
      const entry: FieldWriter = { field, nullIsValue: !field.repeated && !field.map && acceptsNull(field.resolvedType), write: fieldWriter(field) };
      byKey.set(field.name, entry);
      byKey.set(jsonName(field), entry);
    }
    return byKey;
  };
  return (json, writer) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CoercionFailure('type', expected, show(json));
    const fields = byKey ?? build();
    const object = json as Record<string, unknown>;
    let seen: Set<protobuf.Field> | undefined;
    let oneofs: Set<string> | undefined;
    for (const key of Object.keys(object)) {
      // Unknown keys are dropped, as connect-go's codec does (protojson DiscardUnknown).
      const entry = fields.get(key);
      if (!entry) continue;
      const value = object[key];
      seen ??= new Set();
      if (seen.has(entry.field)) throw new CoercionFailure('type', `one of '${entry.field.name}' and '${jsonName(entry.field)}'`, 'both').nested(key);
      seen.add(entry.field);
      if (value === null && !entry.nullIsValue) continue;
      const oneof = entry.field.partOf;
      if (oneof) {
        oneofs ??= new Set();
        if (oneofs.has(oneof.name)) throw new CoercionFailure('type', `at most one field of oneof '${oneof.name}'`, 'several').nested(key);
        oneofs.add(oneof.name);
      }
      try {
        entry.write(value, writer);
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested(key) : err;
      }
    }
  };
}

function acceptsNull(resolved: protobuf.ReflectionObject | null): boolean {
  return resolved?.fullName === VALUE || resolved?.fullName === NULL_VALUE;
}

/** A JSON value as one field's element: its wire type and how to write it, or DROP. */
interface ElementWriter {
  wireType: number;
  /** Whether the element is packable (numbers, bools, enums) . */
  packable: boolean;
  /** The coerced value, or DROP for an enum name the enum does not know. */
  coerce: Coercer;
  /** Writes a coerced value (no tag). */
  put: (value: unknown, writer: protobuf.Writer) => void;
  isDefault: (value: unknown) => boolean;
}

const DROP = Symbol('drop');

function fieldWriter(field: protobuf.Field): FieldWriter['write'] {
  const id = field.id;
  if (field.map) return mapWriter(field as unknown as protobuf.MapField);
  const element = elementWriter(field.resolvedType, field.type);
  const tag = (id << 3) | element.wireType;
  if (field.repeated) {
    const packed = element.packable && field.packed;
    const nullIsValue = acceptsNull(field.resolvedType);
    return (json, writer) => {
      if (!Array.isArray(json)) throw new CoercionFailure('type', 'a JSON array', show(json));
      if (json.length === 0) return;
      if (packed) writer.uint32((id << 3) | 2).fork();
      json.forEach((item, i) => {
        try {
          if (item === null && !nullIsValue) throw new CoercionFailure('type', 'a value (null is no list element)', 'null');
          const value = element.coerce(item);
          if (value === DROP) return;
          element.put(value, packed ? writer : writer.uint32(tag));
        } catch (err) {
          throw err instanceof CoercionFailure ? err.nested(`[${i}]`) : err;
        }
      });
      // A run whose enum names were all dropped stays, empty: valid, and decoded as no elements.
      if (packed) writer.ldelim();
    };
  }
  // Fields with presence (oneof members, proto3 `optional`, messages) are written even when
  // default; the others are left out then, as every proto3 encoder does.
  const hasPresence = field.partOf !== null && field.partOf !== undefined;
  return (json, writer) => {
    const value = element.coerce(json);
    if (value === DROP) return;
    if (!hasPresence && element.isDefault(value)) return;
    element.put(value, writer.uint32(tag));
  };
}

function mapWriter(field: protobuf.MapField): FieldWriter['write'] {
  const keyKind = field.keyType;
  const key = elementWriter(null, keyKind);
  const keyText = mapKeyCoercer(keyKind);
  const value = elementWriter(field.resolvedType, field.type);
  const nullIsValue = acceptsNull(field.resolvedType);
  const tag = (field.id << 3) | 2;
  return (json, writer) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CoercionFailure('type', 'a JSON object', show(json));
    for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
      try {
        if (v === null && !nullIsValue) throw new CoercionFailure('type', 'a value (null is no map value)', 'null');
        const coercedKey = keyText(k);
        const coercedValue = value.coerce(v);
        if (coercedValue === DROP) continue;
        writer.uint32(tag).fork();
        key.put(coercedKey, writer.uint32((1 << 3) | key.wireType));
        value.put(coercedValue, writer.uint32((2 << 3) | value.wireType));
        writer.ldelim();
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested(k) : err;
      }
    }
  };
}

/** Map keys are JSON object keys, so always text: `"true"`, `"-12"`. */
function mapKeyCoercer(kind: string): Coercer {
  if (kind === 'string') return (k) => k;
  if (kind === 'bool') {
    return (k) => {
      if (k === 'true') return true;
      if (k === 'false') return false;
      throw new CoercionFailure('type', 'a bool map key ("true" or "false")', show(k));
    };
  }
  return scalarCoercer(kind, 'text');
}

function elementWriter(resolved: protobuf.ReflectionObject | null, kind: string): ElementWriter {
  if (resolved instanceof protobuf.Enum) {
    const values = resolved.values;
    const isNullValue = resolved.fullName === NULL_VALUE;
    const expected = `one of ${Object.keys(values).join(', ')} (${typeName(resolved)})`;
    return {
      wireType: 0,
      packable: true,
      coerce: (v) => {
        if (isNullValue && v === null) return 0;
        if (typeof v === 'string') {
          // Own names only: `values` inherits from Object.prototype. A name the enum does not
          // have is dropped (protojson DiscardUnknown drops unknown enum names too).
          return Object.prototype.hasOwnProperty.call(values, v) ? values[v] : DROP;
        }
        if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
        throw new CoercionFailure('type', expected, show(v));
      },
      put: (v, w) => void w.int32(v as number),
      isDefault: (v) => v === 0,
    };
  }
  if (resolved instanceof protobuf.Type) {
    let write: Write | undefined;
    const type = resolved;
    return {
      wireType: 2,
      packable: false,
      // The JSON is checked while it is written; `put` forks so the length prefix is right.
      coerce: (v) => v,
      put: (v, w) => {
        write ??= messageWriter(type);
        w.fork();
        write(v, w);
        w.ldelim();
      },
      isDefault: () => false,
    };
  }
  const coerce = scalarCoercer(kind, 'json');
  const basic = (protobuf.types.basic as Record<string, number>)[kind];
  const method = kind as 'int32';
  return {
    wireType: basic,
    packable: kind !== 'string' && kind !== 'bytes',
    coerce,
    put: (v, w) => void (w[method] as (value: unknown) => protobuf.Writer)(v),
    isDefault: scalarDefault(kind),
  };
}

function scalarDefault(kind: string): (value: unknown) => boolean {
  if (kind === 'string') return (v) => v === '';
  if (kind === 'bytes') return (v) => (v as Uint8Array).length === 0;
  if (kind === 'bool') return (v) => v === false;
  if (LONG_KINDS.has(kind)) return (v) => v === '0';
  // -0 too: protobuf encoders leave a zero-valued number out, whatever its sign.
  return (v) => v === 0;
}

/** A well-known type coerce.ts reads (its proto3 JSON form into a plain message), encoded here. */
function wellKnownWriter(type: protobuf.Type): Write {
  const coerce = compileMessageCoercer(type, 'json', {}, () => {});
  if (!coerce) throw new Error(`no JSON reader for ${typeName(type)}`);
  return (json, writer) => void type.encode(coerce(json) as Record<string, unknown>, writer);
}

function anyWriter(anyType: protobuf.Type): Write {
  return (json, writer) => {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CoercionFailure('type', 'a JSON object (google.protobuf.Any)', show(json));
    const object = json as Record<string, unknown>;
    const keys = Object.keys(object);
    if (keys.length === 0) return;
    const url = object['@type'];
    if (typeof url !== 'string' || url === '') throw new CoercionFailure('type', "an '@type' naming the message", show(url ?? null)).nested('@type');
    const inner = lookupAnyType(anyType.root, url);
    if (!inner) throw new CoercionFailure('type', 'a message type the gateway knows', show(url)).nested('@type');
    const innerWriter = protobuf.Writer.create();
    if (CUSTOM_JSON.has(inner.fullName)) {
      if (!('value' in object)) throw new CoercionFailure('type', `a 'value' holding the ${typeName(inner)}`, 'nothing').nested('value');
      try {
        messageWriter(inner)(object.value, innerWriter);
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested('value') : err;
      }
    } else {
      const { '@type': _, ...fields } = object;
      messageWriter(inner)(fields, innerWriter);
    }
    writer.uint32((1 << 3) | 2).string(url);
    const bytes = innerWriter.finish();
    if (bytes.length > 0) writer.uint32((2 << 3) | 2).bytes(bytes);
  };
}
