/**
 * allOf / anyOf / oneOf against each other (Confluent's `CombinedSchemaDiff`): the criterion
 * change, the member count, then a maximum bipartite matching between old and new members
 * over the pairs whose own diff is compatible — member order does not matter.
 */
import type { JsonDiffContext } from './json-diff-context.js';
import type { JsonDifference } from './json-difference.js';
import { stableJson } from './json-values.js';
import type { CombinedNode, SchemaNode } from './schema-node.js';
import { trial } from './json-schema-diff.js';

/** Identical members count once, as in Confluent's set of member schemas. */
function distinctMembers(node: CombinedNode): SchemaNode[] {
  const seen = new Set<string>();
  const out: SchemaNode[] = [];
  for (const m of node.subschemas) {
    const key = stableJson(m.source);
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

/** Kuhn's augmenting paths: fine for the handful of members real schemas have. */
function maximumMatching(edges: ReadonlyArray<ReadonlyArray<number>>, rightSize: number): Array<number | undefined> {
  const matchOfRight: Array<number | undefined> = new Array(rightSize).fill(undefined);
  const tryAugment = (left: number, visited: boolean[]): boolean => {
    for (const right of edges[left]!) {
      if (visited[right]) continue;
      visited[right] = true;
      const current = matchOfRight[right];
      if (current === undefined || tryAugment(current, visited)) {
        matchOfRight[right] = left;
        return true;
      }
    }
    return false;
  };
  for (let left = 0; left < edges.length; left++) tryAugment(left, new Array(rightSize).fill(false));
  return matchOfRight;
}

export function compareCombined(ctx: JsonDiffContext, o: CombinedNode, u: CombinedNode): void {
  if (compareCriteria(ctx, o, u)) return;
  const om = distinctMembers(o);
  const um = distinctMembers(u);
  if (om.length < um.length) ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  else if (om.length > um.length) ctx.add(o.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');

  const edges: number[][] = [];
  const edgeDiffs = new Map<string, readonly JsonDifference[]>();
  om.forEach((member, i) => {
    edges.push([]);
    ctx.atPath(`${o.criterion}/${i}`, () => {
      um.forEach((candidate, j) => {
        const sub = trial(ctx, member, candidate);
        if (sub.isCompatible()) {
          edges[i]!.push(j);
          edgeDiffs.set(`${i}:${j}`, sub.differences);
        }
      });
    });
  });
  const matchOfRight = maximumMatching(edges, um.length);
  let size = 0;
  matchOfRight.forEach((left, right) => {
    if (left === undefined) return;
    size++;
    ctx.addAll(edgeDiffs.get(`${left}:${right}`)!);
  });
  if (size < Math.min(om.length, um.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}
