/**
 * The primary of `serve --workers N` (node:cluster): runs the config's embedded patterns once
 * (one process owns their storage), forks N gateway workers that run the same command and
 * reach those patterns over loopback gRPC, relays what the workers tell each other
 * (worker-link.ts), re-binds its patterns when a worker's admin API updates a backend they use
 * (primary-rebind.ts), sums their metrics for `/metrics`, replaces a worker that dies, and on
 * SIGTERM/SIGINT lets every worker drain before it closes the patterns.
 *
 * It gives up (exit 1) rather than serve with fewer workers than asked for forever: when the
 * first workers cannot start, or replacements keep failing to start.
 */
import cluster, { type Worker } from 'node:cluster';
import { pino } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { RegisteredBackend } from '../backends/backend-registry.js';
import type { LoadedConfig } from '../config/gateway-config.js';
import { lockDataDir, resolveDataDir, startRebindablePattern, type RebindablePattern } from '../start-gateway.js';
import { shouldWatchParent, watchParent } from '../operations/parent-watch.js';
import { createPrimaryRebinder, primaryBackends } from './primary-rebind.js';
import { isClusterMessage, PATTERNS_ENV, type ClusterMessage, type PatternElsewhere, type WorkerAddresses } from './worker-link.js';

export interface ClusterOptions {
  readonly workers: number;
  readonly dataDir?: string;
  readonly logLevel: string;
}

/** A replacement for a crashed worker waits this long, doubled per crash in a row (at most 10 s). */
const RESTART_DELAY_MS = 250;
const RESTART_DELAY_MAX_MS = 10_000;
/** A worker that has served this long ends a series of crashes. */
const STABLE_AFTER_MS = 30_000;
/** Replacements that fail to start, in a row, before the primary gives up. */
const MAX_FAILED_STARTS = 5;
/** How long a worker may take to start listening. */
const START_TIMEOUT_MS = 120_000;
/** Workers get the config's drain time plus this before they are killed. */
const STOP_MARGIN_MS = 5_000;

/** Runs until SIGTERM/SIGINT; resolves with the exit code (1 when workers cannot be kept running). */
export async function runCluster(loaded: LoadedConfig, options: ClusterOptions): Promise<number> {
  const log = pino({ level: options.logLevel });
  // Signals count from the start: a SIGTERM while patterns or workers start still stops cleanly.
  let stopSignal: NodeJS.Signals | undefined;
  let onStop: (signal: NodeJS.Signals) => void = (signal) => (stopSignal = signal);
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  // Under npm, npm's end is the supervisor's stop (operations/parent-watch.ts).
  if (shouldWatchParent()) watchParent(() => onStop('SIGTERM'));

  const dataDir = resolveDataDir(loaded, options.dataDir);
  // The primary holds the data folder's lock for the whole cluster: its workers run no storage.
  const unlock = lockDataDir(dataDir);
  const patterns = new Map<string, RebindablePattern>();
  const closePatterns = async () => {
    for (const p of patterns.values()) await p.running.close().catch((err) => log.error({ err }, 'closing an embedded pattern failed'));
    unlock();
  };
  let backends = new Map<string, RegisteredBackend>();
  try {
    // Slots may be bound to backends registered through the admin API: the workers' store holds them.
    backends = await primaryBackends(loaded, dataDir);
    for (const ns of loaded.config.namespaces) {
      if (ns.pattern.embedded) patterns.set(ns.name, await startRebindablePattern(loaded, ns.name, dataDir, (name) => backends.get(name), log));
    }
  } catch (err) {
    await closePatterns();
    throw err;
  }
  for (const [name, p] of patterns) log.info({ listener: 'pattern', namespace: name, address: p.running.address }, 'embedded pattern listening (gRPC)');

  // Where each pattern listens, for workers forked from now on (a re-bind may move one).
  const elsewhere = new Map<string, PatternElsewhere>([...patterns].map(([name, p]) => [name, { address: p.running.address, protoFiles: [...p.running.protoFiles] }]));
  const aggregator = new AggregatorRegistry();
  const workers = new Set<Worker>();
  const listening = new Set<Worker>();
  const rebinder = createPrimaryRebinder({
    loaded,
    patterns,
    backends,
    workers: () => [...listening].filter((w) => w.isConnected()),
    moved: (namespace, address) => elsewhere.set(namespace, { ...elsewhere.get(namespace)!, address }),
    drainMs: loaded.config.shutdownTimeoutMs ?? 10_000,
    log,
  });
  let stopping = false;
  let crashesInARow = 0;
  let failedStarts = 0;
  let giveUp: (reason: string) => void = () => {};
  const gaveUp = new Promise<string>((done) => (giveUp = done));

  const relay = (from: Worker, message: ClusterMessage) => {
    if (message.type === 'prism:event') {
      for (const w of listening) if (w !== from && w.isConnected()) w.send(message);
    } else if (message.type === 'prism:rebind') {
      void rebinder.rebind(message.namespaces, message.backends).then(
        () => from.isConnected() && from.send({ type: 'prism:rebound', id: message.id } satisfies ClusterMessage),
        (err: Error) => from.isConnected() && from.send({ type: 'prism:rebound', id: message.id, error: err.message } satisfies ClusterMessage),
      );
    } else if (message.type === 'prism:pattern-moved-ack') {
      rebinder.acknowledged(message.id);
    } else if (message.type === 'prism:metrics') {
      aggregator.clusterMetrics().then(
        (text) => from.isConnected() && from.send({ type: 'prism:metrics', id: message.id, text } satisfies ClusterMessage),
        (err: Error) => from.isConnected() && from.send({ type: 'prism:metrics', id: message.id, error: err.message } satisfies ClusterMessage),
      );
    }
  };

  /** Forks a worker; resolves with its addresses once it listens, rejects if it exits or hangs first. */
  const fork = () =>
    new Promise<WorkerAddresses>((resolve, reject) => {
      const worker = cluster.fork({ [PATTERNS_ENV]: JSON.stringify([...elsewhere]) });
      workers.add(worker);
      let listeningSince = 0;
      const startTimer = setTimeout(() => {
        reject(new Error(`worker ${worker.process.pid} did not listen within ${START_TIMEOUT_MS / 1000} s`));
        worker.process.kill('SIGKILL');
      }, START_TIMEOUT_MS);
      worker.on('message', (message: unknown) => {
        if (!isClusterMessage(message)) return;
        if (message.type === 'prism:listening') {
          clearTimeout(startTimer);
          listeningSince = Date.now();
          listening.add(worker);
          failedStarts = 0;
          resolve(message.addresses);
        } else {
          relay(worker, message);
        }
      });
      worker.on('exit', (code, signal) => {
        clearTimeout(startTimer);
        workers.delete(worker);
        listening.delete(worker);
        if (!listeningSince) {
          reject(new Error(`worker ${worker.process.pid} exited before it listened (${signal ?? `code ${code}`})`));
          return;
        }
        if (stopping) return;
        if (Date.now() - listeningSince >= STABLE_AFTER_MS) crashesInARow = 0;
        replace({ workerPid: worker.process.pid, code, signal });
      });
    });

  /** Starts a replacement after a growing delay; gives up after too many failed starts in a row. */
  const replace = (crashed: Record<string, unknown>) => {
    const delay = Math.min(RESTART_DELAY_MAX_MS, RESTART_DELAY_MS * 2 ** crashesInARow++);
    log.error({ ...crashed, restartInMs: delay }, 'worker exited; starting a replacement');
    const timer = setTimeout(() => {
      restarts.delete(timer);
      if (stopping) return;
      fork().catch((err: Error) => {
        if (stopping) return;
        if (++failedStarts >= MAX_FAILED_STARTS) giveUp(`${failedStarts} replacement workers in a row failed to start (last: ${err.message})`);
        else replace({ failedStart: err.message });
      });
    }, delay);
    restarts.add(timer);
  };
  const restarts = new Set<NodeJS.Timeout>();

  const stopWorkers = async (signal: NodeJS.Signals) => {
    const timeoutMs = (loaded.config.shutdownTimeoutMs ?? 10_000) + STOP_MARGIN_MS;
    await Promise.all(
      [...workers].map(
        (w) =>
          new Promise<void>((done) => {
            if (w.isDead()) return done();
            const timer = setTimeout(() => w.process.kill('SIGKILL'), timeoutMs);
            w.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            w.process.kill(signal);
          }),
      ),
    );
  };

  const shutDown = async (code: number) => {
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    await stopWorkers('SIGTERM');
    await closePatterns();
    return code;
  };

  let addresses: WorkerAddresses;
  try {
    const started = await Promise.all(Array.from({ length: options.workers }, fork));
    addresses = started[0];
  } catch (err) {
    log.error({ err }, 'the workers could not start');
    return shutDown(1);
  }
  if (stopSignal) {
    log.info({ signal: stopSignal }, 'shutting down');
    return shutDown(0);
  }
  // One summary for the cluster (each worker logs its listeners at debug and one line of its own).
  if (addresses.adminUrl) log.info({ listener: 'admin', url: addresses.adminUrl }, 'admin listening (admin API, /metrics, /healthz, /readyz)');
  if (addresses.probesUrl) log.info({ listener: 'probes', url: addresses.probesUrl }, 'probes listening (/healthz, /readyz, /metrics)');
  if (addresses.grpcAddress) log.info({ listener: 'grpc', address: addresses.grpcAddress }, 'gRPC passthrough listening');
  log.info({ listener: 'public', url: addresses.url, workers: options.workers, pids: [...workers].map((w) => w.process.pid) }, 'gateway listening (HTTP)');

  const outcome = await new Promise<{ signal: NodeJS.Signals } | { failure: string }>((done) => {
    onStop = (signal) => done({ signal });
    void gaveUp.then((failure) => done({ failure }));
  });
  if ('failure' in outcome) {
    log.error({ reason: outcome.failure }, 'giving up: the workers cannot be kept running');
    return shutDown(1);
  }
  log.info({ signal: outcome.signal }, 'shutting down');
  return shutDown(0);
}

/** Parses `--workers`: a positive count, or `auto` for one per available CPU. */
export function parseWorkerCount(text: string, cpus: number): number | undefined {
  if (text === 'auto') return cpus;
  if (!/^[1-9][0-9]{0,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 1024 ? n : undefined;
}
