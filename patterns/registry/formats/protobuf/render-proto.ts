/**
 * Prints a parsed file as the `.proto` text Confluent stores and returns
 * (`ProtobufSchemaUtils.toString`, confluent-sr-api.md §3.2), and its `normalize=true` form.
 *
 * Layout follows Confluent's printer: syntax and package lines, a blank line before imports,
 * options and the type block; inside a message: reserved, options, fields, oneofs, nested
 * messages then nested enums, each group after a blank line; two-space indent; one option
 * in brackets on the line, several on their own lines. Comments are not kept.
 *
 * Known gaps (protobufjs does not keep them): a `reserved`/`extensions` statement list is
 * printed as one statement, `5 to 5` prints as `5`, and a group's own options and nested
 * types are not printed. Option values are printed from our own reading of the text
 * (option-values.ts), so their kinds and number spellings are kept.
 */
import type { ProtobufModel } from './parse-protobuf.js';
import type { OptionValue } from './option-values.js';
import { OptionNormalizer } from './normalize-options.js';
import type { ProtoEnum, ProtoExtend, ProtoField, ProtoMessage, ProtoOneof, ProtoOption, ProtoService, RangeEntry } from './proto-model.js';
import { isScalarType } from './scalar-types.js';
import { resolveTypeName, type TypeIndex } from './type-index.js';

const MAX_TAG = 536_870_911;

export function escapeProtoString(input: string): string {
  let out = '';
  for (const ch of input) {
    switch (ch) {
      case '\u0007': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\v': out += '\\v'; break;
      case '\\': out += '\\\\'; break;
      case "'": out += "\\'"; break;
      case '"': out += '\\"'; break;
      default: out += ch;
    }
  }
  return out;
}

/**
 * Confluent's normalizer prints numbers through a default `DecimalFormat`: no grouping, at
 * most three fraction digits (`1.0` → `1`); what does not parse (`inf`, `nan`) stays.
 */
function normalizedNumber(text: string): string {
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : text;
  return n.toFixed(3).replace(/\.?0+$/, '');
}

function indent(text: string): string {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `  ${l}\n`).join('');
}

class Printer {
  private readonly scope: string[] = [];
  private readonly optionNormalizer: OptionNormalizer;

  constructor(
    private readonly model: ProtobufModel,
    private readonly normalize: boolean,
  ) {
    this.optionNormalizer = new OptionNormalizer(model, () => this.scope);
  }

  private get index(): TypeIndex {
    return this.model.index;
  }

  private get packageName(): string {
    return this.model.file.packageName ?? '';
  }

  /** Under normalize, named types print fully qualified with a leading dot. */
  private typeName(name: string): string {
    if (!this.normalize || isScalarType(name)) return name;
    const full = resolveTypeName(this.index, name, this.packageName, this.scope);
    return full === null ? name : `.${full}`;
  }

  /** An option value as Confluent prints it (`formatOptionMapOrListValue`). */
  private value(v: OptionValue): string {
    switch (v.kind) {
      case 'string': return `"${escapeProtoString(v.value)}"`;
      case 'map': return `{\n${this.map(v.entries)}}`;
      case 'list': {
        // Normalized form prints a one-element list as its element.
        if (this.normalize && v.items.length === 1) return this.value(v.items[0]!);
        return `[\n${v.items.map((x, i) => indent(this.value(x) + (i < v.items.length - 1 ? ',' : ''))).join('')}]`;
      }
      case 'number': return this.normalize ? normalizedNumber(v.text) : v.text;
      default: return v.text;
    }
  }

  private map(entries: ReadonlyArray<readonly [string, OptionValue]>): string {
    let list = [...entries];
    if (this.normalize) {
      // Extension keys `[name]` are qualified, empty lists dropped, keys sorted.
      list = list
        .filter(([, v]) => v.kind !== 'list' || v.items.length > 0)
        .map(([k, v]): [string, OptionValue] => {
          const ext = /^\[(.+)\]$/.exec(k);
          const full = ext === null ? null : this.optionNormalizer.resolveExtension(ext[1]!);
          return [full === null ? k : `[${full}]`, v];
        })
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    }
    return list.map(([k, v], i) => indent(`${k}: ${this.value(v)}${i < list.length - 1 ? ',' : ''}`)).join('');
  }

  private options(list: readonly ProtoOption[]): ProtoOption[] {
    return this.normalize ? this.optionNormalizer.normalize(list) : [...list];
  }

  private option(o: ProtoOption): string {
    // A list set directly on an option prints like a field's option list: one element
    // inline in brackets, several one per line (Confluent's appendOptions).
    if (o.value.kind === 'list') {
      const items = o.value.items;
      if (items.length === 1) return `${o.name} = [${this.value(items[0]!)}]`;
      return `${o.name} = [\n${items.map((x, i) => indent(this.value(x) + (i < items.length - 1 ? ',' : ''))).join('')}]`;
    }
    return `${o.name} = ${this.value(o.value)}`;
  }

  private optionStatement(o: ProtoOption): string {
    return `option ${this.option(o)};\n`;
  }

  /** `[a = 1]` for one option, one per line for several (Confluent's appendOptions). */
  private inlineOptions(list: readonly ProtoOption[]): string {
    if (list.length === 0) return '';
    if (list.length === 1) return ` [${this.option(list[0]!)}]`;
    return ` [\n${list.map((o, i) => indent(this.option(o) + (i < list.length - 1 ? ',' : ''))).join('')}]`;
  }

  /**
   * `reserved` / `extensions` statements: one line per statement as written; normalized, one
   * line per entry sorted by start, with `n to n` printed as `n`.
   */
  private ranges(keyword: string, statements: ReadonlyArray<readonly RangeEntry[]>): string {
    const fmt = (e: RangeEntry): string => {
      if (typeof e === 'string') return `"${e}"`;
      if (typeof e === 'number') return String(e);
      const [start, end] = e;
      if (this.normalize && start === end) return String(start);
      return `${start} to ${end === 'max' || end >= MAX_TAG ? 'max' : end}`;
    };
    if (!this.normalize) return statements.map((entries) => `${keyword} ${entries.map(fmt).join(', ')};\n`).join('');
    const start = (e: RangeEntry): number => (typeof e === 'string' ? Number.MAX_SAFE_INTEGER : typeof e === 'number' ? e : e[0]);
    return statements
      .flat()
      .sort((a, b) => start(a) - start(b) || (fmt(a) < fmt(b) ? -1 : fmt(a) > fmt(b) ? 1 : 0))
      .map((e) => `${keyword} ${fmt(e)};\n`)
      .join('');
  }

  private field(f: ProtoField): string {
    const type = f.mapKey === null ? this.typeName(f.type) : `map<${f.mapKey}, ${this.typeName(f.type)}>`;
    const label = f.label === null ? '' : `${f.label} `;
    // `default` and `json_name` are written like options but printed after the real ones.
    const special = f.options.filter((o) => o.name === 'default' || o.name === 'json_name');
    const ordinary = this.options(f.options.filter((o) => o.name !== 'default' && o.name !== 'json_name'));
    const all = [...ordinary, ...special.filter((o) => o.name === 'default'), ...special.filter((o) => o.name === 'json_name')];
    return `${label}${type} ${f.name} = ${f.tag}${this.inlineOptions(this.normalize ? this.options(all) : all)};\n`;
  }

  private oneof(o: ProtoOneof): string {
    let s = `oneof ${o.name} {`;
    const opts = this.options(o.options);
    if (opts.length > 0) s += `\n${opts.map((x) => indent(this.optionStatement(x))).join('')}`;
    const fields = this.normalize ? [...o.fields].sort((a, b) => a.tag - b.tag) : o.fields;
    if (fields.length > 0) s += `\n${fields.map((f) => indent(this.field(f))).join('')}`;
    return `${s}}\n`;
  }

  private extend(e: ProtoExtend): string {
    const fields = this.normalize ? [...e.fields].sort((a, b) => a.tag - b.tag) : e.fields;
    const name = this.typeName(e.name);
    return `extend ${name} {${fields.length > 0 ? `\n${fields.map((f) => indent(this.field(f))).join('')}` : ''}}\n`;
  }

  /** Normalized, blocks extending the same (resolved) type are printed as one. */
  private extendBlocks(blocks: readonly ProtoExtend[]): readonly ProtoExtend[] {
    if (!this.normalize) return blocks;
    const merged = new Map<string, ProtoField[]>();
    for (const b of blocks) {
      const key = this.typeName(b.name);
      merged.set(key, [...(merged.get(key) ?? []), ...b.fields]);
    }
    return [...merged].map(([name, fields]) => ({ name, fields }));
  }

  private enumType(e: ProtoEnum): string {
    let s = `enum ${e.name} {`;
    if (e.reserved.length > 0) s += `\n${indent(this.ranges('reserved', e.reserved))}`;
    const opts = this.options(e.options);
    if (e.reserved.length === 0 && (e.options.length > 0 || e.constants.length > 0)) s += '\n';
    s += opts.map((o) => indent(this.optionStatement(o))).join('');
    const constants = this.normalize ? [...e.constants].sort((a, b) => a.tag - b.tag || (a.name < b.name ? -1 : 1)) : e.constants;
    s += constants.map((c) => indent(`${c.name} = ${c.tag}${this.inlineOptions(this.options(c.options))};\n`)).join('');
    return `${s}}\n`;
  }

  private message(m: ProtoMessage): string {
    let s = `message ${m.name} {`;
    if (m.reserved.length > 0) s += `\n${indent(this.ranges('reserved', m.reserved))}`;
    const opts = this.options(m.options);
    if (opts.length > 0) s += `\n${opts.map((o) => indent(this.optionStatement(o))).join('')}`;
    if (m.fields.length > 0) {
      const fields = this.normalize ? [...m.fields].sort((a, b) => a.tag - b.tag) : m.fields;
      s += `\n${fields.map((f) => indent(this.field(f))).join('')}`;
    }
    let oneofs = m.oneofs;
    if (this.normalize) oneofs = oneofs.filter((o) => o.fields.length > 0).sort((a, b) => Math.min(...a.fields.map((f) => f.tag)) - Math.min(...b.fields.map((f) => f.tag)));
    if (oneofs.length > 0) s += `\n${oneofs.map((o) => indent(this.oneof(o))).join('')}`;
    if (m.groups.length > 0) {
      const groups = this.normalize ? [...m.groups].sort((a, b) => a.tag - b.tag) : m.groups;
      s += `\n${groups.map((g) => indent(`${g.label === null ? '' : `${g.label} `}group ${g.name} = ${g.tag} {${g.fields.length > 0 ? `\n${g.fields.map((f) => indent(this.field(f))).join('')}` : ''}}\n`)).join('')}`;
    }
    if (m.extensions.length > 0) s += `\n${indent(this.ranges('extensions', m.extensions))}`;
    if (m.extendBlocks.length > 0) s += `\n${this.extendBlocks(m.extendBlocks).map((e) => indent(this.extend(e))).join('')}`;
    s += this.types(m.nested, true);
    return `${s}}\n`;
  }

  /** Messages first, then enums; their relative order is kept (message indexes depend on it). */
  private types(types: readonly (ProtoMessage | ProtoEnum)[], nested: boolean): string {
    if (types.length === 0) return '';
    const wrap = nested ? indent : (x: string): string => x;
    const inScope = (name: string, fn: () => string): string => {
      this.scope.push(name);
      try {
        return fn();
      } finally {
        this.scope.pop();
      }
    };
    let s = '\n';
    for (const t of types) if (t.kind === 'message') s += wrap(inScope(t.name, () => this.message(t)));
    for (const t of types) if (t.kind === 'enum') s += wrap(inScope(t.name, () => this.enumType(t)));
    return s;
  }

  private service(svc: ProtoService): string {
    let s = `service ${svc.name} {`;
    const opts = this.options(svc.options);
    if (opts.length > 0) s += `\n${opts.map((o) => indent(this.optionStatement(o))).join('')}`;
    if (svc.rpcs.length > 0) {
      s += '\n';
      for (const rpc of svc.rpcs) {
        let r = `rpc ${rpc.name} (${rpc.requestStream ? 'stream ' : ''}${this.typeName(rpc.requestType)}) returns (${rpc.responseStream ? 'stream ' : ''}${this.typeName(rpc.responseType)})`;
        const ro = this.options(rpc.options);
        if (ro.length > 0) r += ` {\n${ro.map((o) => indent(this.optionStatement(o))).join('')}}`;
        s += indent(`${r};\n`);
      }
    }
    return `${s}}\n`;
  }

  print(): string {
    const f = this.model.file;
    let s = '';
    if (f.syntax !== null && (!this.normalize || f.syntax === 'proto3')) s += `syntax = "${f.syntax}";\n`;
    if (f.packageName !== null) s += `package ${f.packageName};\n`;
    if (f.imports.length > 0 || f.publicImports.length > 0) {
      const sortUnique = (xs: readonly string[]): string[] => (this.normalize ? [...new Set(xs)].sort() : [...xs]);
      s += '\n';
      s += sortUnique(f.imports).map((i) => `import "${i}";\n`).join('');
      s += sortUnique(f.publicImports).map((i) => `import public "${i}";\n`).join('');
    }
    const opts = this.options(f.options);
    if (opts.length > 0) s += `\n${opts.map((o) => this.optionStatement(o)).join('')}`;
    s += this.types(f.types, false);
    if (f.extendBlocks.length > 0) s += `\n${this.extendBlocks(f.extendBlocks).map((e) => this.extend(e)).join('')}`;
    if (f.services.length > 0) s += `\n${f.services.map((svc) => this.service(svc)).join('')}`;
    return s;
  }
}

/** Confluent's canonical text for a parsed schema. */
export function renderProto(model: ProtobufModel): string {
  return new Printer(model, false).print();
}

/** The `normalize=true` text: sorted imports/options/fields/constants, qualified type names. */
export function renderNormalizedProto(model: ProtobufModel): string {
  return new Printer(model, true).print();
}
