/**
 * Assembles a running gateway from a config: starts embedded patterns, opens one gRPC channel
 * per namespace, compiles every frontend (config files first, then what the admin API stored)
 * into one route table, and serves it; the admin listener and the gRPC passthrough listener
 * run beside the public one, each on an ephemeral loopback port unless configured, and an
 * optional probes listener serves /healthz, /readyz and /metrics alone. Embedded patterns
 * listen on a private Unix socket unless configured; the data dir is locked to this process
 * (or, with --workers, to the primary).
 */
import { accessSync, constants, linkSync, mkdirSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { createAdminApi } from './admin/admin-api.js';
import { createSqliteDefinitionStore, type DefinitionStore, type StoredBackend, type StoredFrontend } from './admin/definition-store.js';
import { createBackendRegistry, type BackendRegistry, type BoundPattern, type RegisteredBackend } from './backends/backend-registry.js';
import { resolvedConfig } from './backends/backend-types.js';
import { SecretResolutionError } from './backends/secret-value.js';
import { slotBindingProblems, slotDeclarationProblems, slotInterfaces } from './backends/slot-binder.js';
import { createSwappableUpstream, type SwappableUpstream } from './backends/swappable-upstream.js';
import { createPostgresDefinitionStore, type PostgresDefinitionStore, type PostgresDefinitionStoreOptions } from './admin/postgres-definition-store.js';
import { createFrontendCatalog, readFileEntry, type FrontendEntry, type NamespaceTarget } from './admin/frontend-catalog.js';
import { ConfigError, escapePointer, locatedConfigError, type ConfigRuleProblem, type LoadedConfig, type NamespaceConfig } from './config/gateway-config.js';
import { DiagnosticCode, formatDiagnostic } from './frontends/diagnostics.js';
import { servesGrpcWeb } from './config/bindings-from-config.js';
import { codeName } from './core/gateway-error.js';
import { exportOpenApi } from './frontends/openapi-export.js';
import { createGatewayMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createConnectionMetrics, type ListenerName } from './observability/connection-metrics.js';
import { acquireLock, DATA_DIR_LOCK_FILE } from './operations/data-dir-lock.js';
import { connectionLimits, type ConnectionLimits } from './routing/connection-guard.js';
import { withHealthCheck } from './upstream/health-check.js';
import { createPrivateSocket } from './upstream/private-socket.js';
import { createAuthenticator, type Authenticator } from './security/authenticator.js';
import { channelCredentials, grpcServerCredentials, httpsOptions } from './security/tls-files.js';
import { createAdminHttpServer, createHttpServer } from './routing/fastify-adapter.js';
import { createRouteTable } from './routing/route-table.js';
import { createTableHolder, type TableHolder } from './routing/table-holder.js';
import { startGrpcPassthrough, type RunningPassthrough } from './upstream/grpc-passthrough.js';
import { createGrpcUpstream } from './upstream/grpc-upstream.js';
import { createHttp2Upstream } from './upstream/http2-upstream.js';
import { loadPatternModule } from './upstream/load-pattern-module.js';
import type { BackendConfig, PatternLog, PatternModule, RunningPattern, SlotDeclaration } from './upstream/pattern-module.js';
import type { Upstream } from './upstream/upstream.js';
import { slotBackends, type ClusterEvent, type WorkerLink } from './cluster/worker-link.js';

export interface GatewayOverrides {
  host?: string;
  port?: number;
  dataDir?: string;
  logger?: FastifyServerOptions['logger'];
  /** Set in a worker of `serve --workers N`: its link to the primary and the other workers. */
  cluster?: WorkerLink;
}

export interface RunningGateway {
  /** `http://host:port` of the public listener. */
  readonly url: string;
  /** `http://host:port` of the admin listener, when enabled. */
  readonly adminUrl?: string;
  /** `host:port` of the gRPC passthrough listener, when enabled. */
  readonly grpcAddress?: string;
  /** `http://host:port` of the probes listener (/healthz, /readyz, /metrics), when configured. */
  readonly probesUrl?: string;
  readonly app: FastifyInstance;
  readonly tables: TableHolder;
  readonly metrics: GatewayMetrics;
  readonly patterns: ReadonlyMap<string, RunningPattern>;
  /** Stops accepting, drains in-flight requests, closes channels, stores and patterns. */
  close(): Promise<void>;
}

type RunningNamespace = NamespaceTarget & { readonly target: string; readonly passthrough: boolean; readonly credentials: grpc.ChannelCredentials };

/**
 * A gateway composed but not yet listening: the public app (with every resource it uses closed
 * by its `onClose` hooks), the route table, metrics and running patterns. `listen()` binds the
 * listeners; `close()` stops them together and then closes what they used.
 */
export interface Gateway {
  readonly app: FastifyInstance;
  readonly tables: TableHolder;
  readonly metrics: GatewayMetrics;
  readonly patterns: ReadonlyMap<string, RunningPattern>;
  /**
   * Binds the public listener, then the admin, gRPC passthrough and probes listeners, and logs
   * each address. On failure everything is closed.
   * @throws the listen failure (an address in use, say).
   */
  listen(): Promise<RunningGateway>;
  /** Stops accepting, drains in-flight requests, closes channels, stores and patterns. */
  close(): Promise<void>;
}

/**
 * Composes a gateway from a config: takes the data dir's lock, starts embedded patterns, opens
 * one channel per namespace, compiles every frontend (config files first, then what the admin
 * store holds) into one route table, and builds the public app and the admin API over it.
 * Every resource is closed by an `onClose` hook of the public app, registered as it is made,
 * so fastify closes them in reverse order once the listeners have stopped.
 * @throws ConfigError, DefinitionError or a start-up failure; anything started is stopped.
 */
export async function createGateway(loaded: LoadedConfig, overrides: GatewayOverrides = {}): Promise<Gateway> {
  const { config, baseDir } = loaded;
  const dataDir = resolveDataDir(loaded, overrides.dataDir);
  const cluster = overrides.cluster;
  // Connection limits are checked before anything starts (a ConfigError exits 2).
  const limits = connectionLimits(config.http);
  // The gRPC listener takes the caps alone (HTTP defaults); the read timeouts are HTTP/1's.
  const grpcLimits = connectionLimits({ maxConnections: config.grpc?.maxConnections, maxConnectionsPerAddress: config.grpc?.maxConnectionsPerAddress });
  const shutdownTimeoutMs = config.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  // One process per data folder; a cluster's primary holds it for its workers.
  const unlock = cluster ? undefined : lockDataDir(dataDir);
  const backends = backendTable(loaded);
  const metrics = createGatewayMetrics(cluster ? { exposition: () => cluster.clusterMetrics() } : {});
  const connectionRefused = createConnectionMetrics(metrics.registry);
  const guard = (listener: ListenerName): { limits: ConnectionLimits; refused: (reason: Parameters<typeof connectionRefused>[1]) => void } => ({
    limits: listener === 'grpc' ? grpcLimits : limits,
    refused: (reason) => connectionRefused(listener, reason),
  });
  // Served empty until the frontends are compiled below; nothing listens before that.
  const tables = createTableHolder(createRouteTable([], []));

  let app: FastifyInstance;
  let auth: Authenticator | undefined;
  try {
    // Users-file reloads are logged by the public listener's logger.
    auth = config.auth ? createAuthenticator(config.auth, baseDir, { log: { info: (o, m) => app.log.info(o, m), error: (o, m) => app.log.error(o, m) } }) : undefined;
    app = createHttpServer({
      tables,
      auth,
      https: httpsOptions(config.http?.tls, baseDir),
      bodyLimit: config.bodyLimit,
      maxConcurrent: config.http?.maxConcurrent,
      maxStreams: config.http?.maxStreams,
      websocket: config.http?.websocket,
      cors: config.http?.cors,
      ui: config.ui && { config: config.ui, baseDir },
      // Counted with the connection refusals, under a reason of its own: a refused stream is
      // a request (or upgrade) the listener turned away for lack of room.
      onStreamRefused: () => connectionRefused('public', 'max_streams'),
      logger: quietListenLines(overrides.logger),
      connections: guard('public'),
      onReply: (reply, method, status, seconds) => {
        metrics.request(reply?.frontend ?? '', reply?.routeId ?? '', method, status, seconds, reply?.namespace ?? '');
        if (reply?.upstreamMethod !== undefined && reply.upstreamCode !== undefined) metrics.upstreamCall(reply.upstreamMethod, codeName(reply.upstreamCode));
      },
      // The other workers are told to drop their copies before the answer leaves, so a client
      // that reads next on a new connection does not read past its own write.
      onCacheCleared: cluster && ((cleared) => cluster.publish({ type: 'cache-cleared', ...cleared })),
      onRpcCall: (outcome, seconds) => metrics.rpcCall(outcome.method?.namespace ?? '', outcome.method?.grpcPath ?? '', outcome.protocol, codeName(outcome.code), seconds),
      onStreamOpened: (route) => metrics.streamOpened(route),
      onStreamClosed: (route, summary) => metrics.streamClosed(route, codeName(summary.code), summary.messagesSent, summary.seconds),
    });
  } catch (err) {
    await auth?.close?.();
    unlock?.();
    throw err;
  }
  // onClose hooks run last-registered first: the lock is released after everything else.
  const closeWith = (close: () => unknown) => app.addHook('onClose', async () => {
    try {
      await close();
    } catch (err) {
      app.log.error({ err }, 'closing a gateway resource failed');
    }
  });
  if (unlock) closeWith(unlock);
  if (auth) closeWith(() => auth.close?.());

  // The listeners other than the public one, bound by listen(); they stop together with it,
  // and what they use closes after all of them have stopped.
  const listeners: (() => Promise<void>)[] = [];
  let listenersStopped: Promise<void> | undefined;
  const stopListeners = () => (listenersStopped ??= Promise.all(listeners.map((close) => close().catch(() => {}))).then(() => {}));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      void stopListeners();
      await drain(app, shutdownTimeoutMs);
    })());

  const patterns = new Map<string, RunningPattern>();
  const namespaces = new Map<string, RunningNamespace>();
  const embedded = new Map<string, EmbeddedNamespace>();
  const patternLog: PatternLog = { error: (details, message) => app.log.error(details, message) };
  try {
    // The admin store opens first: embedded slots may be bound to backends registered through it.
    // Gateway replicas may share it (PostgreSQL) and then follow each other's changes.
    const sharedStore = config.admin?.store === undefined ? undefined : backends.get(config.admin.store)!;
    const shared: PostgresDefinitionStore | undefined = sharedStore ? createPostgresDefinitionStore(adminStoreOptions(sharedStore, baseDir)) : undefined;
    // Events from the other workers are held until this one can act on them; one that
    // arrives while the store is read and compiled makes it reread once it serves.
    let heldEvents: ClusterEvent[] | undefined = [];
    let onClusterEvent = (event: ClusterEvent): void => void heldEvents?.push(event);
    cluster?.onEvent((event) => onClusterEvent(event));
    const ownStore: DefinitionStore = shared ?? createSqliteDefinitionStore(resolve(dataDir, 'gateway-admin.db'));
    // The other workers of a cluster reread the store when this one changes it.
    const store = cluster ? announcingChanges(ownStore, () => cluster.publish({ type: 'frontends-changed' })) : ownStore;
    closeWith(() => store.close());
    // Plain secrets are accepted, and said so (the warning names the field, never the value).
    for (const warning of loaded.warnings ?? []) app.log.warn({ problem: formatDiagnostic(warning) }, 'config warning');
    const registered = registeredBackends(config.backends ?? [], await store.listBackends(), (message) => app.log.warn(message));

    // Every embedded pattern's slot bindings are checked before any of them starts.
    const plans = new Map<string, EmbeddedPlan>();
    // (A cluster worker plans the patterns its primary runs too: their slots are bound to the
    // backends its admin API changes.)
    for (const ns of config.namespaces) if (ns.pattern.embedded) plans.set(ns.name, await planEmbedded(loaded, ns));
    const bindingProblems = [...plans.values()].flatMap((plan) => planBindingProblems(loaded, plan, (name) => registered.get(name)));
    if (bindingProblems.length > 0) throw locatedConfigError(loaded.file, bindingProblems);
    const registry = createBackendRegistry([...registered.values()], [...plans.values()].map(boundPattern));

    for (const ns of config.namespaces) {
      let target = ns.pattern.target;
      let protoFiles = (ns.pattern.protos ?? []).map((p) => resolve(baseDir, p));
      const elsewhere = cluster?.patterns.get(ns.name);
      const plan = plans.get(ns.name);
      let instance: EmbeddedInstance | undefined;
      if (elsewhere) {
        // A worker reaches the pattern its cluster's primary runs, like any target.
        target = elsewhere.address;
        protoFiles = [...protoFiles, ...elsewhere.protoFiles];
      } else if (plan) {
        instance = await launchEmbedded(plan, loaded, dataDir, registry.get, patternLog);
        const running = instance.running;
        patterns.set(ns.name, running);
        closeWith(() => running.close());
        target = running.address;
        protoFiles = [...protoFiles, ...running.protoFiles];
      }
      // The lean HTTP/2 client costs a fraction of grpc-js per call (BENCHMARKS.md); grpc-js
      // stays for TLS, which the lean client does not speak. A pattern the cluster's primary
      // runs is reached in plaintext, like any embedded one.
      const credentials = channelCredentials(elsewhere ? undefined : ns.pattern.tls, baseDir);
      const client = withHealthCheck(
        (ns.pattern.tls && !elsewhere) || ns.pattern.client === 'grpc-js' ? createGrpcUpstream(target!, {}, credentials) : createHttp2Upstream(target!, ns.pattern.http2),
        ns.health,
      );
      // An embedded pattern's client can be replaced when its backend is re-bound (here, or
      // by the cluster's primary, which then says where the new pattern listens).
      const upstream = instance || elsewhere ? createSwappableUpstream(client) : client;
      if (instance && plan) embedded.set(ns.name, { plan, instance, upstream: upstream as SwappableUpstream });
      if (elsewhere) cluster!.onPatternMoved(ns.name, (address) => (upstream as SwappableUpstream).swap(withHealthCheck(ns.pattern.client === 'grpc-js' ? createGrpcUpstream(address, {}, credentials) : createHttp2Upstream(address, ns.pattern.http2), ns.health), shutdownTimeoutMs));
      closeWith(() => upstream.close());
      namespaces.set(ns.name, {
        name: ns.name,
        upstream,
        protoFiles,
        deadlineMs: ns.deadlineMs,
        forwardHeaders: ns.forwardHeaders,
        grpcWeb: servesGrpcWeb(ns),
        methodRoles: ns.methodRoles,
        target: target!,
        passthrough: ns.grpcPassthrough ?? true,
        credentials,
      });
    }

    // Frontends: config files first, then the admin store's changes on top.
    const fromFiles: FrontendEntry[] = config.namespaces.flatMap((ns) => ns.frontends.map((m) => readFileEntry(m.file, ns.name, m.pathPrefix, m.host, baseDir, m.cors)));
    // Changes the admin store holds to frontends of the config file (made before those became
    // read-only there) are ignored, and said so at every start.
    const ignoredStored = new Set<string>();
    const currentEntries = async () => overlayStored(fromFiles, await store.list(), ignoredStored);
    const catalog = createFrontendCatalog(namespaces, baseDir, await currentEntries());
    cluster?.shareMetrics(metrics.registry);
    tables.swap(catalog.compile().table);
    metrics.reload('success');
    for (const ignored of ignoredStored) app.log.warn(`the admin store holds a change to ${ignored}, which the config file defines; the file's definition is served and the stored change is ignored`);

    const adminApi = createAdminApi({
      catalog,
      tables,
      store,
      metrics,
      namespaces,
      backends: registry,
      rebind: async (names, lookup) => {
        // Patterns the cluster's primary runs are re-bound there (src/cluster/worker-link.ts).
        const remote = names.filter((n) => cluster?.patterns.has(n));
        if (remote.length > 0) await cluster!.rebind(remote, slotBackends((n) => config.namespaces.find((ns) => ns.name === n)?.pattern.slots, remote, lookup));
        const local = names.filter((n) => !remote.includes(n));
        if (local.length > 0) await rebindEmbedded(local.map((n) => embedded.get(n)), lookup, loaded, dataDir, patternLog, shutdownTimeoutMs);
      },
      baseDir,
      log: app.log,
      openApi: (t, name) => exportOpenApi(t, name),
    });
    // Bursts of changes made elsewhere collapse: at most one reload runs and one waits.
    let pending: Promise<void> | undefined;
    let again = false;
    const scheduleReload = () => {
      if (pending) {
        again = true;
        return;
      }
      pending = adminApi.reload(currentEntries).catch((err) => app.log.error({ err }, 'frontend reload failed')).finally(() => {
        pending = undefined;
        if (again) {
          again = false;
          scheduleReload();
        }
      });
    };
    if (shared) closeWith(await shared.subscribe(scheduleReload));
    onClusterEvent = (event) => {
      if (event.type === 'frontends-changed') scheduleReload();
      else for (const f of tables.current.frontends) if (f.name === event.frontend && f.namespace === event.namespace) f.cache.clear();
    };
    // Caches are still empty; a frontend change may have been missed while starting.
    if (heldEvents.some((e) => e.type === 'frontends-changed')) scheduleReload();
    heldEvents = undefined;
    // Checked before anything listens: a bad certificate path fails the start at once.
    const grpcCredentials = config.grpc?.enabled !== false ? grpcServerCredentials(config.grpc?.tls, baseDir) : undefined;
    // Registered after every resource, so it runs before their hooks: nothing closes while a
    // listener may still use it.
    app.addHook('onClose', async () => {
      await stopListeners();
    });

    const listen = async (): Promise<RunningGateway> => {
      try {
        const url = await listenOn(app, { host: overrides.host ?? config.http?.host ?? '127.0.0.1', port: overrides.port ?? config.http?.port ?? 8080, tls: config.http?.tls });
        // In a worker of `serve --workers N` the primary prints the listeners once; each worker
        // says one line of its own.
        const startLine = (fields: Record<string, unknown>, message: string) => (cluster ? app.log.debug(fields, message) : app.log.info(fields, message));

        let adminUrl: string | undefined;
        if (config.admin?.enabled !== false) {
          const admin = createAdminHttpServer({
            auth,
            https: httpsOptions(config.admin?.tls, baseDir),
            routes: adminApi.routes,
            // Probes and Prometheus should not hold admin rights (issue 13, item 14).
            openPaths: config.admin?.openProbes ? PROBE_PATHS : [],
            logger: quietListenLines(overrides.logger),
            connections: guard('admin'),
          });
          listeners.push(() => admin.close());
          adminUrl = await listenOn(admin, { host: config.admin?.host ?? '127.0.0.1', port: config.admin?.port ?? 0, tls: config.admin?.tls });
        }

        let passthrough: RunningPassthrough | undefined;
        if (config.grpc?.enabled !== false) {
          const host = config.grpc?.host ?? '127.0.0.1';
          const methodRoles = new Map(config.namespaces.map((ns) => [ns.name, ns.methodRoles]));
          passthrough = await startGrpcPassthrough(
            [...namespaces.values()].map((ns) => ({ name: ns.name, target: ns.target, protoFiles: ns.protoFiles, enabled: ns.passthrough, credentials: ns.credentials, methodRoles: methodRoles.get(ns.name) })),
            { listen: `${host}:${config.grpc?.port ?? 0}`, credentials: grpcCredentials },
            // The same authentication and roles as the HTTP routes; logged and counted like them.
            { auth, logger: app.log, metrics, connections: guard('grpc') },
          );
          const running = passthrough;
          listeners.push(() => running.close(shutdownTimeoutMs));
        }

        let probesUrl: string | undefined;
        if (config.probes) {
          // Health, readiness and metrics alone, without credentials: safe on any address.
          const probes = createAdminHttpServer({
            routes: adminApi.routes.filter((r) => PROBE_PATHS.includes(r.path)),
            logger: quietListenLines(overrides.logger),
            connections: guard('probes'),
          });
          listeners.push(() => probes.close());
          probesUrl = await listenOn(probes, { host: config.probes.host ?? '127.0.0.1', port: config.probes.port ?? 0 });
        }

        const routes = tables.current.routes.length;
        for (const [name, p] of patterns) startLine({ listener: 'pattern', namespace: name, address: p.address }, 'embedded pattern listening (gRPC)');
        if (passthrough) startLine({ listener: 'grpc', address: passthrough.address }, 'gRPC passthrough listening');
        if (adminUrl) startLine({ listener: 'admin', url: adminUrl, openProbes: config.admin?.openProbes === true }, 'admin listening (admin API, /metrics, /healthz, /readyz)');
        if (probesUrl) startLine({ listener: 'probes', url: probesUrl }, 'probes listening (/healthz, /readyz, /metrics)');
        startLine({ listener: 'public', url, routes }, 'gateway listening (HTTP)');
        if (cluster) app.log.info({ url, routes }, 'worker listening');
        return { url, adminUrl, grpcAddress: passthrough?.address, probesUrl, app, tables, metrics, patterns, close };
      } catch (err) {
        await close();
        throw err;
      }
    };
    return { app, tables, metrics, patterns, listen, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Starts a gateway: createGateway, then listen.
 * @throws ConfigError, DefinitionError or a start-up failure; anything started is stopped.
 */
export async function startGateway(loaded: LoadedConfig, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const gateway = await createGateway(loaded, overrides);
  return gateway.listen();
}

/**
 * The data folder: a --data-dir given on the command line is relative to where the command
 * runs; one in the config file to the config file's folder; the default is ./data where the
 * command runs. Created when missing.
 */
export function resolveDataDir({ config, baseDir }: LoadedConfig, override: string | undefined): string {
  const dataDir = override !== undefined ? resolve(override) : config.dataDir !== undefined ? resolve(baseDir, config.dataDir) : resolve('data');
  // SQLite alone says "unable to open database file" without the path: name it here.
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new ConfigError(`data dir ${dataDir} is not usable: ${(err as Error).message} (set --data-dir, PRISM_DATA_DIR or dataDir: to a writable folder)`);
  }
  return dataDir;
}

/**
 * Takes the data folder's lock for this process (operations/data-dir-lock.ts).
 * @throws LockedError (a ConfigError) naming the process that holds it.
 */
export function lockDataDir(dataDir: string): () => void {
  return acquireLock(resolve(dataDir, DATA_DIR_LOCK_FILE), `data dir ${dataDir}`);
}

/** The paths of the probes listener, and of the admin listener's `openProbes`. */
const PROBE_PATHS = ['/healthz', '/readyz', '/metrics'];

/**
 * fastify prints a line per listening address ("Server listening at …", one per interface for
 * 0.0.0.0) that does not say which listener it is; the gateway prints its own line per listener.
 */
const LISTEN_TEXT = 'prism:listen';
function quietListenLines(logger: GatewayOverrides['logger']): GatewayOverrides['logger'] {
  if (logger === undefined || typeof logger !== 'object' || logger === null || typeof (logger as { info?: unknown }).info === 'function') return logger;
  const options = logger as { hooks?: { logMethod?: (this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) => void } };
  const inner = options.hooks?.logMethod;
  return {
    ...options,
    hooks: {
      ...options.hooks,
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void, level: number) {
        if (args[0] === LISTEN_TEXT) return;
        if (inner) inner.call(this, args, method, level);
        else method.apply(this, args);
      },
    },
  } as GatewayOverrides['logger'];
}

function backendTable({ config }: LoadedConfig): Map<string, BackendConfig> {
  return new Map((config.backends ?? []).map((b) => [b.name, { name: b.name, type: b.type, config: b.config ?? {} } as BackendConfig]));
}

/** The admin store's connection: the POSTGRES backend's config, its secrets resolved here only. */
function adminStoreOptions(backend: BackendConfig, baseDir: string): PostgresDefinitionStoreOptions {
  return resolvedConfig(backend.type, backend.config, baseDir) as unknown as PostgresDefinitionStoreOptions;
}

/**
 * The config file's backends and those registered through the admin API. A stored backend
 * with the name of one the file defines is ignored (the file owns it), and said so.
 */
function registeredBackends(fromFile: readonly { name: string; type: string; config?: Record<string, unknown> }[], stored: readonly StoredBackend[], warn: (message: string) => void): Map<string, RegisteredBackend> {
  const all = new Map<string, RegisteredBackend>(fromFile.map((b) => [b.name, { name: b.name, type: b.type, config: b.config ?? {}, origin: 'file' }]));
  for (const s of stored) {
    if (all.has(s.name)) {
      warn(`the admin store holds a change to backend '${s.name}', which the config file defines; the file's backend is used and the stored change is ignored`);
      continue;
    }
    if (!s.deleted) all.set(s.name, { name: s.name, type: s.type, config: s.config, origin: 'admin' });
  }
  return all;
}

/** An embedded namespace's pattern module, loaded, with its slot declarations checked. */
interface EmbeddedPlan {
  readonly ns: NamespaceConfig;
  readonly index: number;
  readonly module: PatternModule;
  readonly pattern: string;
  /** undefined: the module declares no slots, and its bindings are passed on unchecked. */
  readonly slots?: readonly SlotDeclaration[];
}

/** A started embedded pattern, and the private socket folders to remove when it is done. */
interface EmbeddedInstance {
  /** What the gateway holds: its address stays the same across re-binds (default socket). */
  readonly running: RunningPattern;
  /** Replaces the serving pattern with `next` (already started and checked). */
  replace(next: StartedPattern): Promise<void>;
}

interface EmbeddedNamespace {
  readonly plan: EmbeddedPlan;
  readonly instance: EmbeddedInstance;
  readonly upstream: SwappableUpstream;
}

/** A pattern process started on a socket of its own (not yet serving the namespace). */
interface StartedPattern {
  readonly running: RunningPattern;
  /** The private socket it listens on, when it has one. */
  readonly socket?: ReturnType<typeof createPrivateSocket>;
}

/** @throws ConfigError when the module's slot declarations are malformed. */
async function planEmbedded(loaded: LoadedConfig, ns: NamespaceConfig): Promise<EmbeddedPlan> {
  const module = await loadPatternModule(ns.pattern.embedded!, loaded.baseDir);
  const index = loaded.config.namespaces.indexOf(ns);
  const declared = slotDeclarationProblems(module.slots);
  if (declared.length > 0) throw new ConfigError(`pattern module '${ns.pattern.embedded}' of namespace '${ns.name}': ${declared.join('; ')}`);
  const pattern = module.patternName ?? basename(ns.pattern.embedded!.replace(/\/+$/, ''));
  return { ns, index, module, pattern, slots: module.slots };
}

function boundPattern(plan: EmbeddedPlan): BoundPattern {
  return { namespace: plan.ns.name, pattern: plan.pattern, slots: plan.slots ?? [], bindings: plan.ns.pattern.slots ?? {} };
}

/** The slot binder's refusals for one embedded namespace, located at its `pattern.slots`. */
function planBindingProblems(loaded: LoadedConfig, plan: EmbeddedPlan, lookup: (name: string) => RegisteredBackend | undefined): ConfigRuleProblem[] {
  const bindings = plan.ns.pattern.slots ?? {};
  const at = (slot: string) => `/namespaces/${plan.index}/pattern/slots/${escapePointer(slot)}`;
  if (!plan.slots) {
    return Object.entries(bindings)
      .filter(([, backend]) => !lookup(backend))
      .map(([slot, backend]) => ({ code: DiagnosticCode.UNKNOWN_REFERENCE, pointer: at(slot), message: `namespace '${plan.ns.name}' binds slot '${slot}' to unknown backend '${backend}'` }));
  }
  return slotBindingProblems(plan.pattern, plan.slots, bindings, lookup).map((p) => ({
    code: p.message.includes('unknown backend') ? DiagnosticCode.UNKNOWN_REFERENCE : DiagnosticCode.INVALID_VALUE,
    pointer: at(p.slot),
    message: `namespace '${plan.ns.name}': ${p.message}`,
  }));
}

/**
 * Starts a plan's pattern with its slots bound: each backend's secrets resolved (for the pattern
 * only), and each slot told which of its interfaces the backend implements.
 * @throws ConfigError for a secret reference that cannot be resolved; the pattern's own start failure.
 */
async function startPlanned(plan: EmbeddedPlan, loaded: LoadedConfig, dataDir: string, lookup: (name: string) => RegisteredBackend | undefined, log: PatternLog | undefined, listen: string | undefined): Promise<StartedPattern> {
  const { config, baseDir } = loaded;
  const ns = plan.ns;
  const slots: Record<string, BackendConfig> = {};
  const slotInterfaceMap: Record<string, readonly string[]> = {};
  for (const [slot, name] of Object.entries(ns.pattern.slots ?? {})) {
    const backend = lookup(name)!;
    try {
      slots[slot] = { name: backend.name, type: backend.type, config: resolvedConfig(backend.type, backend.config, baseDir) };
    } catch (err) {
      if (err instanceof SecretResolutionError) throw new ConfigError(`namespace '${ns.name}' slot '${slot}' (backend '${name}'): ${err.message}`);
      throw err;
    }
    const declared = plan.slots?.find((s) => s.name === slot);
    if (declared) slotInterfaceMap[slot] = slotInterfaces(declared, backend.type);
  }
  // Namespaces keep their data apart; a single namespace uses the data dir itself.
  const nsDataDir = config.namespaces.length > 1 ? resolve(dataDir, ns.name) : dataDir;
  mkdirSync(nsDataDir, { recursive: true });
  const options = { slots, slotInterfaces: slotInterfaceMap, dataDir: nsDataDir, log };
  if (listen !== undefined) return { running: await plan.module.startPattern({ ...options, listen }) };
  // By default a Unix socket in a private folder: the pattern's own port is no way around the
  // gateway's authentication (issue 13, item 1).
  const socket = createPrivateSocket();
  try {
    return { running: await plan.module.startPattern({ ...options, listen: socket.address }), socket };
  } catch (err) {
    socket.remove();
    throw err;
  }
}

/** Starts a plan's pattern as the namespace's serving instance. */
async function launchEmbedded(plan: EmbeddedPlan, loaded: LoadedConfig, dataDir: string, lookup: (name: string) => RegisteredBackend | undefined, log?: PatternLog): Promise<EmbeddedInstance> {
  let current = await startPlanned(plan, loaded, dataDir, lookup, log, plan.ns.pattern.listen);
  // With the default socket, the address stays the same across re-binds: the replacement's
  // socket is linked at this path once the old pattern has closed (and unlinked its own), so
  // the gRPC passthrough, which dials this address, reaches the new pattern on reconnecting.
  const home = current.socket;
  const folders = new Set<() => void>(home ? [home.remove] : []);
  const running: RunningPattern = {
    address: current.running.address,
    protoFiles: current.running.protoFiles,
    close: async () => {
      try {
        await current.running.close();
      } finally {
        for (const remove of folders) remove();
      }
    },
  };
  return {
    running,
    async replace(next) {
      const old = current;
      current = next;
      if (next.socket) folders.add(next.socket.remove);
      await old.running.close();
      if (home && next.socket) {
        rmSync(home.path, { force: true });
        linkSync(next.socket.path, home.path);
      }
    },
  };
}

/** Why a re-bind was refused: the old binding keeps serving. */
export class RebindError extends Error {
  override readonly name = 'RebindError';
}

/** How long a re-bound pattern has to connect its slots and answer its health check. */
const REBIND_CHECK_TIMEOUT_MS = 10_000;

/**
 * A re-bound pattern started and checked beside the serving one (validate-then-swap): it has
 * connected its slots and answered its health check; the old one still serves.
 */
export interface PreparedRebind {
  /** Where the new pattern listens. */
  readonly address: string;
  /** A client to it, for those who move their calls over before `commit`. */
  readonly client: Upstream;
  /** Makes it the serving instance: the old pattern closes, letting its calls in flight finish. */
  commit(): Promise<void>;
  /** Closes the new pattern and its client; the old one keeps serving. */
  abort(): Promise<void>;
}

/**
 * Starts a plan's pattern anew with the backends as `lookup` describes them, on a socket of
 * its own, and checks it: its slots must connect (`ready`) and it must pass its health check.
 * @throws RebindError saying which namespace failed and why (never a secret); nothing is left running.
 */
async function prepareRebind(plan: EmbeddedPlan, instance: EmbeddedInstance, lookup: (name: string) => RegisteredBackend | undefined, loaded: LoadedConfig, dataDir: string, log: PatternLog): Promise<PreparedRebind> {
  const name = plan.ns.name;
  let started: StartedPattern;
  try {
    started = await startPlanned(plan, loaded, dataDir, lookup, log, plan.ns.pattern.listen === undefined ? undefined : rebindAddress(plan.ns.pattern.listen));
  } catch (err) {
    throw new RebindError(`namespace '${name}': the ${plan.pattern} pattern did not start with the new binding: ${(err as Error).message}`);
  }
  const client = withHealthCheck(createHttp2Upstream(started.running.address, plan.ns.pattern.http2), plan.ns.health);
  const abort = async () => {
    client.close();
    await started.running.close().catch(() => {});
    started.socket?.remove();
  };
  try {
    try {
      await withTimeout(started.running.ready?.() ?? Promise.resolve(), REBIND_CHECK_TIMEOUT_MS, 'its slots did not connect in time');
    } catch (err) {
      throw new RebindError(`namespace '${name}': the new binding did not connect: ${(err as Error).message}`);
    }
    if (!(await withHealthCheck(client, undefined).healthy(REBIND_CHECK_TIMEOUT_MS))) throw new RebindError(`namespace '${name}': the re-bound ${plan.pattern} pattern did not pass its health check`);
  } catch (err) {
    await abort();
    throw err;
  }
  return { address: started.running.address, client, commit: () => instance.replace(started), abort };
}

/**
 * Re-binds the embedded patterns of these namespaces to their backends as `lookup` now
 * describes them (validate-then-swap, at the process level): each is started anew on a socket
 * of its own and must connect its slots (`ready`) and answer its health check before any
 * of them replaces the serving one; calls in flight finish on the old pattern, which then
 * closes. When any fails to start or check, those started are closed and nothing changes.
 * @throws RebindError saying which namespace failed and why (never a secret).
 */
async function rebindEmbedded(
  targets: readonly (EmbeddedNamespace | undefined)[],
  lookup: (name: string) => RegisteredBackend | undefined,
  loaded: LoadedConfig,
  dataDir: string,
  log: PatternLog,
  drainMs: number,
): Promise<void> {
  if (targets.some((t) => t === undefined)) throw new RebindError('a namespace bound to this backend runs its pattern in another process; restart the gateway to re-bind it');
  const prepared: { target: EmbeddedNamespace; rebind: PreparedRebind }[] = [];
  try {
    for (const target of targets as EmbeddedNamespace[]) prepared.push({ target, rebind: await prepareRebind(target.plan, target.instance, lookup, loaded, dataDir, log) });
  } catch (err) {
    for (const p of prepared) await p.rebind.abort();
    throw err;
  }
  for (const p of prepared) {
    // New calls go to the new pattern now; the old one closes once its calls have finished.
    await p.target.upstream.swap(p.rebind.client, drainMs);
    await p.rebind.commit();
  }
}

/** A configured `host:port` listen address moved to an ephemeral port (the old one is still bound); a `unix:` path gets a private socket. */
function rebindAddress(listen: string): string | undefined {
  if (listen.startsWith('unix:')) return undefined;
  const colon = listen.lastIndexOf(':');
  return `${listen.slice(0, colon)}:0`;
}

function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<T>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Starts the embedded pattern of namespace `name` (the config has made sure it declares one),
 * its slots bound to the config file's backends (a cluster's primary runs patterns this way).
 * @throws ConfigError for a refused slot binding (located in the config file) or a secret that cannot be resolved.
 */
export async function startEmbeddedPattern(loaded: LoadedConfig, name: string, dataDir: string, backends = backendTable(loaded), log?: PatternLog): Promise<RunningPattern> {
  const lookup = (backend: string): RegisteredBackend | undefined => {
    const b = backends.get(backend);
    return b && { name: b.name, type: b.type, config: b.config, origin: 'file' };
  };
  return (await startRebindablePattern(loaded, name, dataDir, lookup, log)).running;
}

/** An embedded pattern that can be re-bound: a cluster's primary runs these for its workers. */
export interface RebindablePattern {
  readonly running: RunningPattern;
  /** Starts and checks the pattern with the backends as `lookup` describes them; see PreparedRebind. */
  prepare(lookup: (name: string) => RegisteredBackend | undefined): Promise<PreparedRebind>;
}

/**
 * Starts the embedded pattern of namespace `name` with its slots bound to the backends `lookup`
 * names (the config file's, and those registered through the admin API).
 * @throws ConfigError for a refused slot binding (located in the config file) or a secret that cannot be resolved.
 */
export async function startRebindablePattern(loaded: LoadedConfig, name: string, dataDir: string, lookup: (name: string) => RegisteredBackend | undefined, log?: PatternLog): Promise<RebindablePattern> {
  const ns = loaded.config.namespaces.find((n) => n.name === name)!;
  const plan = await planEmbedded(loaded, ns);
  const problems = planBindingProblems(loaded, plan, lookup);
  if (problems.length > 0) throw locatedConfigError(loaded.file, problems);
  const instance = await launchEmbedded(plan, loaded, dataDir, lookup, log);
  return { running: instance.running, prepare: (next) => prepareRebind(plan, instance, next, loaded, dataDir, log ?? { error: () => {} }) };
}

/** A definition store that calls `changed` after each committed change. */
function announcingChanges(store: DefinitionStore, changed: () => void): DefinitionStore {
  return {
    list: () => store.list(),
    async put(entry) {
      await store.put(entry);
      changed();
    },
    listBackends: () => store.listBackends(),
    async putBackend(entry) {
      await store.putBackend(entry);
      changed();
    },
    close: () => store.close(),
  };
}

/**
 * The config files' entries with the admin store's changes on top (per name and namespace).
 * A stored change to a frontend the files define is left out and named in `ignored`.
 */
function overlayStored(fromFiles: readonly FrontendEntry[], stored: readonly StoredFrontend[], ignored: Set<string>): FrontendEntry[] {
  let entries = [...fromFiles];
  for (const s of stored) {
    if (fromFiles.some((e) => e.names.includes(s.name) && e.namespace === s.namespace)) {
      ignored.add(`frontend '${s.name}' in namespace '${s.namespace}'`);
      continue;
    }
    entries = entries.filter((e) => !(e.names.includes(s.name) && e.namespace === s.namespace));
    if (!s.deleted) entries.push({ names: [s.name], namespace: s.namespace, pathPrefix: s.pathPrefix, host: s.host, text: s.text, source: `admin:${s.name}`, origin: 'admin' });
  }
  return entries;
}

/** How long SIGTERM waits for in-flight requests before closing their connections. */
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Stops accepting and drains in-flight requests, bounded: stragglers' connections are closed
 * when the deadline passes. Resolves once the app's onClose hooks have run.
 */
async function drain(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}

async function listenOn(app: FastifyInstance, at: { host: string; port: number; tls?: unknown }): Promise<string> {
  await app.listen({ host: at.host, port: at.port, listenTextResolver: () => LISTEN_TEXT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : at.port;
  return `${at.tls ? 'https' : 'http'}://${at.host.includes(':') ? `[${at.host}]` : at.host}:${port}`;
}
