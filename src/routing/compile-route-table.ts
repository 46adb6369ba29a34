/**
 * Compilation: frontend definitions + protos → an immutable route table. Everything is checked
 * here (services, methods, fields, the type each source feeds, templates, conflicts) and every
 * problem of every file is reported in one DefinitionError. Nothing is resolved per request.
 */
import protobuf from 'protobufjs';
import type { ErrorMapping, FrontendDefinition, RouteMapping } from '../frontends/definition.js';
import { DefinitionError, type DefinitionProblem } from '../frontends/definition-error.js';
import { DiagnosticCode, nestedSink, type DiagnosticSink } from '../frontends/diagnostics.js';
import type { FrontendBinding } from '../frontends/frontend-binding.js';
import { resolveDefaultService, resolveGrpcMethod } from '../frontends/resolve-grpc-method.js';
import { compileBodyValidator } from '../mapping/body-validator.js';
import { compileUnknownKeyFinder, fieldUnknownKeyFinder, type UnknownKeyFinder } from '../mapping/coerce.js';
import { Code, gatewayError, GatewayReason } from '../core/gateway-error.js';
import { planFieldPath } from '../mapping/field-path.js';
import { DEFAULT_FALLBACK, type ErrorMapper } from '../core/render-error.js';
import { compileErrorPlans, planErrorMappings, type ErrorScope } from '../mapping/error-mapper.js';
import { defaultJsonOptions } from '../mapping/message-json.js';
import { compileRequestMapper } from '../mapping/request-mapper.js';
import { compileResponseMapper, planResponse } from '../mapping/response-mapper.js';
import { compileTemplatePlan, planTemplate } from '../mapping/template.js';
import { methodPath } from '../grpc/service-definition.js';
import { compileGraphqlFrontend } from '../graphql/compile-graphql-frontend.js';
import type { GraphqlEndpoint } from '../graphql/graphql-endpoint.js';
import { createGraphqlIndex } from '../graphql/graphql-index.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { compileNegotiator } from './content-negotiation.js';
import type { CompiledFrontend, CompiledRoute, GrpcTarget, StreamingRoute } from './compiled-route.js';
import { joinPaths, parsePathTemplate, type PathSegment } from './path-template.js';
import { createRouteTable, type RouteEntry, type RouteTable } from './route-table.js';
import { createResponseCache } from './response-cache.js';
import type { BindingPlan, ErrorRulePlan, ResponsePlan, RoutePlan, StreamPlan } from './route-plan.js';

export type { FrontendBinding };

const DEFAULT_DEADLINE_MS = 30_000;
const DEFAULT_PRODUCES = [{ type: 'application/json', quality: 1 }];
const DEFAULT_CONSUMES = ['application/json'];

/**
 * Compiles every binding into one route table.
 * @throws DefinitionError listing every problem found, across all definitions.
 */
export function compileRouteTable(bindings: readonly FrontendBinding[]): RouteTable {
  const problems: DefinitionProblem[] = [];
  const entries: RouteEntry[] = [];
  const frontends: CompiledFrontend[] = [];
  const graphql: { endpoint: GraphqlEndpoint; report: DiagnosticSink }[] = [];
  const shapes = new Map<string, { route: string; frontend: string }>();
  const names = new Map<string, { file: string; index: number; text: string }>();

  for (const binding of bindings) {
    const { loaded } = binding;
    const def = loaded.definition;
    const report: DiagnosticSink = (code, pointer, message) => {
      const pos = loaded.locate(pointer);
      problems.push({ code, file: loaded.file, route: loaded.routeAt(pointer), pointer, line: pos?.line, column: pos?.column, message });
    };
    // Names are global (RFC-039): one definition per name, bound to any number of namespaces;
    // the same definition read from two places is still one frontend.
    const previous = names.get(def.name);
    const text = JSON.stringify(def);
    if (previous !== undefined && previous.text !== text) {
      report(DiagnosticCode.DUPLICATE_NAME, '/name', `frontend name '${def.name}' is already used by ${previous.file}${previous.file === loaded.file ? ` (document ${previous.index + 1})` : ''}`);
    }
    if (previous === undefined) names.set(def.name, { file: loaded.file, index: loaded.index, text });
    if (def.type === 'GRAPHQL' && def.graphql) {
      // src/graphql/: one endpoint per binding, dispatched by the table's GraphQL index.
      const compiled = compileGraphqlFrontend(binding, def, report);
      if (compiled) {
        frontends.push(compiled.frontend);
        graphql.push({ endpoint: compiled.endpoint, report });
      }
      continue;
    }
    if (def.type !== 'REST' || !def.rest) {
      report(DiagnosticCode.UNSUPPORTED, '/type', `frontend type ${def.type} is reserved and not supported yet; only REST is`);
      continue;
    }
    const compiled = compileFrontend(binding, def, report);
    if (!compiled) continue;
    frontends.push(compiled.frontend);
    for (const entry of compiled.entries) {
      // With trailing-slash tolerance a route claims both spellings of its path.
      const spellings = compiled.frontend.trailingSlash && entry.shape !== '/' ? [entry.shape.replace(/\/$/, ''), entry.shape.replace(/\/$/, '') + '/'] : [entry.shape];
      const keys = spellings.map((shape) => `${compiled.frontend.host ?? '*'} ${entry.route.method} ${shape}`);
      const clash = keys.map((k) => shapes.get(k)).find((c) => c !== undefined);
      if (clash) {
        report(DiagnosticCode.ROUTE_CONFLICT, `/rest/routes/${entry.index}/path`, `route '${entry.route.id}' (${entry.route.method} ${entry.route.template}) matches the same requests as route '${clash.route}' of frontend '${clash.frontend}'`);
        continue;
      }
      for (const k of keys) shapes.set(k, { route: entry.route.id, frontend: def.name });
      entries.push({ route: entry.route, segments: entry.segments });
    }
  }
  if (problems.length > 0) throw new DefinitionError(problems);
  try {
    const table = createRouteTable(entries, frontends, createGraphqlIndex(graphql.map((g) => g.endpoint)));
    graphqlConflicts(table, graphql);
    if (problems.length > 0) throw new DefinitionError(problems);
    return table;
  } catch (err) {
    if (err instanceof DefinitionError) throw err;
    // The conflict checks above should leave the router nothing to refuse; if it still does,
    // that is a definition problem, not a crash.
    throw new DefinitionError([{ code: 'ROUTE_CONFLICT', file: bindings[0]?.loaded.file ?? '', pointer: '', message: `cannot index the routes: ${(err as Error).message}` }]);
  }
}

/** A GraphQL endpoint takes its path whole: no REST route and no other endpoint may answer there. */
function graphqlConflicts(table: RouteTable, graphql: readonly { endpoint: GraphqlEndpoint; report: DiagnosticSink }[]): void {
  const seen = new Map<string, string>();
  for (const { endpoint, report } of graphql) {
    const key = `${endpoint.host ?? '*'} ${endpoint.path}`;
    const other = seen.get(key);
    if (other !== undefined && other !== endpoint.name) report(DiagnosticCode.ROUTE_CONFLICT, '/graphql/path', `GraphQL endpoint ${endpoint.path} of frontend '${endpoint.name}' is also the endpoint of frontend '${other}'`);
    seen.set(key, endpoint.name);
    for (const method of ['GET', 'POST']) {
      const match = table.match(method, endpoint.path, endpoint.host);
      if (match.route) report(DiagnosticCode.ROUTE_CONFLICT, '/graphql/path', `GraphQL endpoint ${endpoint.path} of frontend '${endpoint.name}' takes ${method} ${endpoint.path}, which route '${match.route.id}' of frontend '${match.route.frontend.name}' matches`);
    }
  }
}

function compileFrontend(binding: FrontendBinding, def: FrontendDefinition, report: DiagnosticSink) {
  const rest = def.rest!;
  const { loaded } = binding;
  let root: protobuf.Root | undefined;
  // Relative proto names resolve against the definition's folder, then the include paths.
  const protoFiles = [...(def.protos ?? []), ...(binding.protoFiles ?? [])];
  const needsProtos = rest.routes.some((r) => r.grpc !== undefined);
  if (needsProtos) {
    try {
      root = loadProtoRoot(protoFiles, [loaded.baseDir, ...(binding.includeDirs ?? [])]);
    } catch (err) {
      report(DiagnosticCode.PROTO_LOAD, '/protos', (err as Error).message);
      return undefined;
    }
  }

  const defaultService = root && resolveDefaultService(root, rest.service, '/rest/service', report);

  const mountPath = joinPaths(binding.pathPrefix, rest.basePath);
  const json = { ...defaultJsonOptions, ...rest.json };
  const produces = rest.produces ?? DEFAULT_PRODUCES;
  const consumes = rest.consumes ?? DEFAULT_CONSUMES;
  const fallback = rest.fallback ?? DEFAULT_FALLBACK;
  if (rest.defaultRequestType !== undefined && !consumes.map((c) => c.toLowerCase()).includes(rest.defaultRequestType.toLowerCase())) {
    report(DiagnosticCode.INVALID_VALUE, '/rest/defaultRequestType', `'${rest.defaultRequestType}' is not one of the consumed types`);
  }
  // With a problem in the frontend's mappings the compile fails; the routes are still compiled
  // (against no mappings) so that their problems are reported in the same pass.
  const frontendErrors = compileErrors(rest.errors ?? [], { json }, fallback, nestedSink(report, '/rest/errors'), 'frontend') ?? { mapper: compileErrorPlans([], { json }, fallback), plan: [] };
  const frontend: CompiledFrontend = {
    name: def.name,
    mountPath,
    host: binding.host?.toLowerCase(),
    ...(binding.cors ? { cors: binding.cors } : {}),
    namespace: binding.namespace,
    negotiator: compileNegotiator(produces, consumes, rest.defaultRequestType),
    mapError: frontendErrors.mapper,
    unknownQuery: rest.unknownQuery ?? 'ignore',
    trailingSlash: rest.trailingSlash ?? false,
    upstream: binding.upstream,
    cache: createResponseCache(),
  };
  const forwardHeaders = [...new Set(['x-request-id', ...(binding.forwardHeaders ?? rest.forwardHeaders ?? []).map((h) => h.toLowerCase())])];

  const entries: { route: CompiledRoute; segments: readonly PathSegment[]; shape: string; index: number }[] = [];
  const ids = new Set<string>();
  rest.routes.forEach((r, index) => {
    const at = `/rest/routes/${index}`;
    if (ids.has(r.id)) report(DiagnosticCode.DUPLICATE_NAME, `${at}/id`, `route id '${r.id}' is used twice in this frontend`);
    ids.add(r.id);
    const route = compileRoute(r, at, { root, defaultService, frontend, json, fallback, rest, forwardHeaders, binding, report, frontendErrors: frontendErrors.plan, produces: produces.map((p) => p.type), consumes });
    if (route) entries.push({ ...route, index });
  });
  return { frontend, entries };
}

interface RouteContext {
  root?: protobuf.Root;
  defaultService?: protobuf.Service;
  frontend: CompiledFrontend;
  json: typeof defaultJsonOptions;
  fallback: { status: number; body: unknown };
  rest: NonNullable<FrontendDefinition['rest']>;
  forwardHeaders: string[];
  binding: FrontendBinding;
  report: DiagnosticSink;
  /** The frontend's error mappings as plan data (every route's table ends with them). */
  frontendErrors: readonly ErrorRulePlan[];
  produces: readonly string[];
  consumes: readonly string[];
}

function compileRoute(r: RouteMapping, at: string, ctx: RouteContext) {
  // A route with any problem is left out of the table (the whole compile fails anyway).
  let problems = 0;
  const report: DiagnosticSink = (code, pointer, message) => {
    problems++;
    ctx.report(code, pointer, message);
  };
  // A path that does not parse leaves the route out, but the rest of it is still checked.
  const template = parsePathTemplate(joinPaths(ctx.frontend.mountPath, r.path), nestedSink(report, `${at}/path`));

  let grpc: GrpcTarget | undefined;
  let kind: StreamPlan['kind'] | undefined;
  if (r.grpc !== undefined) {
    const method = resolveMethod(r.grpc, ctx, nestedSink(report, `${at}/grpc`));
    if (method) {
      kind = method.requestStream ? (method.responseStream ? 'bidi' : 'client') : method.responseStream ? 'server' : undefined;
      if (kind !== undefined && r.stream === undefined) {
        report(DiagnosticCode.UNSUPPORTED, `${at}/grpc`, `method '${r.grpc}' is ${STREAM_KIND_NAMES[kind]}; a route bound to it needs a 'stream' block (framings text/event-stream, application/x-ndjson, or websocket: true)`);
      }
      if (kind === undefined && r.stream !== undefined) report(DiagnosticCode.UNSUPPORTED, `${at}/stream`, `method '${r.grpc}' is unary; only routes bound to a streaming method take a 'stream' block`);
      grpc = { path: methodPath(method), requestType: method.resolvedRequestType!, responseType: method.resolvedResponseType! };
    }
  }
  if (r.grpc === undefined && r.stream !== undefined) report(DiagnosticCode.UNSUPPORTED, `${at}/stream`, 'a static route (no grpc method) cannot stream');
  if (r.grpc === undefined && (r.params ?? []).length > 0) report(DiagnosticCode.UNSUPPORTED, `${at}/params`, 'a static route (no grpc method) cannot bind params');
  if (r.cache && (r.method !== 'GET' || r.grpc === undefined)) report(DiagnosticCode.UNSUPPORTED, `${at}/cache`, 'only GET routes that call a gRPC method can be cached');
  if (r.cache && r.stream !== undefined) report(DiagnosticCode.UNSUPPORTED, `${at}/cache`, 'a streaming route cannot be cached');

  // Request mapping.
  const requestType = grpc?.requestType;
  let request: ReturnType<typeof compileRequestMapper> = { mapper: () => ({}), boundQuery: new Set<string>(), boundPath: new Set<string>(), bindings: [] };
  if (requestType) {
    request = compileRequestMapper(requestType, r.params ?? [], nestedSink(report, `${at}/params`), { lenientStrings: ctx.rest.lenientStrings });
    for (const p of request.boundPath) {
      if (template && !template.params.includes(p)) {
        const i = (r.params ?? []).findIndex((m) => m.from === `path.${p}`);
        report(DiagnosticCode.PATH_TEMPLATE, `${at}/params/${i}/from`, `path parameter '${p}' is not in the path template '${r.path}'`);
      }
    }
  }
  // When the method did not resolve its params could not be checked: no cascade of problems.
  if (template && (r.grpc === undefined || requestType)) {
    for (const p of template.params) {
      if (!request.boundPath.has(p)) report(DiagnosticCode.UNBOUND_PATH_PARAM, `${at}/path`, `path parameter {${p}} is not bound to any field`);
    }
  }

  let validateBody;
  if (r.bodySchema !== undefined && request.readsRawBody) {
    // A raw body is bytes, never parsed as JSON: a schema for it would never be checked.
    report(DiagnosticCode.UNSUPPORTED, `${at}/bodySchema`, "a bodySchema checks a JSON body; this route reads the body raw ('encoding: raw'), so it would never be applied");
  } else if (r.bodySchema !== undefined) {
    try {
      validateBody = compileBodyValidator(r.bodySchema);
    } catch (err) {
      report(DiagnosticCode.INVALID_VALUE, `${at}/bodySchema`, `invalid JSON Schema: ${(err as Error).message}`);
    }
  }

  const types = { response: grpc?.responseType, request: requestType };
  const response = planResponse(r.response, types, ctx.json, nestedSink(report, `${at}/response`));
  const stream = kind !== undefined && r.stream !== undefined ? planStream(r, kind, request.bindings, response, types, ctx, nestedSink(report, at)) : undefined;
  // A route's own mappings come first, then the frontend's (compiled once, shared).
  const routeErrors = r.errors?.length ? compileErrors(r.errors, { json: ctx.json, request: requestType }, ctx.fallback, nestedSink(report, `${at}/errors`), 'route', ctx.frontend.mapError) : undefined;

  if (problems > 0 || !response || !template) return undefined;
  const deadlineMs = r.deadlineMs ?? ctx.binding.deadlineMs ?? ctx.rest.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const role = r.role ?? (r.method === 'GET' || r.method === 'HEAD' || r.method === 'OPTIONS' ? 'read' : 'write');
  const writes = !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
  const plan: RoutePlan = {
    id: r.id,
    frontend: ctx.frontend.name,
    ...(ctx.frontend.namespace === undefined ? {} : { namespace: ctx.frontend.namespace }),
    ...(ctx.frontend.host === undefined ? {} : { host: ctx.frontend.host }),
    mountPath: ctx.frontend.mountPath,
    method: r.method,
    path: { template: template.template, segments: template.segments, params: template.params },
    ...(grpc ? { grpc: { method: grpc.path.slice(1), requestType: grpc.requestType.fullName, responseType: grpc.responseType.fullName } } : {}),
    bindings: request.bindings,
    boundQuery: [...request.boundQuery],
    body: { consumes: ctx.consumes, ...(r.bodySchema === undefined ? {} : { schema: r.bodySchema }) },
    produces: stream ? stream.framings : ctx.produces,
    response,
    errors: [...(routeErrors?.plan ?? []), ...ctx.frontendErrors],
    ...(ctx.rest.fallback === undefined ? {} : { fallback: ctx.rest.fallback }),
    json: ctx.json,
    ...(stream ? { stream } : {}),
    policy: {
      deadlineMs,
      role,
      ...(r.elevate === undefined ? {} : { elevate: r.elevate }),
      ...(r.cache === undefined ? {} : { cache: r.cache }),
      readiness: r.readiness === true,
      writes,
      forwardHeaders: ctx.forwardHeaders,
      unknownQuery: ctx.frontend.unknownQuery,
    },
  };
  const rejectUnknown = requestType && unknownFieldsPolicy(r, ctx.rest) === 'reject' ? compileUnknownBodyCheck(requestType, r.params ?? []) : undefined;
  const route: CompiledRoute = {
    id: r.id,
    method: r.method,
    template: template.template,
    frontend: ctx.frontend,
    grpc,
    plan,
    mapRequest: rejectUnknown
      ? (values) => {
          rejectUnknown(values.body);
          return request.mapper(values);
        }
      : request.mapper,
    validateBody,
    boundQuery: request.boundQuery,
    mapResponse: compileResponseMapper(response, types),
    mapError: routeErrors?.mapper ?? ctx.frontend.mapError,
    deadlineMs,
    forwardHeaders: ctx.forwardHeaders,
    readiness: plan.policy.readiness,
    role,
    elevate: r.elevate,
    cache: r.cache,
    cacheVary: ctx.forwardHeaders.filter((h) => h !== 'x-request-id'),
    writes,
    ...(stream ? { streaming: compileStreaming(stream, { ...types, json: response.json }) } : {}),
  };
  return { route, segments: template.segments, shape: template.shape };
}

/**
 * `unknownFields` (route, else frontend `rest`): `reject` refuses a body key that no field takes
 * (BODY_INVALID, 400) instead of dropping it as proto3 JSON parsers do by default. Read with a
 * safe default, `ignore`, whatever else is written there (the definition schema checks values).
 */
function unknownFieldsPolicy(r: RouteMapping, rest: NonNullable<FrontendDefinition['rest']>): 'reject' | 'ignore' {
  const policy = (r as { unknownFields?: unknown }).unknownFields ?? (rest as { unknownFields?: unknown }).unknownFields;
  return policy === 'reject' ? 'reject' : 'ignore';
}

/**
 * The unknown-key check of a route's body bindings. A binding of the whole body checks it
 * against its target (the request message, or one field's type); `body.a…` bindings make their
 * first key known (and `body.a` checks its value against its field). Without a whole-body
 * binding, a top-level key no binding names is unknown.
 * @throws GatewayError INVALID_ARGUMENT / BODY_INVALID naming the key (metadata.field: a JSON pointer).
 */
function compileUnknownBodyCheck(requestType: protobuf.Type, params: NonNullable<RouteMapping['params']>): (body: unknown) => void {
  const whole: UnknownKeyFinder[] = [];
  const named = new Map<string, UnknownKeyFinder>();
  for (const p of params) {
    if (p.from !== 'body' && !p.from?.startsWith('body.')) continue;
    const chain = p.to === '*' ? [] : planFieldPath(requestType, p.to, () => {});
    if (!chain) continue;
    const target: UnknownKeyFinder = chain.length === 0 ? compileUnknownKeyFinder(requestType, { rename: p.rename, ignore: p.ignore }) : fieldUnknownKeyFinder(chain[chain.length - 1]);
    if (p.from === 'body') {
      whole.push(target);
      continue;
    }
    const [first, ...rest] = p.from.slice('body.'.length).split('.');
    if (!named.has(first) || rest.length === 0) named.set(first, rest.length === 0 ? target : () => undefined);
  }
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
    let unknown: string[] | undefined;
    for (const [key, value] of Object.entries(body)) {
      const find = named.get(key);
      if (find) {
        const inner = find(value);
        unknown = inner && [key, ...inner];
      }
      else if (whole.length === 0) unknown = [key];
      else {
        // Known to some whole-body binding's target, and checked by it, or unknown.
        const paths = whole.map((w) => w({ [key]: value }));
        unknown = paths.every((p) => p !== undefined) ? paths[0] : undefined;
      }
      if (unknown) {
        throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BODY_INVALID, `request body has the unknown field '${unknown.join('.')}'`, {
          field: '/' + unknown.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
        });
      }
    }
  };
}

const STREAM_KIND_NAMES = { server: 'server-streaming', client: 'client-streaming', bidi: 'bidirectional streaming' } as const;
/** SSE heartbeat comment interval when a route declares none. */
const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * Checks a streaming route's `stream` block against its method (pointers relative to the
 * route): a route offers plain-HTTP framings, WebSocket, or both (client and bidi messages come
 * as the JSON values of the body or as frames, each mapped by the body mappings), a body
 * mapping cannot feed a server-streaming WebSocket (the upgrade request has no body), and
 * the SSE `event`/`id` templates read what the response template reads.
 * @returns the plan, or undefined when a problem was reported.
 */
function planStream(
  r: RouteMapping,
  kind: StreamPlan['kind'],
  bindings: readonly BindingPlan[],
  response: ResponsePlan | undefined,
  types: { response?: protobuf.Type; request?: protobuf.Type },
  ctx: RouteContext,
  sink: DiagnosticSink,
): StreamPlan | undefined {
  const block = r.stream!;
  let problems = 0;
  const report: DiagnosticSink = (code, pointer, message) => {
    problems++;
    sink(code, pointer, message);
  };
  const websocket = block.websocket === true;
  // Every kind streams over plain HTTP by default: server streaming from one request, client
  // and bidi streaming from a body of JSON values (one message each), as grpc-gateway does.
  const framings: StreamPlan['framings'] = block.produces ?? ['text/event-stream', 'application/x-ndjson'];
  if (framings.length === 0 && !websocket) report(DiagnosticCode.INVALID_VALUE, '/stream/produces', 'a streaming route needs at least one framing, or websocket: true');
  if (kind === 'server' && websocket) {
    bindings.forEach((b, i) => {
      if (b.source.kind === 'body') report(DiagnosticCode.UNSUPPORTED, `/params/${i}/from`, 'a server-streaming route that accepts WebSocket cannot bind the body: its request comes from the path, query and headers');
    });
  }
  if (Object.keys(r.response?.headers ?? {}).length > 0) report(DiagnosticCode.UNSUPPORTED, '/response/headers', "a streaming route's response headers leave before any message: header templates cannot read one");
  if (r.response?.raw === true) report(DiagnosticCode.UNSUPPORTED, '/response/raw', 'a streaming route renders each message as one JSON value; raw bodies are not supported');
  const json = response?.json ?? ctx.json;
  const scope = { response: types.response, request: types.request, metadata: true, json };
  const event = block.sse?.event === undefined ? undefined : planTemplate(block.sse.event, scope, report, '/stream/sse/event');
  const id = block.sse?.id === undefined ? undefined : planTemplate(block.sse.id, scope, report, '/stream/sse/id');
  if (problems > 0) return undefined;
  const limits: { maxBufferedBytes?: number; idleTimeoutMs?: number; maxDurationMs?: number } = {};
  if (block.maxBufferedBytes !== undefined) limits.maxBufferedBytes = block.maxBufferedBytes;
  if (block.idleTimeoutMs !== undefined) limits.idleTimeoutMs = block.idleTimeoutMs;
  if (block.maxDurationMs !== undefined) limits.maxDurationMs = block.maxDurationMs;
  return {
    kind,
    websocket,
    framings,
    sse: {
      ...(event ? { event } : {}),
      ...(id ? { id } : {}),
      ...(block.sse?.retryMs === undefined ? {} : { retryMs: block.sse.retryMs }),
      heartbeatMs: block.sse?.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    },
    limits,
  };
}

/** A stream plan (made against the same types) as the route's request-time closures. */
function compileStreaming(plan: StreamPlan, scope: { response?: protobuf.Type; request?: protobuf.Type; json: ResponsePlan['json'] }): StreamingRoute {
  const templateScope = { ...scope, metadata: true };
  return {
    kind: plan.kind,
    websocket: plan.websocket,
    framings: plan.framings,
    sse: {
      ...(plan.sse.event ? { event: compileTemplatePlan(plan.sse.event, templateScope) } : {}),
      ...(plan.sse.id ? { id: compileTemplatePlan(plan.sse.id, templateScope) } : {}),
      ...(plan.sse.retryMs === undefined ? {} : { retryMs: plan.sse.retryMs }),
      heartbeatMs: plan.sse.heartbeatMs,
    },
    limits: { ...plan.limits },
  };
}

/**
 * Error mappings: planned (every problem of every mapping reported once, with its code), then
 * the mapper is compiled from the plans, which also become the route plan's error table.
 */
function compileErrors(
  mappings: readonly ErrorMapping[],
  scope: ErrorScope,
  fallback: { status: number; body: unknown },
  sink: DiagnosticSink,
  owner: ErrorRulePlan['scope'],
  next?: ErrorMapper,
): { mapper: ErrorMapper; plan: ErrorRulePlan[] } | undefined {
  const plan = planErrorMappings(mappings, scope, owner, sink);
  return plan && { mapper: compileErrorPlans(plan, scope, fallback, next), plan };
}

/** Resolves a route's `grpc` (reported at the pointer the sink was given); undefined when it does not. */
function resolveMethod(spec: string, ctx: RouteContext, sink: DiagnosticSink): protobuf.Method | undefined {
  if (!ctx.root) return void sink(DiagnosticCode.UNKNOWN_METHOD, '', `cannot resolve '${spec}': no protos are loaded`);
  // An empty `service` names none, as an absent one does.
  return resolveGrpcMethod(spec, { root: ctx.root, namesDefaultService: Boolean(ctx.rest.service), defaultService: ctx.defaultService }, sink);
}
