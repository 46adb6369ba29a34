/**
 * Where a schema diff stands: the path its differences are reported at (`#/a/b`), as in
 * Confluent's `diff/Context`. Shared by the JSON Schema and the Protobuf diffs.
 */
export class DiffPath {
  private readonly segments: string[] = [];

  get isRoot(): boolean {
    return this.segments.length === 0;
  }

  push(...segments: readonly string[]): void {
    this.segments.push(...segments);
  }

  /** A path that starts where this one stands and moves on its own. */
  copy(): DiffPath {
    const copy = new DiffPath();
    copy.push(...this.segments);
    return copy;
  }

  /** Runs `fn` with `segment` appended; it is removed again however `fn` ends. */
  within<T>(segment: string, fn: () => T): T {
    this.segments.push(segment);
    try {
      return fn();
    } finally {
      this.segments.pop();
    }
  }

  /** `#/a/b`, or `#/a/b/last` when `last` is given. */
  pointer(last?: string): string {
    return `#/${(last === undefined ? this.segments : [...this.segments, last]).join('/')}`;
  }
}
