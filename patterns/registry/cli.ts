#!/usr/bin/env node
/**
 * `prism-registry`: runs the registry pattern on its own, so the gateway and the pattern
 * scale independently (DESIGN.md §5).
 *
 *   prism-registry serve --listen 127.0.0.1:9091 --backend sqlite:./data/registry.db
 *   prism-registry serve --backend memstore:
 *   prism-registry serve --backend postgres://registry@db:5432/registry   (several replicas)
 *   prism-registry serve --listen 0.0.0.0:9091 --tls-cert s.crt --tls-key s.key --client-ca ca.crt
 *
 * The registry has no authentication of its own: whoever reaches its port may call every
 * method. So it binds beyond loopback only with mutual TLS, or when told `--insecure`
 * (DESIGN.md §8, "Listeners and exposure").
 *
 * Logs are JSON lines on stdout from pino, in the gateway's shape; a start that fails prints
 * one plain sentence on stderr and exits 2 (bad arguments, configuration) or 1. Connection
 * strings are printed with their credentials redacted. SIGTERM and SIGINT shut down
 * gracefully: health turns NOT_SERVING, in-flight calls finish, the store is closed, the
 * process exits 0.
 */
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { listenerCredentials, routeGrpcLogs, SERVE_LOG_LEVELS, serveLogLevel, StartError, tlsSuffix } from '../../src/grpc/serve-options.js';
import { redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';
import { awaitSignal } from '../../src/operations/await-signal.js';
import { isMainModule } from '../../src/operations/is-main-module.js';
import { createStorage, parseBackendUri } from './create-storage.js';
import { lockSqliteFile } from './lock-sqlite-file.js';
import { createDekStorage } from './dek/create-dek-storage.js';
import { REGISTRY_SERVICE_NAME, startRegistryServer } from './registry-server.js';

const USAGE = `Usage: prism-registry serve [options]

Runs the Prism registry pattern: the gRPC service prism.patterns.registry.v1.Registry
(Confluent Schema Registry semantics) and grpc.health.v1.Health.

Options:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:9091; port 0 = ephemeral;
                       unix:/path for a Unix socket). The registry does not authenticate
                       callers: an address beyond loopback needs mutual TLS (the three
                       options below) or --insecure
  --tls-cert FILE      the server's certificate chain (PEM); with --tls-key, serves TLS
  --tls-key FILE       the server's private key (PEM)
  --client-ca FILE     CA certificates (PEM); clients must present a certificate it signed
  --insecure           allow a --listen beyond loopback without mutual TLS (anyone who
                       reaches the port can change every schema)
  --backend URI        sqlite:<path> (default sqlite:./data/registry.db), memstore:, or
                       postgres://user@host:5432/db (several replicas may share one database;
                       TLS and other connection options as URL parameters, e.g. ?sslmode=require;
                       passwords are never printed)
  --sync MODE          SQLite synchronous mode: NORMAL (default; survives process crashes)
                       or FULL (also survives power loss)
  --change-retention N how many of the newest changes WatchChanges keeps in the store
                       (default 100000); resuming before them fails with CHANGES_EXPIRED
  --log-level LEVEL    ${SERVE_LOG_LEVELS.join('|')} (env PRISM_LOG_LEVEL; default info)
  -h, --help           show this help
`;

/**
 * `--change-retention`'s value.
 * @throws StartError (exit 2) unless it is a whole number ≥ 1.
 */
function changeRetention(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new StartError(`--change-retention must be a whole number ≥ 1, not '${value}'`, 2);
  return n;
}

/** Runs the CLI; resolves with the process exit code (serve resolves only on shutdown). */
export async function runRegistryCli(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        listen: { type: 'string', default: '127.0.0.1:9091' },
        backend: { type: 'string', default: 'sqlite:./data/registry.db' },
        sync: { type: 'string', default: 'NORMAL' },
        'change-retention': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'client-ca': { type: 'string' },
        insecure: { type: 'boolean', default: false },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    // node:util's message may quote an argument, a connection string among them.
    process.stderr.write(`prism-registry: ${redactUrlsIn((err as Error).message)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'serve') {
    process.stderr.write(`prism-registry: expected the command "serve"\n\n${USAGE}`);
    return 2;
  }
  const shownBackend = redactUrl(values.backend);
  // Listening for signals before the start line is printed: a supervisor that stops the
  // process the moment it reads that line gets a graceful shutdown, not the default kill.
  const signals = awaitSignal();
  let storage;
  let dekStorage;
  let server;
  let log: Logger | undefined;
  let unlock: (() => void) | undefined;
  try {
    const level = serveLogLevel(values);
    const options = { listen: values.listen, ...listenerCredentials(values, { service: 'the registry', outsiderCould: 'change or delete every schema' }) };
    log = pino({ level });
    routeGrpcLogs(log);
    try {
      const parsedBackend = parseBackendUri(values.backend);
      const retention = values['change-retention'];
      const backend =
        retention === undefined ? parsedBackend : { ...parsedBackend, config: { ...parsedBackend.config, changeRetention: changeRetention(retention) } };
      // One process per SQLite file (issue 13, item 12): a lock beside it names the owner.
      unlock = lockSqliteFile(backend, process.cwd());
      const storageBackend = backend.type === 'SQLITE' ? { ...backend, config: { ...backend.config, synchronous: values.sync.toUpperCase() } } : backend;
      storage = createStorage(storageBackend, process.cwd());
      dekStorage = createDekStorage(storageBackend, process.cwd());
    } catch (err) {
      throw new StartError((err as Error).message, 2);
    }
    if (/^postgres(ql)?:/i.test(values.backend)) {
      // Connect and migrate before serving, so a wrong URL fails the start, not the first call.
      try {
        await storage.maxId();
      } catch (err) {
        throw new StartError(`cannot open the PostgreSQL backend ${shownBackend}: ${(err as Error).message}`, 2);
      }
    }
    const serverLog = log;
    try {
      server = await startRegistryServer({
        listen: options.listen,
        storage,
        dekStorage,
        credentials: options.credentials,
        logError: (message, err) => serverLog.error({ err }, message),
      });
    } catch (err) {
      throw new StartError((err as Error).message, 1);
    }
    log.info(
      { address: server.address, backend: shownBackend, tls: options.tls },
      // The address stays in the message too: scripts and tests read it from there.
      `serving ${REGISTRY_SERVICE_NAME} on ${server.address} (backend ${shownBackend}${tlsSuffix(options.tls)})`,
    );
  } catch (err) {
    signals.stop();
    await storage?.close().catch(() => {});
    await dekStorage?.close().catch(() => {});
    unlock?.();
    // Whatever the driver or the OS said, a connection string in it loses its secrets.
    process.stderr.write(`prism-registry: ${redactUrlsIn((err as Error).message)}\n`);
    return err instanceof StartError ? err.code : 1;
  }
  const signal = await signals.received;
  log.info({ signal }, `${signal}, shutting down`);
  try {
    await server.close();
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return 1;
  }
  unlock?.();
  log.info('stopped');
  return 0;
}

// Run when executed directly (node dist/patterns/registry/cli.js, the bin, or tsx).
if (isMainModule(import.meta.url)) {
  runRegistryCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`prism-registry: ${redactUrlsIn((err as Error).message)}\n`);
      process.exit(1);
    },
  );
}
