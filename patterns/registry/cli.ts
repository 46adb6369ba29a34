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
import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import { isLoopbackHost, listenHost } from '../../src/config/listener-exposure.js';
import { redactUrl, redactUrlsIn } from '../../src/observability/redact-url.js';
import { createStorage, parseBackendUri } from './create-storage.js';
import { lockSqliteFile } from './lock-sqlite-file.js';
import { REGISTRY_SERVICE_NAME, startRegistryServer } from './registry-server.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

interface ServeOptions {
  readonly listen: string;
  readonly credentials: grpc.ServerCredentials | undefined;
  readonly tls: 'none' | 'tls' | 'mtls';
  readonly level: string;
}

/**
 * Checks `serve`'s options together.
 * @throws StartError (exit 2) naming what is wrong and what to write instead.
 */
function serveOptions(values: Record<string, string | boolean | undefined>): ServeOptions {
  const listen = values.listen as string;
  const level = (values['log-level'] as string | undefined) ?? process.env.PRISM_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(level)) throw new StartError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`, 2);
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
      `refusing to listen on ${listen}: the registry does not authenticate callers, so anyone who reaches ${host} could change or delete every schema. ` +
        'Give --tls-cert, --tls-key and --client-ca (mutual TLS: only clients with a certificate from that CA get in), ' +
        'listen on 127.0.0.1 behind the gateway, or pass --insecure if the network itself is trusted',
      2,
    );
  }
  let credentials: grpc.ServerCredentials | undefined;
  if (certFile !== undefined && keyFile !== undefined) {
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
      // checkClientCertificate: a client without a certificate signed by the CA fails the handshake.
      credentials = grpc.ServerCredentials.createSsl(ca, [pair], ca !== null);
    } catch (err) {
      throw new StartError(`cannot use the TLS files: ${(err as Error).message}`, 2);
    }
  }
  return { listen, credentials, tls, level };
}

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
  let server;
  let log: Logger | undefined;
  let unlock: (() => void) | undefined;
  try {
    const options = serveOptions(values);
    log = pino({ level: options.level });
    routeGrpcLogs(log);
    try {
      const parsedBackend = parseBackendUri(values.backend);
      const retention = values['change-retention'];
      const backend =
        retention === undefined ? parsedBackend : { ...parsedBackend, config: { ...parsedBackend.config, changeRetention: changeRetention(retention) } };
      // One process per SQLite file (issue 13, item 12): a lock beside it names the owner.
      unlock = lockSqliteFile(backend, process.cwd());
      storage = createStorage(backend.type === 'SQLITE' ? { ...backend, config: { ...backend.config, synchronous: values.sync.toUpperCase() } } : backend, process.cwd());
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
        credentials: options.credentials,
        logError: (message, err) => serverLog.error({ err }, message),
      });
    } catch (err) {
      throw new StartError((err as Error).message, 1);
    }
    log.info(
      { address: server.address, backend: shownBackend, tls: options.tls },
      // The address stays in the message too: scripts and tests read it from there.
      `serving ${REGISTRY_SERVICE_NAME} on ${server.address} (backend ${shownBackend}${options.tls === 'none' ? '' : `, ${options.tls === 'mtls' ? 'mutual TLS' : 'TLS'}`})`,
    );
  } catch (err) {
    signals.stop();
    await storage?.close().catch(() => {});
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

/**
 * grpc-js writes its own diagnostics to stderr (a failed bind printed "E No address added out of
 * total 1 resolved" before our own message). They go to the JSON log at debug level instead:
 * whatever matters is reported by this CLI in its own words.
 */
function routeGrpcLogs(log: Logger): void {
  grpc.setLogger({ error: (...args: unknown[]) => log.debug({ source: 'grpc-js' }, args.map(String).join(' ')) });
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

// Run when executed directly (node dist/patterns/registry/cli.js, the bin, or tsx).
if (isMainModule()) {
  runRegistryCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`prism-registry: ${redactUrlsIn((err as Error).message)}\n`);
      process.exit(1);
    },
  );
}
