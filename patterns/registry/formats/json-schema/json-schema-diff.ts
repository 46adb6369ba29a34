/**
 * Confluent's JSON Schema `SchemaDiff.compare(original, update)` (compatibility-rules.md
 * §3.2): the combined-schema special cases, the class check, the common keywords, then the
 * per-class comparison. Returns every difference; the caller filters by policy.
 */
import { spendWork } from '../../work-budget.js';
import { JsonDiffContext, samePairs, type IncompatiblePairs } from './json-diff-context.js';
import type { JsonDifference, JsonDifferenceType } from './json-difference.js';
import { jsonEquals } from './json-values.js';
import { deref, isEmptySchema, type CombinedNode, type SchemaNode } from './schema-node.js';
import { compareObjects } from './object-schema-diff.js';
import { compareArrays } from './array-schema-diff.js';
import { compareCombined } from './combined-schema-diff.js';
import { compareConsts, compareEnums, compareNots, compareNumbers, compareStrings } from './simple-schema-diff.js';

/** Compares two slots that may be empty (absent sub-schemas), as Confluent's static compare. */
export function compareSchemas(ctx: JsonDiffContext, original: SchemaNode | null, update: SchemaNode | null): void {
  if (original === null && update === null) return;
  if (original === null) {
    ctx.add('SCHEMA_ADDED');
    return;
  }
  if (update === null) {
    ctx.add('SCHEMA_REMOVED');
    return;
  }
  // References are always replaced by their target before comparing.
  const o = deref(original);
  const u = deref(update);
  spendWork();
  ctx.addRebased(ctx.compareMemoized(o, u, (sub) => compareTypes(sub, o, u)));
}

function sameClass(a: SchemaNode, b: SchemaNode): boolean {
  return a.kind === b.kind || (a.kind === 'combined' && b.kind === 'combined');
}

function compareTypes(ctx: JsonDiffContext, original: SchemaNode, update: SchemaNode): void {
  if (original.kind !== 'combined' && update.kind === 'combined') {
    if (combinedUpdateShortcut(ctx, original, update)) return;
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    if (combinedOriginalShortcut(ctx, original, update)) return;
  }

  if (!sameClass(original, update)) {
    // Anything reads data that matched `false`, and `{}`/`true` reads anything.
    if (original.kind === 'false' || isEmptySchema(update)) return;
    // Kafka Connect's decimal fix changed the JSON type of bytes fields; Confluent lets two
    // schemas marked as connect bytes pass whatever their classes.
    if (original.meta.unprocessed['connect.type'] === 'bytes' && update.meta.unprocessed['connect.type'] === 'bytes') return;
    ctx.add('TYPE_CHANGED');
    return;
  }

  if (!jsonEquals(original.meta.id, update.meta.id)) ctx.add('ID_CHANGED');
  if (!jsonEquals(original.meta.title, update.meta.title)) ctx.add('TITLE_CHANGED');
  if (!jsonEquals(original.meta.description, update.meta.description)) ctx.add('DESCRIPTION_CHANGED');
  if (original.meta.hasDefault !== update.meta.hasDefault || !jsonEquals(original.meta.defaultValue, update.meta.defaultValue)) ctx.add('DEFAULT_CHANGED');

  // sameClass guarantees update has the same kind; the casts restate it for the compiler.
  switch (original.kind) {
    case 'string': return compareStrings(ctx, original, update as typeof original);
    case 'number': return compareNumbers(ctx, original, update as typeof original);
    case 'const': return compareConsts(ctx, original, update as typeof original);
    case 'enum': return compareEnums(ctx, original, update as typeof original);
    case 'combined': return compareCombined(ctx, original, update as typeof original);
    case 'not': return compareNots(ctx, original, update as typeof original);
    case 'object': return compareObjects(ctx, original, update as typeof original);
    case 'array': return compareArrays(ctx, original, update as typeof original);
    default: return;
  }
}

/** §3.2 step 3: a plain original against a combined update. True when it decided the pair. */
function combinedUpdateShortcut(ctx: JsonDiffContext, original: SchemaNode, update: CombinedNode): boolean {
  if (update.subschemas.length === 1) {
    const sub = ctx.trial(original, update.subschemas[0]!);
    if (sub.isCompatible()) {
      ctx.addAll(sub.differences);
      return true;
    }
  } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
    for (const member of update.subschemas) {
      const sub = ctx.trial(original, member);
      if (sub.isCompatible()) {
        ctx.addAll(sub.differences);
        ctx.add('SUM_TYPE_EXTENDED');
        return true;
      }
    }
  }
  return false;
}

/** §3.2 step 4: a combined original against a plain update. */
function combinedOriginalShortcut(ctx: JsonDiffContext, original: CombinedNode, update: SchemaNode): boolean {
  if (original.subschemas.length === 1) {
    const sub = ctx.trial(original.subschemas[0]!, update);
    if (sub.isCompatible()) {
      ctx.addAll(sub.differences);
      return true;
    }
  } else if (original.criterion === 'allOf') {
    for (const member of original.subschemas) {
      const sub = ctx.trial(member, update);
      if (sub.isCompatible()) {
        ctx.addAll(sub.differences);
        ctx.add('PRODUCT_TYPE_NARROWED');
        return true;
      }
    }
  }
  return false;
}

// Fixpoint passes are bounded by the number of distinct pairs; this cap only guards
// against a bug turning that into a hang.
const MAX_PASSES = 64;

/**
 * Every difference from `original` to `update` ("update reads data written with original").
 * Cycles through `$ref` are first assumed compatible; when that assumption was used, the
 * diff is repeated with the pairs found incompatible fed back in, until stable.
 */
export function diffJsonSchemas(original: SchemaNode, update: SchemaNode, compatible: ReadonlySet<JsonDifferenceType>): JsonDifference[] {
  let seed: IncompatiblePairs = new Map();
  for (let pass = 0; ; pass++) {
    const ctx = JsonDiffContext.create(compatible, seed, compareSchemas);
    compareSchemas(ctx, original, update);
    const incompatible = ctx.incompatiblePairs();
    if (!ctx.usedOptimism() || samePairs(incompatible, seed) || pass >= MAX_PASSES) return ctx.differences;
    seed = incompatible;
  }
}
