/**
 * The flat backend registry a running gateway holds (RFC-039): the config file's backends
 * (read-only through the admin API, as the file's frontends are) and those registered through
 * the admin API, and which embedded pattern slots each one is bound to. It answers what the
 * admin commands need to decide: who uses a backend, and whether a new type and config would
 * still serve every slot bound to it. It never holds a resolved secret.
 */
import type { SlotDeclaration } from '../upstream/pattern-module.js';
import { checkBackendConfig, interfacesOf, isBackendType, redactedConfig, plainSecretWarning } from './backend-types.js';
import { slotBindingProblems } from './slot-binder.js';

export interface RegisteredBackend {
  readonly name: string;
  readonly type: string;
  /** As written: secret references unresolved, plain secrets as given (never shown). */
  readonly config: Readonly<Record<string, unknown>>;
  /** `file`: the config file defines it (read-only here); `admin`: registered at run time. */
  readonly origin: 'file' | 'admin';
}

/** An embedded pattern slot bound to a backend. */
export interface SlotUse {
  readonly namespace: string;
  readonly slot: string;
}

/** An embedded namespace's pattern: its slots and what they are bound to. */
export interface BoundPattern {
  readonly namespace: string;
  readonly pattern: string;
  readonly slots: readonly SlotDeclaration[];
  /** Slot name → backend name. */
  readonly bindings: Readonly<Record<string, string>>;
}

/** A backend as the admin API shows it: never its secrets. */
export interface BackendView {
  readonly name: string;
  readonly type: string;
  readonly origin: 'file' | 'admin';
  readonly interfaces: readonly string[];
  readonly usedBy: readonly SlotUse[];
}

/** Why a backend change cannot be accepted: field problems (pointers into `config`) and slot refusals. */
export interface BackendChangeProblems {
  readonly config: readonly { pointer: string; message: string }[];
  readonly slots: readonly (SlotUse & { message: string })[];
  /** Plain secrets (accepted; the caller warns). */
  readonly warnings: readonly string[];
}

export interface BackendRegistry {
  get(name: string): RegisteredBackend | undefined;
  list(): RegisteredBackend[];
  view(backend: RegisteredBackend): BackendView;
  /** The config as it may be shown (secrets redacted). */
  shownConfig(backend: RegisteredBackend): Record<string, unknown>;
  usersOf(name: string): SlotUse[];
  /** What is wrong with registering `name` as this type and config (empty lists: nothing). */
  checkChange(name: string, type: string, config: Readonly<Record<string, unknown>>): BackendChangeProblems;
  set(backend: RegisteredBackend): void;
  remove(name: string): void;
}

export function createBackendRegistry(initial: readonly RegisteredBackend[], patterns: readonly BoundPattern[]): BackendRegistry {
  const backends = new Map(initial.map((b) => [b.name, b]));
  const usersOf = (name: string): SlotUse[] =>
    patterns.flatMap((p) => Object.entries(p.bindings).filter(([, backend]) => backend === name).map(([slot]) => ({ namespace: p.namespace, slot })));
  return {
    get: (name) => backends.get(name),
    list: () => [...backends.values()],
    view: (b) => ({ name: b.name, type: b.type, origin: b.origin, interfaces: interfacesOf(b.type), usedBy: usersOf(b.name) }),
    shownConfig: (b) => redactedConfig(b.type, b.config),
    usersOf,
    checkChange(name, type, config) {
      if (!isBackendType(type)) return { config: [{ pointer: '/type', message: `unknown backend type '${type}'` }], slots: [], warnings: [] };
      const checked = checkBackendConfig(type, config);
      const slots = patterns.flatMap((p) => {
        const bound = Object.fromEntries(Object.entries(p.bindings).filter(([, backend]) => backend === name));
        return slotBindingProblems(p.pattern, p.slots, bound, (n) => (n === name ? { name, type } : undefined)).map((problem) => ({ namespace: p.namespace, slot: problem.slot, message: problem.message }));
      });
      return {
        config: checked.problems.map((p) => ({ pointer: `/config${p.pointer}`, message: p.message })),
        slots,
        warnings: checked.plainSecrets.map((pointer) => plainSecretWarning(name, pointer)),
      };
    },
    set: (b) => void backends.set(b.name, b),
    remove: (name) => void backends.delete(name),
  };
}
