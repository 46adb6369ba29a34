/**
 * One lifecycle for a suite's resources: start them in `before`, close them in `after`, in
 * reverse order of starting, so no suite pastes its own before/after pair again.
 */
import { after, before } from 'node:test';

/** A resource the suite owns: a server or gateway (`close`) or a temporary folder (`remove`). */
export type Owned = { close(): unknown } | { remove(): unknown };

export interface SuiteScope {
  /** Closes (or removes) `resource` when the suite ends; returns it. */
  own<T extends Owned>(resource: T): T;
  /** Runs `fn` when the suite ends. */
  onClose(fn: () => unknown): void;
}

/**
 * Registers `before`/`after` hooks on the current suite (the file, or the `describe` whose
 * body calls this). Node 20 runs a file's top-level `before` hooks concurrently, so whatever
 * depends on another resource starts in the same `start` function, never in a later hook. `start` runs in `before`; every resource it hands to `scope.own` is
 * closed in `after`, last started first, even when starting failed half way. Returns a view
 * of what `start` returned: reading it before the hook ran throws, so a test cannot silently
 * use a suite that never started.
 *
 * @throws from the `after` hook: the first error a closer threw (the others still run).
 */
export function useSuite<T extends object>(start: (scope: SuiteScope) => Promise<T> | T): T {
  const closers: (() => unknown)[] = [];
  let value: T | undefined;
  const scope: SuiteScope = {
    own(resource) {
      closers.push(() => ('close' in resource ? resource.close() : resource.remove()));
      return resource;
    },
    onClose(fn) {
      closers.push(fn);
    },
  };
  before(async () => {
    value = await start(scope);
  });
  after(async () => {
    let first: unknown;
    for (const close of closers.splice(0).reverse()) {
      try {
        await close();
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== undefined) throw first;
  });
  return new Proxy({} as T, {
    get(_target, key) {
      if (value === undefined) throw new Error(`suite resource read before its before hook ran (property ${String(key)})`);
      const v = Reflect.get(value, key, value) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(value) : v;
    },
    set(_target, key, v) {
      if (value === undefined) throw new Error(`suite resource written before its before hook ran (property ${String(key)})`);
      return Reflect.set(value, key, v, value);
    },
    has(_target, key) {
      return value !== undefined && key in value;
    },
  });
}

/**
 * `useSuite` for a suite that needs one thing: starts it in `before`, closes (or removes) it
 * in `after`, and returns a view of it.
 */
export function useStarted<T extends Owned & object>(start: () => Promise<T> | T): T {
  return useSuite(async (scope) => scope.own(await start()));
}

/**
 * The current suite's scope, for what the tests themselves start (a gateway per test, a
 * client per call): whatever a test hands to `own` closes when the suite ends, last owned
 * first. Reading it before the suite's `before` hook ran throws, as `useSuite`'s view does.
 */
export function useSuiteScope(): SuiteScope {
  return useSuite((scope) => scope);
}
