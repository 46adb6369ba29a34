/**
 * Object comparison (Confluent's `ObjectSchemaDiff`, compatibility-rules.md §3.2–3.3):
 * required flags, properties against the content models, dependencies,
 * additionalProperties, unevaluatedProperties, then the property-count limits.
 *
 * The `{}`/`true`/`false` tests here look at the slot itself, as Confluent's `instanceof`
 * checks do: a `$ref` to `{}` does not count as an empty schema in these places.
 */
import type { JsonDiffContext } from './json-diff-context.js';
import { coveringPropertySchema, isOpenObject } from './content-model.js';
import { compareLimit } from './simple-schema-diff.js';
import { isEmptySchema, type ObjectNode, type SchemaNode } from './schema-node.js';

function hasDefault(node: SchemaNode): boolean {
  return node.meta.hasDefault;
}

function compareRequired(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  ctx.atPath('required', () => {
    for (const name of o.properties.keys()) {
      if (!u.properties.has(name)) continue;
      const was = o.required.has(name);
      const is = u.required.has(name);
      if (was && !is) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', name);
      else if (!was && is) ctx.add(hasDefault(u.properties.get(name)!) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED', name);
    }
  });
}

/** A property the new schema dropped; judged by the new schema's content model. */
function propertyRemoved(ctx: JsonDiffContext, name: string, oldSchema: SchemaNode, u: ObjectNode): void {
  if (isOpenObject(u)) {
    ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = coveringPropertySchema(u, name);
  if (covering !== null) {
    const sub = ctx.trial(oldSchema, covering);
    ctx.addAll(sub.differences);
    ctx.add(sub.isCompatible() ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    return;
  }
  ctx.add(oldSchema.kind === 'false' ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
}

/** A property the new schema added; judged by the old schema's content model. */
function propertyAdded(ctx: JsonDiffContext, name: string, newSchema: SchemaNode, o: ObjectNode, u: ObjectNode): void {
  const required = u.required.has(name);
  if (isOpenObject(o)) {
    if (isEmptySchema(newSchema)) ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
    else if (required) ctx.add(hasDefault(newSchema) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
    return;
  }
  const covering = coveringPropertySchema(o, name);
  if (covering !== null) {
    const sub = ctx.trial(covering, newSchema);
    ctx.addAll(sub.differences);
    ctx.add(sub.isCompatible() ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
  }
  // Closed and partially open alike: the required-ness of the addition is judged too.
  if (required) ctx.add(hasDefault(newSchema) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
  else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
}

function compareProperties(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  ctx.atPath('properties', () => {
    for (const name of new Set([...o.properties.keys(), ...u.properties.keys()])) {
      ctx.atPath(name, () => {
        const os = o.properties.get(name);
        const us = u.properties.get(name);
        if (us === undefined) propertyRemoved(ctx, name, os!, u);
        else if (os === undefined) propertyAdded(ctx, name, us, o, u);
        else ctx.compare(os, us);
      });
    }
  });
}

function compareDependencies(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  ctx.atPath('dependencies', () => {
    for (const name of new Set([...o.propertyDependencies.keys(), ...u.propertyDependencies.keys()])) {
      const od = o.propertyDependencies.get(name);
      const ud = u.propertyDependencies.get(name);
      if (ud === undefined) ctx.add('DEPENDENCY_ARRAY_REMOVED', name);
      else if (od === undefined) ctx.add('DEPENDENCY_ARRAY_ADDED', name);
      else {
        const os = new Set(od);
        const us = new Set(ud);
        const uHasAll = [...os].every((x) => us.has(x));
        const oHasAll = [...us].every((x) => os.has(x));
        if (uHasAll && oHasAll) continue;
        ctx.add(uHasAll ? 'DEPENDENCY_ARRAY_EXTENDED' : oHasAll ? 'DEPENDENCY_ARRAY_NARROWED' : 'DEPENDENCY_ARRAY_CHANGED', name);
      }
    }
    for (const name of new Set([...o.schemaDependencies.keys(), ...u.schemaDependencies.keys()])) {
      ctx.atPath(name, () => {
        const os = o.schemaDependencies.get(name);
        const us = u.schemaDependencies.get(name);
        if (us === undefined) ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        else if (os === undefined) ctx.add('DEPENDENCY_SCHEMA_ADDED');
        else ctx.compare(os, us);
      });
    }
  });
}

function compareAdditionalProperties(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  ctx.atPath('additionalProperties', () => {
    if (o.permitsAdditional !== u.permitsAdditional) ctx.add(u.permitsAdditional ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    else if (o.additionalSchema === null && u.additionalSchema !== null) ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    else if (o.additionalSchema !== null && u.additionalSchema === null) ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    else ctx.compare(o.additionalSchema, u.additionalSchema);
  });
}

function compareUnevaluatedProperties(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  const ou = o.unevaluated;
  const uu = u.unevaluated;
  if (ou === null && uu === null) return;
  ctx.atPath('unevaluatedProperties', () => {
    if (ou === null) ctx.add(uu!.kind === 'false' ? 'UNEVALUATED_PROPERTIES_REMOVED' : 'UNEVALUATED_PROPERTIES_NARROWED');
    else if (uu === null) ctx.add(ou.kind === 'false' ? 'UNEVALUATED_PROPERTIES_ADDED' : 'UNEVALUATED_PROPERTIES_EXTENDED');
    else if (ou.kind === 'false' && uu.kind !== 'false') ctx.add('UNEVALUATED_PROPERTIES_ADDED');
    else if (ou.kind !== 'false' && uu.kind === 'false') ctx.add('UNEVALUATED_PROPERTIES_REMOVED');
    else if (isEmptySchema(ou) && !isEmptySchema(uu)) ctx.add('UNEVALUATED_PROPERTIES_NARROWED');
    else if (!isEmptySchema(ou) && isEmptySchema(uu)) ctx.add('UNEVALUATED_PROPERTIES_EXTENDED');
    else ctx.compare(ou, uu);
  });
}

export function compareObjects(ctx: JsonDiffContext, o: ObjectNode, u: ObjectNode): void {
  compareRequired(ctx, o, u);
  compareProperties(ctx, o, u);
  compareDependencies(ctx, o, u);
  compareAdditionalProperties(ctx, o, u);
  compareUnevaluatedProperties(ctx, o, u);
  compareLimit(ctx, 'maxProperties', o.maxProperties, u.maxProperties, ['MAX_PROPERTIES_ADDED', 'MAX_PROPERTIES_REMOVED', 'MAX_PROPERTIES_INCREASED', 'MAX_PROPERTIES_DECREASED']);
  compareLimit(ctx, 'minProperties', o.minProperties, u.minProperties, ['MIN_PROPERTIES_ADDED', 'MIN_PROPERTIES_REMOVED', 'MIN_PROPERTIES_INCREASED', 'MIN_PROPERTIES_DECREASED']);
}
