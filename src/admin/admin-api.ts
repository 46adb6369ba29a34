/**
 * The admin API (RFC-039 admin commands), framework-free: list, get, apply and delete
 * frontends; read namespaces; register, update and delete backends (REGISTER_BACKEND,
 * UPDATE_BACKEND, DELETE_BACKEND); health, readiness and metrics. Frontends and backends from
 * the config file are read-only here (409): the file is their only source. Backend answers
 * never carry a secret (src/backends/secret-value.ts). Every change is
 * compiled into a whole new route table first and rejected with every problem listed; an
 * accepted change is persisted, then swapped in at once (requests in flight finish on the
 * table they started with).
 */
import { parse as parseYaml } from 'yaml';
import type { BackendRegistry, RegisteredBackend } from '../backends/backend-registry.js';
import { Code, gatewayError, GatewayReason, type ErrorDetail } from '../core/gateway-error.js';
import type { HttpInput, HttpReply } from '../core/http-types.js';
import { renderError } from '../core/render-error.js';
import { DefinitionError, type DefinitionProblem } from '../frontends/definition-error.js';
import { formatDiagnostic } from '../frontends/diagnostics.js';
import { parseAnyDefinitions as parseDefinitions } from '../frontends/load-any-definition.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { printRoutes } from '../routing/print-routes.js';
import type { RouteTable } from '../routing/route-table.js';
import type { TableHolder } from '../routing/table-holder.js';
import type { DefinitionStore } from './definition-store.js';
import { followStoredBackends } from './backend-sync.js';
import type { FrontendCatalog, FrontendEntry, NamespaceTarget } from './frontend-catalog.js';

export interface AdminRoute {
  readonly method: 'GET' | 'PUT' | 'DELETE' | 'POST';
  /** A path template with whole-segment parameters, as definitions write them (`/admin/frontends/{name}`). */
  readonly path: string;
  handle(input: HttpInput, params: Record<string, string>): Promise<HttpReply>;
}

export interface AdminContext {
  readonly catalog: FrontendCatalog;
  readonly tables: TableHolder;
  readonly store: DefinitionStore;
  readonly metrics: GatewayMetrics;
  readonly namespaces: ReadonlyMap<string, NamespaceTarget & { readonly target: string; readonly passthrough: boolean }>;
  /** The flat backend registry: the config file's backends and those registered here. */
  readonly backends: BackendRegistry;
  /**
   * Re-binds the embedded patterns of these namespaces to their backends as `lookup` describes
   * them (validate-then-swap); rejects with the reason when the new binding fails, the old one
   * still serving.
   */
  readonly rebind?: (namespaces: readonly string[], lookup: (name: string) => RegisteredBackend | undefined) => Promise<void>;
  readonly baseDir: string;
  /** OpenAPI document of a frontend, when the gateway can produce one. */
  readonly openApi?: (table: RouteTable, frontend: string) => unknown;
  /** Where route-table swaps and rejected changes are logged. */
  readonly log?: { info(details: object, message: string): void; warn(details: object, message: string): void };
}

const json = (status: number, body: unknown): HttpReply => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** An admin error in the unified body (core/render-error.ts); the status table decides the status. */
const problem = (code: Code, reason: GatewayReason, message: string, metadata: Record<string, string> = {}, details: readonly ErrorDetail[] = []): HttpReply =>
  renderError(gatewayError(code, reason, message, metadata, details));

const noFrontend = (name: string, namespace?: string): HttpReply =>
  problem(Code.NOT_FOUND, GatewayReason.FRONTEND_NOT_FOUND, `no frontend named '${name}'${namespace ? ` in namespace '${namespace}'` : ''}`, namespace ? { frontend: name, namespace } : { frontend: name });

/**
 * A rejected definition: every problem as a google.rpc.BadRequest field violation (field
 * `file#pointer`, description the formatted problem, reason its diagnostic code).
 */
export function definitionRejected(message: string, problems: readonly DefinitionProblem[]): HttpReply {
  const violations = problems.map((p) => ({ field: `${p.file}#${p.pointer}`, description: formatDiagnostic(p), reason: p.code }));
  return problem(Code.INVALID_ARGUMENT, GatewayReason.DEFINITION_INVALID, message, { problems: String(problems.length) }, [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations },
  ]);
}

export interface AdminApi {
  readonly routes: AdminRoute[];
  /**
   * Rebuilds the served frontends from `entries()` (another replica changed the shared
   * store): validated and compiled like any change, on the same queue as local changes.
   * A failing set leaves the served table as it is. Then takes on the store's backend
   * changes (backend-sync.ts).
   */
  reload(entries: () => Promise<FrontendEntry[]>): Promise<void>;
}

export function createAdminApi(ctx: AdminContext): AdminApi {
  // Changes are applied one at a time, so two concurrent applies cannot lose each other.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  const describe = (e: FrontendEntry) => ({ names: e.names, namespace: e.namespace, pathPrefix: e.pathPrefix, host: e.host, origin: e.origin, source: e.source });

  const apply = async (change: (entries: FrontendEntry[]) => FrontendEntry[], persist: () => Promise<void>): Promise<HttpReply | undefined> => {
    let compiled;
    try {
      compiled = ctx.catalog.compile(change);
    } catch (err) {
      ctx.metrics.reload('failure');
      if (err instanceof DefinitionError) {
        return definitionRejected('the change was rejected; the served routes are unchanged', err.problems);
      }
      throw err;
    }
    await persist();
    ctx.tables.swap(compiled.table);
    ctx.catalog.commit(compiled.entries);
    ctx.metrics.reload('success');
    ctx.log?.info({ routes: compiled.table.routes.length, trigger: 'admin' }, 'route table reloaded');
    return undefined;
  };

  const reload = (entries: () => Promise<FrontendEntry[]>) =>
    serialized(async () => {
      const next = await entries();
      try {
        const compiled = ctx.catalog.compile(() => next);
        ctx.tables.swap(compiled.table);
        ctx.catalog.commit(compiled.entries);
        ctx.metrics.reload('success');
        ctx.log?.info({ routes: compiled.table.routes.length, trigger: 'store' }, 'route table reloaded');
      } catch (err) {
        ctx.metrics.reload('failure');
        if (!(err instanceof DefinitionError)) throw err;
        ctx.log?.warn({ trigger: 'store', problems: err.problems.map(formatDiagnostic) }, 'route table reload rejected; the served routes are unchanged');
      }
      // Backends changed elsewhere: re-bound here too (backend-sync.ts).
      await followStoredBackends(ctx, await ctx.store.listBackends());
    });

  const routes: AdminRoute[] = [
    {
      method: 'GET',
      path: '/healthz',
      handle: async () => json(200, { status: 'ok' }),
    },
    {
      method: 'GET',
      path: '/readyz',
      handle: async () => {
        const states: Record<string, string> = {};
        await Promise.all([...ctx.namespaces.values()].map(async (ns) => (states[ns.name] = (await ns.upstream.healthy()) ? 'SERVING' : 'NOT_SERVING')));
        const ready = Object.values(states).every((s) => s === 'SERVING');
        return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', routes: ctx.tables.current.routes.length, namespaces: states });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handle: async () => ({ status: 200, headers: { 'content-type': ctx.metrics.registry.contentType }, body: await ctx.metrics.exposition() }),
    },
    {
      method: 'GET',
      path: '/admin/routes',
      handle: async () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: printRoutes(ctx.tables.current) }),
    },
    {
      method: 'GET',
      path: '/admin/routes/{id}',
      handle: async (input, { id }) => routePlan(ctx.tables.current, id, single(input.query.frontend), single(input.query.namespace)),
    },
    {
      method: 'GET',
      path: '/admin/namespaces',
      handle: async () =>
        json(200, [...ctx.namespaces.values()].map((ns) => ({ name: ns.name, target: ns.target, grpcPassthrough: ns.passthrough, frontends: ctx.catalog.entries.filter((e) => e.namespace === ns.name).flatMap((e) => e.names) }))),
    },
    {
      method: 'GET',
      path: '/admin/backends',
      handle: async () => json(200, ctx.backends.list().map((b) => ctx.backends.view(b))),
    },
    {
      method: 'GET',
      path: '/admin/backends/{name}',
      handle: async (_input, { name }) => {
        const backend = ctx.backends.get(name);
        return backend ? json(200, { ...ctx.backends.view(backend), config: ctx.backends.shownConfig(backend) }) : noBackend(name);
      },
    },
    {
      method: 'PUT',
      path: '/admin/backends/{name}',
      handle: (input, { name }) => serialized(() => putBackend(ctx, name, input.body?.toString('utf8') ?? '')),
    },
    {
      method: 'DELETE',
      path: '/admin/backends/{name}',
      handle: (_input, { name }) =>
        serialized(async () => {
          const backend = ctx.backends.get(name);
          if (!backend) return noBackend(name);
          if (backend.origin === 'file') return fileOwnedBackend(name);
          const users = ctx.backends.usersOf(name);
          if (users.length > 0) {
            const named = users.map((u) => `${u.namespace}/${u.slot}`);
            return problem(Code.FAILED_PRECONDITION, GatewayReason.BACKEND_IN_USE, `backend '${name}' is bound to ${named.map((n) => `slot ${n}`).join(', ')}; bind those slots elsewhere first`, { backend: name, usedBy: named.join(',') });
          }
          await ctx.store.putBackend({ name, type: backend.type, config: {}, deleted: true });
          ctx.backends.remove(name);
          return json(200, { deleted: name });
        }),
    },
    {
      method: 'GET',
      path: '/admin/frontends',
      handle: async () => json(200, ctx.catalog.entries.map(describe)),
    },
    {
      method: 'GET',
      path: '/admin/frontends/{name}',
      handle: async (_input, { name }) => {
        const entry = ctx.catalog.entries.find((e) => e.names.includes(name));
        return entry ? json(200, { ...describe(entry), definition: entry.text }) : noFrontend(name);
      },
    },
    {
      method: 'GET',
      path: '/admin/frontends/{name}/openapi.json',
      handle: async (_input, { name }) => {
        if (!ctx.catalog.entries.some((e) => e.names.includes(name))) return noFrontend(name);
        if (!ctx.openApi) return problem(Code.UNIMPLEMENTED, GatewayReason.EXPORT_UNAVAILABLE, 'OpenAPI export is not available');
        return json(200, ctx.openApi(ctx.tables.current, name));
      },
    },
    {
      method: 'GET',
      path: '/admin/frontends/{name}/schema.graphql',
      handle: async (_input, { name }) => {
        if (!ctx.catalog.entries.some((e) => e.names.includes(name))) return noFrontend(name);
        // The SDL the endpoint was compiled with (src/graphql/): only GraphQL frontends have one.
        const endpoint = ctx.tables.current.graphql?.endpoints.find((e) => e.name === name);
        if (!endpoint) return problem(Code.UNIMPLEMENTED, GatewayReason.EXPORT_UNAVAILABLE, `frontend '${name}' is not a GraphQL frontend`, { frontend: name });
        return { status: 200, headers: { 'content-type': 'application/graphql; charset=utf-8' }, body: endpoint.sdl };
      },
    },
    {
      method: 'PUT',
      path: '/admin/frontends/{name}',
      handle: (input, { name }) =>
        serialized(async () => {
          const text = input.body?.toString('utf8') ?? '';
          const source = `admin:${name}`;
          let names: string[];
          try {
            names = parseDefinitions(text, source, ctx.baseDir).map((l) => l.definition.name);
          } catch (err) {
            if (!(err instanceof DefinitionError)) throw err;
            ctx.metrics.reload('failure');
            return definitionRejected('the definition was rejected; the served routes are unchanged', err.problems);
          }
          if (names.length !== 1 || names[0] !== name) {
            return problem(Code.INVALID_ARGUMENT, GatewayReason.FRONTEND_NAME_MISMATCH, `the body must define exactly one frontend, named '${name}' (it defines ${names.length === 0 ? 'none' : names.map((n) => `'${n}'`).join(', ')})`, { frontend: name, defined: names.join(',') });
          }
          const namespace = single(input.query.namespace) ?? (ctx.namespaces.size === 1 ? [...ctx.namespaces.keys()][0] : undefined);
          if (!namespace) return problem(Code.INVALID_ARGUMENT, GatewayReason.NAMESPACE_REQUIRED, `name the namespace with ?namespace= (one of ${[...ctx.namespaces.keys()].join(', ')})`, { namespaces: [...ctx.namespaces.keys()].join(',') });
          const fromFile = ctx.catalog.entries.find((e) => e.names.includes(name) && e.namespace === namespace && e.origin === 'file');
          if (fromFile) return fileOwned(name, fromFile);
          const shared = ctx.catalog.entries.find((e) => e.names.includes(name) && e.names.length > 1);
          if (shared) return sharedDefinition(name, shared, `frontend '${name}' is defined together with ${shared.names.filter((n) => n !== name).join(', ')} in ${shared.source}; change that file instead`);
          const entry: FrontendEntry = { names: [name], namespace, pathPrefix: single(input.query.pathPrefix), host: single(input.query.host), text, source, origin: 'admin' };
          // A frontend bound to several namespaces is changed in the one named here only.
          const rejected = await apply(
            (entries) => [...entries.filter((e) => !(e.names.includes(name) && e.namespace === namespace)), entry],
            () => ctx.store.put({ name, namespace, pathPrefix: entry.pathPrefix, host: entry.host, text, deleted: false }),
          );
          return rejected ?? json(200, { applied: name, namespace, routes: ctx.tables.current.routes.filter((r) => r.frontend.name === name).length });
        }),
    },
    {
      method: 'DELETE',
      path: '/admin/frontends/{name}',
      handle: (input, { name }) =>
        serialized(async () => {
          // ?namespace= removes the frontend from that namespace only; without it, from all.
          const namespace = single(input.query.namespace);
          const bound = ctx.catalog.entries.filter((e) => e.names.includes(name) && (namespace === undefined || e.namespace === namespace));
          if (bound.length === 0) return noFrontend(name, namespace);
          const fromFile = bound.find((e) => e.origin === 'file');
          if (fromFile) return fileOwned(name, fromFile);
          const shared = bound.find((e) => e.names.length > 1);
          if (shared) return sharedDefinition(name, shared, `frontend '${name}' is defined together with others in ${shared.source}; change that file instead`);
          const rejected = await apply(
            (entries) => entries.filter((e) => !bound.includes(e)),
            async () => {
              for (const e of bound) await ctx.store.put({ name, namespace: e.namespace, text: '', deleted: true });
            },
          );
          return rejected ?? json(200, { deleted: name, namespaces: bound.map((e) => e.namespace) });
        }),
    },
  ];
  return { routes, reload };
}

const noBackend = (name: string): HttpReply => problem(Code.NOT_FOUND, GatewayReason.BACKEND_NOT_FOUND, `no backend named '${name}'`, { backend: name });

function fileOwnedBackend(name: string): HttpReply {
  return problem(
    Code.FAILED_PRECONDITION,
    GatewayReason.READ_ONLY_BACKEND,
    `backend '${name}' is defined in the config file; change it there: backends from the config file cannot be changed or deleted through the admin API`,
    { backend: name, origin: 'file' },
  );
}

/**
 * `PUT /admin/backends/{name}` (REGISTER_BACKEND, or UPDATE_BACKEND when it exists): the body
 * is `{ type, config }` in YAML or JSON. The type and config are checked against the type's
 * schema, and every pattern slot bound to the backend against its interfaces, before anything
 * changes; an update then re-binds those slots (validate-then-swap) and is stored only once
 * they serve. No answer, log line or error quotes a secret.
 */
async function putBackend(ctx: AdminContext, name: string, text: string): Promise<HttpReply> {
  let body: unknown;
  try {
    body = parseYaml(text);
  } catch {
    return problem(Code.INVALID_ARGUMENT, GatewayReason.BACKEND_INVALID, 'the body must be a YAML or JSON object { type, config }', { backend: name });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return problem(Code.INVALID_ARGUMENT, GatewayReason.BACKEND_INVALID, 'the body must be a YAML or JSON object { type, config }', { backend: name });
  const { type, config = {}, name: named, ...rest } = body as { type?: unknown; config?: unknown; name?: unknown };
  const violations: { field: string; description: string }[] = Object.keys(rest).map((key) => ({ field: `/${key}`, description: `unknown field '${key}' (a backend has name, type and config)` }));
  if (named !== undefined && named !== name) violations.push({ field: '/name', description: `the body names backend '${String(named)}', the path '${name}'` });
  if (typeof type !== 'string') violations.push({ field: '/type', description: 'type is required (MEMSTORE, SQLITE, POSTGRES, REDIS, NATS, KAFKA or S3)' });
  if (typeof config !== 'object' || config === null || Array.isArray(config)) violations.push({ field: '/config', description: 'config must be an object' });
  const existing = ctx.backends.get(name);
  if (existing?.origin === 'file') return fileOwnedBackend(name);
  if (violations.length === 0) {
    const checked = ctx.backends.checkChange(name, type as string, config as Record<string, unknown>);
    violations.push(...checked.config.map((p) => ({ field: p.pointer, description: p.message })));
    violations.push(...checked.slots.map((p) => ({ field: `namespaces/${p.namespace}/slots/${p.slot}`, description: `namespace '${p.namespace}': ${p.message}` })));
    for (const warning of checked.warnings) ctx.log?.warn({ backend: name }, warning);
  }
  if (violations.length > 0) {
    return problem(Code.INVALID_ARGUMENT, GatewayReason.BACKEND_INVALID, `backend '${name}' was rejected; nothing changed`, { backend: name, problems: String(violations.length) }, [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations },
    ]);
  }
  const next: RegisteredBackend = { name, type: type as string, config: config as Record<string, unknown>, origin: 'admin' };
  const users = ctx.backends.usersOf(name);
  if (users.length > 0) {
    if (!ctx.rebind) return problem(Code.UNAVAILABLE, GatewayReason.BACKEND_REBIND_FAILED, `backend '${name}' is bound to pattern slots and this gateway cannot re-bind them`, { backend: name });
    const namespaces = [...new Set(users.map((u) => u.namespace))];
    try {
      await ctx.rebind(namespaces, (n) => (n === name ? next : ctx.backends.get(n)));
    } catch (err) {
      ctx.log?.warn({ backend: name, namespaces, reason: (err as Error).message }, 'backend re-bind failed; the old binding keeps serving');
      return problem(Code.UNAVAILABLE, GatewayReason.BACKEND_REBIND_FAILED, `backend '${name}' was not changed: ${(err as Error).message}; the old binding keeps serving`, { backend: name, namespaces: namespaces.join(',') });
    }
  }
  await ctx.store.putBackend({ name, type: next.type, config: { ...next.config }, deleted: false });
  ctx.backends.set(next);
  ctx.log?.info({ backend: name, type: next.type, rebound: users.map((u) => `${u.namespace}/${u.slot}`) }, existing ? 'backend updated' : 'backend registered');
  return json(existing ? 200 : 201, { ...ctx.backends.view(next), config: ctx.backends.shownConfig(next), rebound: users });
}

/**
 * Frontends from the config file belong to the file: a change through the admin API would
 * shadow every later edit of the file (and a delete would outlive it), so it is refused.
 */
function fileOwned(name: string, entry: FrontendEntry): HttpReply {
  return problem(
    Code.FAILED_PRECONDITION,
    GatewayReason.READ_ONLY_FRONTEND,
    `frontend '${name}' in namespace '${entry.namespace}' is defined in the config file (${entry.source}); change it there: frontends from the config file cannot be changed or deleted through the admin API`,
    { frontend: name, namespace: entry.namespace, origin: 'file', source: entry.source },
  );
}

/** A frontend defined in one document with others can only change with them, in that document. */
function sharedDefinition(name: string, entry: FrontendEntry, message: string): HttpReply {
  return problem(Code.FAILED_PRECONDITION, GatewayReason.READ_ONLY_FRONTEND, message, { frontend: name, namespace: entry.namespace, origin: entry.origin, source: entry.source });
}

/**
 * `GET /admin/routes/{id}`: the compiled plan of the route with that id in the served table.
 * Route ids are unique within a frontend only; `frontend` and `namespace` narrow.
 */
function routePlan(table: RouteTable, id: string, frontend: string | undefined, namespace: string | undefined): HttpReply {
  const found = table.routes.filter((r) => r.id === id && (frontend === undefined || r.frontend.name === frontend) && (namespace === undefined || r.frontend.namespace === namespace));
  if (found.length === 0) {
    const narrowed = [frontend && `frontend '${frontend}'`, namespace && `namespace '${namespace}'`].filter(Boolean).join(' and ');
    return problem(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, `no route with id '${id}'${narrowed ? ` in ${narrowed}` : ''}`, { route: id });
  }
  if (found.length > 1) {
    const candidates = found.map((r) => `${r.frontend.name}/${r.frontend.namespace ?? ''}`);
    return problem(
      Code.INVALID_ARGUMENT,
      GatewayReason.ROUTE_AMBIGUOUS,
      `${found.length} routes have the id '${id}': ${candidates.join(', ')}; narrow with ?frontend= and ?namespace=`,
      { route: id, candidates: candidates.join(',') },
    );
  }
  return json(200, found[0]!.plan);
}

function single(v: string | string[] | undefined): string | undefined {
  const value = Array.isArray(v) ? v[0] : v;
  return value === '' ? undefined : value;
}
