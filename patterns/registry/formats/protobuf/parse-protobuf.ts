/**
 * Turns schema text plus its resolved references into the model the diff and the printer
 * use: the schema's own file, every file of its import graph, and the type table.
 */
import { WorkBudgetExceededError } from '../../work-budget.js';
import { InvalidSchemaError, type ResolvedReference } from '../schema-format.js';
import { descriptorToProtoText } from './file-descriptor.js';
import { readProtoFile, type ProtoField, type ProtoFile, type ProtoMessage, type ProtoTypeElement } from './proto-model.js';
import { isScalarType } from './scalar-types.js';
import { buildTypeIndex, LOCAL_ORIGIN, resolveTypeName, type IndexedFile, type TypeIndex, type TypeOrigin } from './type-index.js';
import type { ProtobufModel } from './protobuf-model.js';
import { BUNDLED_PROTO_PATHS, wellKnownProtoText } from './well-known-protos.js';

export type { ProtobufModel };

function invalid(text: string, detail: string): InvalidSchemaError {
  return new InvalidSchemaError(`Invalid schema ${text}, details: ${detail}`);
}

/** `.proto` source, or else (as Confluent falls back) a base64 FileDescriptorProto. */
function readOrThrow(text: string, label: string, original: string): ProtoFile {
  try {
    return readProtoFile(text);
  } catch (err) {
    if (err instanceof WorkBudgetExceededError) throw err;
    const fromDescriptor = descriptorToProtoText(text);
    if (fromDescriptor !== null) {
      try {
        return readProtoFile(fromDescriptor);
      } catch {
        // Report the error of the text as given, below.
      }
    }
    throw invalid(original, `${label}: ${(err as Error).message}`);
  }
}

/**
 * Collects the import graph. Direct references carry their subject/version as origin;
 * transitive ones and bundled imports carry none, as in Confluent, which looks origins up
 * in the schema's own reference list only.
 */
function collectDependencies(root: ProtoFile, references: readonly ResolvedReference[], original: string): IndexedFile[] {
  const byName = new Map<string, { text: string; origin: TypeOrigin }>();
  // A `references` list already walked is skipped: the registry shares one per referenced
  // (subject, version), so a diamond of imports is walked once per file, not once per path.
  const walked = new Set<readonly ResolvedReference[]>();
  const flatten = (refs: readonly ResolvedReference[], direct: boolean): void => {
    if (walked.has(refs)) return;
    walked.add(refs);
    for (const ref of refs) {
      if (!byName.has(ref.name)) byName.set(ref.name, { text: ref.schema, origin: direct ? { subject: ref.subject, version: ref.version } : null });
      flatten(ref.references, false);
    }
  };
  flatten(references, true);

  const loaded = new Map<string, IndexedFile>();
  const load = (path: string, text: string, origin: TypeOrigin): ProtoFile => {
    const dep = origin === null && !byName.has(path) ? bundledFile(path, text) : readOrThrow(text, `reference "${path}"`, original);
    loaded.set(path, { file: dep, origin });
    return dep;
  };
  const visit = (file: ProtoFile): void => {
    for (const path of [...file.imports, ...file.publicImports]) {
      if (loaded.has(path)) continue;
      const provided = byName.get(path);
      const text = provided?.text ?? wellKnownProtoText(path);
      if (text === null || text === undefined) throw invalid(original, `import "${path}" is neither a reference nor a bundled file`);
      visit(load(path, text, provided?.origin ?? null));
    }
  };
  visit(root);
  // Confluent adds every bundled file to the type table, imported or not.
  for (const path of BUNDLED_PROTO_PATHS) {
    if (loaded.has(path)) continue;
    const text = wellKnownProtoText(path);
    try {
      if (text !== null) visit(load(path, text, null));
    } catch {
      // A bundled file we cannot read only costs its types; it must not fail every parse.
      loaded.delete(path);
    }
  }
  return [...loaded.values()];
}

// Bundled files are parsed once per process: they never change and descriptor.proto is big.
// A plain Map, not an LRU: it is only asked for files wellKnownProtoText found among the
// bundled ones (a path a schema's references provide is read apart), a fixed, bounded set.
const bundledCache = new Map<string, ProtoFile>();

function bundledFile(path: string, text: string): ProtoFile {
  let file = bundledCache.get(path);
  if (file === undefined) {
    file = readProtoFile(text);
    bundledCache.set(path, file);
  }
  return file;
}

function checkFieldTypes(index: TypeIndex, pkg: string, scope: string[], fields: readonly ProtoField[], where: string, original: string): void {
  for (const field of fields) {
    if (isScalarType(field.type)) continue;
    if (resolveTypeName(index, field.type, pkg, scope) === null) {
      throw invalid(original, `type "${field.type}" of field "${field.name}" in ${where} cannot be resolved`);
    }
  }
}

function checkTypes(index: TypeIndex, pkg: string, scope: string[], types: readonly ProtoTypeElement[], original: string): void {
  for (const type of types) {
    if (type.kind !== 'message') continue;
    const inner = [...scope, type.name];
    const m: ProtoMessage = type;
    const where = `message "${inner.join('.')}"`;
    checkFieldTypes(index, pkg, inner, m.fields, where, original);
    for (const o of m.oneofs) checkFieldTypes(index, pkg, inner, o.fields, where, original);
    checkTypes(index, pkg, inner, m.nested, original);
  }
}

/**
 * Parses `.proto` text (proto2 or proto3) with its references.
 * @throws InvalidSchemaError when the text or a referenced file does not parse, an import is
 *   neither a reference nor a bundled file, or a field names a type that does not resolve.
 */
export function parseProtobuf(text: string, references: readonly ResolvedReference[]): ProtobufModel {
  if (text.trim() === '') throw invalid(text, 'empty schema');
  const file = readOrThrow(text, 'parse error', text);
  const files = [...collectDependencies(file, references, text), { file, origin: LOCAL_ORIGIN }];
  const index = buildTypeIndex(files);
  checkTypes(index, file.packageName ?? '', [], file.types, text);
  return { file, files, index };
}
