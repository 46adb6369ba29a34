#!/usr/bin/env node
/**
 * `prism-registry`: runs the registry pattern on its own, so the gateway and the pattern
 * scale independently (DESIGN.md §5).
 *
 *   prism-registry serve --listen 127.0.0.1:9091 --backend sqlite:./data/registry.db
 *   prism-registry serve --backend memstore:
 *   prism-registry serve --backend postgres://registry@db:5432/registry   (several replicas)
 *
 * SIGTERM and SIGINT shut down gracefully: health turns NOT_SERVING, in-flight calls
 * finish, the store is closed, the process exits 0.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createStorage, parseBackendUri } from './create-storage.js';
import { startRegistryServer } from './registry-server.js';

const USAGE = `Usage: prism-registry serve [options]

Runs the Prism registry pattern: the gRPC service prism.patterns.registry.v1.Registry
(Confluent Schema Registry semantics) and grpc.health.v1.Health.

Options:
  --listen HOST:PORT   address to listen on (default 127.0.0.1:9091; port 0 = ephemeral)
  --backend URI        sqlite:<path> (default sqlite:./data/registry.db), memstore:, or
                       postgres://user@host:5432/db (several replicas may share one database;
                       TLS and other connection options as URL parameters, e.g. ?sslmode=require)
  --sync MODE          SQLite synchronous mode: NORMAL (default; survives process crashes)
                       or FULL (also survives power loss)
  -h, --help           show this help
`;

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
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    process.stderr.write(`prism-registry: ${(err as Error).message}\n\n${USAGE}`);
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
  let storage;
  try {
    const backend = parseBackendUri(values.backend);
    storage = createStorage(backend.type === 'SQLITE' ? { ...backend, config: { ...backend.config, synchronous: values.sync.toUpperCase() } } : backend, process.cwd());
  } catch (err) {
    process.stderr.write(`prism-registry: ${(err as Error).message}\n`);
    return 2;
  }
  const shownBackend = values.backend.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
  if (/^postgres(ql)?:/i.test(values.backend)) {
    // Connect and migrate before serving, so a wrong URL fails the start, not the first call.
    try {
      await storage.maxId();
    } catch (err) {
      process.stderr.write(`prism-registry: cannot open the PostgreSQL backend ${shownBackend}: ${(err as Error).message}\n`);
      await storage.close().catch(() => {});
      return 2;
    }
  }
  const server = await startRegistryServer({ listen: values.listen, storage });
  process.stdout.write(`prism-registry: serving prism.patterns.registry.v1.Registry on ${server.address} (backend ${shownBackend})\n`);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      process.stdout.write(`prism-registry: ${signal}, shutting down\n`);
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          process.stderr.write(`prism-registry: shutdown failed: ${(err as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
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
      process.stderr.write(`prism-registry: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
