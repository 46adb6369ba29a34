/**
 * A gateway worker's side of `serve --workers N` (node:cluster). The primary runs the
 * embedded patterns and tells each worker where they listen; the workers share the public,
 * admin and passthrough ports (node:cluster hands connections out in turn) and keep each
 * other current through the primary: a frontend change made through one worker's admin API
 * makes the others reread the definition store, a write that cleared one worker's response
 * cache clears the others', and `/metrics` on any worker sums every worker's counters.
 */
import { AggregatorRegistry, type Registry } from 'prom-client';

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

/** Messages between the primary and its workers (node:cluster IPC). */
export type ClusterMessage =
  | { readonly type: 'prism:listening'; readonly addresses: WorkerAddresses }
  | { readonly type: 'prism:event'; readonly event: ClusterEvent }
  | { readonly type: 'prism:metrics'; readonly id: number; readonly text?: string; readonly error?: string };

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
}

const METRICS_TIMEOUT_MS = 10_000;

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
  };
}
