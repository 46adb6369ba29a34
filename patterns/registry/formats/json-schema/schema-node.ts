/**
 * The loaded form of a JSON Schema that the diff walks: one node per everit schema class
 * (compatibility-rules.md §3.1). The diff compares classes first, so `kind` is exactly
 * everit's class: `true` (TrueSchema) and `{}` (EmptySchema) are different kinds that both
 * count as empty; integer and number share the `number` kind.
 */
import type { SchemaPattern } from './schema-pattern.js';

/** Keywords every class carries (everit's common schema properties). */
export interface NodeMeta {
  readonly id: unknown;
  readonly title: unknown;
  readonly description: unknown;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  /** Keywords no extractor consumed, e.g. `connect.type`. */
  readonly unprocessed: Readonly<Record<string, unknown>>;
}

interface Base {
  readonly meta: NodeMeta;
  /** The JSON this node was loaded from; used to de-duplicate combined members. */
  readonly source: unknown;
}

export interface TrueNode extends Base { readonly kind: 'true' }
export interface FalseNode extends Base { readonly kind: 'false' }
export interface EmptyNode extends Base { readonly kind: 'empty' }
export interface BooleanNode extends Base { readonly kind: 'boolean' }
export interface NullNode extends Base { readonly kind: 'null' }
export interface ConditionalNode extends Base { readonly kind: 'conditional' }

export interface StringNode extends Base {
  readonly kind: 'string';
  readonly maxLength: number | null;
  readonly minLength: number | null;
  readonly pattern: string | null;
}

export interface NumberNode extends Base {
  readonly kind: 'number';
  readonly requiresInteger: boolean;
  readonly maximum: number | null;
  readonly minimum: number | null;
  readonly exclusiveMaximum: number | null;
  readonly exclusiveMinimum: number | null;
  readonly multipleOf: number | null;
}

export interface ObjectNode extends Base {
  readonly kind: 'object';
  readonly properties: ReadonlyMap<string, SchemaNode>;
  readonly required: ReadonlySet<string>;
  /** Compiled for the linear-time engine; null for a stored pattern RE2 cannot run (never matches). */
  readonly patternProperties: ReadonlyArray<readonly [SchemaPattern | null, SchemaNode]>;
  /** `additionalProperties` absent/true/schema → true; false → false. */
  readonly permitsAdditional: boolean;
  /** The `additionalProperties` schema, `{}` included; null for absent/true/false. */
  readonly additionalSchema: SchemaNode | null;
  /** 2019-09+ only. */
  readonly unevaluated: SchemaNode | null;
  readonly propertyDependencies: ReadonlyMap<string, readonly string[]>;
  readonly schemaDependencies: ReadonlyMap<string, SchemaNode>;
  readonly maxProperties: number | null;
  readonly minProperties: number | null;
}

export interface ArrayNode extends Base {
  readonly kind: 'array';
  /** `items` as one schema. */
  readonly allItems: SchemaNode | null;
  /** `items` as a tuple (or 2020-12 `prefixItems`). */
  readonly itemSchemas: readonly SchemaNode[] | null;
  readonly permitsAdditionalItems: boolean;
  readonly additionalItemsSchema: SchemaNode | null;
  readonly unevaluated: SchemaNode | null;
  readonly maxItems: number | null;
  readonly minItems: number | null;
  readonly uniqueItems: boolean;
  readonly maxContains: number | null;
  readonly minContains: number | null;
}

export interface EnumNode extends Base { readonly kind: 'enum'; readonly values: readonly unknown[] }
export interface ConstNode extends Base { readonly kind: 'const'; readonly value: unknown }
export interface NotNode extends Base { readonly kind: 'not'; readonly schema: SchemaNode }

export type Criterion = 'allOf' | 'anyOf' | 'oneOf';

export interface CombinedNode extends Base {
  readonly kind: 'combined';
  readonly criterion: Criterion;
  readonly subschemas: readonly SchemaNode[];
  /** Made by the loader for a node with several aspects, not written by the author. */
  readonly synthetic: boolean;
}

/** A `$ref`; `target()` gives the referred schema (resolved once, cycles allowed). */
export interface RefNode extends Base {
  readonly kind: 'ref';
  readonly ref: string;
  target(): SchemaNode;
}

export type SchemaNode =
  | TrueNode | FalseNode | EmptyNode | BooleanNode | NullNode | ConditionalNode
  | StringNode | NumberNode | ObjectNode | ArrayNode
  | EnumNode | ConstNode | NotNode | CombinedNode | RefNode;

/** TrueSchema extends EmptySchema in everit: both accept anything. */
export function isEmptySchema(node: SchemaNode): boolean {
  return node.kind === 'empty' || node.kind === 'true';
}

/** Follows `$ref`s to the schema they name (Confluent's `normalizeSchema`). */
export function deref(node: SchemaNode): SchemaNode {
  let current = node;
  // A chain of refs is followed to its end; a pure ref cycle is caught by the loader.
  for (let i = 0; current.kind === 'ref' && i < 1000; i++) current = current.target();
  return current;
}
