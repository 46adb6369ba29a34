#!/usr/bin/env node
/**
 * `prism-keyvalue`: runs the keyvalue pattern on its own (DESIGN.md §5, §8).
 *
 *   prism-keyvalue serve --listen 127.0.0.1:9092 --backend memstore:
 *   prism-keyvalue serve --backend sqlite:./data/keyvalue.db
 *   prism-keyvalue serve --backend postgres://kv@db:5432/kv      (several replicas)
 *   prism-keyvalue serve --backend redis://cache:6379/0           (several replicas)
 *   prism-keyvalue serve --listen 0.0.0.0:9092 --tls-cert s.crt --tls-key s.key --client-ca ca.crt
 *
 * Like `prism-registry serve`, it does not authenticate callers, so it binds beyond loopback
 * only with mutual TLS or when told `--insecure` (DESIGN.md §8, "Listeners and exposure").
 * Logs are pino JSON lines on stdout; a failed start prints one sentence on stderr and exits 2
 * (arguments, configuration, an unreachable store) or 1. Connection strings are printed with
 * their credentials redacted. SIGTERM and SIGINT shut down gracefully and exit 0.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { isLoopbackHost, listenHost } from '../../src/config/listener-exposure.js';
import { redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';
import { createStore, parseStoreUri } from './create-store.js';
import { KEYVALUE_SERVICE_NAME, startKeyValueServer, type RunningKeyValueServer } from './keyvalue-server.js';
import { lockStoreFile } from './lock-store-file.js';
import type { KeyValueStore } from './store/keyvalue-store.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const USAGE = `Usage: prism-keyvalue serve [options]

Runs the Prism keyvalue pattern: the gRPC service prism.patterns.keyvalue.v1.KeyValue
and grpc.health.v1.Health.

Options:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:9092; port 0 = ephemeral;
                       unix:/path for a Unix socket). The service does not authenticate
                       callers: an address beyond loopback needs mutual TLS (the three
                       options below) or --insecure
  --tls-cert FILE      the server's certificate chain (PEM); with --tls-key, serves TLS
  --tls-key FILE       the server's private key (PEM)
  --client-ca FILE     CA certificates (PEM); clients must present a certificate it signed
  --insecure           allow a --listen beyond loopback without mutual TLS (anyone who
                       reaches the port can read and change every key)
  --backend URI        memstore: (default), sqlite:<path>, postgres://user@host:5432/db or
                       redis://host:6379/0 (rediss:// for TLS); PostgreSQL and Redis may be
                       shared by several replicas; passwords are never printed
  --log-level LEVEL    ${LOG_LEVELS.join('|')} (env PRISM_LOG_LEVEL; default info)
  -h, --help           show this help
`;

/** A start that cannot go on: `message` goes to stderr as it is, the process exits with `code`. */
class StartError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

/**
 * The listener's credentials under the exposure rule.
 * @throws StartError (exit 2) naming what is wrong and what to write instead.
 */
function listenerCredentials(values: Record<string, string | boolean | undefined>): { credentials?: grpc.ServerCredentials; tls: 'none' | 'tls' | 'mtls' } {
  const listen = values.listen as string;
  const certFile = values['tls-cert'] as string | undefined;
  const keyFile = values['tls-key'] as string | undefined;
  const caFile = values['client-ca'] as string | undefined;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new StartError('--tls-cert and --tls-key go together', 2);
  if (caFile !== undefined && certFile === undefined) throw new StartError('--client-ca needs --tls-cert and --tls-key (clients are verified during the TLS handshake)', 2);
  const tls = certFile === undefined ? 'none' : caFile === undefined ? 'tls' : 'mtls';
  const host = listenHost(listen);
  // A Unix socket (no host) is reached through the file system, guarded by its permissions.
  if (host !== undefined && !isLoopbackHost(host) && tls !== 'mtls' && values.insecure !== true) {
    throw new StartError(
      `refusing to listen on ${listen}: the keyvalue service does not authenticate callers, so anyone who reaches ${host} could read, change or delete every key. ` +
        'Give --tls-cert, --tls-key and --client-ca (mutual TLS: only clients with a certificate from that CA get in), ' +
        'listen on 127.0.0.1 behind the gateway, or pass --insecure if the network itself is trusted',
      2,
    );
  }
  if (certFile === undefined || keyFile === undefined) return { tls };
  const read = (option: string, file: string) => {
    try {
      return readFileSync(resolve(file));
    } catch (err) {
      throw new StartError(`${option} ${file}: ${(err as Error).message}`, 2);
    }
  };
  const pair = { cert_chain: read('--tls-cert', certFile), private_key: read('--tls-key', keyFile) };
  const ca = caFile === undefined ? null : read('--client-ca', caFile);
  try {
    return { credentials: grpc.ServerCredentials.createSsl(ca, [pair], ca !== null), tls };
  } catch (err) {
    throw new StartError(`cannot use the TLS files: ${(err as Error).message}`, 2);
  }
}

/** Runs the CLI; resolves with the process exit code (serve resolves only on shutdown). */
export async function runKeyValueCli(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        listen: { type: 'string', default: '127.0.0.1:9092' },
        backend: { type: 'string', default: 'memstore:' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'client-ca': { type: 'string' },
        insecure: { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`prism-keyvalue: ${redactUrlsIn((err as Error).message)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'serve') {
    process.stderr.write(`prism-keyvalue: expected the command "serve"\n\n${USAGE}`);
    return 2;
  }
  const shownBackend = redactUrl(values.backend);
  // Signals are listened for before the start line: a supervisor that stops the process the
  // moment it reads that line gets a graceful shutdown.
  const signals = awaitSignal();
  let store: KeyValueStore | undefined;
  let server: RunningKeyValueServer | undefined;
  let log: Logger | undefined;
  let unlock: (() => void) | undefined;
  try {
    const level = values['log-level'] ?? process.env.PRISM_LOG_LEVEL ?? 'info';
    if (!LOG_LEVELS.includes(level)) throw new StartError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`, 2);
    const { credentials, tls } = listenerCredentials(values);
    log = pino({ level });
    const serverLog = log;
    // grpc-js's own diagnostics go to the JSON log (debug): this CLI reports what matters itself.
    grpc.setLogger({ error: (...args: unknown[]) => serverLog.debug({ source: 'grpc-js' }, args.map(String).join(' ')) });
    try {
      const backend = parseStoreUri(values.backend);
      unlock = lockStoreFile(backend, process.cwd());
      store = createStore(backend, process.cwd());
    } catch (err) {
      throw new StartError((err as Error).message, 2);
    }
    try {
      // Reach the store before serving, so a wrong URL fails the start, not the first call.
      await store!.ping();
    } catch (err) {
      throw new StartError(`cannot reach the backend ${shownBackend}: ${(err as Error).message}`, 2);
    }
    try {
      server = await startKeyValueServer({ listen: values.listen, store, credentials, logError: (message, err) => serverLog.error({ err }, message) });
    } catch (err) {
      throw new StartError((err as Error).message, 1);
    }
    log.info(
      { address: server.address, backend: shownBackend, tls },
      `serving ${KEYVALUE_SERVICE_NAME} on ${server.address} (backend ${shownBackend}${tls === 'none' ? '' : `, ${tls === 'mtls' ? 'mutual TLS' : 'TLS'}`})`,
    );
  } catch (err) {
    signals.stop();
    await store?.close().catch(() => {});
    unlock?.();
    process.stderr.write(`prism-keyvalue: ${redactUrlsIn((err as Error).message)}\n`);
    return err instanceof StartError ? err.code : 1;
  }
  const signal = await signals.received;
  log.info({ signal }, `${signal}, shutting down`);
  try {
    await server.close();
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return 1;
  } finally {
    unlock?.();
  }
  log.info('stopped');
  return 0;
}

/** The first SIGTERM or SIGINT, listened for from now on; `stop` stops listening. */
function awaitSignal(): { received: Promise<string>; stop(): void } {
  let handlers: [NodeJS.Signals, () => void][] = [];
  const received = new Promise<string>((done) => {
    handlers = (['SIGTERM', 'SIGINT'] as const).map((name) => [name, () => done(name)]);
    for (const [name, handler] of handlers) process.once(name, handler);
  });
  return {
    received,
    stop: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}

function isMainModule(): boolean {
  const invoked = process.argv[1];
  if (!invoked) return false;
  try {
    // realpath: npm links the bin into node_modules/.bin.
    return pathToFileURL(realpathSync(invoked)).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  runKeyValueCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`prism-keyvalue: ${redactUrlsIn((err as Error).message)}\n`);
      process.exit(1);
    },
  );
}
