/**
 * Re-binding the patterns a cluster's primary runs (`serve --workers N`). A backend update
 * arrives at one worker's admin API, but the pattern its slot serves runs here, and every
 * worker calls it. So the asking worker sends the backends (worker-link.ts `rebind`), and the
 * primary, one request at a time:
 * 1. starts each namespace's pattern anew with them and checks it (connects, health check);
 *    any failure closes what it started and answers the reason, the old binding serving;
 * 2. tells every worker where the new pattern listens; each moves its calls there, lets its
 *    calls on the old one finish, and acknowledges (or the drain time passes);
 * 3. closes the old pattern, and answers the asking worker.
 * A request whose backends are those already bound does nothing: every worker that hears of a
 * change (through the admin store) asks, and only the first one re-binds.
 */
import { resolve } from 'node:path';
import type { Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { createSqliteDefinitionStore, type DefinitionStore } from '../admin/definition-store.js';
import { sameConfig } from '../admin/backend-sync.js';
import { createPostgresDefinitionStore, type PostgresDefinitionStoreOptions } from '../admin/postgres-definition-store.js';
import type { RegisteredBackend } from '../backends/backend-registry.js';
import { resolvedConfig } from '../backends/backend-types.js';
import type { LoadedConfig } from '../config/gateway-config.js';
import type { PreparedRebind, RebindablePattern } from '../start-gateway.js';
import type { BackendSpec, ClusterMessage } from './worker-link.js';

/** How much longer than their drain time the workers get to say they have moved. */
const ACK_MARGIN_MS = 5_000;

/**
 * The backends the primary binds slots to: the config file's, and those registered through
 * the admin API in the store the workers use (the PostgreSQL `admin.store`, or the SQLite file
 * in the data dir). A stored backend with the name of one the file defines is ignored, as the
 * workers ignore it (they say so).
 */
export async function primaryBackends(loaded: LoadedConfig, dataDir: string): Promise<Map<string, RegisteredBackend>> {
  const { config, baseDir } = loaded;
  const all = new Map<string, RegisteredBackend>((config.backends ?? []).map((b) => [b.name, { name: b.name, type: b.type, config: b.config ?? {}, origin: 'file' }]));
  const storeBackend = config.admin?.store === undefined ? undefined : all.get(config.admin.store);
  const store: DefinitionStore = storeBackend
    ? createPostgresDefinitionStore(resolvedConfig(storeBackend.type, storeBackend.config, baseDir) as unknown as PostgresDefinitionStoreOptions)
    : createSqliteDefinitionStore(resolve(dataDir, 'gateway-admin.db'));
  try {
    for (const s of await store.listBackends()) if (!s.deleted && !all.has(s.name)) all.set(s.name, { name: s.name, type: s.type, config: s.config, origin: 'admin' });
  } finally {
    await store.close();
  }
  return all;
}

export interface PrimaryRebinderOptions {
  readonly loaded: LoadedConfig;
  readonly patterns: ReadonlyMap<string, RebindablePattern>;
  /** The backends as last bound, by name; kept current by accepted re-binds. */
  readonly backends: Map<string, RegisteredBackend>;
  /** The workers to move (those listening). */
  workers(): Worker[];
  /** A namespace's pattern now listens at another address (one not kept stable across re-binds). */
  moved(namespace: string, address: string): void;
  readonly drainMs: number;
  readonly log: Logger;
}

export interface PrimaryRebinder {
  /** @throws Error with the reason (never a secret) when a pattern could not be re-bound; nothing changed then. */
  rebind(namespaces: readonly string[], backends: readonly BackendSpec[]): Promise<void>;
  /** A worker has moved its calls (the answer to a 'prism:pattern-moved'). */
  acknowledged(id: number): void;
}

export function createPrimaryRebinder(options: PrimaryRebinderOptions): PrimaryRebinder {
  const { loaded, patterns, backends, log } = options;
  const slotsOf = (namespace: string) => loaded.config.namespaces.find((ns) => ns.name === namespace)?.pattern.slots ?? {};
  // What each namespace's slots are bound to now (slot → backend).
  const bound = new Map<string, Map<string, RegisteredBackend>>();
  const bindings = (namespace: string, lookup: (name: string) => RegisteredBackend | undefined) =>
    new Map(Object.entries(slotsOf(namespace)).flatMap(([slot, name]) => {
      const b = lookup(name);
      return b ? [[slot, b] as const] : [];
    }));
  for (const namespace of patterns.keys()) bound.set(namespace, bindings(namespace, (n) => backends.get(n)));

  const waiting = new Map<number, () => void>();
  let nextId = 0;
  /** Tells every worker; resolves once each has moved (or its time is up). */
  const moveWorkers = (namespace: string, address: string) =>
    Promise.all(
      options.workers().map(
        (worker) =>
          new Promise<void>((done) => {
            const id = nextId++;
            const timer = setTimeout(() => {
              waiting.delete(id);
              log.warn({ namespace, workerPid: worker.process.pid }, 'a worker did not confirm moving to the re-bound pattern in time');
              done();
            }, options.drainMs + ACK_MARGIN_MS);
            waiting.set(id, () => {
              clearTimeout(timer);
              waiting.delete(id);
              done();
            });
            worker.send({ type: 'prism:pattern-moved', id, namespace, address } satisfies ClusterMessage);
          }),
      ),
    );

  // One re-bind at a time: two workers asking at once must not start two replacements.
  let queue: Promise<unknown> = Promise.resolve();
  const rebind = async (namespaces: readonly string[], specs: readonly BackendSpec[]): Promise<void> => {
    const given = new Map<string, RegisteredBackend>(specs.map((b) => [b.name, { name: b.name, type: b.type, config: b.config, origin: 'admin' }]));
    const lookup = (name: string) => given.get(name) ?? backends.get(name);
    for (const namespace of namespaces) if (!patterns.has(namespace)) throw new Error(`namespace '${namespace}' has no embedded pattern in this gateway`);
    const changed = namespaces.filter((namespace) => {
      const now = bound.get(namespace)!;
      return Object.entries(slotsOf(namespace)).some(([slot, name]) => {
        const was = now.get(slot);
        const next = lookup(name);
        return !was || !next || was.type !== next.type || !sameConfig(was.config, next.config);
      });
    });
    if (changed.length === 0) return;
    const prepared: { namespace: string; rebind: PreparedRebind }[] = [];
    try {
      for (const namespace of changed) prepared.push({ namespace, rebind: await patterns.get(namespace)!.prepare(lookup) });
    } catch (err) {
      for (const p of prepared) await p.rebind.abort();
      throw err;
    }
    for (const { namespace, rebind: p } of prepared) {
      // The primary's own client only served the check; the workers call the pattern.
      p.client.close();
      await moveWorkers(namespace, p.address);
      await p.commit();
      bound.set(namespace, bindings(namespace, lookup));
      // The default private socket keeps its path across re-binds (the new one is linked there).
      if (!patterns.get(namespace)!.running.address.startsWith('unix:')) options.moved(namespace, p.address);
      log.info({ namespace, backends: [...new Set(Object.values(slotsOf(namespace)))] }, 'embedded pattern re-bound');
    }
    for (const b of given.values()) backends.set(b.name, b);
  };
  return {
    rebind(namespaces, specs) {
      const run = queue.then(() => rebind(namespaces, specs));
      queue = run.catch(() => undefined);
      return run;
    },
    acknowledged: (id) => waiting.get(id)?.(),
  };
}
