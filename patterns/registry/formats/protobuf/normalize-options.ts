/**
 * Custom options in `normalize=true` form, as Confluent's normalizer writes them
 * (`ProtobufSchemaUtils.FormatContext.filterOptions`): a custom option name is resolved to
 * the full name of its extension field, a sub-field assignment `(o).a.b = v` becomes the
 * aggregate `(o) = { a: { b: v } }`, options are sorted by name, and several assignments of
 * one non-repeated extension are merged into one aggregate — a singular sub-message merges
 * key by key, a singular scalar keeps the last value, anything else collects a list.
 * A name that does not resolve is left exactly as written, as Confluent leaves it.
 */
import type { OptionValue } from './option-values.js';
import type { ProtobufModel } from './parse-protobuf.js';
import type { ProtoField, ProtoMessage, ProtoOption, ProtoTypeElement } from './proto-model.js';
import { resolveScopedName, resolveTypeName } from './type-index.js';

interface ExtensionInfo {
  readonly field: ProtoField;
}

type MapEntries = ReadonlyArray<readonly [string, OptionValue]>;

/** Every extension field of the import graph, by full name (package + scope + name). */
export function extensionTable(model: ProtobufModel): Map<string, ExtensionInfo> {
  const table = new Map<string, ExtensionInfo>();
  for (const { file } of model.files) {
    const pkg = file.packageName ?? '';
    const add = (scope: string, fields: readonly ProtoField[]): void => {
      for (const field of fields) {
        const path = scope === '' ? field.name : `${scope}.${field.name}`;
        table.set(pkg === '' ? path : `${pkg}.${path}`, { field });
      }
    };
    for (const block of file.extendBlocks) add('', block.fields);
    const walk = (types: readonly ProtoTypeElement[], scope: string): void => {
      for (const t of types) {
        if (t.kind !== 'message') continue;
        const path = scope === '' ? t.name : `${scope}.${t.name}`;
        for (const block of t.extendBlocks) add(path, block.fields);
        walk(t.nested, path);
      }
    };
    walk(file.types, '');
  }
  return table;
}

function valueEquals(a: OptionValue, b: OptionValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class OptionNormalizer {
  private readonly extensions: Map<string, ExtensionInfo>;

  constructor(
    private readonly model: ProtobufModel,
    private readonly scope: () => readonly string[],
  ) {
    this.extensions = extensionTable(model);
  }

  private get pkg(): string {
    return this.model.file.packageName ?? '';
  }

  /** Full name of an extension field named as written, or null. */
  resolveExtension(name: string): string | null {
    return resolveScopedName((n) => this.extensions.has(n), this.extensions.size === 0, name, this.pkg, this.scope());
  }

  private messageType(field: ProtoField | null): ProtoMessage | null {
    if (field === null) return null;
    const full = resolveTypeName(this.model.index, field.type, this.pkg, this.scope());
    const element = full === null ? undefined : this.model.index.get(full)?.element;
    return element?.kind === 'message' ? element : null;
  }

  private findField(message: ProtoMessage, name: string): ProtoField | null {
    return message.fields.find((f) => f.name === name) ?? message.oneofs.flatMap((o) => o.fields).find((f) => f.name === name) ?? null;
  }

  private mergeValues(field: ProtoField | null, a: OptionValue, b: OptionValue): OptionValue {
    const singular = field !== null && field.label !== 'repeated';
    if (singular && a.kind === 'map' && b.kind === 'map' && this.messageType(field) !== null) {
      return { kind: 'map', entries: this.mergeMaps(field, a.entries, b.entries) };
    }
    if (singular) return b;
    const items: OptionValue[] = [];
    for (const v of [...(a.kind === 'list' ? a.items : [a]), ...(b.kind === 'list' ? b.items : [b])]) {
      if (!items.some((x) => valueEquals(x, v))) items.push(v);
    }
    return { kind: 'list', items };
  }

  private mergeMaps(container: ProtoField | null, a: MapEntries, b: MapEntries): MapEntries {
    const type = this.messageType(container);
    const merged = new Map<string, OptionValue>(a);
    for (const [key, value] of b) {
      const existing = merged.get(key);
      merged.set(key, existing === undefined ? value : this.mergeValues(type === null ? null : this.findField(type, key), existing, value));
    }
    return [...merged];
  }

  /** `(name).a.b = v` → `(full) = { a: { b: v } }` when the extension resolves. */
  private transform(option: ProtoOption): { option: ProtoOption; extension: ExtensionInfo | null } {
    const m = /^\(([^)]+)\)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/.exec(option.name);
    if (m === null) return { option, extension: null };
    const full = this.resolveExtension(m[1]!);
    if (full === null) return { option, extension: null };
    let value = option.value;
    for (const segment of m[2]!.split('.').filter((x) => x !== '').reverse()) value = { kind: 'map', entries: [[segment, value]] };
    return { option: { name: `(${full})`, value }, extension: this.extensions.get(full)! };
  }

  normalize(list: readonly ProtoOption[]): ProtoOption[] {
    const transformed = list.map((o) => this.transform(o));
    transformed.sort((x, y) => (x.option.name < y.option.name ? -1 : x.option.name > y.option.name ? 1 : 0));
    const out: ProtoOption[] = [];
    for (let i = 0; i < transformed.length; ) {
      let j = i;
      while (j < transformed.length && transformed[j]!.option.name === transformed[i]!.option.name) j++;
      const group = transformed.slice(i, j);
      const ext = group[0]!.extension;
      if (ext !== null && ext.field.label !== 'repeated') {
        let acc = group[0]!.option;
        for (const next of group.slice(1)) {
          acc = acc.value.kind === 'map' && next.option.value.kind === 'map'
            ? { name: acc.name, value: { kind: 'map', entries: this.mergeMaps(ext.field, acc.value.entries, next.option.value.entries) } }
            : next.option;
        }
        out.push(acc);
      } else {
        out.push(...group.map((g) => g.option));
      }
      i = j;
    }
    return out;
  }
}
