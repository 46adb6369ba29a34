/**
 * allOf / anyOf / oneOf against each other (Confluent's `CombinedSchemaDiff`): the criterion
 * change, the member count, then a maximum bipartite matching between old and new members
 * over the pairs whose own diff is compatible — member order does not matter.
 */
import type { JsonDiffContext } from './json-diff-context.js';
import { structureKey } from './json-values.js';
import type { CombinedNode, SchemaNode } from './schema-node.js';

/** Identical members count once, as in Confluent's set of member schemas. */
function distinctMembers(node: CombinedNode): SchemaNode[] {
  const seen = new Set<string>();
  const out: SchemaNode[] = [];
  for (const m of node.subschemas) {
    const key = structureKey(m.source);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(m);
    }
  }
  return out;
}

/** Returns true when the criterion change is COMBINED_TYPE_CHANGED (members not compared). */
function compareCriteria(ctx: JsonDiffContext, o: CombinedNode, u: CombinedNode): boolean {
  if (o.criterion === u.criterion) return false;
  const oSingle = o.subschemas.length === 1;
  const uSingle = u.subschemas.length === 1;
  const extended = u.criterion === 'anyOf' || (oSingle && uSingle) || (oSingle && u.criterion === 'oneOf') || (uSingle && o.criterion === 'allOf');
  ctx.add(extended ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED');
  return !extended;
}

/**
 * The size of a maximum matching between old members (left) and new members (right) over
 * the compatible pairs, found without comparing every pair when it need not: `edge(i, j)`
 * compares a pair on first use only. First every old member is matched to the new member
 * with the same structure, when that pair is compatible (the common case: members kept),
 * then greedily to the first free compatible one; Kuhn's augmenting paths run from the
 * members still unmatched. Starting Kuhn from any
 * matching still ends in a maximum one (a left vertex with no augmenting path never gets
 * one later), so the size is Confluent's; each pair compared spends the work budget, which
 * is what bounds a hostile schema with thousands of members that match nothing.
 */
function maximumMatchingSize(
  leftKeys: readonly string[],
  rightKeys: readonly string[],
  edge: (left: number, right: number) => boolean,
): number {
  const matchOfRight: Array<number | undefined> = new Array(rightKeys.length).fill(undefined);
  const matchOfLeft: Array<number | undefined> = new Array(leftKeys.length).fill(undefined);
  const rightByKey = new Map<string, number>();
  rightKeys.forEach((key, j) => rightByKey.set(key, j));
  let size = 0;
  const match = (i: number, j: number) => {
    matchOfRight[j] = i;
    matchOfLeft[i] = j;
    size++;
  };
  leftKeys.forEach((key, i) => {
    const j = rightByKey.get(key);
    if (j !== undefined && matchOfRight[j] === undefined && edge(i, j)) match(i, j);
  });
  // Then greedily, each member left to the first free member it is compatible with: when
  // members changed but stay compatible (a widened maxLength), this is one pair each.
  leftKeys.forEach((_, i) => {
    if (matchOfLeft[i] !== undefined) return;
    for (let j = 0; j < rightKeys.length; j++) {
      if (matchOfRight[j] === undefined && edge(i, j)) return match(i, j);
    }
  });
  const tryAugment = (left: number, visited: boolean[]): boolean => {
    for (let right = 0; right < rightKeys.length; right++) {
      if (visited[right] || !edge(left, right)) continue;
      visited[right] = true;
      const current = matchOfRight[right];
      if (current === undefined || tryAugment(current, visited)) {
        matchOfRight[right] = left;
        matchOfLeft[left] = right;
        return true;
      }
    }
    return false;
  };
  for (let left = 0; left < leftKeys.length; left++) {
    if (matchOfLeft[left] === undefined && tryAugment(left, new Array(rightKeys.length).fill(false))) size++;
  }
  return size;
}

export function compareCombined(ctx: JsonDiffContext, o: CombinedNode, u: CombinedNode): void {
  if (compareCriteria(ctx, o, u)) return;
  const om = distinctMembers(o);
  const um = distinctMembers(u);
  if (om.length < um.length) ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (om.length > um.length) ctx.add(o.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');

  // A matched pair is a compatible one, so its own differences are all of compatible types:
  // they never reach a message, which is why only the size of the matching matters.
  const compatible = new Map<number, boolean>();
  const edge = (i: number, j: number): boolean => {
    const key = i * um.length + j;
    let known = compatible.get(key);
    if (known === undefined) {
      known = ctx.atPath(`${o.criterion}/${i}`, () => ctx.trial(om[i]!, um[j]!)).isCompatible();
      compatible.set(key, known);
    }
    return known;
  };
  const size = maximumMatchingSize(om.map((m) => structureKey(m.source)), um.map((m) => structureKey(m.source)), edge);
  if (size < Math.min(om.length, um.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}
