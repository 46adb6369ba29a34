/**
 * Every message and enum a schema can name, by full name, with where it came from.
 *
 * Mirrors the type table Confluent's protobuf diff builds before comparing
 * (`Context.collectTypeInfo`): dependencies first, the schema's own file last (so it wins a
 * clash), each type keyed by its package plus its nesting path. `origin` decides whether two
 * same-named message types need diffing (§4.1 step 4, MESSAGE).
 */
import type { ProtoFile, ProtoTypeElement } from './proto-model.js';

/**
 * Where a type was declared. Confluent tags the schema's own types with a dummy reference
 * (subject "", version -1), a directly referenced file with its reference, and anything else
 * (transitive or bundled well-known imports) with no reference at all.
 */
export type TypeOrigin = { readonly subject: string; readonly version: number } | null;

export const LOCAL_ORIGIN: TypeOrigin = { subject: '', version: -1 };

export interface TypeInfo {
  readonly packageName: string;
  readonly origin: TypeOrigin;
  readonly element: ProtoTypeElement;
}

export type TypeIndex = ReadonlyMap<string, TypeInfo>;

/** A file of the import graph together with its origin tag. */
export interface IndexedFile {
  readonly file: ProtoFile;
  readonly origin: TypeOrigin;
}

function addTypes(index: Map<string, TypeInfo>, packageName: string, prefix: string, types: readonly ProtoTypeElement[], origin: TypeOrigin): void {
  for (const element of types) {
    const path = prefix === '' ? element.name : `${prefix}.${element.name}`;
    index.set(packageName === '' ? path : `${packageName}.${path}`, { packageName, origin, element });
    addTypes(index, packageName, path, element.nested, origin);
  }
}

/** Builds the table; later files overwrite earlier ones, as in Confluent's HashMap puts. */
export function buildTypeIndex(files: readonly IndexedFile[]): TypeIndex {
  const index = new Map<string, TypeInfo>();
  for (const { file, origin } of files) addTypes(index, file.packageName ?? '', '', file.types, origin);
  return index;
}

/**
 * Resolves a type name as written to a full name (no leading dot), protobuf style: a leading
 * `.` is absolute; otherwise try package + enclosing-message scope, then ever shorter
 * prefixes, then the bare name. Null when nothing matches.
 */
export function resolveTypeName(index: TypeIndex, name: string, packageName: string, scope: readonly string[]): string | null {
  return resolveScopedName((n) => index.has(n), index.size === 0, name, packageName, scope);
}

/** The protobuf scope rule of resolveTypeName over any table of full names. */
export function resolveScopedName(has: (fullName: string) => boolean, empty: boolean, name: string, packageName: string, scope: readonly string[]): string | null {
  if (empty) return null;
  if (name.startsWith('.')) {
    const n = name.slice(1);
    return has(n) ? n : null;
  }
  const prefix = [...(packageName === '' ? [] : packageName.split('.')), ...scope];
  while (prefix.length > 0) {
    const candidate = `${prefix.join('.')}.${name}`;
    if (has(candidate)) return candidate;
    prefix.pop();
  }
  return has(name) ? name : null;
}
