/**
 * Coercers: one function per (source kind, target field) chosen at compile time. A coercer turns
 * a text value (path, query, header) or a JSON value (body) into what protobufjs encodes for
 * the field: numbers, 64-bit integers as decimal strings, enum numbers, bytes as Buffers,
 * plain objects for messages. It throws CoercionFailure; it never returns an invalid value.
 */
import protobuf from 'protobufjs';
import { CoercionFailure, show } from './coercion-failure.js';
import { findField, jsonName, typeName } from './field-path.js';
import { lookupAnyType } from './message-json.js';
import { CUSTOM_JSON_TYPES, INT32_KINDS, INT64_KINDS, NULL_VALUE_ENUM, UINT32_KINDS, UINT64_KINDS, WRAPPER_KINDS } from './proto-kinds.js';
import type { Coercion } from '../frontends/definition.js';
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';

export type Coercer = (value: unknown) => unknown;
/**
 * Where a value comes from: text (path, query, header), JSON, or JSON in which a number or
 * boolean may stand for a string field (Jackson's default scalar coercion, for frontends that
 * mimic such servers).
 */
export type SourceKind = 'text' | 'json' | 'json-lenient';

const INT_TEXT = /^[+-]?\d+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}|[A-Za-z0-9+/]{3})?$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;


export interface CoercerOptions {
  coerce?: Coercion;
  /** JSON object key → field renames, for the top-level message of a body binding. */
  rename?: Record<string, string>;
  /** JSON object keys to leave out, for the top-level message of a body binding. */
  ignore?: readonly string[];
}

/**
 * Chooses the coercer for a field, whole (repeated and map fields take lists and objects).
 * What a definition can get wrong is reported into `sink` (pointer ''), never thrown: a text
 * value for a map field or `lenient-bool` on a field that is not a bool (TYPE_MISMATCH), a
 * `rename` target that is not a field of the message (UNKNOWN_FIELD).
 * @returns the coercer, or undefined after reporting.
 */
export function compileFieldCoercer(field: protobuf.Field, source: SourceKind, options: CoercerOptions, sink: DiagnosticSink): Coercer | undefined {
  return checkFieldCoercer(field, source, options, sink) ? fieldCoercer(field, source, options) : undefined;
}

/**
 * A JSON value → a plain message object with proto field names (see messageCoercer). A
 * `rename` target that is not a field of `type` is reported into `sink` (UNKNOWN_FIELD).
 * @returns the coercer, or undefined after reporting.
 */
export function compileMessageCoercer(type: protobuf.Type, source: SourceKind, keys: Pick<CoercerOptions, 'rename' | 'ignore'>, sink: DiagnosticSink): Coercer | undefined {
  return checkRenames(type, keys.rename, sink) ? messageCoercer(type, source, keys) : undefined;
}

function checkFieldCoercer(field: protobuf.Field, source: SourceKind, options: CoercerOptions, sink: DiagnosticSink): boolean {
  field.resolve();
  if (field.map) {
    if (source !== 'text') return true;
    sink(DiagnosticCode.TYPE_MISMATCH, '', `a text value cannot feed map field '${field.name}'`);
    return false;
  }
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return true;
  // Well-known types and text sources never read `rename` (messageCoercer returns first).
  if (resolved instanceof protobuf.Type) return wellKnownCoercer(resolved) !== undefined || source === 'text' || checkRenames(resolved, options.rename, sink);
  if (options.coerce === 'lenient-bool' && field.type !== 'bool') {
    sink(DiagnosticCode.TYPE_MISMATCH, '', `'lenient-bool' applies to bool fields, not ${field.type}`);
    return false;
  }
  return true;
}

function checkRenames(type: protobuf.Type, rename: Record<string, string> | undefined, sink: DiagnosticSink): boolean {
  const missing = Object.values(rename ?? {}).find((target) => !findField(type, target));
  if (missing === undefined) return true;
  sink(DiagnosticCode.UNKNOWN_FIELD, '', `rename target '${missing}' is not a field of ${typeName(type)}`);
  return false;
}

/** The coercer of a field whose options checkFieldCoercer accepted (nested fields always are). */
function fieldCoercer(field: protobuf.Field, source: SourceKind, options: CoercerOptions): Coercer {
  field.resolve();
  // A text source never gets here for a map field (checkFieldCoercer refuses it).
  if (field.map) return compileMapCoercer(field as unknown as protobuf.MapField, source);
  const element = compileElementCoercer(field, source, options);
  if (!field.repeated) return element;
  return (value) => {
    if (Array.isArray(value)) {
      return value.map((v, i) => {
        try {
          return element(v);
        } catch (err) {
          throw err instanceof CoercionFailure ? err.nested(`[${i}]`) : err;
        }
      });
    }
    if (source === 'text') return [element(value)];
    if (value === null) return [];
    throw new CoercionFailure('type', 'a JSON array', show(value));
  };
}

function compileElementCoercer(field: protobuf.Field, source: SourceKind, options: CoercerOptions): Coercer {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) return enumCoercer(resolved);
  if (resolved instanceof protobuf.Type) return messageCoercer(resolved, source, options);
  // On any other field checkFieldCoercer refused `lenient-bool`.
  if (options.coerce === 'lenient-bool' && field.type === 'bool') return lenientBool;
  return scalarCoercer(field.type, source);
}

/** `true` in any case is true; anything else is false; never an error (JAX-RS boolean params). */
export const lenientBool: Coercer = (value) => (typeof value === 'boolean' ? value : typeof value === 'string' && value.toLowerCase() === 'true');

export function scalarCoercer(kind: string, source: SourceKind): Coercer {
  if (kind === 'string') {
    const lenient = source === 'json-lenient';
    return (v) => {
      if (typeof v === 'string') return v;
      if (lenient && (typeof v === 'number' || typeof v === 'boolean')) return String(v);
      throw new CoercionFailure('type', 'a string', show(v));
    };
  }
  if (kind === 'bool') {
    return (v) => {
      if (typeof v === 'boolean') return v;
      if (source === 'text' && typeof v === 'string') {
        const lower = v.toLowerCase();
        if (lower === 'true') return true;
        if (lower === 'false') return false;
      }
      throw new CoercionFailure('type', 'a boolean', show(v));
    };
  }
  if (INT32_KINDS.has(kind)) return integer32(kind, -2147483648, 2147483647);
  if (UINT32_KINDS.has(kind)) return integer32(kind, 0, 4294967295);
  if (INT64_KINDS.has(kind)) return integer64(kind, -(2n ** 63n), 2n ** 63n - 1n);
  if (UINT64_KINDS.has(kind)) return integer64(kind, 0n, 2n ** 64n - 1n);
  if (kind === 'double' || kind === 'float') return floating(kind);
  if (kind === 'bytes') return bytes;
  throw new Error(`unsupported field kind '${kind}'`);
}

function integer32(kind: string, min: number, max: number): Coercer {
  const expected = `an integer (${kind})`;
  return (v) => {
    let n: number;
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new CoercionFailure('type', expected, show(v));
      n = v;
    } else if (typeof v === 'string' && INT_TEXT.test(v)) {
      n = Number(v);
    } else {
      throw new CoercionFailure('type', expected, show(v));
    }
    if (n < min || n > max) throw new CoercionFailure('range', `${kind} in [${min}, ${max}]`, show(v));
    return n;
  };
}

function integer64(kind: string, min: bigint, max: bigint): Coercer {
  const expected = `an integer (${kind})`;
  return (v) => {
    let n: bigint;
    if (typeof v === 'number' && Number.isInteger(v)) {
      // JSON.parse has already rounded a number beyond 2^53 to the nearest double: what arrived
      // is not what the client wrote, so it is refused rather than sent on changed (proto3 JSON
      // writes 64-bit integers as strings for this reason).
      if (!Number.isSafeInteger(v)) throw new CoercionFailure('range', `${kind} as a JSON number within ±${Number.MAX_SAFE_INTEGER} (a larger value must be sent as a decimal string)`, show(v));
      n = BigInt(v);
    } else if (typeof v === 'string' && INT_TEXT.test(v)) n = BigInt(v);
    else throw new CoercionFailure('type', expected, show(v));
    if (n < min || n > max) throw new CoercionFailure('range', `${kind} in [${min}, ${max}]`, show(v));
    // protobufjs writes 64-bit values given as decimal strings without losing precision.
    return n.toString();
  };
}

/** Decimal notation only: `Number()` would also take hex, binary, octal and whitespace. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const FLOAT_MAX = 3.4028234663852886e38;

function floating(kind: string): Coercer {
  const expected = `a number (${kind})`;
  return (v) => {
    let n: number | undefined;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'string') {
      if (v === 'NaN') return NaN;
      if (v === 'Infinity') return Infinity;
      if (v === '-Infinity') return -Infinity;
      if (DECIMAL.test(v)) n = Number(v);
    }
    if (n === undefined) throw new CoercionFailure('type', expected, show(v));
    if (!Number.isFinite(n) || (kind === 'float' && Math.abs(n) > FLOAT_MAX)) {
      throw new CoercionFailure('range', kind === 'float' ? `a float within ±${FLOAT_MAX}` : 'a finite double', show(v));
    }
    return n;
  };
}

const bytes: Coercer = (v) => {
  // A length of 1 mod 4 (padding aside) cannot be base64: some bits would be lost.
  if (typeof v === 'string' && v.replace(/=+$/, '').length % 4 !== 1) {
    if (BASE64.test(v)) return Buffer.from(v, 'base64');
    if (BASE64URL.test(v)) return Buffer.from(v, 'base64url');
  }
  throw new CoercionFailure('type', 'base64-encoded bytes', show(v));
};

function enumCoercer(type: protobuf.Enum): Coercer {
  const names = Object.keys(type.values);
  const expected = `one of ${names.join(', ')} (${typeName(type)})`;
  const isNullValue = type.fullName === NULL_VALUE_ENUM;
  return (v) => {
    if (isNullValue && v === null) return 0;
    if (typeof v === 'string') {
      // Own names only: `values` inherits from `valuesById` (and Object.prototype).
      if (Object.prototype.hasOwnProperty.call(type.values, v)) return type.values[v];
      if (INT_TEXT.test(v)) v = Number(v);
    }
    if (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647) return v;
    throw new CoercionFailure('type', expected, show(v));
  };
}

/**
 * Map keys are JSON object keys, hence text. protobufjs encodes a map from its object's keys
 * (`w.bool(key)`), so a false bool key must be the one falsy string, `""`: `"false"` would go
 * out as true. message-json.ts renders `""` back as `false`.
 */
function mapKeyCoercer(keyKind: string): (key: string) => string {
  if (keyKind === 'string') return (k) => k;
  if (keyKind === 'bool') {
    return (k) => {
      if (k === 'true') return 'true';
      if (k === 'false') return '';
      throw new CoercionFailure('type', 'a bool map key ("true" or "false")', show(k));
    };
  }
  const scalar = scalarCoercer(keyKind, 'text');
  return (k) => String(scalar(k));
}

function compileMapCoercer(field: protobuf.MapField, source: SourceKind): Coercer {
  const keyCoercer = mapKeyCoercer(field.keyType);
  const valueField = new protobuf.Field(field.name, field.id, field.type);
  valueField.parent = field.parent;
  valueField.resolve();
  const valueCoercer = compileElementCoercer(valueField, source, {});
  return (value) => {
    if (value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) throw new CoercionFailure('type', 'a JSON object', show(value));
    // A null-prototype object: a `__proto__` key stays an ordinary map key.
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      try {
        out[keyCoercer(k)] = valueCoercer(v);
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested(k) : err;
      }
    }
    return out;
  };
}

/** A message field as a JSON key finds it. */
interface KeyedField {
  field: protobuf.Field;
  coerce: Coercer;
  /** Whether JSON null is a value of this field (google.protobuf.Value, NullValue), not "not set". */
  nullIsValue: boolean;
  nullValue: unknown;
}

const NULL_IS_VALUE = Symbol('null is the value');

/** What JSON null sets a singular field to, when null is a value of it (undefined: "not set"). */
function nullValueOf(field: protobuf.Field): unknown {
  field.resolve();
  const name = field.resolvedType?.fullName;
  if (name === '.google.protobuf.Value') return { nullValue: 0 };
  if (name === NULL_VALUE_ENUM) return 0;
  return undefined;
}

const messageCoercers = { json: new WeakMap<protobuf.Type, Coercer>(), 'json-lenient': new WeakMap<protobuf.Type, Coercer>() };

/**
 * A JSON value → a plain message object with proto field names. Keys match proto names, JSON
 * names or `rename` entries (whose targets checkRenames accepted); `ignore`d and unknown keys
 * are skipped (JSON bodies are open, like Jackson's ignoreUnknown); null means "not set".
 * Well-known types take their proto3 JSON forms.
 */
function messageCoercer(type: protobuf.Type, source: SourceKind, keys: Pick<CoercerOptions, 'rename' | 'ignore'> = {}): Coercer {
  const { rename, ignore } = keys;
  const custom = rename !== undefined || ignore !== undefined;
  const wkt = wellKnownCoercer(type);
  if (wkt) return wkt;
  if (source === 'text') {
    return (v) => {
      throw new CoercionFailure('type', `a JSON object (${typeName(type)})`, show(v));
    };
  }
  const cache = messageCoercers[source];
  if (!custom) {
    const cached = cache.get(type);
    if (cached) return cached;
  }
  type.resolveAll();
  // Built lazily so recursive message types compile.
  let byKey: Map<string, KeyedField> | undefined;
  const build = () => {
    byKey = new Map();
    for (const field of type.fieldsArray) {
      const nullValue = field.repeated || field.map ? undefined : nullValueOf(field);
      const entry: KeyedField = { field, coerce: fieldCoercer(field, source, {}), nullIsValue: nullValue !== undefined, nullValue };
      byKey.set(field.name, entry);
      byKey.set(jsonName(field), entry);
    }
    for (const [key, target] of Object.entries(rename ?? {})) {
      const field = findField(type, target);
      if (field) byKey.set(key, byKey.get(field.name)!);
    }
    for (const key of ignore ?? []) byKey.delete(key);
    return byKey;
  };
  if (custom) build();
  const expected = `a JSON object (${typeName(type)})`;
  const coercer: Coercer = (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CoercionFailure('type', expected, show(value));
    const fields = byKey ?? build();
    const out: Record<string, unknown> = {};
    let oneofsSet: Set<string> | undefined;
    let seen: Set<protobuf.Field> | undefined;
    for (const key of Object.keys(value)) {
      const entry = fields.get(key);
      if (!entry) continue;
      // One field under two keys (proto name and JSON name, or a rename): which one wins would
      // be an accident of key order, so neither does (protojson refuses it too).
      seen ??= new Set();
      if (seen.has(entry.field)) throw new CoercionFailure('type', `the field '${entry.field.name}' once (it is also given as '${jsonName(entry.field)}')`, 'it twice').nested(key);
      seen.add(entry.field);
      let v = (value as Record<string, unknown>)[key];
      if (v === undefined) continue;
      if (v === null) {
        // null is "not set", except where null is itself the value (proto3 JSON mapping).
        if (!entry.nullIsValue) continue;
        v = NULL_IS_VALUE;
      }
      const oneof = entry.field.partOf;
      if (oneof) {
        oneofsSet ??= new Set();
        if (oneofsSet.has(oneof.name)) throw new CoercionFailure('type', `at most one field of oneof '${oneof.name}'`, 'several').nested(key);
        oneofsSet.add(oneof.name);
      }
      try {
        out[entry.field.name] = v === NULL_IS_VALUE ? entry.nullValue : entry.coerce(v);
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested(key) : err;
      }
    }
    return out;
  };
  if (!custom) cache.set(type, coercer);
  return coercer;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;
/** google.protobuf.Duration and Timestamp ranges (duration.proto, timestamp.proto). */
const MAX_DURATION_SECONDS = 315576000000n;
const MIN_TIMESTAMP_SECONDS = -62135596800;
const MAX_TIMESTAMP_SECONDS = 253402300799;

/** Date.parse rolls 2024-02-30 over to March; a timestamp must name a real date and time. */
function isRealDateTime(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59)));
  if (y < 100) date.setUTCFullYear(y);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && date.getUTCHours() === h && date.getUTCMinutes() === mi && s <= 59;
}

function wellKnownCoercer(type: protobuf.Type): Coercer | undefined {
  const name = type.fullName;
  const wrapped = WRAPPER_KINDS[name];
  if (wrapped) {
    const inner = wrapped === 'bool' ? scalarCoercer('bool', 'text') : scalarCoercer(wrapped, 'json');
    return (v) => ({ value: inner(v) });
  }
  switch (name) {
    case '.google.protobuf.Timestamp':
      return (v) => {
        const m = typeof v === 'string' ? RFC3339.exec(v) : null;
        if (!m || !isRealDateTime(m)) throw new CoercionFailure('type', 'an RFC 3339 timestamp', show(v));
        const seconds = Math.floor(Date.parse(v as string) / 1000);
        if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw new CoercionFailure('range', 'a timestamp from 0001-01-01 to 9999-12-31', show(v));
        const nanos = m[7] ? Number(m[7].slice(1).padEnd(9, '0')) : 0;
        return { seconds: String(seconds), nanos };
      };
    case '.google.protobuf.Duration':
      return (v) => {
        const m = typeof v === 'string' ? DURATION.exec(v) : null;
        if (!m) throw new CoercionFailure('type', "a duration such as '1.5s'", show(v));
        if (BigInt(m[2]) > MAX_DURATION_SECONDS) throw new CoercionFailure('range', `a duration within ±${MAX_DURATION_SECONDS}s`, show(v));
        const sign = m[1] ? -1 : 1;
        const nanos = m[3] ? Number(m[3].padEnd(9, '0')) : 0;
        return { seconds: (m[1] ? '-' : '') + m[2], nanos: sign * nanos };
      };
    case '.google.protobuf.FieldMask':
      return (v) => {
        if (typeof v !== 'string') throw new CoercionFailure('type', 'a comma-separated field mask', show(v));
        return { paths: v === '' ? [] : v.split(',').map((p) => p.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())) };
      };
    case '.google.protobuf.Struct':
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CoercionFailure('type', 'a JSON object', show(v));
        return structOf(v as Record<string, unknown>);
      };
    case '.google.protobuf.Value':
      return (v) => valueOf(v);
    case '.google.protobuf.ListValue':
      return (v) => {
        if (!Array.isArray(v)) throw new CoercionFailure('type', 'a JSON array', show(v));
        return { values: v.map(valueOf) };
      };
    case '.google.protobuf.Any':
      return anyCoercer(type);
    case '.google.protobuf.Empty':
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CoercionFailure('type', 'a JSON object', show(v));
        return {};
      };
    default:
      return undefined;
  }
}

/**
 * `{"@type": url, …fields}` (or `{"@type": url, "value": …}` for a type whose JSON is not an
 * object) → `{type_url, value}` with the packed message encoded; the type is looked up among the
 * protos the Any's own root holds.
 */
function anyCoercer(anyType: protobuf.Type): Coercer {
  return (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CoercionFailure('type', 'a JSON object (google.protobuf.Any)', show(v));
    const object = v as Record<string, unknown>;
    if (Object.keys(object).length === 0) return {};
    const url = object['@type'];
    if (typeof url !== 'string' || url === '') throw new CoercionFailure('type', "an '@type' naming the message", show(url ?? null)).nested('@type');
    const inner = lookupAnyType(anyType.root, url);
    if (!inner) throw new CoercionFailure('type', 'a message type the gateway knows', show(url)).nested('@type');
    let packed: unknown;
    if (CUSTOM_JSON_TYPES.has(inner.fullName)) {
      if (!('value' in object)) throw new CoercionFailure('type', `a 'value' holding the ${typeName(inner)}`, 'nothing').nested('value');
      try {
        packed = messageCoercer(inner, 'json')(object.value);
      } catch (err) {
        throw err instanceof CoercionFailure ? err.nested('value') : err;
      }
    } else {
      const { '@type': _, ...fields } = object;
      packed = messageCoercer(inner, 'json')(fields);
    }
    return { type_url: url, value: inner.encode(packed as Record<string, unknown>).finish() };
  };
}

function structOf(obj: Record<string, unknown>): unknown {
  // Null prototype: a `__proto__` key is data, never the object's prototype.
  const fields: Record<string, unknown> = Object.create(null);
  for (const [k, v] of Object.entries(obj)) fields[k] = valueOf(v);
  return { fields };
}

// protobufjs defines google/protobuf/struct.proto itself, with camelCase field names.
function valueOf(v: unknown): unknown {
  if (v === null) return { nullValue: 0 };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(valueOf) } };
  return { structValue: structOf(v as Record<string, unknown>) };
}

/**
 * Where a JSON value holds a key that is no field of `type`: the path to it, one segment per
 * key or list index (`['items', '2', 'nmae']`), or undefined when every key is a field. Nested
 * messages, lists and map values are searched too; well-known types are left to their coercers
 * (their JSON is not an object of fields). Keys follow the coercer's rules: proto names, JSON
 * names, `rename` keys and `ignore`d keys are known.
 */
export type UnknownKeyFinder = (value: unknown) => string[] | undefined;

export function compileUnknownKeyFinder(type: protobuf.Type, keys: Pick<CoercerOptions, 'rename' | 'ignore'> = {}): UnknownKeyFinder {
  if (CUSTOM_JSON_TYPES.has(type.fullName) || type.fullName === '.google.protobuf.Empty') return () => undefined;
  type.resolveAll();
  let byKey: Map<string, UnknownKeyFinder> | undefined;
  const build = () => {
    byKey = new Map();
    for (const field of type.fieldsArray) {
      const find = fieldUnknownKeyFinder(field);
      byKey.set(field.name, find);
      byKey.set(jsonName(field), find);
    }
    for (const [key, target] of Object.entries(keys.rename ?? {})) {
      const field = findField(type, target);
      if (field) byKey.set(key, byKey.get(field.name)!);
    }
    for (const key of keys.ignore ?? []) byKey.set(key, () => undefined);
    return byKey;
  };
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const fields = byKey ?? build();
    for (const [key, v] of Object.entries(value)) {
      const find = fields.get(key);
      if (!find) return [key];
      const inner = find(v);
      if (inner !== undefined) return [key, ...inner];
    }
    return undefined;
  };
}

/** The finder for one field's whole value: messages, lists of them and maps to them are searched. */
export function fieldUnknownKeyFinder(field: protobuf.Field): UnknownKeyFinder {
  field.resolve();
  const resolved = field.resolvedType;
  if (!(resolved instanceof protobuf.Type)) return () => undefined;
  // Built on first use: a message type may contain itself.
  let element: UnknownKeyFinder | undefined;
  const find: UnknownKeyFinder = (v) => (element ??= compileUnknownKeyFinder(resolved))(v);
  if (field.map || field.repeated) {
    return (v) => {
      if (typeof v !== 'object' || v === null) return undefined;
      for (const [k, item] of Object.entries(v)) {
        const inner = find(item);
        if (inner !== undefined) return [k, ...inner];
      }
      return undefined;
    };
  }
  return find;
}
