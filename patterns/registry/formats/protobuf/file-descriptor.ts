/**
 * Schema text given as a base64 `FileDescriptorProto`, and the same form back
 * (`format=serialized`). Confluent's parser falls back to this form when the text is not
 * `.proto` source, and Confluent's JavaScript serdes register and fetch schemas only in it.
 *
 * Decoding turns the descriptor into `.proto` text the way Confluent's `toProtoFile` reads a
 * descriptor (labels from the syntax, map entries back to `map<K, V>`, proto3 `optional` from
 * `proto3_optional`, `json_name` kept when present, defaults only for proto2), and the text
 * then goes through the ordinary parser. Encoding builds a descriptor from the parsed model
 * with fully qualified type names. Custom options are not carried either way.
 */
import descriptorModule from 'protobufjs/ext/descriptor/index.js';
import type { ProtobufModel } from './protobuf-model.js';
import type { ProtoEnum, ProtoField, ProtoMessage, ProtoTypeElement, RangeEntry } from './proto-model.js';
import { isScalarType } from './scalar-types.js';
import { resolveTypeName } from './type-index.js';

type Obj = Record<string, unknown>;
// The descriptor module's typings only say "Type"; these are the calls used here.
interface DescriptorType {
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Obj): Obj;
  fromObject(object: Obj): unknown;
  encode(message: unknown): { finish(): Uint8Array };
}
const FileDescriptorProto = (descriptorModule as unknown as { FileDescriptorProto: DescriptorType }).FileDescriptorProto;

const q = (s: string): string => JSON.stringify(s);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function scalarName(type: string): string {
  return type.replace(/^TYPE_/, '').toLowerCase();
}

/** Standard file options carried both ways, in the order Confluent prints them. */
const FILE_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['javaPackage', 'java_package'], ['javaOuterClassname', 'java_outer_classname'], ['javaMultipleFiles', 'java_multiple_files'],
  ['javaStringCheckUtf8', 'java_string_check_utf8'], ['optimizeFor', 'optimize_for'], ['goPackage', 'go_package'],
  ['deprecated', 'deprecated'], ['ccEnableArenas', 'cc_enable_arenas'], ['objcClassPrefix', 'objc_class_prefix'],
  ['csharpNamespace', 'csharp_namespace'], ['swiftPrefix', 'swift_prefix'], ['phpClassPrefix', 'php_class_prefix'],
  ['phpNamespace', 'php_namespace'], ['phpMetadataNamespace', 'php_metadata_namespace'], ['rubyPackage', 'ruby_package'],
];

/** `.proto` text for base64 FileDescriptorProto text, or null when the text is not one. */
export function descriptorToProtoText(text: string): string | null {
  const compact = text.replace(/\s+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 !== 0) return null;
  let fd: Obj;
  try {
    fd = FileDescriptorProto.toObject(FileDescriptorProto.decode(Buffer.from(compact, 'base64')), { enums: String, longs: Number, defaults: false });
  } catch {
    return null;
  }
  if (arr(fd['messageType']).length === 0 && arr(fd['enumType']).length === 0 && arr(fd['service']).length === 0 && fd['package'] === undefined) return null;
  const proto3 = fd['syntax'] === 'proto3';
  const out: string[] = [];
  if (fd['syntax'] === 'proto3' || fd['syntax'] === 'proto2') out.push(`syntax = ${q(fd['syntax'] as string)};`);
  if (typeof fd['package'] === 'string' && fd['package'] !== '') out.push(`package ${fd['package'] as string};`);
  const deps = (fd['dependency'] as string[] | undefined) ?? [];
  const pub = new Set((fd['publicDependency'] as number[] | undefined) ?? []);
  const weak = new Set((fd['weakDependency'] as number[] | undefined) ?? []);
  deps.forEach((d, i) => out.push(`import ${pub.has(i) ? 'public ' : weak.has(i) ? 'weak ' : ''}${q(d)};`));
  const fo = (fd['options'] ?? {}) as Obj;
  for (const [key, name] of FILE_OPTIONS) {
    const v = fo[key];
    if (v === undefined) continue;
    out.push(`option ${name} = ${typeof v === 'string' && key !== 'optimizeFor' ? q(v) : String(v)};`);
  }

  const fieldLine = (f: Obj, inOneof: boolean, mapEntries: Map<string, Obj>): string => {
    const typeName = f['typeName'] as string | undefined;
    const entry = typeName === undefined ? undefined : mapEntries.get(typeName.split('.').pop()!);
    let type: string;
    let label = '';
    if (entry !== undefined) {
      const [k, v] = [arr(entry['field']).find((x) => x['number'] === 1)!, arr(entry['field']).find((x) => x['number'] === 2)!];
      const t = (x: Obj): string => (x['typeName'] as string | undefined) ?? scalarName(x['type'] as string);
      type = `map<${t(k)}, ${t(v)}>`;
    } else {
      type = typeName ?? scalarName(f['type'] as string);
      if (!inOneof) {
        if (f['proto3Optional'] === true) label = 'optional ';
        else if (f['label'] === 'LABEL_REPEATED') label = 'repeated ';
        else if (!proto3) label = f['label'] === 'LABEL_REQUIRED' ? 'required ' : 'optional ';
      }
    }
    const opts: string[] = [];
    const fopts = (f['options'] ?? {}) as Obj;
    if (fopts['packed'] !== undefined) opts.push(`packed = ${String(fopts['packed'])}`);
    if (fopts['deprecated'] !== undefined) opts.push(`deprecated = ${String(fopts['deprecated'])}`);
    if (!proto3 && typeof f['defaultValue'] === 'string') {
      const d = f['defaultValue'];
      opts.push(`default = ${f['type'] === 'TYPE_STRING' || f['type'] === 'TYPE_BYTES' ? q(d) : d}`);
    }
    if (typeof f['jsonName'] === 'string') opts.push(`json_name = ${q(f['jsonName'])}`);
    return `${label}${type} ${f['name'] as string} = ${f['number'] as number}${opts.length > 0 ? ` [${opts.join(', ')}]` : ''};`;
  };

  const ranges = (list: Obj[], exclusiveEnd: boolean): string =>
    list.map((r) => {
      const start = r['start'] as number;
      const end = (r['end'] as number) - (exclusiveEnd ? 1 : 0);
      return start === end ? String(start) : `${start} to ${end >= 536870911 ? 'max' : end}`;
    }).join(', ');

  const enumText = (e: Obj): string => {
    const body: string[] = [];
    if (((e['options'] ?? {}) as Obj)['allowAlias'] === true) body.push('option allow_alias = true;');
    if (arr(e['reservedRange']).length > 0) body.push(`reserved ${ranges(arr(e['reservedRange']), false)};`);
    const names = (e['reservedName'] as string[] | undefined) ?? [];
    if (names.length > 0) body.push(`reserved ${names.map(q).join(', ')};`);
    for (const v of arr(e['value'])) body.push(`${v['name'] as string} = ${v['number'] as number}${((v['options'] ?? {}) as Obj)['deprecated'] === true ? ' [deprecated = true]' : ''};`);
    return `enum ${e['name'] as string} { ${body.join(' ')} }`;
  };

  const messageText = (m: Obj): string => {
    const mapEntries = new Map<string, Obj>();
    for (const n of arr(m['nestedType'])) if (((n['options'] ?? {}) as Obj)['mapEntry'] === true) mapEntries.set(n['name'] as string, n);
    const fields = arr(m['field']);
    const oneofs = arr(m['oneofDecl']);
    // A oneof holding only a proto3 `optional` field is synthetic.
    const synthetic = new Set(oneofs.map((_, i) => i).filter((i) => fields.filter((f) => f['oneofIndex'] === i).every((f) => f['proto3Optional'] === true)));
    const body: string[] = [];
    if (arr(m['reservedRange']).length > 0) body.push(`reserved ${ranges(arr(m['reservedRange']), true)};`);
    const names = (m['reservedName'] as string[] | undefined) ?? [];
    if (names.length > 0) body.push(`reserved ${names.map(q).join(', ')};`);
    if (((m['options'] ?? {}) as Obj)['deprecated'] === true) body.push('option deprecated = true;');
    for (const f of fields) {
      const idx = f['oneofIndex'] as number | undefined;
      if (idx === undefined || synthetic.has(idx)) body.push(fieldLine(f, false, mapEntries));
    }
    oneofs.forEach((o, i) => {
      if (synthetic.has(i)) return;
      body.push(`oneof ${o['name'] as string} { ${fields.filter((f) => f['oneofIndex'] === i).map((f) => fieldLine(f, true, mapEntries)).join(' ')} }`);
    });
    if (arr(m['extensionRange']).length > 0) body.push(`extensions ${ranges(arr(m['extensionRange']), true)};`);
    for (const n of arr(m['nestedType'])) if (!mapEntries.has(n['name'] as string)) body.push(messageText(n));
    for (const e of arr(m['enumType'])) body.push(enumText(e));
    return `message ${m['name'] as string} { ${body.join(' ')} }`;
  };

  for (const m of arr(fd['messageType'])) out.push(messageText(m));
  for (const e of arr(fd['enumType'])) out.push(enumText(e));
  for (const s of arr(fd['service'])) {
    const methods = arr(s['method']).map((m) => `rpc ${m['name'] as string} (${m['clientStreaming'] === true ? 'stream ' : ''}${m['inputType'] as string}) returns (${m['serverStreaming'] === true ? 'stream ' : ''}${m['outputType'] as string});`);
    out.push(`service ${s['name'] as string} { ${methods.join(' ')} }`);
  }
  return `${out.join('\n')}\n`;
}

const LABELS: Record<string, string> = { repeated: 'LABEL_REPEATED', required: 'LABEL_REQUIRED' };

function camel(name: string): string {
  return name.split('_').map((p) => (p === '' ? '' : p[0]!.toUpperCase() + p.slice(1))).join('');
}

/** The base64 FileDescriptorProto of a parsed schema (Confluent's `format=serialized`). */
export function protoModelToDescriptorBase64(model: ProtobufModel, fileName = 'schema.proto'): string {
  const file = model.file;
  const pkg = file.packageName ?? '';
  const proto3 = file.syntax === 'proto3';

  const typeOf = (name: string, scope: string[]): { type: string; typeName?: string } => {
    if (isScalarType(name)) return { type: `TYPE_${name.toUpperCase()}` };
    const full = resolveTypeName(model.index, name, pkg, scope);
    const element = full === null ? undefined : model.index.get(full)?.element;
    return { type: element?.kind === 'enum' ? 'TYPE_ENUM' : 'TYPE_MESSAGE', typeName: full === null ? name : `.${full}` };
  };

  const optionValue = (f: ProtoField, name: string): string | undefined => {
    const o = f.options.find((x) => x.name === name)?.value;
    if (o === undefined) return undefined;
    return o.kind === 'string' ? o.value : o.kind === 'map' || o.kind === 'list' ? undefined : o.text;
  };

  const enumObj = (e: ProtoEnum): Obj => ({
    name: e.name,
    value: e.constants.map((c) => ({ name: c.name, number: c.tag })),
    ...(e.options.some((o) => o.name === 'allow_alias') ? { options: { allowAlias: true } } : {}),
  });

  const messageObj = (m: ProtoMessage, scope: string[]): Obj => {
    const inner = [...scope, m.name];
    const fields: Obj[] = [];
    const nested: Obj[] = [];
    const oneofDecl: Obj[] = m.oneofs.map((o) => ({ name: o.name }));
    const syntheticOneofs: Obj[] = [];
    const fieldObj = (f: ProtoField, oneofIndex?: number): Obj => {
      const base: Obj = { name: f.name, number: f.tag };
      const json = optionValue(f, 'json_name');
      if (json !== undefined) base['jsonName'] = json;
      const deflt = optionValue(f, 'default');
      if (deflt !== undefined && !proto3) base['defaultValue'] = deflt;
      const packed = optionValue(f, 'packed');
      const deprecated = optionValue(f, 'deprecated');
      if (packed !== undefined || deprecated !== undefined) base['options'] = { ...(packed !== undefined ? { packed: packed === 'true' } : {}), ...(deprecated !== undefined ? { deprecated: deprecated === 'true' } : {}) };
      if (f.mapKey !== null) {
        const entryName = `${camel(f.name)}Entry`;
        nested.push({
          name: entryName,
          field: [
            { name: 'key', number: 1, label: 'LABEL_OPTIONAL', ...typeOf(f.mapKey, inner) },
            { name: 'value', number: 2, label: 'LABEL_OPTIONAL', ...typeOf(f.type, inner) },
          ],
          options: { mapEntry: true },
        });
        return { ...base, label: 'LABEL_REPEATED', type: 'TYPE_MESSAGE', typeName: `.${[pkg, ...inner, entryName].filter((x) => x !== '').join('.')}` };
      }
      const obj: Obj = { ...base, label: LABELS[f.label ?? ''] ?? 'LABEL_OPTIONAL', ...typeOf(f.type, inner) };
      if (oneofIndex !== undefined) obj['oneofIndex'] = oneofIndex;
      else if (proto3 && f.label === 'optional') {
        // proto3 `optional` is a synthetic oneof `_name` placed after the real ones.
        obj['proto3Optional'] = true;
        obj['oneofIndex'] = oneofDecl.length + syntheticOneofs.length;
        syntheticOneofs.push({ name: `_${f.name}` });
      }
      return obj;
    };
    for (const f of m.fields) fields.push(fieldObj(f));
    m.oneofs.forEach((o, i) => o.fields.forEach((f) => fields.push(fieldObj(f, i))));
    const types = (list: readonly ProtoTypeElement[]): void => {
      for (const t of list) if (t.kind === 'message') nested.push(messageObj(t, inner));
    };
    types(m.nested);
    // Descriptor ranges have an exclusive end.
    const rangeObjs = (statements: ReadonlyArray<readonly RangeEntry[]>): Obj[] =>
      statements.flat().filter((e): e is number | readonly [number, number | 'max'] => typeof e !== 'string').map((e) => {
        const [start, end] = typeof e === 'number' ? [e, e] : e;
        return { start, end: (end === 'max' ? 536870911 : end) + 1 };
      });
    const reservedName = m.reserved.flat().filter((e): e is string => typeof e === 'string');
    return {
      name: m.name,
      ...(m.reserved.length > 0 ? { reservedRange: rangeObjs(m.reserved), reservedName } : {}),
      ...(m.extensions.length > 0 ? { extensionRange: rangeObjs(m.extensions) } : {}),
      field: fields.sort((a, b) => (a['number'] as number) - (b['number'] as number)),
      nestedType: nested,
      enumType: m.nested.filter((t): t is ProtoEnum => t.kind === 'enum').map(enumObj),
      oneofDecl: [...oneofDecl, ...syntheticOneofs],
    };
  };

  const obj: Obj = {
    name: fileName,
    dependency: [...file.imports, ...file.publicImports],
    publicDependency: file.publicImports.map((_, i) => file.imports.length + i),
    messageType: file.types.filter((t): t is ProtoMessage => t.kind === 'message').map((m) => messageObj(m, [])),
    enumType: file.types.filter((t): t is ProtoEnum => t.kind === 'enum').map(enumObj),
    service: file.services.map((s) => ({
      name: s.name,
      method: s.rpcs.map((r) => ({
        name: r.name,
        inputType: typeOf(r.requestType, []).typeName ?? r.requestType,
        outputType: typeOf(r.responseType, []).typeName ?? r.responseType,
        ...(r.requestStream ? { clientStreaming: true } : {}),
        ...(r.responseStream ? { serverStreaming: true } : {}),
      })),
    })),
  };
  const options: Obj = {};
  for (const [key, name] of FILE_OPTIONS) {
    const o = file.options.find((x) => x.name === name)?.value;
    if (o === undefined) continue;
    if (o.kind === 'string') options[key] = o.value;
    else if (o.kind === 'bool') options[key] = o.text === 'true';
    else if (o.kind === 'enum') options[key] = o.text;
  }
  if (Object.keys(options).length > 0) obj['options'] = options;
  if (pkg !== '') obj['package'] = pkg;
  if (file.syntax !== null) obj['syntax'] = file.syntax;
  return Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject(obj)).finish()).toString('base64');
}
