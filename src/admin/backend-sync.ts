/**
 * Follows backend changes another gateway replica (or another worker) committed to the shared
 * admin store: after a notification, the store's backends are compared with this gateway's
 * registry, and each one that differs is taken on the way the replica that made the change
 * took it: checked against this gateway's slots, its embedded pattern slots re-bound
 * (validate-then-swap), then made current. A change this gateway cannot take (its slots refuse
 * the type, or the re-bind fails) leaves the old binding serving and is logged; the next
 * notification tries again, since the store still differs.
 *
 * A delete of a backend this gateway still binds is not followed (the replica that deleted it
 * had no slot bound to it; this one has): the backend stays, and that is logged.
 */
import type { BackendRegistry, RegisteredBackend } from '../backends/backend-registry.js';
import type { StoredBackend } from './definition-store.js';

export interface BackendSyncContext {
  readonly backends: BackendRegistry;
  readonly rebind?: (namespaces: readonly string[], lookup: (name: string) => RegisteredBackend | undefined) => Promise<void>;
  readonly log?: { info(details: object, message: string): void; warn(details: object, message: string): void };
}

/** Applies the stored backends that differ from the registry's; never throws for one backend's failure. */
export async function followStoredBackends(ctx: BackendSyncContext, stored: readonly StoredBackend[]): Promise<void> {
  for (const s of stored) {
    const current = ctx.backends.get(s.name);
    // The config file owns its backends; a stored change to one is ignored (as at start).
    if (current?.origin === 'file') continue;
    if (s.deleted) {
      if (!current) continue;
      const users = ctx.backends.usersOf(s.name);
      if (users.length > 0) {
        ctx.log?.warn({ backend: s.name, usedBy: users.map((u) => `${u.namespace}/${u.slot}`), trigger: 'store' }, 'backend deleted elsewhere is still bound here; kept');
        continue;
      }
      ctx.backends.remove(s.name);
      ctx.log?.info({ backend: s.name, trigger: 'store' }, 'backend deleted');
      continue;
    }
    if (current && current.type === s.type && sameConfig(current.config, s.config)) continue;
    const checked = ctx.backends.checkChange(s.name, s.type, s.config);
    if (checked.config.length > 0 || checked.slots.length > 0) {
      const problems = [...checked.config.map((p) => `${p.pointer}: ${p.message}`), ...checked.slots.map((p) => `namespace '${p.namespace}': ${p.message}`)];
      ctx.log?.warn({ backend: s.name, problems, trigger: 'store' }, 'backend change from the store refused here; the old binding keeps serving');
      continue;
    }
    const next: RegisteredBackend = { name: s.name, type: s.type, config: s.config, origin: 'admin' };
    const users = ctx.backends.usersOf(s.name);
    if (users.length > 0) {
      const namespaces = [...new Set(users.map((u) => u.namespace))];
      try {
        if (!ctx.rebind) throw new Error('this gateway cannot re-bind pattern slots');
        await ctx.rebind(namespaces, (n) => (n === s.name ? next : ctx.backends.get(n)));
      } catch (err) {
        ctx.log?.warn({ backend: s.name, namespaces, reason: (err as Error).message, trigger: 'store' }, 'backend re-bind failed; the old binding keeps serving');
        continue;
      }
    }
    ctx.backends.set(next);
    ctx.log?.info({ backend: s.name, type: s.type, rebound: users.map((u) => `${u.namespace}/${u.slot}`), trigger: 'store' }, current ? 'backend updated' : 'backend registered');
  }
}

/**
 * Whether two configs are the same JSON value. PostgreSQL's jsonb does not keep key order, so
 * objects compare by their keys, not their text.
 */
export function sameConfig(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameConfig(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameConfig((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
