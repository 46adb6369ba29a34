/**
 * Proto → JSON: compiled once per (message type, options) into closures that render a decoded
 * protobufjs message (or a plain object with proto field names) as a JSON value, following the
 * proto3 JSON mapping: enums by name, 64-bit integers as strings (or numbers when asked and
 * exact), 64-bit map keys as decimal strings, bytes as base64, well-known types in their special
 * forms (Any with `@type`, NullValue as null). A value the mapping has no JSON form for (a
 * Timestamp outside years 1–9999, a Value holding NaN, an Any of a type the root does not have)
 * throws UnrenderableValue, as protojson and protobuf-es refuse to marshal it, instead of
 * rendering something a client would misread.
 */
import protobuf from 'protobufjs';
import { jsonName } from './field-path.js';
import { CUSTOM_JSON_TYPES, LONG_KINDS, NULL_VALUE_ENUM } from './proto-kinds.js';

export interface JsonRenderOptions {
  names: 'original' | 'json';
  emitDefaults: boolean;
  int64: 'string' | 'number';
}

export const defaultJsonOptions: JsonRenderOptions = { names: 'json', emitDefaults: false, int64: 'string' };

export type ValueRenderer = (value: unknown) => unknown;

const cache = new Map<string, WeakMap<protobuf.Type, ValueRenderer>>();

/** A value with no proto3 JSON form; `at` is its field path (JSON names), filled in on the way out. */
export class UnrenderableValue extends Error {
  override readonly name = 'UnrenderableValue';
  constructor(
    message: string,
    readonly at = '',
  ) {
    super(message);
  }

  /** The same failure one level further out (`segment` is a JSON name, a map key or `[i]`). */
  nested(segment: string): UnrenderableValue {
    return new UnrenderableValue(this.message, this.at === '' ? segment : segment + (this.at.startsWith('[') ? '' : '.') + this.at);
  }
}

/** A 64-bit value (Long, number or decimal string) as a decimal string. */
export function longToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number; unsigned: boolean };
    const big = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return (l.unsigned ? big : BigInt.asIntN(64, big)).toString();
  }
  return String(v);
}

/** A 64-bit value as a JSON number when it is exact (|v| ≤ 2^53), else as a string. */
export function longToNumber(v: unknown): number | string {
  const s = longToString(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
}

export function compileMessageRenderer(type: protobuf.Type, options: JsonRenderOptions = defaultJsonOptions): ValueRenderer {
  const key = `${options.names}|${options.emitDefaults}|${options.int64}`;
  let perOptions = cache.get(key);
  if (!perOptions) cache.set(key, (perOptions = new WeakMap()));
  const cached = perOptions.get(type);
  if (cached) return cached;
  const wkt = wellKnownRenderer(type, options);
  if (wkt) {
    perOptions.set(type, wkt);
    return wkt;
  }
  type.resolveAll();
  let plan: { name: string; out: string; render: ValueRenderer; isDefault: (v: unknown) => boolean; oneof: boolean }[] | undefined;
  const renderer: ValueRenderer = (message) => {
    if (message === null || message === undefined) return null;
    plan ??= type.fieldsArray.map((field) => ({
      name: field.name,
      out: options.names === 'json' ? jsonName(field) : field.name,
      render: compileFieldRenderer(field, options),
      isDefault: defaultTester(field),
      oneof: !!field.partOf,
    }));
    const msg = message as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of plan) {
      const v = msg[f.name];
      if (f.oneof) {
        // A oneof member is present only when set: decoded messages hold set fields as own
        // properties and keep defaults on the prototype.
        if (v === undefined || v === null || !Object.prototype.hasOwnProperty.call(msg, f.name)) continue;
      } else if (!options.emitDefaults && f.isDefault(v)) continue;
      try {
        out[f.out] = f.render(v);
      } catch (err) {
        throw err instanceof UnrenderableValue ? err.nested(f.out) : err;
      }
    }
    return out;
  };
  perOptions.set(type, renderer);
  return renderer;
}

/** Renders one field's value (whole: repeated → array, map → object). */
export function compileFieldRenderer(field: protobuf.Field, options: JsonRenderOptions = defaultJsonOptions): ValueRenderer {
  field.resolve();
  const element = elementRenderer(field.resolvedType, field.type, options);
  if (field.map) {
    const keyOf = mapKeyRenderer((field as unknown as protobuf.MapField).keyType);
    return (v) => {
      // Null prototype: a `__proto__` map key is data, never the object's prototype.
      const out: Record<string, unknown> = Object.create(null);
      if (v && typeof v === 'object') {
        for (const k of Object.keys(v)) {
          const key = keyOf(k);
          try {
            out[key] = element((v as Record<string, unknown>)[k]);
          } catch (err) {
            throw err instanceof UnrenderableValue ? err.nested(key) : err;
          }
        }
      }
      return out;
    };
  }
  if (field.repeated) {
    return (v) =>
      Array.isArray(v)
        ? v.map((item, i) => {
            try {
              return element(item);
            } catch (err) {
              throw err instanceof UnrenderableValue ? err.nested(`[${i}]`) : err;
            }
          })
        : [];
  }
  return element;
}

/**
 * A map key as proto3 JSON writes it. protobufjs decodes a 64-bit key into an 8-character hash
 * of its bits (util.longToHash); a plain message the gateway built (a bound request) keys it by
 * its decimal text, which is taken as it is. A hash made only of ASCII digits would need a key
 * of at least 0x3030303030303030, so the two cannot be confused for keys below 3.4e18.
 * A bool key `""` is false: coerce.ts writes false so, because protobufjs encodes map keys from
 * the object's (string) keys and `w.bool("false")` would write true.
 */
export function mapKeyRenderer(keyKind: string): (key: string) => string {
  if (keyKind === 'bool') return (k) => (k === '' ? 'false' : k);
  if (!LONG_KINDS.has(keyKind)) return (k) => k;
  const unsigned = keyKind === 'uint64' || keyKind === 'fixed64';
  return (key) => {
    if (key.length !== 8 || /^-?\d+$/.test(key)) return key;
    const bits = protobuf.util.LongBits.fromHash(key);
    const big = (BigInt(bits.hi >>> 0) << 32n) | BigInt(bits.lo >>> 0);
    return (unsigned ? big : BigInt.asIntN(64, big)).toString();
  };
}

export function elementRenderer(resolved: protobuf.ReflectionObject | null, kind: string, options: JsonRenderOptions): ValueRenderer {
  if (resolved instanceof protobuf.Enum) {
    // google.protobuf.NullValue's only JSON form is null (proto3 JSON mapping).
    if (resolved.fullName === NULL_VALUE_ENUM) return () => null;
    const names = resolved.valuesById;
    return (v) => (typeof v === 'number' ? names[v] ?? v : v ?? names[0] ?? 0);
  }
  if (resolved instanceof protobuf.Type) return compileMessageRenderer(resolved, options);
  if (LONG_KINDS.has(kind)) return options.int64 === 'number' ? (v) => longToNumber(v ?? 0) : (v) => longToString(v ?? 0);
  if (kind === 'bytes') {
    return (v) => {
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
      // protobufjs' default for an unset bytes field is a plain empty array.
      if (Array.isArray(v)) return Buffer.from(v).toString('base64');
      return typeof v === 'string' ? v : '';
    };
  }
  if (kind === 'double' || kind === 'float') {
    return (v) => (typeof v === 'number' && !Number.isFinite(v) ? (Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v ?? 0);
  }
  if (kind === 'bool') return (v) => v ?? false;
  if (kind === 'string') return (v) => v ?? '';
  return (v) => v ?? 0;
}

function defaultTester(field: protobuf.Field): (v: unknown) => boolean {
  if (field.map) return (v) => v === undefined || v === null || Object.keys(v as object).length === 0;
  if (field.repeated) return (v) => v === undefined || v === null || (v as unknown[]).length === 0;
  if (field.resolvedType instanceof protobuf.Type) return (v) => v === undefined || v === null;
  // proto2 optional / proto3 `optional` fields are present when set, even to the default.
  if (field.hasPresence && field.options?.proto3_optional) return (v) => v === undefined || v === null;
  if (field.resolvedType instanceof protobuf.Enum) return (v) => v === undefined || v === null || v === 0;
  if (LONG_KINDS.has(field.type)) return (v) => v === undefined || v === null || longToString(v) === '0';
  if (field.type === 'bytes') return (v) => v === undefined || v === null || (v as Uint8Array).length === 0;
  if (field.type === 'string') return (v) => v === undefined || v === null || v === '';
  if (field.type === 'bool') return (v) => v === undefined || v === null || v === false;
  return (v) => v === undefined || v === null || v === 0;
}

function wellKnownRenderer(type: protobuf.Type, options: JsonRenderOptions): ValueRenderer | undefined {
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return (v) => {
        const m = v as { seconds?: unknown; nanos?: number } | null;
        if (!m) return null;
        const seconds = BigInt(longToString(m.seconds ?? 0));
        const nanos = m.nanos ?? 0;
        // RFC 3339 as proto3 JSON uses it has four-digit years: Date would print `+010000-…`
        // or throw past its own range.
        if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw new UnrenderableValue('a Timestamp must be from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z');
        if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw new UnrenderableValue('a Timestamp needs nanos in [0, 999999999]');
        const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
        if (!nanos) return iso + 'Z';
        // proto3 JSON writes 3, 6 or 9 fractional digits, as few as are exact.
        let frac = String(nanos).padStart(9, '0');
        if (frac.endsWith('000000')) frac = frac.slice(0, 3);
        else if (frac.endsWith('000')) frac = frac.slice(0, 6);
        return `${iso}.${frac}Z`;
      };
    case '.google.protobuf.Duration':
      return (v) => {
        const m = v as { seconds?: unknown; nanos?: number } | null;
        if (!m) return null;
        const s = longToString(m.seconds ?? 0);
        const seconds = BigInt(s);
        const signedNanos = m.nanos ?? 0;
        if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS) throw new UnrenderableValue(`a Duration must be within ±${MAX_DURATION_SECONDS}s`);
        if (signedNanos <= -1_000_000_000 || signedNanos >= 1_000_000_000 || (seconds > 0n && signedNanos < 0) || (seconds < 0n && signedNanos > 0)) {
          throw new UnrenderableValue("a Duration's nanos must be below one second and have the sign of its seconds");
        }
        const nanos = Math.abs(signedNanos);
        const negative = s.startsWith('-') || (m.nanos ?? 0) < 0;
        // proto3 JSON writes 0, 3, 6 or 9 fractional digits, as few as are exact.
        let frac = nanos ? String(nanos).padStart(9, '0') : '';
        if (frac.endsWith('000000')) frac = frac.slice(0, 3);
        else if (frac.endsWith('000')) frac = frac.slice(0, 6);
        if (frac) frac = '.' + frac;
        return `${negative && !s.startsWith('-') ? '-' : ''}${s}${frac}s`;
      };
    case '.google.protobuf.FieldMask':
      return (v) =>
        ((v as { paths?: string[] } | null)?.paths ?? [])
          .map((path) => {
            // proto3 JSON writes paths in lowerCamelCase; a path that would not read back the same is refused.
            const camel = path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
            if (camel.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()) !== path) throw new UnrenderableValue(`the FieldMask path "${path}" has no lowerCamelCase form`);
            return camel;
          })
          .join(',');
    case '.google.protobuf.Any':
      return anyRenderer(type, options);
    // Unset, these render as null like every other unset message.
    case '.google.protobuf.Struct':
      return (v) => (v === null || v === undefined ? null : structJson(v));
    case '.google.protobuf.Value':
      return (v) => (v === null || v === undefined ? null : valueJson(v));
    case '.google.protobuf.ListValue':
      return (v) => (v === null || v === undefined ? null : ((v as { values?: unknown[] }).values ?? []).map(valueJson));
    case '.google.protobuf.Empty':
      return () => ({});
    default: {
      if (/^\.google\.protobuf\.(Double|Float|Int64|UInt64|Int32|UInt32|Bool|String|Bytes)Value$/.test(type.fullName)) {
        const inner = elementRenderer(null, type.fields.value.type, options);
        return (v) => (v === null || v === undefined ? null : inner((v as { value?: unknown }).value));
      }
      return undefined;
    }
  }
}

const MIN_TIMESTAMP_SECONDS = -62135596800n; // 0001-01-01T00:00:00Z
const MAX_TIMESTAMP_SECONDS = 253402300799n; // 9999-12-31T23:59:59Z
const MAX_DURATION_SECONDS = 315576000000n; // duration.proto: about 10,000 years

/**
 * `{"@type": url, …fields}`, or `{"@type": url, "value": …}` for a type whose JSON is not an
 * object; the packed type is looked up in the Any's own root (the protos the gateway loaded).
 */
function anyRenderer(anyType: protobuf.Type, options: JsonRenderOptions): ValueRenderer {
  return (v) => {
    if (v === null || v === undefined) return null;
    const any = v as { type_url?: string; value?: Uint8Array };
    const url = any.type_url ?? '';
    if (url === '') return {};
    const inner = lookupAnyType(anyType.root, url);
    if (!inner) throw new UnrenderableValue(`Any of "${url}", a type the gateway does not know`);
    let decoded: protobuf.Message;
    try {
      decoded = inner.decode(any.value ?? new Uint8Array(0));
    } catch (err) {
      throw new UnrenderableValue(`Any of "${url}" does not decode: ${(err as Error).message}`);
    }
    const rendered = compileMessageRenderer(inner, options)(decoded);
    return CUSTOM_JSON_TYPES.has(inner.fullName) ? { '@type': url, value: rendered } : { '@type': url, ...(rendered as object) };
  };
}

/** The message type an Any's type URL names (the part after the last `/`), in `root`. */
export function lookupAnyType(root: protobuf.Namespace, url: string): protobuf.Type | undefined {
  const name = url.slice(url.lastIndexOf('/') + 1);
  if (name === '') return undefined;
  try {
    const found = root.lookup(name.startsWith('.') ? name : '.' + name);
    return found instanceof protobuf.Type ? found : undefined;
  } catch {
    return undefined;
  }
}

function structJson(v: unknown): unknown {
  const fields = (v as { fields?: Record<string, unknown> } | null)?.fields ?? {};
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(fields)) {
    try {
      out[k] = valueJson(fields[k]);
    } catch (err) {
      throw err instanceof UnrenderableValue ? err.nested(k) : err;
    }
  }
  return out;
}

function valueJson(v: unknown): unknown {
  const m = (v ?? {}) as Record<string, unknown>;
  // protobufjs defines google/protobuf/struct.proto itself, with camelCase field names; a
  // decoded Value names its set member in the virtual `kind` property, a plain one has only it.
  const kind =
    (m.kind as string | undefined) ??
    ['nullValue', 'numberValue', 'stringValue', 'boolValue', 'structValue', 'listValue'].find((k) => Object.prototype.hasOwnProperty.call(m, k) && m[k] !== null && m[k] !== undefined);
  switch (kind) {
    case 'structValue':
      return structJson(m.structValue);
    case 'listValue':
      return ((m.listValue as { values?: unknown[] } | null)?.values ?? []).map((item, i) => {
        try {
          return valueJson(item);
        } catch (err) {
          throw err instanceof UnrenderableValue ? err.nested(`[${i}]`) : err;
        }
      });
    case 'numberValue':
      // JSON has no NaN or Infinity: JSON.stringify would quietly write null.
      if (!Number.isFinite(m.numberValue)) throw new UnrenderableValue('a google.protobuf.Value cannot be NaN or Infinity');
      return m.numberValue;
    case 'stringValue':
    case 'boolValue':
      return m[kind];
    case 'nullValue':
      return null;
    default:
      throw new UnrenderableValue('a google.protobuf.Value must have a value');
  }
}
