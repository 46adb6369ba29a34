/**
 * State of one protobuf diff: both type tables, the current location, the messages being
 * compared (recursion guard) and the differences found so far. Same bookkeeping as
 * Confluent's `diff/Context`: the path gets every scope (message names, oneof names, tags),
 * the name scope only type names, which feed type-name resolution.
 */
import { resolveTypeName, type TypeIndex, type TypeInfo } from './type-index.js';
import { isCompatibleProtoDifference, type ProtoDifference, type ProtoDifferenceType } from './proto-difference.js';
import type { ProtoMessage } from './proto-model.js';
import { DiffPath } from '../diff-path.js';

export type Side = 'original' | 'update';

export class ProtoDiffContext {
  readonly differences: ProtoDifference[] = [];
  private readonly path = new DiffPath();
  private readonly names: string[] = [];
  private readonly packages: Record<Side, string>;

  constructor(
    private readonly indexes: Record<Side, TypeIndex>,
    packages: Record<Side, string>,
    private readonly inProgress: Set<ProtoMessage> = new Set(),
  ) {
    this.packages = { ...packages };
  }

  /**
   * A context for diffing two same-named types from different references: same tables and
   * guard, the given packages, and the path/name scope reset to the type's local name.
   */
  subcontext(packages: Record<Side, string>, localName: string): ProtoDiffContext {
    const sub = new ProtoDiffContext(this.indexes, packages, new Set(this.inProgress));
    const parts = localName.split('.');
    sub.path.push(...parts);
    sub.names.push(...parts);
    return sub;
  }

  add(type: ProtoDifferenceType): void {
    this.differences.push({ type, path: this.path.pointer() });
  }

  isCompatible(): boolean {
    return this.differences.every((d) => isCompatibleProtoDifference(d.type));
  }

  /** Runs `fn` with `segment` appended to the path only. */
  atPath<T>(segment: string, fn: () => T): T {
    return this.path.within(segment, fn);
  }

  /** Runs `fn` inside a named type scope (path and name resolution both). */
  inType<T>(name: string, fn: () => T): T {
    this.names.push(name);
    try {
      return this.atPath(name, fn);
    } finally {
      this.names.pop();
    }
  }

  /** Runs `fn` unless `message` is already being compared further up (returns false then). */
  guard(message: ProtoMessage, fn: () => void): boolean {
    if (this.inProgress.has(message)) return false;
    this.inProgress.add(message);
    try {
      fn();
    } finally {
      this.inProgress.delete(message);
    }
    return true;
  }

  resolve(name: string, side: Side): string | null {
    return resolveTypeName(this.indexes[side], name, this.packages[side], this.names);
  }

  typeFor(name: string, side: Side): TypeInfo | null {
    const full = this.resolve(name, side);
    return full === null ? null : this.indexes[side].get(full) ?? null;
  }

  typeForFullName(fullName: string, side: Side): TypeInfo | null {
    return this.indexes[side].get(fullName) ?? null;
  }
}
