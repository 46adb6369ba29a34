/**
 * Prints an Avro model as Apache Avro's Java `Schema.toString()` does, which is the text
 * Confluent stores and returns (confluent-sr-api.md §3.2): compact JSON, attributes in
 * Java's order, a named type printed in full once and by name afterwards, `namespace`
 * only where it differs from the enclosing record's, and custom properties kept.
 *
 * Known differences: numbers in defaults and properties go through JSON.parse and
 * JSON.stringify, so a default written `1.0` prints as `1` (Jackson keeps `1.0`) and an
 * integer beyond 2^53 loses precision (Jackson keeps it exact).
 */
import type { AvroField, AvroName, AvroNamed, AvroNode, AvroProps } from './avro-model.js';

export interface PrintAvroOptions {
  /**
   * Normalised form (`normalize=true`, confluent-sr-api.md §3.2): every name fully
   * qualified (no `namespace` attribute) and custom properties sorted by key.
   */
  readonly normalized?: boolean;
  /** Full names already known to the reader (referenced schemas): printed by name only. */
  readonly known?: Iterable<string>;
}

/** The canonical (or, with `normalized`, the normalised) text of a model. */
export function printAvro(node: AvroNode, options: PrintAvroOptions = {}): string {
  const printer = new Printer(!!options.normalized, new Set(options.known ?? []));
  return printer.node(node, null);
}

class Printer {
  constructor(
    private readonly normalized: boolean,
    private readonly written: Set<string>,
  ) {}

  node(node: AvroNode, space: string | null): string {
    switch (node.kind) {
      case 'primitive':
        if (node.props.length === 0) return JSON.stringify(node.type);
        return `{"type":${JSON.stringify(node.type)}${this.props(node.props)}}`;
      case 'array':
        return `{"type":"array","items":${this.node(node.items, space)}${this.props(node.props)}}`;
      case 'map':
        return `{"type":"map","values":${this.node(node.values, space)}${this.props(node.props)}}`;
      case 'union':
        return `[${node.branches.map((b) => this.node(b, space)).join(',')}]`;
      default:
        return this.named(node, space);
    }
  }

  private named(node: AvroNamed, space: string | null): string {
    if (this.written.has(node.name.full)) return JSON.stringify(this.reference(node.name, space));
    this.written.add(node.name.full);
    const parts: string[] = [];
    const type = node.kind === 'record' ? (node.isError ? 'error' : 'record') : node.kind;
    parts.push(`"type":${JSON.stringify(type)}`);
    parts.push(this.nameAttributes(node.name, space));
    if (node.doc !== undefined) parts.push(`"doc":${JSON.stringify(node.doc)}`);
    if (node.kind === 'record') {
      // Fields are printed with the record's namespace as the enclosing one (Java's
      // `names.space(name.space)` while writing fields).
      const inner = node.name.namespace;
      parts.push(`"fields":[${node.fields.map((f) => this.field(f, inner)).join(',')}]`);
    } else if (node.kind === 'enum') {
      parts.push(`"symbols":${JSON.stringify(node.symbols)}`);
      if (node.default !== undefined) parts.push(`"default":${JSON.stringify(node.default)}`);
    } else {
      parts.push(`"size":${JSON.stringify(node.size)}`);
    }
    let text = `{${parts.join(',')}${this.props(node.props)}`;
    if (node.aliases.length > 0) text += `,"aliases":${JSON.stringify(node.aliases.map((a) => this.aliasText(a, node.name.namespace)))}`;
    return `${text}}`;
  }

  private field(field: AvroField, space: string | null): string {
    let text = `{"name":${JSON.stringify(field.name)},"type":${this.node(field.type, space)}`;
    if (field.doc !== undefined) text += `,"doc":${JSON.stringify(field.doc)}`;
    if (field.hasDefault) text += `,"default":${JSON.stringify(field.default ?? null)}`;
    if (field.order !== undefined) text += `,"order":${JSON.stringify(field.order)}`;
    if (field.aliases.length > 0) text += `,"aliases":${JSON.stringify(field.aliases)}`;
    return `${text}${this.props(field.props)}}`;
  }

  // Java's Name.writeName: the short name, plus `namespace` when it differs from the
  // enclosing one ("" when a null namespace sits inside a non-null one).
  private nameAttributes(name: AvroName, space: string | null): string {
    if (this.normalized) return `"name":${JSON.stringify(name.full)}`;
    let text = `"name":${JSON.stringify(name.name)}`;
    if (name.namespace !== null) {
      if (name.namespace !== space) text += `,"namespace":${JSON.stringify(name.namespace)}`;
    } else if (space !== null) {
      text += ',"namespace":""';
    }
    return text;
  }

  // Java's Name.getQualified(space): the short name inside its own namespace, else the full one.
  private reference(name: AvroName, space: string | null): string {
    if (this.normalized) return name.full;
    return name.namespace === null || name.namespace === space ? name.name : name.full;
  }

  // Java prints aliases relative to the schema's namespace (short when in the same one).
  private aliasText(alias: string, space: string | null): string {
    if (this.normalized) return alias;
    const dot = alias.lastIndexOf('.');
    const aliasSpace = dot >= 0 ? alias.slice(0, dot) : null;
    return aliasSpace !== null && aliasSpace === space ? alias.slice(dot + 1) : alias;
  }

  private props(props: AvroProps): string {
    const list = this.normalized ? [...props].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : props;
    return list.map(([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`).join('');
  }
}
