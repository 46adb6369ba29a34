/**
 * Array comparison (Confluent's `ArraySchemaDiff`, compatibility-rules.md §3.2–3.3): the
 * single `items` schema, tuple positions against the content models, additionalItems,
 * unevaluatedItems, then the item-count, uniqueness and contains limits.
 */
import type { JsonDiffContext } from './json-diff-context.js';
import { coveringItemSchema, isOpenArray } from './content-model.js';
import { compareLimit } from './simple-schema-diff.js';
import { isEmptySchema, type ArrayNode } from './schema-node.js';

function compareTuples(ctx: JsonDiffContext, o: ArrayNode, u: ArrayNode): void {
  const os = o.itemSchemas ?? [];
  const us = u.itemSchemas ?? [];
  const common = Math.min(os.length, us.length);
  for (let i = 0; i < common; i++) ctx.atPath(`items/${i}`, () => ctx.compare(os[i]!, us[i]!));
  // Positions only the old tuple has: judged by the new schema's model.
  for (let i = common; i < os.length; i++) {
    ctx.atPath(`items/${i}`, () => {
      if (isOpenArray(u)) {
        ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
        return;
      }
      const covering = coveringItemSchema(u);
      if (covering !== null) {
        const sub = ctx.trial(os[i]!, covering);
        ctx.addAll(sub.differences);
        ctx.add(sub.isCompatible() ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
        return;
      }
      ctx.add(os[i]!.kind === 'false' ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
    });
  }
  // Positions only the new tuple has: judged by the old schema's model.
  for (let i = common; i < us.length; i++) {
    ctx.atPath(`items/${i}`, () => {
      if (isOpenArray(o)) {
        ctx.add(isEmptySchema(us[i]!) ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL');
        return;
      }
      const covering = coveringItemSchema(o);
      if (covering !== null) {
        const sub = ctx.trial(covering, us[i]!);
        ctx.addAll(sub.differences);
        ctx.add(sub.isCompatible() ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
        return;
      }
      ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
    });
  }
}

function compareAdditionalItems(ctx: JsonDiffContext, o: ArrayNode, u: ArrayNode): void {
  ctx.atPath('additionalItems', () => {
    if (o.permitsAdditionalItems !== u.permitsAdditionalItems) ctx.add(o.permitsAdditionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    else if (o.additionalItemsSchema === null && u.additionalItemsSchema !== null) ctx.add('ADDITIONAL_ITEMS_NARROWED');
    else if (o.additionalItemsSchema !== null && u.additionalItemsSchema === null) ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    else ctx.compare(o.additionalItemsSchema, u.additionalItemsSchema);
  });
}

function compareUnevaluatedItems(ctx: JsonDiffContext, o: ArrayNode, u: ArrayNode): void {
  const ou = o.unevaluated;
  const uu = u.unevaluated;
  if (ou === null && uu === null) return;
  ctx.atPath('unevaluatedItems', () => {
    if (ou === null) ctx.add(uu!.kind === 'false' ? 'UNEVALUATED_ITEMS_REMOVED' : 'UNEVALUATED_ITEMS_NARROWED');
    else if (uu === null) ctx.add(ou.kind === 'false' ? 'UNEVALUATED_ITEMS_ADDED' : 'UNEVALUATED_ITEMS_EXTENDED');
    else if (ou.kind === 'false' && uu.kind !== 'false') ctx.add('UNEVALUATED_ITEMS_ADDED');
    else if (ou.kind !== 'false' && uu.kind === 'false') ctx.add('UNEVALUATED_ITEMS_REMOVED');
    else if (isEmptySchema(ou) && !isEmptySchema(uu)) ctx.add('UNEVALUATED_ITEMS_NARROWED');
    else if (!isEmptySchema(ou) && isEmptySchema(uu)) ctx.add('UNEVALUATED_ITEMS_EXTENDED');
    else ctx.compare(ou, uu);
  });
}

export function compareArrays(ctx: JsonDiffContext, o: ArrayNode, u: ArrayNode): void {
  ctx.atPath('items', () => ctx.compare(o.allItems, u.allItems));
  compareTuples(ctx, o, u);
  compareAdditionalItems(ctx, o, u);
  compareUnevaluatedItems(ctx, o, u);
  compareLimit(ctx, 'maxItems', o.maxItems, u.maxItems, ['MAX_ITEMS_ADDED', 'MAX_ITEMS_REMOVED', 'MAX_ITEMS_INCREASED', 'MAX_ITEMS_DECREASED']);
  compareLimit(ctx, 'minItems', o.minItems, u.minItems, ['MIN_ITEMS_ADDED', 'MIN_ITEMS_REMOVED', 'MIN_ITEMS_INCREASED', 'MIN_ITEMS_DECREASED']);
  if (o.uniqueItems !== u.uniqueItems) ctx.add(o.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  compareLimit(ctx, 'maxContains', o.maxContains, u.maxContains, ['MAX_CONTAINS_ADDED', 'MAX_CONTAINS_REMOVED', 'MAX_CONTAINS_INCREASED', 'MAX_CONTAINS_DECREASED']);
  compareLimit(ctx, 'minContains', o.minContains, u.minContains, ['MIN_CONTAINS_ADDED', 'MIN_CONTAINS_REMOVED', 'MIN_CONTAINS_INCREASED', 'MIN_CONTAINS_DECREASED']);
}
