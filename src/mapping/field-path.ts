/**
 * Field paths (`a.b.c`) resolved against protobuf message types once, at compile time.
 */
import protobuf from 'protobufjs';
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';

/**
 * Resolves `path` in `type` to the chain of fields it walks; every field but the last must be
 * a singular message field. A path that does not resolve is reported into `sink` (UNKNOWN_FIELD
 * naming the segment and the type it was looked in, or TYPE_MISMATCH for a path through a
 * field that is not a singular message).
 * @returns the chain, or undefined after reporting.
 */
export function planFieldPath(type: protobuf.Type, path: string, sink: DiagnosticSink): protobuf.Field[] | undefined {
  const segments = path.split('.');
  const chain: protobuf.Field[] = [];
  let current: protobuf.Type = type;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const field = findField(current, segment);
    if (!field) {
      sink(DiagnosticCode.UNKNOWN_FIELD, '', `unknown field '${segment}' in ${typeName(current)}`);
      return undefined;
    }
    chain.push(field);
    if (i < segments.length - 1) {
      field.resolve();
      if (!(field.resolvedType instanceof protobuf.Type) || field.repeated || field.map) {
        sink(DiagnosticCode.TYPE_MISMATCH, '', `field '${segment}' of ${typeName(current)} is not a singular message, so '${segments.slice(i + 1).join('.')}' cannot be reached through it`);
        return undefined;
      }
      current = field.resolvedType;
    }
  }
  return chain;
}

/** A field by its proto name or its JSON (lowerCamelCase) name, as proto3 JSON parsers accept both. */
export function findField(type: protobuf.Type, name: string): protobuf.Field | undefined {
  return type.fields[name] ?? type.fieldsArray.find((f) => jsonName(f) === name);
}

/** The proto3 JSON name of a field: its `json_name` option, else lowerCamelCase of its name. */
export function jsonName(field: protobuf.Field): string {
  const explicit = (field.options as Record<string, unknown> | undefined)?.json_name;
  if (typeof explicit === 'string') return explicit;
  return field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function typeName(type: protobuf.ReflectionObject): string {
  return type.fullName.replace(/^\./, '');
}

/** `int32`, `repeated string`, `map<string, int64>`, `prism.test.v1.Item`: for messages. */
export function describeField(field: protobuf.Field): string {
  field.resolve();
  const base = field.resolvedType ? typeName(field.resolvedType) : field.type;
  if (field.map) return `map<${(field as unknown as protobuf.MapField).keyType}, ${base}>`;
  return field.repeated ? `repeated ${base}` : base;
}
