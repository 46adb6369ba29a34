/**
 * Reads the field lists of a JSON Schema and of a reference document, so a test can hold the
 * two together: a field the schema has and the document lacks (or the other way round) fails.
 *
 * A document declares which schema object each of its tables describes with a marker line just
 * above the table, `<!-- fields: http.tls admin.tls -->` (several paths when one table serves
 * objects of the same shape). Paths are dotted; `[]` stands for "each element of this array"
 * (`namespaces[].pattern`). The first column of each row names the field in backticks; the
 * other columns are prose (the top-level object is `(top)`), except that a `default` column's first backticked literal is the
 * default value a test can compare with the code's.
 */

/** A JSON Schema node, as TypeBox emits it (only the keywords the walk follows). */
interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly items?: SchemaNode;
  readonly anyOf?: readonly SchemaNode[];
  readonly oneOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly $ref?: string;
}

/** Every object with named properties in a schema, by path, with its field names. */
export type SchemaObjects = Map<string, Set<string>>;

/**
 * Walks `schema` from `root` (the path of the schema itself; '' for a document's top) and
 * returns every object that has `properties`, by path. A `$ref` is not followed (the referenced
 * schema is walked on its own); unions are walked branch by branch at the same path; the values
 * of a record (`patternProperties`, a schema in `additionalProperties`) are at `path.*`.
 */
export function schemaObjects(schema: unknown, root = ''): SchemaObjects {
  const found: SchemaObjects = new Map();
  const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
  const walk = (node: SchemaNode | undefined, path: string) => {
    if (!node || typeof node !== 'object' || node.$ref !== undefined) return;
    if (node.properties) {
      const fields = found.get(path) ?? new Set<string>();
      for (const [name, child] of Object.entries(node.properties)) {
        fields.add(name);
        walk(child, join(path, name));
      }
      found.set(path, fields);
    }
    if (node.items) walk(node.items, `${path}[]`);
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) walk(branch, path);
    for (const value of Object.values(node.patternProperties ?? {})) walk(value, join(path, '*'));
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties, join(path, '*'));
  };
  walk(schema as SchemaNode, root);
  return found;
}

/** One row of a documented table. */
export interface DocumentedField {
  readonly name: string;
  /** The cells by column heading (lower case), the field's own cell included. */
  readonly cells: Readonly<Record<string, string>>;
  /** 1-based line in the document, for failure messages. */
  readonly line: number;
}

/** A documented table and the schema paths its marker names. */
export interface DocumentedTable {
  readonly paths: readonly string[];
  readonly fields: readonly DocumentedField[];
  readonly line: number;
}

const MARKER = /^<!--\s*fields:\s*(.*?)\s*-->\s*$/;
/** How a marker names the schema's own top-level object. */
const TOP = '(top)';

/**
 * The tables of a Markdown document that carry a `<!-- fields: … -->` marker.
 * @throws Error when a marker is not followed by a table, or a row names no field in backticks.
 */
export function documentedTables(markdown: string): DocumentedTable[] {
  const lines = markdown.split('\n');
  const tables: DocumentedTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]);
    if (!marker) continue;
    let at = i + 1;
    while (at < lines.length && lines[at].trim() === '') at++;
    if (!lines[at]?.startsWith('|')) throw new Error(`line ${i + 1}: a fields marker must be followed by a table`);
    const headings = splitRow(lines[at]).map((h) => h.toLowerCase());
    const fields: DocumentedField[] = [];
    for (at += 2; at < lines.length && lines[at].startsWith('|'); at++) {
      const cells = splitRow(lines[at]);
      const name = /^`([^`]+)`/.exec(cells[0])?.[1];
      if (!name) throw new Error(`line ${at + 1}: the first cell must name the field in backticks: ${lines[at]}`);
      fields.push({ name, line: at + 1, cells: Object.fromEntries(headings.map((h, k) => [h, cells[k] ?? ''])) });
    }
    const paths = marker[1].split(/\s+/).filter(Boolean).map((p) => (p === TOP ? '' : p));
    tables.push({ paths, fields, line: i + 1 });
  }
  return tables;
}

/** The cells of a Markdown table row; `\|` inside a cell is a literal bar. */
function splitRow(line: string): string[] {
  const cells = line.trim().replace(/^\||\|$/g, '').split(/(?<!\\)\|/);
  return cells.map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** Documented field lists by schema path (a table naming several paths gives each the same list). */
export function documentedObjects(tables: readonly DocumentedTable[]): Map<string, DocumentedTable> {
  const byPath = new Map<string, DocumentedTable>();
  for (const table of tables) {
    for (const path of table.paths) {
      if (byPath.has(path)) throw new Error(`line ${table.line}: '${path}' is documented by two tables (the other at line ${byPath.get(path)!.line})`);
      byPath.set(path, table);
    }
  }
  return byPath;
}

/**
 * The differences between a schema's objects and a document's tables, one sentence each:
 * objects without a table, fields without a row, rows for fields the schema does not have,
 * tables for paths the schema does not have. Empty when they agree.
 */
export function fieldDifferences(schema: SchemaObjects, documented: Map<string, DocumentedTable>): string[] {
  const problems: string[] = [];
  for (const [path, fields] of schema) {
    const table = documented.get(path);
    if (!table) {
      problems.push(`no table documents '${path || '(top level)'}' (fields ${[...fields].join(', ')})`);
      continue;
    }
    const rows = new Set(table.fields.map((f) => f.name));
    for (const field of fields) if (!rows.has(field)) problems.push(`'${path || '(top level)'}' has field '${field}', missing from the table at line ${table.line}`);
    for (const row of table.fields) if (!fields.has(row.name)) problems.push(`line ${row.line}: '${row.name}' is not a field of '${path || '(top level)'}'`);
  }
  for (const path of documented.keys()) if (!schema.has(path)) problems.push(`line ${documented.get(path)!.line}: the schema has no object at '${path}'`);
  return problems;
}

/** The first backticked literal of a `default` cell, or undefined when the cell has none. */
export function documentedDefault(field: DocumentedField): string | undefined {
  return /`([^`]*)`/.exec(field.cells.default ?? '')?.[1];
}

/** How a default from the code is written in a `default` cell: numbers plain, lists joined by ', '. */
export function formatDefault(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

/**
 * Documented defaults that differ from the code's, one sentence each. `expected` maps a field's
 * path (`http.maxStreams`; a top-level field is just its name) to the value the code uses.
 */
export function defaultDifferences(documented: Map<string, DocumentedTable>, expected: Readonly<Record<string, unknown>>): string[] {
  const wrong: string[] = [];
  for (const [path, value] of Object.entries(expected)) {
    const dot = path.lastIndexOf('.');
    const [object, field] = dot < 0 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
    const row = documented.get(object)?.fields.find((f) => f.name === field);
    if (!row) {
      wrong.push(`${path}: no row`);
      continue;
    }
    const written = documentedDefault(row);
    if (written !== formatDefault(value)) wrong.push(`line ${row.line}: ${path} is documented as ${written === undefined ? 'no literal' : `\`${written}\``}, the code says \`${formatDefault(value)}\``);
  }
  return wrong;
}
