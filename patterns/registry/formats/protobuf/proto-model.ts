/**
 * A wire-like view of one `.proto` file, built from protobufjs reflection.
 *
 * Confluent diffs and prints wire's `ProtoFileElement` (the parsed text, before linking), so
 * this model keeps what wire keeps and protobufjs loses or reshapes: the label exactly as
 * written (null when no keyword), top-level fields apart from oneof members, proto3
 * `optional` as a plain field rather than a synthetic oneof, map fields as `map<K, V>`,
 * declaration order of nested types, and options in declaration order
 * (compatibility-rules.md §4.4).
 */
import protobuf from 'protobufjs';
import { spendWork } from '../../work-budget.js';
import { estimateProtobufParseCost } from './parse-cost.js';
import { scanSource, scannedOption, type RangeEntry, type ScannedOption, type ScannedSource } from './source-scan.js';

export type Label = 'optional' | 'required' | 'repeated' | null;

/** One option as written: `name` may be parenthesised (custom) and dotted. */
export type ProtoOption = ScannedOption;

export type { RangeEntry } from './source-scan.js';

export interface ProtoField {
  readonly name: string;
  readonly tag: number;
  /** The type as written (`int32`, `Foo`, `.pkg.Foo`); for map fields the value type. */
  readonly type: string;
  /** Set for map fields only: the key type. */
  readonly mapKey: string | null;
  readonly label: Label;
  readonly options: readonly ProtoOption[];
}

export interface ProtoOneof {
  readonly name: string;
  readonly fields: readonly ProtoField[];
  readonly options: readonly ProtoOption[];
}

/** A proto2 group: wire keeps it apart from fields and Confluent's diff ignores it. */
export interface ProtoGroup {
  readonly label: Label;
  readonly name: string;
  readonly tag: number;
  readonly fields: readonly ProtoField[];
}

export interface ProtoMessage {
  readonly kind: 'message';
  readonly name: string;
  /** Top-level fields only, in declaration order (group fields excluded). */
  readonly fields: readonly ProtoField[];
  readonly oneofs: readonly ProtoOneof[];
  readonly groups: readonly ProtoGroup[];
  readonly nested: readonly ProtoTypeElement[];
  readonly options: readonly ProtoOption[];
  /** One entry list per `reserved` statement, as written. */
  readonly reserved: ReadonlyArray<readonly RangeEntry[]>;
  readonly extensions: ReadonlyArray<readonly RangeEntry[]>;
  readonly extendBlocks: readonly ProtoExtend[];
}

export interface ProtoEnumConstant {
  readonly name: string;
  readonly tag: number;
  readonly options: readonly ProtoOption[];
}

export interface ProtoEnum {
  readonly kind: 'enum';
  readonly name: string;
  readonly constants: readonly ProtoEnumConstant[];
  readonly options: readonly ProtoOption[];
  readonly reserved: ReadonlyArray<readonly RangeEntry[]>;
  readonly nested: readonly ProtoTypeElement[];
}

export type ProtoTypeElement = ProtoMessage | ProtoEnum;

export interface ProtoExtend {
  readonly name: string;
  readonly fields: readonly ProtoField[];
}

export interface ProtoRpc {
  readonly name: string;
  readonly requestType: string;
  readonly responseType: string;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
  readonly options: readonly ProtoOption[];
}

export interface ProtoService {
  readonly name: string;
  readonly rpcs: readonly ProtoRpc[];
  readonly options: readonly ProtoOption[];
}

export interface ProtoFile {
  /** As declared; null when the file has no `syntax` statement (wire's view). */
  readonly syntax: 'proto2' | 'proto3' | null;
  readonly packageName: string | null;
  readonly imports: readonly string[];
  readonly publicImports: readonly string[];
  readonly options: readonly ProtoOption[];
  readonly types: readonly ProtoTypeElement[];
  readonly extendBlocks: readonly ProtoExtend[];
  readonly services: readonly ProtoService[];
}

/** Drops comments, for the few statements read with regular expressions. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

function readSyntax(text: string): 'proto2' | 'proto3' | null {
  const m = /^\s*syntax\s*=\s*["'](proto[23])["']\s*;/m.exec(text);
  return m === null ? null : (m[1] as 'proto2' | 'proto3');
}

function readImports(text: string): { imports: string[]; publicImports: string[] } {
  const imports: string[] = [];
  const publicImports: string[] = [];
  for (const m of text.matchAll(/(?:^|[;\s])import\s+(public\s+|weak\s+)?["']([^"']+)["']\s*;/g)) {
    if (m[1]?.trim() === 'public') publicImports.push(m[2]!);
    else imports.push(m[2]!);
  }
  return { imports, publicImports };
}

/**
 * Options in declaration order, with the names and values read from the text (the entries
 * protobufjs holds are dummies standing for them, see source-scan.ts).
 */
function optionsFrom(record: Record<string, unknown> | undefined, scan: ScannedSource): ProtoOption[] {
  const out: ProtoOption[] = [];
  for (const [name, raw] of Object.entries(record ?? {})) {
    const option = scannedOption(scan, name, raw);
    // Anything else was set by protobufjs itself (e.g. proto3_optional), not written.
    if (option !== undefined) out.push(option);
  }
  return out;
}

function labelOf(field: protobuf.Field, syntax: 'proto2' | 'proto3' | null, inOneof: boolean): Label {
  if (field instanceof protobuf.MapField) return null;
  // `rule` is set by the parser but missing from protobufjs' typings.
  const rule = (field as unknown as { rule?: string }).rule;
  if (rule === 'repeated') return 'repeated';
  if (rule === 'required') return 'required';
  if (inOneof) return null;
  if (syntax !== 'proto3') return 'optional';
  return field.options?.['proto3_optional'] === true ? 'optional' : null;
}

function fieldOf(field: protobuf.Field, syntax: 'proto2' | 'proto3' | null, inOneof: boolean, x: ScannedSource): ProtoField {
  const options = optionsFrom(field.options, x);
  return {
    name: field.name,
    tag: field.id,
    type: field.type,
    mapKey: field instanceof protobuf.MapField ? field.keyType : null,
    label: labelOf(field, syntax, inOneof),
    options,
  };
}

/** A proto3 `optional` field is wrapped by protobufjs in a one-member synthetic oneof. */
function isSyntheticOneof(oneof: protobuf.OneOf): boolean {
  return oneof.fieldsArray.length === 1 && oneof.fieldsArray[0]!.options?.['proto3_optional'] === true;
}

function extendsOf(nested: readonly protobuf.ReflectionObject[], syntax: 'proto2' | 'proto3' | null, x: ScannedSource): ProtoExtend[] {
  const blocks = new Map<string, ProtoField[]>();
  for (const obj of nested) {
    if (obj instanceof protobuf.Field && typeof obj.extend === 'string') {
      const list = blocks.get(obj.extend) ?? [];
      list.push(fieldOf(obj, syntax, false, x));
      blocks.set(obj.extend, list);
    }
  }
  return [...blocks].map(([name, fields]) => ({ name, fields }));
}

/** protobufjs turns a group into a nested type flagged `group` plus a field naming it. */
function isGroupType(obj: protobuf.ReflectionObject): obj is protobuf.Type {
  return obj instanceof protobuf.Type && (obj as unknown as { group?: boolean }).group === true;
}

function typesOf(nested: readonly protobuf.ReflectionObject[], syntax: 'proto2' | 'proto3' | null, x: ScannedSource, path: string): ProtoTypeElement[] {
  const out: ProtoTypeElement[] = [];
  for (const obj of nested) {
    if (isGroupType(obj)) continue;
    if (obj instanceof protobuf.Type) out.push(messageOf(obj, syntax, x, path === '' ? obj.name : `${path}.${obj.name}`));
    else if (obj instanceof protobuf.Enum) out.push(enumOf(obj, x, path === '' ? obj.name : `${path}.${obj.name}`));
  }
  return out;
}

function messageOf(type: protobuf.Type, syntax: 'proto2' | 'proto3' | null, x: ScannedSource, path: string): ProtoMessage {
  const realOneofs = type.oneofsArray.filter((o) => !isSyntheticOneof(o));
  const inRealOneof = new Set(realOneofs.flatMap((o) => o.fieldsArray));
  const groupTypes = new Map(type.nestedArray.filter(isGroupType).map((g) => [g.name, g] as const));
  // protobufjs also lists extension fields declared elsewhere for this type ("sister"
  // fields, with a declaringField); wire keeps those only in their `extend` block.
  const ownFields = type.fieldsArray.filter((f) => (f as unknown as { declaringField?: unknown }).declaringField == null);
  const groupFields = ownFields.filter((f) => groupTypes.has(f.type));
  return {
    kind: 'message',
    name: type.name,
    fields: ownFields.filter((f) => !inRealOneof.has(f) && !groupTypes.has(f.type)).map((f) => fieldOf(f, syntax, false, x)),
    groups: groupFields.map((f) => ({
      label: labelOf(f, syntax, false),
      name: f.type,
      tag: f.id,
      fields: groupTypes.get(f.type)!.fieldsArray.map((gf) => fieldOf(gf, syntax, false, x)),
    })),
    oneofs: realOneofs.map((o) => ({
      name: o.name,
      fields: o.fieldsArray.map((f) => fieldOf(f, syntax, true, x)),
      options: optionsFrom(o.options, x),
    })),
    nested: typesOf(type.nestedArray, syntax, x, path),
    options: optionsFrom(type.options, x),
    reserved: x.reserved.get(path) ?? [],
    extensions: x.extensions.get(path) ?? [],
    extendBlocks: extendsOf(type.nestedArray, syntax, x),
  };
}

function enumOf(en: protobuf.Enum, x: ScannedSource, path: string): ProtoEnum {
  const valueOptions = (en.valuesOptions ?? {}) as Record<string, Record<string, unknown>>;
  return {
    kind: 'enum',
    name: en.name,
    constants: Object.entries(en.values).map(([name, tag]) => ({
      name,
      tag,
      options: optionsFrom(valueOptions[name], x),
    })),
    options: optionsFrom(en.options, x),
    reserved: x.reserved.get(path) ?? [],
    nested: [],
  };
}

function serviceOf(service: protobuf.Service, x: ScannedSource): ProtoService {
  return {
    name: service.name,
    options: optionsFrom(service.options, x),
    rpcs: service.methodsArray.map((m) => ({
      name: m.name,
      requestType: m.requestType,
      responseType: m.responseType,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      options: optionsFrom(m.options, x),
    })),
  };
}

/**
 * Parses one `.proto` text into the wire-like model.
 * @throws Error (protobufjs' own, with its line number) when the text does not parse;
 *   WorkBudgetExceededError when its estimated cost (parse-cost.ts) is over the budget.
 */
export function readProtoFile(text: string): ProtoFile {
  const x = scanSource(text);
  spendWork(estimateProtobufParseCost(x.text));
  const result = protobuf.parse(x.text, { keepCase: true, alternateCommentMode: false });
  // Option values are placeholders in the scanned text, so no `//` inside a string can be
  // taken for a comment here.
  const clean = stripComments(x.text);
  const syntax = readSyntax(clean);
  const packageName = result.package ?? null;
  const scope = packageName === null ? result.root : result.root.lookup(packageName);
  const nested = scope instanceof protobuf.Namespace ? scope.nestedArray : [];
  const { imports, publicImports } = readImports(clean);
  return {
    syntax,
    packageName,
    imports,
    publicImports,
    options: scope instanceof protobuf.Namespace ? optionsFrom(scope.options, x) : [],
    types: typesOf(nested, syntax, x, ''),
    extendBlocks: extendsOf(nested, syntax, x),
    services: nested.filter((n): n is protobuf.Service => n instanceof protobuf.Service).map((svc) => serviceOf(svc, x)),
  };
}
