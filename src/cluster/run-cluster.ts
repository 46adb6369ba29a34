/**
 * The primary of `serve --workers N` (node:cluster): runs the config's embedded patterns once
 * (one process owns their storage), forks N gateway workers that run the same command and
 * reach those patterns over loopback gRPC, relays what the workers tell each other
 * (worker-link.ts), sums their metrics for `/metrics`, replaces a worker that dies, and on
 * SIGTERM/SIGINT lets every worker drain before it closes the patterns.
 */
import cluster, { type Worker } from 'node:cluster';
import { pino, type Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import type { LoadedConfig } from '../config/gateway-config.js';
import { resolveDataDir, startEmbeddedPattern } from '../start-gateway.js';
import type { RunningPattern } from '../upstream/pattern-module.js';
import { isClusterMessage, PATTERNS_ENV, type ClusterMessage, type PatternElsewhere, type WorkerAddresses } from './worker-link.js';

export interface ClusterOptions {
  readonly workers: number;
  readonly dataDir?: string;
  readonly logLevel: string;
}

/** A replacement for a crashed worker waits this long, doubled per crash in a row (at most 10 s). */
const RESTART_DELAY_MS = 250;
const RESTART_DELAY_MAX_MS = 10_000;
/** Workers get the config's drain time plus this before they are killed. */
const STOP_MARGIN_MS = 5_000;

/** Runs until SIGTERM/SIGINT; resolves with the exit code (1 when the workers cannot start). */
export async function runCluster(loaded: LoadedConfig, options: ClusterOptions): Promise<number> {
  const log = pino({ level: options.logLevel });
  const dataDir = resolveDataDir(loaded, options.dataDir);
  const patterns = new Map<string, RunningPattern>();
  const closePatterns = async () => {
    for (const p of patterns.values()) await p.close().catch((err) => log.error({ err }, 'closing an embedded pattern failed'));
  };
  try {
    for (const ns of loaded.config.namespaces) {
      if (ns.pattern.embedded) patterns.set(ns.name, await startEmbeddedPattern(loaded, ns.name, dataDir));
    }
  } catch (err) {
    await closePatterns();
    throw err;
  }
  for (const [name, p] of patterns) log.info({ namespace: name, address: p.address }, 'embedded pattern listening (gRPC)');

  const elsewhere: [string, PatternElsewhere][] = [...patterns].map(([name, p]) => [name, { address: p.address, protoFiles: [...p.protoFiles] }]);
  const env = { [PATTERNS_ENV]: JSON.stringify(elsewhere) };
  const aggregator = new AggregatorRegistry();
  const workers = new Set<Worker>();
  let stopping = false;
  let crashesInARow = 0;

  const relay = (from: Worker, message: ClusterMessage) => {
    if (message.type === 'prism:event') {
      for (const w of workers) if (w !== from && w.isConnected()) w.send(message);
    } else if (message.type === 'prism:metrics') {
      aggregator.clusterMetrics().then(
        (text) => from.isConnected() && from.send({ type: 'prism:metrics', id: message.id, text } satisfies ClusterMessage),
        (err: Error) => from.isConnected() && from.send({ type: 'prism:metrics', id: message.id, error: err.message } satisfies ClusterMessage),
      );
    }
  };

  /** Forks a worker; resolves with its addresses once it listens, rejects if it exits first. */
  const fork = () =>
    new Promise<WorkerAddresses>((resolve, reject) => {
      const worker = cluster.fork(env);
      workers.add(worker);
      let listening = false;
      worker.on('message', (message: unknown) => {
        if (!isClusterMessage(message)) return;
        if (message.type === 'prism:listening') {
          listening = true;
          crashesInARow = 0;
          resolve(message.addresses);
        } else {
          relay(worker, message);
        }
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        if (!listening) {
          reject(new Error(`worker ${worker.process.pid} exited before it listened (${signal ?? `code ${code}`})`));
          return;
        }
        if (stopping) return;
        const delay = Math.min(RESTART_DELAY_MAX_MS, RESTART_DELAY_MS * 2 ** crashesInARow++);
        log.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker exited; starting a replacement');
        setTimeout(() => {
          if (!stopping) fork().catch((err: Error) => log.error({ err }, 'a replacement worker failed to start'));
        }, delay).unref();
      });
    });

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

  let addresses: WorkerAddresses;
  try {
    const started = await Promise.all(Array.from({ length: options.workers }, fork));
    addresses = started[0];
  } catch (err) {
    stopping = true;
    log.error({ err }, 'the workers could not start');
    await stopWorkers('SIGTERM');
    await closePatterns();
    return 1;
  }
  if (addresses.adminUrl) log.info({ url: addresses.adminUrl }, 'admin listening (admin API, /metrics, /healthz, /readyz)');
  if (addresses.grpcAddress) log.info({ address: addresses.grpcAddress }, 'gRPC passthrough listening');
  log.info({ url: addresses.url, workers: options.workers, pids: [...workers].map((w) => w.process.pid) }, 'gateway listening (HTTP)');

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGTERM', () => done('SIGTERM'));
    process.once('SIGINT', () => done('SIGINT'));
  });
  stopping = true;
  log.info({ signal }, 'shutting down');
  await stopWorkers('SIGTERM');
  await closePatterns();
  return 0;
}

/** Parses `--workers`: a positive count, or `auto` for one per available CPU. */
export function parseWorkerCount(text: string, cpus: number): number | undefined {
  if (text === 'auto') return cpus;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : undefined;
}
