/**
 * Proto → JSON: compiled once per (message type, options) into closures that render a decoded
 * protobufjs message (or a plain object with proto field names) as a JSON value, following the
 * proto3 JSON mapping: enums by name, 64-bit integers as strings (or numbers when asked and
 * exact), bytes as base64, well-known types in their special forms.
 */
import protobuf from 'protobufjs';
import { jsonName } from './field-path.js';
import { LONG_KINDS } from './proto-kinds.js';

export interface JsonRenderOptions {
  names: 'original' | 'json';
  emitDefaults: boolean;
  int64: 'string' | 'number';
}

export const defaultJsonOptions: JsonRenderOptions = { names: 'json', emitDefaults: false, int64: 'string' };

export type ValueRenderer = (value: unknown) => unknown;

const cache = new Map<string, WeakMap<protobuf.Type, ValueRenderer>>();

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
      out[f.out] = f.render(v);
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
    return (v) => {
      // Null prototype: a `__proto__` map key is data, never the object's prototype.
      const out: Record<string, unknown> = Object.create(null);
      if (v && typeof v === 'object') for (const k of Object.keys(v)) out[k] = element((v as Record<string, unknown>)[k]);
      return out;
    };
  }
  if (field.repeated) return (v) => (Array.isArray(v) ? v.map(element) : []);
  return element;
}

export function elementRenderer(resolved: protobuf.ReflectionObject | null, kind: string, options: JsonRenderOptions): ValueRenderer {
  if (resolved instanceof protobuf.Enum) {
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
        const iso = new Date(Number(longToString(m.seconds ?? 0)) * 1000).toISOString().slice(0, 19);
        const nanos = m.nanos ?? 0;
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
        const nanos = Math.abs(m.nanos ?? 0);
        const negative = s.startsWith('-') || (m.nanos ?? 0) < 0;
        // proto3 JSON writes 0, 3, 6 or 9 fractional digits, as few as are exact.
        let frac = nanos ? String(nanos).padStart(9, '0') : '';
        if (frac.endsWith('000000')) frac = frac.slice(0, 3);
        else if (frac.endsWith('000')) frac = frac.slice(0, 6);
        if (frac) frac = '.' + frac;
        return `${negative && !s.startsWith('-') ? '-' : ''}${s}${frac}s`;
      };
    case '.google.protobuf.FieldMask':
      return (v) => ((v as { paths?: string[] } | null)?.paths ?? []).map((p) => p.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())).join(',');
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

function structJson(v: unknown): unknown {
  const fields = (v as { fields?: Record<string, unknown> } | null)?.fields ?? {};
  const out: Record<string, unknown> = Object.create(null);
  for (const k of Object.keys(fields)) out[k] = valueJson(fields[k]);
  return out;
}

function valueJson(v: unknown): unknown {
  const m = (v ?? {}) as Record<string, unknown>;
  // protobufjs defines google/protobuf/struct.proto itself, with camelCase field names; a
  // decoded Value names its set member in the virtual `kind` property.
  const kind = (m.kind as string | undefined) ?? Object.keys(m).find((k) => k.endsWith('Value'));
  switch (kind) {
    case 'structValue':
      return structJson(m.structValue);
    case 'listValue':
      return ((m.listValue as { values?: unknown[] } | null)?.values ?? []).map(valueJson);
    case 'stringValue':
    case 'numberValue':
    case 'boolValue':
      return m[kind];
    default:
      return null;
  }
}
