/**
 * Open, closed and partially open content models (compatibility-rules.md §3.3): whether an
 * object or tuple accepts unknown properties/items, and which schema covers one.
 */
import { spendWork } from '../../work-budget.js';
import { isEmptySchema, type ArrayNode, type ObjectNode, type SchemaNode } from './schema-node.js';

/** Open: additional properties permitted with no schema, no patternProperties, U absent/true. */
export function isOpenObject(o: ObjectNode): boolean {
  if (!o.permitsAdditional || o.additionalSchema !== null || o.patternProperties.length > 0) return false;
  return o.unevaluated === null || isEmptySchema(o.unevaluated);
}

/**
 * The schema a partially open object applies to a property it does not name: the first
 * pattern whose regex is found in the name, else the additionalProperties schema, else a
 * non-trivial unevaluatedProperties schema. Null when nothing covers it (closed).
 */
export function coveringPropertySchema(o: ObjectNode, name: string): SchemaNode | null {
  for (const [re, schema] of o.patternProperties) {
    // Linear in the name (RE2), but names × patterns is the schema author's choice.
    spendWork(1 + (name.length >> 6));
    if (re !== null && re.test(name)) return schema;
  }
  if (o.additionalSchema !== null) return o.additionalSchema;
  if (o.permitsAdditional && o.unevaluated !== null && o.unevaluated.kind !== 'false' && !isEmptySchema(o.unevaluated)) return o.unevaluated;
  return null;
}

export function isOpenArray(a: ArrayNode): boolean {
  if (!a.permitsAdditionalItems || a.additionalItemsSchema !== null) return false;
  return a.unevaluated === null || isEmptySchema(a.unevaluated);
}

export function coveringItemSchema(a: ArrayNode): SchemaNode | null {
  if (a.additionalItemsSchema !== null) return a.additionalItemsSchema;
  if (a.permitsAdditionalItems && a.unevaluated !== null && a.unevaluated.kind !== 'false' && !isEmptySchema(a.unevaluated)) return a.unevaluated;
  return null;
}
