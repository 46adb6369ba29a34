/**
 * Keyword comparisons for strings, numbers, enums, consts and `not` (compatibility-rules.md
 * §3.2 class-specific rules). Limits use the four-outcome pattern ADDED / REMOVED /
 * INCREASED / DECREASED, reported at the keyword's path.
 */
import type { JsonDiffContext } from './json-diff-context.js';
import type { JsonDifferenceType } from './json-difference.js';
import { containsAllJson, jsonEquals } from './json-values.js';
import type { ConstNode, EnumNode, NotNode, NumberNode, StringNode } from './schema-node.js';

type Outcomes = readonly [added: JsonDifferenceType, removed: JsonDifferenceType, increased: JsonDifferenceType, decreased: JsonDifferenceType];

export function compareLimit(ctx: JsonDiffContext, keyword: string, original: number | null, update: number | null, [added, removed, increased, decreased]: Outcomes): void {
  if (original === update) return;
  if (original === null) ctx.add(added, keyword);
  else if (update === null) ctx.add(removed, keyword);
  else if (original < update) ctx.add(increased, keyword);
  else if (original > update) ctx.add(decreased, keyword);
}

export function compareStrings(ctx: JsonDiffContext, o: StringNode, u: StringNode): void {
  compareLimit(ctx, 'maxLength', o.maxLength, u.maxLength, ['MAX_LENGTH_ADDED', 'MAX_LENGTH_REMOVED', 'MAX_LENGTH_INCREASED', 'MAX_LENGTH_DECREASED']);
  compareLimit(ctx, 'minLength', o.minLength, u.minLength, ['MIN_LENGTH_ADDED', 'MIN_LENGTH_REMOVED', 'MIN_LENGTH_INCREASED', 'MIN_LENGTH_DECREASED']);
  // Patterns are compared as source text: a wider regex still counts as changed.
  if (o.pattern === null && u.pattern !== null) ctx.add('PATTERN_ADDED', 'pattern');
  else if (o.pattern !== null && u.pattern === null) ctx.add('PATTERN_REMOVED', 'pattern');
  else if (o.pattern !== null && u.pattern !== null && o.pattern !== u.pattern) ctx.add('PATTERN_CHANGED', 'pattern');
}

/** An exact decimal: value = digits × 10^-scale (Confluent compares multipleOf as BigDecimal). */
interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

function toDecimal(n: number): Decimal {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(String(n));
  if (m === null) return { digits: 0n, scale: 0 };
  const frac = m[3] ?? '';
  let digits = BigInt(`${m[1]}${m[2]}${frac}`);
  let scale = frac.length - Number(m[4] ?? '0');
  if (scale < 0) {
    digits *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { digits, scale };
}

/** Whether a is an exact multiple of b (b ≠ 0). */
function isMultiple(a: Decimal, b: Decimal): boolean {
  const scale = Math.max(a.scale, b.scale);
  const ad = a.digits * 10n ** BigInt(scale - a.scale);
  const bd = b.digits * 10n ** BigInt(scale - b.scale);
  return bd !== 0n && ad % bd === 0n;
}

export function compareNumbers(ctx: JsonDiffContext, o: NumberNode, u: NumberNode): void {
  compareLimit(ctx, 'maximum', o.maximum, u.maximum, ['MAXIMUM_ADDED', 'MAXIMUM_REMOVED', 'MAXIMUM_INCREASED', 'MAXIMUM_DECREASED']);
  compareLimit(ctx, 'minimum', o.minimum, u.minimum, ['MINIMUM_ADDED', 'MINIMUM_REMOVED', 'MINIMUM_INCREASED', 'MINIMUM_DECREASED']);
  // Confluent compares a lowered exclusiveMaximum against the new `maximum` (a bug that
  // crashes or hides the change); the intended rule, old vs new exclusiveMaximum, is used.
  compareLimit(ctx, 'exclusiveMaximum', o.exclusiveMaximum, u.exclusiveMaximum, ['EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MAXIMUM_INCREASED', 'EXCLUSIVE_MAXIMUM_DECREASED']);
  compareLimit(ctx, 'exclusiveMinimum', o.exclusiveMinimum, u.exclusiveMinimum, ['EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_INCREASED', 'EXCLUSIVE_MINIMUM_DECREASED']);

  const om = o.multipleOf === null ? null : toDecimal(o.multipleOf);
  const um = u.multipleOf === null ? null : toDecimal(u.multipleOf);
  const equal = om === null || um === null ? om === um : isMultiple(om, um) && isMultiple(um, om);
  if (!equal) {
    if (om === null) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
    else if (um === null) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
    else if (isMultiple(um, om)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (isMultiple(om, um)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }

  if (o.requiresInteger !== u.requiresInteger) ctx.add(o.requiresInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

export function compareEnums(ctx: JsonDiffContext, o: EnumNode, u: EnumNode): void {
  if (jsonEquals(o.values, u.values)) return;
  if (containsAllJson(u.values, o.values)) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
  else if (containsAllJson(o.values, u.values)) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
  else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
}

/** A changed const is reported as an enum change: no semantic comparison. */
export function compareConsts(ctx: JsonDiffContext, o: ConstNode, u: ConstNode): void {
  if (!jsonEquals(o.value, u.value)) ctx.add('ENUM_ARRAY_CHANGED', 'const');
}

/** `not` flips direction: the new negated schema must read the old one for `not` to widen. */
export function compareNots(ctx: JsonDiffContext, o: NotNode, u: NotNode): void {
  ctx.atPath('not', () => {
    const sub = ctx.trial(u.schema, o.schema);
    ctx.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
  });
}
