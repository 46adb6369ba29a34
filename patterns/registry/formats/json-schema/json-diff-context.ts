/**
 * State of one JSON Schema diff, as Confluent's `diff/Context`: the current JSON path, the
 * differences found, and — shared by every subcontext of one comparison — a memo of
 * compared (original, update) pairs with pair-relative paths, the pairs in progress (a pair
 * met again while in progress is a cycle and assumed compatible), and the seed of pairs a
 * previous pass found incompatible.
 */
import type { SchemaNode } from './schema-node.js';
import type { JsonDifference, JsonDifferenceType } from './json-difference.js';
import { spendWork } from '../../work-budget.js';
import { DiffPath } from '../diff-path.js';

/** The dispatcher of json-schema-diff.ts, handed in so the per-kind diffs need not import it. */
export type CompareSchemas = (ctx: JsonDiffContext, original: SchemaNode | null, update: SchemaNode | null) => void;

type PairMap<T> = Map<SchemaNode, Map<SchemaNode, T>>;

function pairGet<T>(map: PairMap<T>, a: SchemaNode, b: SchemaNode): T | undefined {
  return map.get(a)?.get(b);
}

function pairSet<T>(map: PairMap<T>, a: SchemaNode, b: SchemaNode, value: T): void {
  let inner = map.get(a);
  if (inner === undefined) map.set(a, (inner = new Map()));
  inner.set(b, value);
}

function pairDelete<T>(map: PairMap<T>, a: SchemaNode, b: SchemaNode): void {
  map.get(a)?.delete(b);
}

interface Shared {
  readonly compare: CompareSchemas;
  readonly compatible: ReadonlySet<JsonDifferenceType>;
  readonly memo: PairMap<readonly JsonDifference[]>;
  readonly inProgress: PairMap<true>;
  readonly seed: PairMap<readonly JsonDifference[]>;
  optimismUsed: boolean;
}

export type IncompatiblePairs = PairMap<readonly JsonDifference[]>;

export class JsonDiffContext {
  readonly differences: JsonDifference[] = [];
  private path = new DiffPath();

  private constructor(private readonly shared: Shared) {}

  static create(compatible: ReadonlySet<JsonDifferenceType>, seed: IncompatiblePairs, compare: CompareSchemas): JsonDiffContext {
    return new JsonDiffContext({ compare, compatible, memo: new Map(), inProgress: new Map(), seed, optimismUsed: false });
  }

  /** Compares two slots that may be empty (absent sub-schemas) at the current path. */
  compare(original: SchemaNode | null, update: SchemaNode | null): void {
    this.shared.compare(this, original, update);
  }

  /** Compares in a subcontext whose differences are only looked at (does this pair fit?). */
  trial(original: SchemaNode | null, update: SchemaNode | null): JsonDiffContext {
    spendWork();
    const sub = this.subcontext();
    sub.compare(original, update);
    return sub;
  }

  /** A context sharing memo and cycle state, starting at the current path. */
  subcontext(): JsonDiffContext {
    const sub = new JsonDiffContext(this.shared);
    sub.path = this.path.copy();
    return sub;
  }

  isCompatible(): boolean {
    return this.differences.every((d) => this.shared.compatible.has(d.type));
  }

  add(type: JsonDifferenceType, attribute?: string): void {
    this.differences.push({ type, path: this.path.pointer(attribute) });
  }

  addAll(diffs: readonly JsonDifference[]): void {
    this.differences.push(...diffs);
  }

  atPath<T>(segment: string, fn: () => T): T {
    return this.path.within(segment, fn);
  }

  /**
   * Differences of the pair with paths relative to the pair, computed once per pair. A pair
   * already on the stack is a cycle: its seeded result if a previous pass found it
   * incompatible, else assumed compatible (and the pass is marked optimistic).
   */
  compareMemoized(original: SchemaNode, update: SchemaNode, compare: (ctx: JsonDiffContext) => void): readonly JsonDifference[] {
    const s = this.shared;
    const cached = pairGet(s.memo, original, update);
    if (cached !== undefined) return cached;
    if (pairGet(s.inProgress, original, update) !== undefined) {
      const seeded = pairGet(s.seed, original, update);
      if (seeded !== undefined) return seeded;
      s.optimismUsed = true;
      return [];
    }
    pairSet(s.inProgress, original, update, true);
    try {
      const sub = new JsonDiffContext(s);
      compare(sub);
      const result = [...sub.differences];
      pairSet(s.memo, original, update, result);
      return result;
    } finally {
      pairDelete(s.inProgress, original, update);
    }
  }

  /** Adds pair-relative differences under the current path. */
  addRebased(diffs: readonly JsonDifference[]): void {
    if (this.path.isRoot) {
      this.differences.push(...diffs);
      return;
    }
    const prefix = this.path.pointer();
    for (const d of diffs) this.differences.push({ type: d.type, path: d.path.length <= 2 ? prefix : `${prefix}/${d.path.slice(2)}` });
  }

  usedOptimism(): boolean {
    return this.shared.optimismUsed;
  }

  incompatiblePairs(): IncompatiblePairs {
    const out: IncompatiblePairs = new Map();
    for (const [a, inner] of this.shared.memo) {
      for (const [b, diffs] of inner) if (diffs.some((d) => !this.shared.compatible.has(d.type))) pairSet(out, a, b, diffs);
    }
    return out;
  }
}

export function samePairs(a: IncompatiblePairs, b: IncompatiblePairs): boolean {
  const count = (m: IncompatiblePairs): number => [...m.values()].reduce((n, inner) => n + inner.size, 0);
  if (count(a) !== count(b)) return false;
  for (const [x, inner] of a) for (const y of inner.keys()) if (pairGet(b, x, y) === undefined) return false;
  return true;
}
