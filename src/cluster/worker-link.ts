/**
 * A gateway worker's side of `serve --workers N` (node:cluster). The primary runs the
 * embedded patterns and tells each worker where they listen; the workers share the public,
 * admin and passthrough ports (node:cluster hands connections out in turn) and keep each
 * other current through the primary: a frontend change made through one worker's admin API
 * makes the others reread the definition store, a write that cleared one worker's response
 * cache clears the others', and `/metrics` on any worker sums every worker's counters.
 *
 * A backend update made through a worker's admin API re-binds the slots of patterns the primary
 * runs: the worker asks the primary (`rebind`), which starts and checks the new pattern, tells
 * every worker where it listens so they move their calls to it (`onPatternMoved`), closes the
 * old one once they have, and answers the worker with the outcome.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { RegisteredBackend } from '../backends/backend-registry.js';

/** What one worker tells the others. */
export type ClusterEvent =
  | { readonly type: 'frontends-changed' }
  | { readonly type: 'cache-cleared'; readonly frontend: string; readonly namespace?: string };

/** Where an embedded pattern run by the primary listens. */
export interface PatternElsewhere {
  readonly address: string;
  readonly protoFiles: readonly string[];
}

/** The addresses a worker serves, once it listens. */
export interface WorkerAddresses {
  readonly url: string;
  readonly adminUrl?: string;
  readonly grpcAddress?: string;
  readonly probesUrl?: string;
}

/** A backend as a re-bind request carries it: secret references unresolved, as stored. */
export type BackendSpec = Pick<RegisteredBackend, 'name' | 'type' | 'config'>;

/** Messages between the primary and its workers (node:cluster IPC). */
export type ClusterMessage =
  | { readonly type: 'prism:listening'; readonly addresses: WorkerAddresses }
  | { readonly type: 'prism:event'; readonly event: ClusterEvent }
  | { readonly type: 'prism:metrics'; readonly id: number; readonly text?: string; readonly error?: string }
  /** Worker → primary: re-bind these namespaces' patterns to these backends (those their slots name). */
  | { readonly type: 'prism:rebind'; readonly id: number; readonly namespaces: readonly string[]; readonly backends: readonly BackendSpec[] }
  /** Primary → the asking worker: done, or why not (the old binding keeps serving). */
  | { readonly type: 'prism:rebound'; readonly id: number; readonly error?: string }
  /** Primary → every worker: a namespace's pattern now listens here; move to it and say so. */
  | { readonly type: 'prism:pattern-moved'; readonly id: number; readonly namespace: string; readonly address: string }
  | { readonly type: 'prism:pattern-moved-ack'; readonly id: number };

/** The environment variable that carries the primary's patterns to its workers (JSON). */
export const PATTERNS_ENV = 'PRISM_CLUSTER_PATTERNS';

export interface WorkerLink {
  /** Embedded patterns the primary runs, by namespace. */
  readonly patterns: ReadonlyMap<string, PatternElsewhere>;
  /** Tells every other worker. */
  publish(event: ClusterEvent): void;
  onEvent(listener: (event: ClusterEvent) => void): void;
  /** Lets the primary collect this worker's metrics. */
  shareMetrics(registry: Registry): void;
  /** Every worker's metrics, summed by the primary, in Prometheus text. */
  clusterMetrics(): Promise<string>;
  /** Tells the primary this worker serves. */
  listening(addresses: WorkerAddresses): void;
  /**
   * Asks the primary to re-bind the patterns of these namespaces (which it runs) to `backends`.
   * @throws Error with the primary's reason when the re-bind failed (the old binding serves).
   */
  rebind(namespaces: readonly string[], backends: readonly BackendSpec[]): Promise<void>;
  /**
   * What this worker does when the primary moves a namespace's pattern: switch its calls to
   * `address`, resolving once the calls on the old one have finished (the primary closes it then).
   */
  onPatternMoved(namespace: string, move: (address: string) => Promise<void>): void;
}

const METRICS_TIMEOUT_MS = 10_000;
/** A re-bind starts a pattern, checks it (up to 10 s) and waits for the workers to drain. */
const REBIND_TIMEOUT_MS = 120_000;

/**
 * The backends the slots of these namespaces are bound to, as `lookup` has them (what a
 * re-bind request carries).
 */
export function slotBackends(slotsOf: (namespace: string) => Readonly<Record<string, string>> | undefined, namespaces: readonly string[], lookup: (name: string) => RegisteredBackend | undefined): BackendSpec[] {
  const names = new Set(namespaces.flatMap((ns) => Object.values(slotsOf(ns) ?? {})));
  return [...names].flatMap((name) => {
    const b = lookup(name);
    return b ? [{ name: b.name, type: b.type, config: b.config }] : [];
  });
}

export function isClusterMessage(value: unknown): value is ClusterMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('prism:');
}

/** Whether this process is a worker forked by runCluster (not just any cluster worker, e.g. PM2's). */
export const isPrismWorker = () => process.env[PATTERNS_ENV] !== undefined && typeof process.send === 'function';

/** Connects this process, a cluster worker, to its primary. */
export function connectWorker(): WorkerLink {
  const send = process.send?.bind(process);
  if (!send) throw new Error('not a cluster worker: no IPC channel to a primary');
  // Answer the primary's metrics requests from the start (prom-client listens once an
  // AggregatorRegistry exists here): a worker still starting sends nothing rather than
  // making the whole cluster's /metrics wait for it.
  AggregatorRegistry.setRegistries([]);
  new AggregatorRegistry();
  const patterns = new Map<string, PatternElsewhere>(JSON.parse(process.env[PATTERNS_ENV] ?? '[]') as [string, PatternElsewhere][]);
  const listeners: ((event: ClusterEvent) => void)[] = [];
  const pendingMetrics = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  const pendingRebinds = new Map<number, { resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  const movers = new Map<string, (address: string) => Promise<void>>();
  let nextId = 0;

  process.on('message', (message: unknown) => {
    if (!isClusterMessage(message)) return;
    if (message.type === 'prism:event') {
      for (const listener of listeners) listener(message.event);
    } else if (message.type === 'prism:metrics') {
      const pending = pendingMetrics.get(message.id);
      if (!pending) return;
      pendingMetrics.delete(message.id);
      clearTimeout(pending.timer);
      if (message.text !== undefined) pending.resolve(message.text);
      else pending.reject(new Error(message.error ?? 'the primary sent no metrics'));
    } else if (message.type === 'prism:rebound') {
      const pending = pendingRebinds.get(message.id);
      if (!pending) return;
      pendingRebinds.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error === undefined) pending.resolve();
      else pending.reject(new Error(message.error));
    } else if (message.type === 'prism:pattern-moved') {
      // Acknowledged whatever happens: the primary must not wait on a worker that cannot move.
      const move = movers.get(message.namespace);
      void (move ? move(message.address) : Promise.resolve()).catch(() => {}).then(() => post({ type: 'prism:pattern-moved-ack', id: message.id }));
    }
  });

  const post = (message: ClusterMessage) => {
    // After the primary is gone there is no one to tell; the worker is shutting down then.
    if (process.connected) send(message);
  };

  return {
    patterns,
    publish: (event) => post({ type: 'prism:event', event }),
    onEvent: (listener) => void listeners.push(listener),
    shareMetrics(registry) {
      AggregatorRegistry.setRegistries([registry]);
    },
    clusterMetrics() {
      const id = nextId++;
      if (!process.connected) return Promise.reject(new Error('the primary is gone'));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingMetrics.delete(id);
          reject(new Error('the primary did not answer with metrics in time'));
        }, METRICS_TIMEOUT_MS);
        pendingMetrics.set(id, { resolve, reject, timer });
        post({ type: 'prism:metrics', id });
      });
    },
    listening: (addresses) => post({ type: 'prism:listening', addresses }),
    rebind(namespaces, backends) {
      const id = nextId++;
      if (!process.connected) return Promise.reject(new Error('the primary is gone'));
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          pendingRebinds.delete(id);
          reject(new Error('the primary did not answer the re-bind in time'));
        }, REBIND_TIMEOUT_MS);
        pendingRebinds.set(id, { resolve, reject, timer });
        post({ type: 'prism:rebind', id, namespaces: [...namespaces], backends: [...backends] });
      });
    },
    onPatternMoved: (namespace, move) => void movers.set(namespace, move),
  };
}
