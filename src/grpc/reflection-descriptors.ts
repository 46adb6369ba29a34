/**
 * The descriptors gRPC server reflection answers with: one encoded
 * `google.protobuf.FileDescriptorProto` per .proto file a namespace loads, named by the path
 * other files import it under (`prism/patterns/registry/v1/registry.proto`,
 * `google/protobuf/timestamp.proto`), listing those import paths as its dependencies, so that a
 * client (grpcurl, buf curl: Go's protodesc) can rebuild the whole schema without proto files.
 *
 * Built here from protobufjs rather than with `protobufjs/ext/descriptor` (what
 * @grpc/proto-loader uses), because that one describes a Root, not its files: one "file" per
 * package named `pkg_name.proto`, no dependencies, map entries named `Field` instead of
 * `FieldEntry`, relative type names, extension and reserved ranges off by one (protobufjs keeps
 * them inclusive, descriptors end-exclusive), no `json_name` and no custom options. Go's
 * protodesc refuses several of those. Each file is therefore parsed on its own (what it
 * declares, its imports, its syntax) and its type references are resolved against the
 * namespace's loaded Root (what they point to).
 *
 * Built once when the listener starts; a reflection request only looks names up.
 */
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import protobuf from 'protobufjs';
import { googleProtoDir, loadProtoRoot, projectProtoDir } from './proto-root.js';

/** One described file. */
export interface DescribedFile {
  /** The path it is imported under. */
  readonly name: string;
  /** An encoded google.protobuf.FileDescriptorProto. */
  readonly bytes: Uint8Array;
  /** The names of the files it imports, in the order it imports them. */
  readonly dependencies: readonly string[];
}

/** The files of one namespace (or several), and where each symbol is declared. */
export interface DescriptorPool {
  file(name: string): DescribedFile | undefined;
  /** The file declaring `symbol` (fully qualified, no leading dot): a service, method, message, field, enum, enum value or extension. */
  fileContainingSymbol(symbol: string): DescribedFile | undefined;
  /** The file declaring the extension `number` of message `type`. */
  fileContainingExtension(type: string, number: number): DescribedFile | undefined;
  /** The extension numbers declared for message `type`; undefined when no such message is known. */
  extensionNumbers(type: string): readonly number[] | undefined;
}

interface PoolData {
  readonly files: Map<string, DescribedFile>;
  /** Symbol → file name. */
  readonly symbols: Map<string, string>;
  /** Message → extension number → file name. */
  readonly extensions: Map<string, Map<number, string>>;
  readonly messages: Set<string>;
}

const DESCRIPTOR_PROTO = 'google/protobuf/descriptor.proto';

/**
 * Describes `protoFiles` (as `loadProtoRoot` takes them) and every file they import.
 * @throws ProtoLoadError when a file cannot be loaded; Error when a file cannot be described
 *   (a construct the descriptors cannot express).
 */
export function describeProtoFiles(protoFiles: readonly string[]): DescriptorPool {
  // descriptor.proto rides along so the descriptor messages (and any custom option declared as
  // an extension of its option messages) can be encoded with the same Root.
  const root = loadProtoRoot([...protoFiles, DESCRIPTOR_PROTO]);
  const sources = root.files.map((loaded) => readSource(loaded));
  const names = fileNames(root, sources);
  const data: PoolData = { files: new Map(), symbols: new Map(), extensions: new Map(), messages: new Set() };
  const FileDescriptorProto = root.lookupType('google.protobuf.FileDescriptorProto');
  for (const source of sources) {
    const name = names.get(source.loaded)!;
    if (data.files.has(name)) continue;
    const dependencies = source.parsed.imports.concat(source.parsed.weakImports).map((imp) => names.get(resolveImport(root, source.loaded, imp)) ?? imp);
    const described = new FileDescriber(root, name, data).describe(source, dependencies);
    const bytes = FileDescriptorProto.encode(FileDescriptorProto.fromObject(described)).finish();
    data.files.set(name, { name, bytes, dependencies });
  }
  return poolOf(data);
}

/**
 * One pool answering for all of `pools`; where two declare the same file or symbol, the first
 * one's answer stands (namespaces loading the same protos describe them identically).
 */
export function mergeDescriptorPools(pools: readonly DescriptorPool[]): DescriptorPool {
  const merged: PoolData = { files: new Map(), symbols: new Map(), extensions: new Map(), messages: new Set() };
  for (const pool of pools) {
    const data = DATA.get(pool)!;
    for (const [k, v] of data.files) if (!merged.files.has(k)) merged.files.set(k, v);
    for (const [k, v] of data.symbols) if (!merged.symbols.has(k)) merged.symbols.set(k, v);
    for (const m of data.messages) merged.messages.add(m);
    for (const [type, numbers] of data.extensions) {
      const into = merged.extensions.get(type) ?? new Map<number, string>();
      for (const [n, file] of numbers) if (!into.has(n)) into.set(n, file);
      merged.extensions.set(type, into);
    }
  }
  return poolOf(merged);
}

const DATA = new WeakMap<DescriptorPool, PoolData>();

function poolOf(data: PoolData): DescriptorPool {
  const byName = (name: string | undefined) => (name === undefined ? undefined : data.files.get(name));
  const pool: DescriptorPool = {
    file: (name) => data.files.get(name),
    fileContainingSymbol: (symbol) => byName(data.symbols.get(symbol.replace(/^\./, ''))),
    fileContainingExtension: (type, number) => byName(data.extensions.get(type.replace(/^\./, ''))?.get(number)),
    extensionNumbers(type) {
      const name = type.replace(/^\./, '');
      if (!data.messages.has(name)) return undefined;
      return [...(data.extensions.get(name)?.keys() ?? [])];
    },
  };
  DATA.set(pool, data);
  return pool;
}

interface Source {
  /** The path as protobufjs recorded it: absolute, or `google/protobuf/x.proto` for its bundled ones. */
  readonly loaded: string;
  readonly text: string;
  readonly parsed: { package?: string; imports: string[]; weakImports: string[]; root: protobuf.Root };
}

function readSource(loaded: string): Source {
  // protobufjs serves the common well-known types from its own JSON copies; their published
  // .proto files (with their file options) are in google-proto-files.
  const text = readFileSync(isAbsolute(loaded) ? loaded : join(googleProtoDir, loaded), 'utf8');
  const parsed = protobuf.parse(text, new protobuf.Root(), { keepCase: true });
  return { loaded, text, parsed: { package: parsed.package, imports: parsed.imports ?? [], weakImports: parsed.weakImports ?? [], root: parsed.root } };
}

/** Where protobufjs found the file that `origin` imports as `imported`. */
function resolveImport(root: protobuf.Root, origin: string, imported: string): string {
  // The same rule as protobufjs' loader: google/protobuf/ files it bundles are known by that name.
  const at = imported.lastIndexOf('google/protobuf/');
  if (at >= 0 && root.files.includes(imported.slice(at))) return imported.slice(at);
  return root.resolvePath(origin, imported) ?? imported;
}

/**
 * The name of each loaded file: the path its importers wrote, else its path below the
 * project's or Google's proto folder, else its base name (a top-level file elsewhere).
 */
function fileNames(root: protobuf.Root, sources: readonly Source[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const source of sources) {
    for (const imp of source.parsed.imports.concat(source.parsed.weakImports)) {
      const target = resolveImport(root, source.loaded, imp);
      if (!names.has(target)) names.set(target, imp);
    }
  }
  const taken = new Set(names.values());
  for (const { loaded } of sources) {
    if (names.has(loaded)) continue;
    let name = loaded;
    if (isAbsolute(loaded)) {
      const below = [projectProtoDir, googleProtoDir].map((dir) => relative(dir, loaded)).find((rel) => !rel.startsWith('..') && !isAbsolute(rel));
      name = (below ?? basename(loaded)).split(sep).join('/');
      // Two top-level files of the same base name: the second keeps its full path.
      if (taken.has(name)) name = loaded.split(sep).join('/').replace(/^\//, '');
    }
    taken.add(name);
    names.set(loaded, name);
  }
  return names;
}

type Plain = Record<string, unknown>;

const SCALAR_TYPES: Readonly<Record<string, string>> = {
  double: 'TYPE_DOUBLE',
  float: 'TYPE_FLOAT',
  int64: 'TYPE_INT64',
  uint64: 'TYPE_UINT64',
  int32: 'TYPE_INT32',
  fixed64: 'TYPE_FIXED64',
  fixed32: 'TYPE_FIXED32',
  bool: 'TYPE_BOOL',
  string: 'TYPE_STRING',
  bytes: 'TYPE_BYTES',
  uint32: 'TYPE_UINT32',
  sfixed32: 'TYPE_SFIXED32',
  sfixed64: 'TYPE_SFIXED64',
  sint32: 'TYPE_SINT32',
  sint64: 'TYPE_SINT64',
};

/** protoc's default JSON name: underscores dropped, the letter after each upper-cased. */
export function jsonName(field: string): string {
  return field.replace(/_+([^_])?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase());
}

/** protoc's (and Go's) name of a map field's entry message: `m_counts` → `MCountsEntry`. */
export function mapEntryName(field: string): string {
  const camel = jsonName(field);
  return camel.charAt(0).toUpperCase() + camel.slice(1) + 'Entry';
}

/** Turns the parsed declarations of one file into a FileDescriptorProto (as a plain object) and indexes its symbols. */
class FileDescriber {
  private proto3 = false;

  constructor(
    private readonly root: protobuf.Root,
    private readonly fileName: string,
    private readonly data: PoolData,
  ) {}

  describe(source: Source, dependencies: readonly string[]): Plain {
    const { parsed, text } = source;
    const uncommented = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    const syntax = /^\s*syntax\s*=\s*["']([^"']+)["']/m.exec(uncommented)?.[1];
    const edition = /^\s*edition\s*=\s*["']([^"']+)["']/m.exec(uncommented)?.[1];
    this.proto3 = syntax === 'proto3';
    const publicImports = new Set([...uncommented.matchAll(/\bimport\s+public\s+["']([^"']+)["']/g)].map((m) => m[1]));
    const scope = (parsed.package ? parsed.root.lookup(parsed.package) : parsed.root) as protobuf.Namespace;
    const file: Plain = {
      name: this.fileName,
      dependency: dependencies,
      message_type: [],
      enum_type: [],
      service: [],
      extension: [],
    };
    if (parsed.package) file.package = parsed.package;
    const publicIndexes = parsed.imports.flatMap((imp, i) => (publicImports.has(imp) ? [i] : []));
    if (publicIndexes.length > 0) file.public_dependency = publicIndexes;
    if (parsed.weakImports.length > 0) file.weak_dependency = parsed.weakImports.map((_, i) => parsed.imports.length + i);
    // protoc leaves `syntax` empty for proto2.
    if (edition) {
      file.syntax = 'editions';
      file.edition = `EDITION_${edition}`;
    } else if (syntax && syntax !== 'proto2') file.syntax = syntax;
    for (const nested of scope.nestedArray) {
      if (nested instanceof protobuf.Type) (file.message_type as Plain[]).push(this.message(nested));
      else if (nested instanceof protobuf.Enum) (file.enum_type as Plain[]).push(this.enumeration(nested, scope));
      else if (nested instanceof protobuf.Service) (file.service as Plain[]).push(this.service(nested));
      else if (nested instanceof protobuf.Field) (file.extension as Plain[]).push(this.extension(nested));
    }
    const options = this.options(scope, 'FileOptions');
    if (options) file.options = options;
    return file;
  }

  private index(fullName: string): void {
    const name = fullName.replace(/^\./, '');
    if (!this.data.symbols.has(name)) this.data.symbols.set(name, this.fileName);
  }

  private message(type: protobuf.Type): Plain {
    this.index(type.fullName);
    this.data.messages.add(type.fullName.slice(1));
    const loaded = this.root.lookupType(type.fullName);
    // protoc lists proto3 `optional`'s synthetic oneofs after every real one (Go's protodesc insists).
    const synthetic = (o: protobuf.OneOf) => o.fieldsArray.length === 1 && o.fieldsArray[0].options?.proto3_optional === true;
    const oneofs = [...type.oneofsArray.filter((o) => !synthetic(o)), ...type.oneofsArray.filter(synthetic)];
    const nestedTypes: Plain[] = [];
    // protobufjs also lists, among a message's fields, its copies of the extensions declared
    // for it (named by their full names); those are described where they are declared.
    const fields = type.fieldsArray.filter((field) => !field.declaringField).map((field) => {
      const described = this.field(field, loaded.fields[field.name]);
      if (field.partOf) described.oneof_index = oneofs.indexOf(field.partOf);
      if (field instanceof protobuf.MapField) nestedTypes.push(this.mapEntry(field, loaded.fields[field.name] as protobuf.FieldBase | undefined));
      return described;
    });
    const out: Plain = {
      name: type.name,
      field: fields,
      oneof_decl: oneofs.map((o) => {
        this.index(`${type.fullName}.${o.name}`);
        return { name: o.name };
      }),
      nested_type: nestedTypes,
      enum_type: [],
      extension: [],
    };
    for (const nested of type.nestedArray) {
      if (nested instanceof protobuf.Type) nestedTypes.push(this.message(nested));
      else if (nested instanceof protobuf.Enum) (out.enum_type as Plain[]).push(this.enumeration(nested, type));
      else if (nested instanceof protobuf.Field) (out.extension as Plain[]).push(this.extension(nested));
    }
    // protobufjs keeps ranges inclusive; a descriptor's message ranges end one past.
    const ranges = (list: (number[] | string)[] | undefined) => (list ?? []).filter((r): r is number[] => Array.isArray(r)).map(([start, end]) => ({ start, end: end + 1 }));
    if (type.extensions) out.extension_range = ranges(type.extensions);
    if (type.reserved) {
      out.reserved_range = ranges(type.reserved);
      out.reserved_name = type.reserved.filter((r): r is string => typeof r === 'string');
    }
    const options = this.options(type, 'MessageOptions');
    if (options) out.options = options;
    return out;
  }

  private field(field: protobuf.Field, loaded: protobuf.Field | undefined): Plain {
    this.index(field.fullName);
    const explicitJson = field.options?.json_name;
    const out: Plain = { name: field.name, number: field.id, json_name: typeof explicitJson === 'string' ? explicitJson : jsonName(field.name) };
    if (field instanceof protobuf.MapField) {
      out.label = 'LABEL_REPEATED';
      out.type = 'TYPE_MESSAGE';
      out.type_name = `${field.parent!.fullName}.${mapEntryName(field.name)}`;
    } else {
      // The rule as written: protobufjs' `required` reads resolved features, which a file parsed on its own has not.
      const rule = (field as { rule?: string }).rule;
      out.label = rule === 'repeated' ? 'LABEL_REPEATED' : rule === 'required' ? 'LABEL_REQUIRED' : 'LABEL_OPTIONAL';
      Object.assign(out, this.fieldType(field.type, this.resolvedType(field, loaded), !!loaded?.delimited));
    }
    const defaultValue = field.options?.default;
    if (!this.proto3 && defaultValue !== undefined) out.default_value = String(defaultValue);
    if (field.options?.proto3_optional === true) out.proto3_optional = true;
    const options = this.options(field, 'FieldOptions');
    if (options) out.options = options;
    return out;
  }

  /**
   * What a field's type names, as the loaded Root resolved it; by lookup from the field's scope
   * when the Root knows the field under another name (protobufjs' bundled well-known types
   * spell their fields in lowerCamelCase).
   */
  private resolvedType(field: protobuf.FieldBase, loaded: protobuf.FieldBase | undefined): protobuf.Type | protobuf.Enum | null {
    if (loaded?.resolvedType) return loaded.resolvedType;
    if (SCALAR_TYPES[field.type]) return null;
    const scope = this.root.lookup(field.parent!.fullName);
    if (!(scope instanceof protobuf.Namespace)) return null;
    try {
      return scope.lookupTypeOrEnum(field.type);
    } catch {
      return null;
    }
  }

  private fieldType(type: string, resolved: protobuf.Type | protobuf.Enum | null, delimited: boolean): Plain {
    if (resolved instanceof protobuf.Enum) return { type: 'TYPE_ENUM', type_name: resolved.fullName };
    if (resolved instanceof protobuf.Type) return { type: delimited ? 'TYPE_GROUP' : 'TYPE_MESSAGE', type_name: resolved.fullName };
    const scalar = SCALAR_TYPES[type];
    if (!scalar) throw new Error(`${this.fileName}: cannot describe the field type '${type}' (not resolved)`);
    return { type: scalar };
  }

  /** The message protoc generates for a map field: `key = 1`, `value = 2`, option map_entry. */
  private mapEntry(field: protobuf.MapField, loaded: protobuf.FieldBase | undefined): Plain {
    const name = mapEntryName(field.name);
    this.index(`${field.parent!.fullName}.${name}`);
    return {
      name,
      field: [
        { name: 'key', number: 1, label: 'LABEL_OPTIONAL', json_name: 'key', ...this.fieldType(field.keyType, null, false) },
        { name: 'value', number: 2, label: 'LABEL_OPTIONAL', json_name: 'value', ...this.fieldType(field.type, this.resolvedType(field, loaded), false) },
      ],
      options: { map_entry: true },
    };
  }

  private extension(field: protobuf.Field): Plain {
    const loaded = this.root.lookup(field.fullName);
    const declared = loaded instanceof protobuf.Field ? loaded : undefined;
    const out = this.field(field, declared);
    const extendee = declared?.extensionField?.parent?.fullName;
    if (!extendee) throw new Error(`${this.fileName}: cannot resolve what '${field.fullName}' extends`);
    out.extendee = extendee;
    const numbers = this.data.extensions.get(extendee.slice(1)) ?? new Map<number, string>();
    if (!numbers.has(field.id)) numbers.set(field.id, this.fileName);
    this.data.extensions.set(extendee.slice(1), numbers);
    return out;
  }

  /** An enum; its values are symbols of the enum's parent scope, as in protoc. */
  private enumeration(enumeration: protobuf.Enum, scope: protobuf.NamespaceBase): Plain {
    this.index(enumeration.fullName);
    const out: Plain = {
      name: enumeration.name,
      value: Object.entries(enumeration.values).map(([name, number]) => {
        this.index(`${scope.fullName}.${name}`);
        const value: Plain = { name, number };
        const options = this.plainOptions(enumeration.valuesOptions?.[name], 'EnumValueOptions');
        if (options) value.options = options;
        return value;
      }),
    };
    if (enumeration.reserved) {
      // Enum reserved ranges are inclusive in descriptors too.
      out.reserved_range = enumeration.reserved.filter((r): r is number[] => Array.isArray(r)).map(([start, end]) => ({ start, end }));
      out.reserved_name = enumeration.reserved.filter((r): r is string => typeof r === 'string');
    }
    const options = this.options(enumeration, 'EnumOptions');
    if (options) out.options = options;
    return out;
  }

  private service(service: protobuf.Service): Plain {
    this.index(service.fullName);
    const loaded = this.root.lookupService(service.fullName);
    const out: Plain = {
      name: service.name,
      method: service.methodsArray.map((method) => {
        this.index(`${service.fullName}.${method.name}`);
        const resolved = loaded.methods[method.name];
        const described: Plain = { name: method.name, input_type: resolved.resolvedRequestType!.fullName, output_type: resolved.resolvedResponseType!.fullName };
        if (method.requestStream) described.client_streaming = true;
        if (method.responseStream) described.server_streaming = true;
        const options = this.options(method, 'MethodOptions');
        if (options) described.options = options;
        return described;
      }),
    };
    const options = this.options(service, 'ServiceOptions');
    if (options) out.options = options;
    return out;
  }

  /**
   * An element's options as the descriptor's options message: standard options by name, custom
   * ones (`(google.api.http)`) as the extension fields the Root attached to that message. An
   * option the message cannot hold (protobufjs' `json_name`, `default`, `proto3_optional`,
   * which descriptors keep as fields) or whose value does not fit is left out.
   */
  private options(element: protobuf.ReflectionObject, typeName: string): Plain | undefined {
    const entries = element.parsedOptions ?? (element.options ? [element.options] : []);
    const out: Plain = {};
    const type = this.root.lookupType(`google.protobuf.${typeName}`);
    for (const entry of entries as Plain[]) {
      for (const [key, value] of Object.entries(entry)) {
        const placed = this.optionField(type, key, value);
        if (!placed) continue;
        const [field, fieldValue] = placed;
        const merged = conform(isPlain(out[field]) && isPlain(fieldValue) ? { ...(out[field] as Plain), ...fieldValue } : fieldValue, type.fields[field]);
        try {
          type.fromObject({ [field]: merged });
        } catch {
          continue;
        }
        out[field] = merged;
      }
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private plainOptions(options: Plain | undefined, typeName: string): Plain | undefined {
    if (!options) return undefined;
    const type = this.root.lookupType(`google.protobuf.${typeName}`);
    const out: Plain = {};
    for (const [key, value] of Object.entries(options)) if (!key.startsWith('(') && type.fields[key]) out[key] = value;
    return Object.keys(out).length > 0 ? out : undefined;
  }

  /** The field of options message `type` an option `key` sets, and its value. */
  private optionField(type: protobuf.Type, key: string, value: unknown): [string, unknown] | undefined {
    if (!key.startsWith('(')) return type.fields[key] && key !== 'uninterpreted_option' ? [key, value] : undefined;
    const close = key.indexOf(')');
    const extension = key.slice(1, close).replace(/^\./, '');
    // `(a.b).c.d = v` sets c.d inside extension a.b.
    const path = key.slice(close + 1).split('.').filter(Boolean);
    const nested = path.reduceRight<unknown>((inner, part) => ({ [part]: inner }), value);
    // Extensions sit on the extended message under their full name; a relative name (written
    // inside the extension's package) matches by its tail.
    const field = type.fields[`.${extension}`] ?? Object.values(type.fields).find((f) => f.name.startsWith('.') && f.name.endsWith(`.${extension}`));
    return field ? [field.name, nested] : undefined;
  }
}

/**
 * An option value as protobufjs' parser gives it, shaped for `fromObject`: the text format
 * writes a repeated message field once per element (`additional_bindings { … }`), which the
 * parser keeps as a single object when it appears once.
 */
function conform(value: unknown, field: protobuf.Field | undefined): unknown {
  if (!field) return value;
  const one = (v: unknown): unknown => {
    // An extension's copy on the extended message is resolved on first use, not by resolveAll.
    const type = field.resolve().resolvedType;
    if (!(type instanceof protobuf.Type) || !isPlain(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, conform(inner, type.fields[k])]));
  };
  if (field.repeated) return (Array.isArray(value) ? value : [value]).map(one);
  return one(value);
}

function isPlain(value: unknown): value is Plain {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

