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
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { listenerCredentials, routeGrpcLogs, SERVE_LOG_LEVELS, serveLogLevel, StartError, tlsSuffix } from '../../src/grpc/serve-options.js';
import { redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';
import { awaitSignal } from '../../src/operations/await-signal.js';
import { isMainModule } from '../../src/operations/is-main-module.js';
import { createStore, parseStoreUri } from './create-store.js';
import { KEYVALUE_SERVICE_NAME, startKeyValueServer, type RunningKeyValueServer } from './keyvalue-server.js';
import { lockStoreFile } from './lock-store-file.js';
import type { KeyValueStore } from './store/keyvalue-store.js';

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
  --log-level LEVEL    ${SERVE_LOG_LEVELS.join('|')} (env PRISM_LOG_LEVEL; default info)
  -h, --help           show this help
`;

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
    const level = serveLogLevel(values);
    const { credentials, tls } = listenerCredentials(values, { service: 'the keyvalue service', outsiderCould: 'read, change or delete every key' });
    log = pino({ level });
    const serverLog = log;
    routeGrpcLogs(log);
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
      `serving ${KEYVALUE_SERVICE_NAME} on ${server.address} (backend ${shownBackend}${tlsSuffix(tls)})`,
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

if (isMainModule(import.meta.url)) {
  runKeyValueCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`prism-keyvalue: ${redactUrlsIn((err as Error).message)}\n`);
      process.exit(1);
    },
  );
}
