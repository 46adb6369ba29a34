/**
 * OpenAPI 3.1 export: one frontend of a compiled route table described as an OpenAPI document.
 * Everything comes from the routes' plans (routing/route-plan.ts), the decisions compilation
 * made, read the way the request mapper, the response mapper and the error mapper apply them:
 * - request values as the coercers accept them (an enum by name, int64 as a decimal string);
 * - response values as proto3 JSON renders them under the frontend's `json` options;
 * - messages as `components/schemas` entries named by their full proto name, well-known types
 *   in their JSON forms (Timestamp → date-time string, wrappers → their scalar, ...).
 * The plans name proto types; the protobufjs types are looked up in the route's own protos.
 *
 * The document also carries the definition itself, as the `x-prism-*` extensions the OpenAPI
 * import reads (openapi-import.ts), written back from the same plans: importing an exported
 * document compiles to the same route plans (test/frontends/openapi-round-trip.test.ts).
 * Templates OpenAPI path templating cannot say (`{path=**}`, `{name=shelves/*}`, a bare `*`)
 * keep their HttpRule form in `x-prism-path`, next to a best-effort OpenAPI path.
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { INT32_KINDS, INT64_KINDS, UINT32_KINDS, UINT64_KINDS, WRAPPER_KINDS } from '../mapping/proto-kinds.js';
import protobuf from 'protobufjs';
import { isAbsolute, relative, sep } from 'node:path';
import type { ErrorMapping, FrontendDefinition, ParamMapping, ResponseMapping, RestConfig, StreamMapping, Template, TemplateNode } from './definition.js';
import type { ErrorMatch } from './definition.js';
import { projectProtoDir } from '../grpc/proto-root.js';
import type { PathSegment } from '../routing/path-template.js';
import type { CompiledFrontend, CompiledRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import type { BindingPlan, ErrorRulePlan, ReadPlan, ResponsePlan, RoutePlan, StreamPlan, TemplatePlan } from '../routing/route-plan.js';
import { lookupField } from '../routing/route-plan.js';
import { findField, planFieldPath, typeName, jsonName } from '../mapping/field-path.js';
import type { JsonRenderOptions } from '../mapping/message-json.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1 schema objects). */
export type SchemaObject = { [keyword: string]: unknown };

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: SchemaObject;
}

export interface OpenApiMediaType {
  schema?: SchemaObject;
  /** On a streaming media type (SSE, NDJSON): the schema of each message (see describeStream). */
  'x-itemSchema'?: SchemaObject;
  [extension: `x-${string}`]: unknown;
}

export interface OpenApiRequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, OpenApiMediaType>;
  /** false: the schema describes what the bindings read; the gateway does not check it. */
  'x-prism-validate'?: boolean;
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { description?: string; schema?: SchemaObject }>;
  content?: Record<string, OpenApiMediaType>;
}

export interface OpenApiReference {
  $ref: string;
}

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: OpenApiParameter[];
  requestBody?: OpenApiRequestBody;
  responses: Record<string, OpenApiResponse | OpenApiReference>;
  [extension: `x-${string}`]: unknown;
}

export type OpenApiMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';
export type OpenApiPathItem = Partial<Record<OpenApiMethod, OpenApiOperation>>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  jsonSchemaDialect?: string;
  servers?: { url: string; description?: string }[];
  paths?: Record<string, OpenApiPathItem>;
  components?: { schemas?: Record<string, SchemaObject>; responses?: Record<string, OpenApiResponse> };
  [extension: `x-${string}`]: unknown;
}

export type { OpenAPIV3_1 };

export interface ExportOptions {
  /** Describe only the mount at this path (by default every mount is one server). */
  mountPath?: string;
  /** `info.version` (default `0.0.0`). */
  version?: string;
  /**
   * The frontend's definition as loaded. The route table cannot say a few things a definition
   * does: which proto files it names (the table knows the resolved files), its `basePath` (the
   * table knows the mount path, namespace prefix included), `defaultRequestType` and the
   * server qualities of `produces`. Given the definition, `x-prism-frontend` writes those as
   * written, so the document imports back next to the definition file; without it, protos
   * are named by absolute path (or relative to the project's proto folder), `basePath` is
   * the mount path and every produced type has quality 1.
   */
  definition?: FrontendDefinition;
}

/** Statuses whose answers have no body (RFC 9110 §15.3.5, §15.3.6, §15.4.5). */
const BODILESS_STATUSES = new Set([204, 205, 304]);
/** Errors raised before any route is matched: they never answer an operation. */
const ROUTING_REASONS = new Set(['ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED']);
/** grpc-gateway's default error body (what an error no mapping matches is rendered as). */
const STATUS_COMPONENT = 'google.rpc.Status';

/** What error templates read under `error.` (see ErrorView in error-mapper.ts). */
const ERROR_VIEW_PROPERTIES: Record<string, SchemaObject> = {
  code: { type: 'integer', format: 'int32' },
  codeName: { type: 'string' },
  message: { type: 'string' },
  reason: { type: 'string' },
  domain: { type: 'string' },
  metadata: { type: 'object', additionalProperties: { type: 'string' } },
  httpStatus: { type: 'integer' },
};

/**
 * Describes the frontend `frontendName` of `table` as an OpenAPI 3.1 document; a frontend
 * mounted several times is described once, with one server per mount.
 * @throws Error when the table has no such frontend (at `mountPath`, when given).
 */
export function exportOpenApi(table: RouteTable, frontendName: string, options: ExportOptions = {}): OpenAPIV3_1.Document {
  const mounts = table.frontends.filter((f) => f.name === frontendName && (options.mountPath === undefined || f.mountPath === options.mountPath));
  if (mounts.length === 0) {
    const known = [...new Set(table.frontends.map((f) => f.name))].join(', ') || 'none';
    throw new Error(`cannot export frontend '${frontendName}'${options.mountPath ? ` at ${options.mountPath}` : ''}: the route table has no such frontend (it has ${known})`);
  }
  // One definition mounted several times (namespaces, hosts) is one API served at several
  // bases: its operations once, relative to the mount, and one server per mount.
  const frontend = mounts[0];
  const routes = table.routes.filter((route) => route.frontend === frontend);
  const json: JsonRenderOptions = routes[0]?.plan.json ?? { names: 'json', emitDefaults: false, int64: 'string' };
  const schemas = new SchemaBuilder(json);

  const extension = frontendExtension(frontend, routes, options.definition);
  const paths: Record<string, OpenApiPathItem> = {};
  for (const route of routes) {
    const spelled = openApiPath(route.plan);
    let key = spelled.path;
    const method = route.method.toLowerCase() as OpenApiMethod;
    // Two HttpRule templates can share a best-effort spelling ({name=a/*}, {name=b/*}): the
    // second keeps its own template as the key (x-prism-path still says it exactly).
    if (paths[key]?.[method] !== undefined) key = spelled.template;
    const item = (paths[key] ??= {});
    item[method] = describeOperation(route, { schemas, json, root: protoRoot(route), spelled, frontend: extension });
  }

  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: frontendName, version: options.version ?? '0.0.0' },
    'x-prism-frontend': extension,
  };
  const servers = [...new Map(mounts.map((m) => [serverUrl(m), m] as const))].map(([url, m]) => (m.namespace ? { url, description: `namespace ${m.namespace}` } : { url }));
  if (servers.length > 1 || servers[0].url !== '/') document.servers = servers;
  document.paths = paths;
  const components: NonNullable<OpenApiDocument['components']> = {};
  if (Object.keys(schemas.components).length > 0) components.schemas = sortKeys(schemas.components);
  if (Object.keys(schemas.responses).length > 0) components.responses = sortKeys(schemas.responses);
  if (Object.keys(components).length > 0) document.components = components;
  return document as OpenAPIV3_1.Document;
}

interface OperationContext {
  schemas: SchemaBuilder;
  json: JsonRenderOptions;
  /** Where the route's plan names its proto types. */
  root?: protobuf.Root;
  /** The route's path as OpenAPI spells it. */
  spelled: SpelledPath;
  /** The frontend's `x-prism-frontend` (route extensions write what differs from it). */
  frontend: FrontendExtension;
}

function protoRoot(route: CompiledRoute): protobuf.Root | undefined {
  return route.grpc?.requestType.root as protobuf.Root | undefined;
}

function serverUrl(frontend: CompiledFrontend): string {
  if (frontend.host === undefined) return frontend.mountPath;
  return `//${frontend.host}${frontend.mountPath === '/' ? '' : frontend.mountPath}`;
}

/** A full path (mount path + route path) relative to the mount, as the route wrote it. */
function relativePath(template: string, mountPath: string): string {
  if (mountPath === '/') return template;
  const rest = template.slice(mountPath.length);
  return rest === '' ? '/' : rest;
}

function grpcName(route: CompiledRoute): string | undefined {
  return route.grpc?.path.slice(1);
}

function describeOperation(route: CompiledRoute, ctx: OperationContext): OpenApiOperation {
  const plan = route.plan;
  const grpc = grpcName(route);
  const summary = grpc ? `Calls ${grpc}` : plan.policy.readiness ? 'Static answer, only while the backend is ready' : 'Static answer';
  const requestType = route.grpc?.requestType;
  const parameters = describeParameters(plan, requestType, ctx);
  const body = describeRequestBody(plan, requestType, ctx);
  const responses = describeResponses(route, ctx);
  return {
    operationId: plan.id,
    summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...routeExtensions(route, ctx),
  };
}

// ---- Paths -------------------------------------------------------------------------------

/** A route's path as OpenAPI can spell it (relative to the mount). */
interface SpelledPath {
  /** The best-effort OpenAPI path: every parameter one `{name}`, literal text kept. */
  readonly path: string;
  /** The route's template as written (HttpRule syntax), relative to the mount. */
  readonly template: string;
  /** The OpenAPI path says exactly what the template says (no `x-prism-path` needed). */
  readonly exact: boolean;
  /** Parameter names of the OpenAPI path, in order. */
  readonly params: readonly string[];
  /** Parameters whose value is not one plain segment: the shape they take. */
  readonly spans: ReadonlyMap<string, { readonly pattern: string; readonly description: string }>;
}

/**
 * Spells a template in OpenAPI path templating, which knows only `{name}` parameters inside
 * segments: a multi-segment variable (`{name=shelves/*}`, `{path=**}`) becomes `{name}` with
 * the pattern of its value, an anonymous wildcard (`*`, `**`) a parameter named `_1`, `_2`, …
 * (the gateway binds neither), and a custom verb stays literal text (`/v1/{name}:cancel`, as
 * Google's own OpenAPI documents write it).
 */
function openApiPath(plan: RoutePlan): SpelledPath {
  const params: string[] = [];
  const spans = new Map<string, { pattern: string; description: string }>();
  const taken = new Set(plan.path.params);
  let anonymous = 0;
  const anonymousName = () => {
    let name: string;
    do name = `_${++anonymous}`;
    while (taken.has(name));
    taken.add(name);
    return name;
  };
  let out = '';
  const segments = plan.path.segments;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.verb !== undefined) {
      out += ':' + s.verb;
      continue;
    }
    const variable = s.text !== undefined || s.wildcard !== undefined ? s.variable : undefined;
    if (variable !== undefined) {
      // The variable's own segments, consecutive in the template.
      const own: PathSegment[] = [];
      while (i < segments.length && segments[i].verb === undefined && (segments[i] as { variable?: string }).variable === variable) own.push(segments[i++]);
      i--;
      params.push(variable);
      spans.set(variable, { pattern: `^${own.map(segmentPattern).join('/')}$`, description: `Its value spans path segments (${own.map(segmentText).join('/')}): OpenAPI cannot say so; x-prism-path has the template.` });
      out += `/{${variable}}`;
    } else if (s.wildcard !== undefined) {
      const name = anonymousName();
      params.push(name);
      spans.set(name, s.wildcard === '*'
        ? { pattern: '^[^/]+$', description: 'An anonymous wildcard (*): any one segment, not bound to a field.' }
        : { pattern: '^.*$', description: 'An anonymous wildcard (**): the rest of the path, not bound to a field.' });
      out += `/{${name}}`;
    } else if (s.param !== undefined) {
      params.push(s.param);
      out += `/{${s.param}}`;
    } else if (s.parts !== undefined) {
      out += '/' + s.parts.map((p) => (p.param !== undefined ? (params.push(p.param), `{${p.param}}`) : p.text)).join('');
    } else {
      out += '/' + s.text;
    }
  }
  const full = out === '' ? '/' : out;
  const path = relativePath(full, plan.mountPath);
  const template = relativePath(plan.path.template, plan.mountPath);
  return { path, template, exact: path === template, params, spans };
}

/** A regular expression for one segment of a multi-segment variable. */
function segmentPattern(s: PathSegment): string {
  if (s.wildcard === '*') return '[^/]+';
  if (s.wildcard === '**') return '.*';
  return (s.text ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function segmentText(s: PathSegment): string {
  return s.wildcard ?? s.text ?? '';
}

// ---- Extensions: the definition, written back from the plans -----------------------------

/** `x-prism-frontend`: the definition's frontend-level settings (everything but the routes). */
type FrontendExtension = { name: string; type: 'REST'; protos?: string[] } & Partial<Omit<RestConfig, 'routes'>>;

const DEFAULT_HEARTBEAT_MS = 15_000;

/**
 * The frontend-level settings as the plans show them. All routes of a frontend share them
 * (they are compiled once per frontend), so the first route that shows one says it.
 */
function frontendExtension(frontend: CompiledFrontend, routes: readonly CompiledRoute[], definition: FrontendDefinition | undefined): FrontendExtension {
  const plans = routes.map((r) => r.plan);
  const first = plans[0];
  const out: FrontendExtension = { name: frontend.name, type: 'REST' };
  const protos = definition?.protos ?? protoFilesOf(routes);
  if (protos.length > 0) out.protos = [...protos];
  const rest = definition?.rest;
  const basePath = definition ? rest?.basePath : frontend.mountPath === '/' ? undefined : frontend.mountPath;
  if (basePath !== undefined) out.basePath = basePath;
  if (rest?.service !== undefined) out.service = rest.service;
  if (frontend.trailingSlash) out.trailingSlash = true;
  if (frontend.unknownQuery !== 'ignore') out.unknownQuery = frontend.unknownQuery;
  // Strings taken leniently from JSON is a frontend setting every JSON-read binding shows.
  if (plans.some((p) => p.bindings.some((b) => b.coercion.from === 'json-lenient'))) out.lenientStrings = true;
  if (first) out.consumes = [...first.body.consumes];
  if (rest?.defaultRequestType !== undefined) out.defaultRequestType = rest.defaultRequestType;
  // Streaming routes produce their framings; the others show the frontend's types.
  const plain = plans.find((p) => p.stream === undefined);
  if (rest?.produces !== undefined) out.produces = rest.produces.map((p) => ({ ...p }));
  else if (plain) out.produces = plain.produces.map((type) => ({ type }));
  const deadline = mostCommon(plans.map((p) => p.policy.deadlineMs));
  if (deadline !== undefined) out.deadlineMs = deadline;
  const forwarded = first?.policy.forwardHeaders.filter((h) => h !== 'x-request-id') ?? [];
  if (forwarded.length > 0) out.forwardHeaders = forwarded;
  if (first) out.json = { ...first.json };
  const errors = first?.errors.filter((e) => e.scope === 'frontend') ?? [];
  if (errors.length > 0) out.errors = errors.map(errorMappingOf);
  if (first?.fallback !== undefined) out.fallback = { ...first.fallback };
  return out;
}

/**
 * The proto files that declare the services the routes call: relative to the project's proto
 * folder when they lie there (the import finds them on its include path), else absolute.
 */
function protoFilesOf(routes: readonly CompiledRoute[]): string[] {
  const files = new Set<string>();
  for (const route of routes) {
    if (!route.grpc) continue;
    const root = protoRoot(route)!;
    const service = root.lookupService(route.grpc.path.slice(1, route.grpc.path.lastIndexOf('/')));
    const file = service.filename;
    if (!file) continue;
    const inProject = isAbsolute(file) ? relative(projectProtoDir, file) : file;
    files.add(isAbsolute(file) && !inProject.startsWith('..') && !isAbsolute(inProject) ? inProject.split(sep).join('/') : file);
  }
  return [...files];
}

function mostCommon(values: readonly number[]): number | undefined {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | undefined;
  for (const [v, n] of counts) if (best === undefined || n > counts.get(best)!) best = v;
  return best;
}

/** A route's own `x-prism-*` extensions: what the route says beyond its frontend. */
function routeExtensions(route: CompiledRoute, ctx: OperationContext): Record<`x-prism-${string}`, unknown> {
  const plan = route.plan;
  const out: Record<`x-prism-${string}`, unknown> = {};
  if (!ctx.spelled.exact) out['x-prism-path'] = ctx.spelled.template;
  if (plan.grpc) out['x-prism-grpc'] = plan.grpc.method;
  if (plan.bindings.length > 0) out['x-prism-params'] = plan.bindings.map(paramMappingOf);
  const response = responseMappingOf(plan.response, plan.json);
  if (Object.keys(response).length > 0) out['x-prism-response'] = response;
  const errors = plan.errors.filter((e) => e.scope === 'route');
  if (errors.length > 0) out['x-prism-errors'] = errors.map(errorMappingOf);
  if (plan.stream) out['x-prism-stream'] = streamMappingOf(plan.stream);
  if (plan.policy.readiness) out['x-prism-readiness'] = true;
  if (plan.policy.deadlineMs !== ctx.frontend.deadlineMs) out['x-prism-deadline-ms'] = plan.policy.deadlineMs;
  const defaultRole = plan.method === 'GET' || plan.method === 'HEAD' || plan.method === 'OPTIONS' ? 'read' : 'write';
  if (plan.policy.role !== defaultRole) out['x-prism-role'] = plan.policy.role;
  if (plan.policy.elevate) out['x-prism-elevate'] = { ...plan.policy.elevate };
  if (plan.policy.cache) out['x-prism-cache'] = { ...plan.policy.cache };
  return out;
}

/** A binding as the ParamMapping that compiles to it. */
function paramMappingOf(b: BindingPlan): ParamMapping {
  const source = b.source;
  const out: ParamMapping =
    source.kind === 'const' ? { const: source.value, to: b.target } : { from: source.name === '' ? source.kind : `${source.kind}.${source.name}`, to: b.target };
  if (b.required) out.required = true;
  if (b.default !== undefined) out.default = b.default;
  if (b.nullValue !== undefined) out.nullValue = b.nullValue;
  if (b.pattern !== undefined) out.pattern = b.pattern;
  if (b.map !== undefined) out.map = { ...b.map };
  if (b.mapOptions !== undefined) out.mapOptions = { ...b.mapOptions };
  if (b.coercion.coerce !== undefined) out.coerce = b.coercion.coerce;
  if (b.rename !== undefined) out.rename = { ...b.rename };
  if (b.ignore !== undefined) out.ignore = [...b.ignore];
  if (b.encoding !== undefined) out.encoding = b.encoding;
  if (b.entityTag) out.entityTag = true;
  return out;
}

/** The response mapping that plans to `plan` (empty: the route's defaults). */
function responseMappingOf(plan: ResponsePlan, frontendJson: JsonRenderOptions): ResponseMapping {
  const out: ResponseMapping = {};
  if (plan.status !== 200) out.status = plan.status;
  const headers = Object.entries(plan.headers);
  if (headers.length > 0) out.headers = Object.fromEntries(headers.map(([name, t]) => [name, templateOf(t)]));
  if (plan.declared && plan.body) out.body = templateOf(plan.body);
  if (plan.raw) out.raw = true;
  if (plan.etag) out.etag = templateOf(plan.etag);
  if (plan.textBytes) out.textBytes = [...plan.textBytes];
  if (plan.cookies) out.cookies = plan.cookies.map((c) => ({ ...c, value: templateOf(c.value) }));
  if (JSON.stringify(plan.json) !== JSON.stringify(frontendJson)) out.json = { ...plan.json };
  return out;
}

function errorMappingOf(rule: ErrorRulePlan): ErrorMapping {
  const out: ErrorMapping = {};
  if (Object.keys(rule.match).length > 0) out.match = structuredClone(rule.match) as ErrorMatch;
  if (rule.status !== undefined) out.status = rule.status;
  if (rule.body !== undefined) out.body = templateOf(rule.body);
  const headers = Object.entries(rule.headers);
  if (headers.length > 0) out.headers = Object.fromEntries(headers.map(([name, t]) => [name, templateOf(t)]));
  return out;
}

function streamMappingOf(plan: StreamPlan): StreamMapping {
  const out: StreamMapping = { produces: [...plan.framings] };
  if (plan.websocket) out.websocket = true;
  const sse: NonNullable<StreamMapping['sse']> = {};
  if (plan.sse.event) sse.event = templateOf(plan.sse.event);
  if (plan.sse.id) sse.id = templateOf(plan.sse.id);
  if (plan.sse.retryMs !== undefined) sse.retryMs = plan.sse.retryMs;
  if (plan.sse.heartbeatMs !== DEFAULT_HEARTBEAT_MS) sse.heartbeatMs = plan.sse.heartbeatMs;
  if (Object.keys(sse).length > 0) out.sse = sse;
  if (plan.limits.maxBufferedBytes !== undefined) out.maxBufferedBytes = plan.limits.maxBufferedBytes;
  if (plan.limits.idleTimeoutMs !== undefined) out.idleTimeoutMs = plan.limits.idleTimeoutMs;
  if (plan.limits.maxDurationMs !== undefined) out.maxDurationMs = plan.limits.maxDurationMs;
  return out;
}

/** A planned template as the definition writes it (planTemplate in template.ts inverted). */
function templateOf(plan: TemplatePlan): Template {
  switch (plan.kind) {
    case 'const':
      if (plan.literal) return plan.value as Template;
      return decorated({ const: plan.value }, plan);
    case 'array':
      return plan.items.map(templateOf);
    case 'object': {
      const fields: Record<string, Template> = {};
      for (const f of plan.fields) {
        let value = templateOf(f.value);
        if (f.omitWhen !== undefined || f.when !== undefined) {
          // Only a node carries field rules; planObject reads them from the field's node.
          value = { ...(value as TemplateNode) };
          if (f.omitWhen !== undefined) value.omitWhen = [...f.omitWhen];
          if (f.when !== undefined) value.when = f.when.path;
        }
        fields[f.key] = value;
      }
      return decorated({ object: fields }, plan);
    }
    case 'each':
      return decorated({ each: plan.source.path, item: templateOf(plan.item) }, plan);
    case 'read':
      return decorated({ from: plan.source.path, ...(plan.int64 === undefined ? {} : { int64: plan.int64 }) }, plan);
    case 'format':
      return decorated({ format: plan.format }, plan);
  }
}

function decorated(node: TemplateNode, plan: { readonly map?: Readonly<Record<string, unknown>>; readonly default?: unknown }): TemplateNode {
  if (plan.map !== undefined) node.map = { ...plan.map };
  if (plan.default !== undefined) node.default = plan.default;
  return node;
}

// ---- Parameters ------------------------------------------------------------------------

function describeParameters(plan: RoutePlan, requestType: protobuf.Type | undefined, ctx: OperationContext): OpenApiParameter[] {
  const out: OpenApiParameter[] = [];
  const seen = new Set<string>();
  for (const binding of plan.bindings) {
    const source = binding.source;
    if (source.kind === 'const' || !requestType || binding.target === '*') continue;
    const where = source.kind;
    if (where !== 'path' && where !== 'query' && where !== 'header' && where !== 'cookie') continue;
    const name = source.name;
    // OpenAPI ignores parameter declarations of these headers: they are described elsewhere.
    if (where === 'header' && ['accept', 'content-type', 'authorization'].includes(name.toLowerCase())) continue;
    const key = `${where}:${where === 'header' ? name.toLowerCase() : name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const field = binding.fields.at(-1);
    const schema: SchemaObject = field && ctx.root ? parameterSchema(lookupField(ctx.root, field), binding, ctx) : {};
    const required = where === 'path' || (binding.required && binding.default === undefined);
    const spans = where === 'path' ? ctx.spelled.spans.get(name) : undefined;
    const described: OpenApiParameter = { name, in: where, schema: spans && schema.type === 'string' && schema.pattern === undefined ? { ...schema, pattern: spans.pattern } : schema };
    if (required) described.required = true;
    described.description = `Bound to request field '${binding.target}'.${spans ? ` ${spans.description}` : ''}`;
    out.push(described);
  }
  // Every parameter of the OpenAPI path is declared, even one the definition did not let us
  // type, and the anonymous wildcards the spelling had to name.
  for (const name of ctx.spelled.params) {
    if (seen.has(`path:${name}`)) continue;
    const spans = ctx.spelled.spans.get(name);
    out.push({ name, in: 'path', required: true, schema: spans ? { type: 'string', pattern: spans.pattern } : { type: 'string' }, ...(spans ? { description: spans.description } : {}) });
  }
  return out;
}

function parameterSchema(field: protobuf.Field, binding: BindingPlan, ctx: OperationContext): SchemaObject {
  let schema: SchemaObject = binding.coercion.coerce === 'lenient-bool' ? { type: 'boolean' } : ctx.schemas.field(field, ctx.json);
  if (binding.pattern !== undefined && schema.type === 'string') schema = { ...schema, pattern: binding.pattern };
  if (binding.map !== undefined) {
    // Mapped words (`latest`) are accepted besides the field's own values.
    schema = { anyOf: [schema, { type: 'string', enum: Object.keys(binding.map) }] };
  }
  if (binding.default !== undefined) schema = { ...schema, default: binding.default };
  return schema;
}

// ---- Request body ------------------------------------------------------------------------

function describeRequestBody(plan: RoutePlan, requestType: protobuf.Type | undefined, ctx: OperationContext): OpenApiRequestBody | undefined {
  const bodyBindings = plan.bindings.filter((b) => b.source.kind === 'body');
  if (bodyBindings.length === 0 && plan.body.schema === undefined) return undefined;
  let schema: SchemaObject;
  if (plan.body.schema !== undefined) {
    // The route's own schema is what the gateway checks: it is the exact description.
    schema = ctx.schemas.adopt(plan.body.schema as Record<string, unknown> | boolean);
  } else {
    schema = derivedBodySchema(bodyBindings, requestType!, ctx);
  }
  const body: OpenApiRequestBody = { content: Object.fromEntries(plan.body.consumes.map((type) => [type, { schema }])) };
  if (bodyBindings.some((b) => b.required && b.default === undefined)) body.required = true;
  // A derived schema documents the bindings; importing it as a bodySchema would start checking it.
  if (plan.body.schema === undefined) body['x-prism-validate'] = false;
  return body;
}

function derivedBodySchema(bindings: BindingPlan[], requestType: protobuf.Type, ctx: OperationContext): SchemaObject {
  const parts: SchemaObject[] = [];
  const fields: SchemaObject = { type: 'object', properties: {} };
  let hasFields = false;
  for (const b of bindings) {
    const name = b.source.kind === 'body' ? b.source.name : '';
    if (name === '') {
      // OpenAPI 3.1 describes bytes of any type by leaving the schema open (no JSON in them).
      if (b.encoding === 'raw') parts.push({ description: 'The body\'s bytes as sent, of any content type; never parsed as JSON.' });
      else if (b.target === '*') {
        parts.push(b.rename || b.ignore ? ctx.schemas.messageBody(requestType, ctx.json, b.rename, b.ignore) : ctx.schemas.message(requestType, ctx.json));
      } else {
        parts.push(fieldOrAny(requestType, b.target, ctx));
      }
      continue;
    }
    hasFields = true;
    // `body.a.b` → { a: { b: <field> } }, merged with the other body paths.
    const keys = name.split('.');
    let node = fields;
    keys.forEach((key, i) => {
      const properties = node.properties as Record<string, SchemaObject>;
      if (i === keys.length - 1) {
        properties[key] = fieldOrAny(requestType, b.target, ctx);
        if (b.required && b.default === undefined) node.required = [...new Set([...((node.required as string[] | undefined) ?? []), key])];
        return;
      }
      properties[key] ??= { type: 'object', properties: {} };
      node = properties[key];
    });
  }
  if (hasFields) parts.push(fields);
  return parts.length === 1 ? parts[0] : { allOf: parts };
}

function fieldOrAny(type: protobuf.Type, path: string, ctx: OperationContext): SchemaObject {
  // The compiler reported a path that does not resolve; the export describes it as any value.
  const chain = planFieldPath(type, path, () => {});
  return chain ? ctx.schemas.field(chain[chain.length - 1], ctx.json) : {};
}

// ---- Responses ---------------------------------------------------------------------------

function describeResponses(route: CompiledRoute, ctx: OperationContext): Record<string, OpenApiResponse | OpenApiReference> {
  const plan = route.plan;
  const responses: Record<string, OpenApiResponse | OpenApiReference> = {};
  const response = plan.response;
  const json = response.json;
  let body: SchemaObject;
  if (response.raw && response.body?.kind === 'read' && response.body.source.shape.kind === 'field' && response.body.source.shape.field.kind === 'bytes') {
    body = { description: 'The bytes of the reply\'s bytes field as stored, under their own content type.' };
  } else if (response.raw) body = { type: 'string' };
  else if (response.declared && response.body) body = ctx.schemas.template(response.body, ctx.root, json);
  else if (route.grpc) body = ctx.schemas.message(route.grpc.responseType, json);
  else body = { type: 'object', maxProperties: 0 };
  const stream = plan.stream && plan.stream.framings.length > 0 ? plan.stream : undefined;
  const success: OpenApiResponse = stream
    ? describeStream(route, stream, body)
    : {
        description: route.grpc ? `The reply of ${grpcName(route)}` : 'The declared answer',
        // 204, 205 and 304 answers carry no body whatever the template says (RFC 9110 §15).
        ...(BODILESS_STATUSES.has(response.status) ? {} : { content: Object.fromEntries(plan.produces.map((type) => [type, { schema: body }])) }),
      };
  // A streaming route's produces are its framings; its errors go out before the stream starts,
  // as ordinary replies in the frontend's fallback type (handle-stream.ts).
  const errorTypes = stream ? [route.frontend.negotiator.fallbackType] : plan.produces;
  const headerNames = Object.keys(response.headers);
  if (response.etag) headerNames.push('ETag');
  const described: NonNullable<OpenApiResponse['headers']> = Object.fromEntries(headerNames.map((name) => [name, { schema: { type: 'string' } }]));
  // OpenAPI keys headers by name: the several cookies share one Set-Cookie entry.
  if (response.cookies) described['Set-Cookie'] = { schema: { type: 'string' }, description: `Sets ${response.cookies.map((c) => `\`${c.name}\``).join(', ')} (one header per cookie).` };
  if (Object.keys(described).length > 0) success.headers = described;
  responses[String(response.status)] = success;

  // Error mappings, route first, first match wins: a mapping after a catch-all never applies.
  const byStatus = new Map<string, { schemas: SchemaObject[]; reasons: string[] }>();
  const add = (status: string, schema: SchemaObject, what: string) => {
    let entry = byStatus.get(status);
    if (!entry) byStatus.set(status, (entry = { schemas: [], reasons: [] }));
    if (!entry.schemas.some((s) => JSON.stringify(s) === JSON.stringify(schema))) entry.schemas.push(schema);
    if (!entry.reasons.includes(what)) entry.reasons.push(what);
  };
  const constant = (body: unknown) => ctx.schemas.template({ kind: 'const', value: body }, ctx.root, ctx.json);
  let catchAll = false;
  for (const m of plan.errors) {
    const reasons = m.match.reason === undefined ? [] : Array.isArray(m.match.reason) ? m.match.reason : [m.match.reason];
    if (reasons.length > 0 && reasons.every((r) => ROUTING_REASONS.has(r))) continue;
    const schema = m.body !== undefined ? ctx.schemas.template(m.body, ctx.root, ctx.json) : ctx.schemas.status();
    add(m.status !== undefined ? String(m.status) : 'default', schema, describeMatch(m.match));
    if (isCatchAll(m)) {
      catchAll = true;
      break;
    }
  }
  if (!catchAll) add('default', ctx.schemas.status(), 'any other error');
  const fallback = plan.fallback;
  if (fallback) add(String(fallback.status), constant(fallback.body), 'an error that could not be rendered');
  if (!byStatus.has('default')) {
    // Every error has a declared status here; `default` still names the body of last resort.
    add('default', fallback ? constant(fallback.body) : ctx.schemas.status(), 'an error that could not be rendered');
  }
  for (const [status, entry] of byStatus) {
    const schema = entry.schemas.length === 1 ? entry.schemas[0] : { anyOf: entry.schemas };
    if (status === String(response.status)) {
      // An error mapped to the success status: both bodies are possible (none on a 204).
      for (const media of Object.values(success.content ?? {})) media.schema = { anyOf: [media.schema ?? {}, schema] };
      continue;
    }
    // Most routes share their frontend's error mappings: one component per distinct answer.
    responses[status] = ctx.schemas.response(`error-${status}`, {
      description: `Error: ${entry.reasons.join('; ')}`,
      content: Object.fromEntries(errorTypes.map((type) => [type, { schema }])),
    });
  }
  return responses;
}

/** What the whole body of each framing is: a text stream (its items are described apart). */
const STREAM_BODIES: Record<StreamPlan['framings'][number], SchemaObject> = {
  'text/event-stream': { type: 'string', description: 'Server-Sent Events: one event per message, its data the message as one JSON line; a last `event: end` on completion, `event: error` with the mapped error body on failure.' },
  'application/x-ndjson': { type: 'string', description: 'Newline-delimited JSON: one message per line; a last `{"error": …}` line with the mapped error body on failure.' },
};

/**
 * A server-streaming route's success answer: one media type per framing it offers. OpenAPI 3.1
 * has no way to describe a sequential media type, so each carries, next to `schema` (the body as
 * text), the schema of one message under `x-itemSchema`: the convention OpenAPI 3.2 adopts as the
 * Media Type Object's `itemSchema`, written as an extension so 3.1 tools accept the document.
 */
function describeStream(route: CompiledRoute, stream: StreamPlan, item: SchemaObject): OpenApiResponse {
  const how = stream.framings.map((f) => (f === 'text/event-stream' ? 'SSE' : 'NDJSON')).join(' or ');
  return {
    description: `The messages of ${grpcName(route)}, streamed as ${how} (by content negotiation)`,
    content: Object.fromEntries(stream.framings.map((type) => [type, { schema: STREAM_BODIES[type], 'x-itemSchema': item }])),
  };
}

function isCatchAll(m: ErrorRulePlan): boolean {
  const match = m.match;
  return match.code === undefined && match.reason === undefined && match.domain === undefined && match.metadata === undefined;
}

function describeMatch(match: ErrorMatch): string {
  const parts: string[] = [];
  if (match.reason !== undefined) parts.push([match.reason].flat().join(', '));
  if (match.code !== undefined) parts.push(`code ${[match.code].flat().join(', ')}`);
  if (match.domain !== undefined) parts.push(`domain ${match.domain}`);
  if (match.metadata !== undefined) parts.push(Object.entries(match.metadata).map(([k, v]) => `${k}=${v}`).join(', '));
  return parts.length > 0 ? parts.join(' ') : 'any error';
}

// ---- Schemas -----------------------------------------------------------------------------

/**
 * Builds schemas and collects the components they refer to: one per message type and JSON
 * option set (the frontend's own options name it by its full proto name alone), one per enum.
 */
class SchemaBuilder {
  readonly components: Record<string, SchemaObject> = {};
  readonly responses: Record<string, OpenApiResponse> = {};
  private readonly responseNames = new Map<string, string>();
  private readonly adopted = new Map<string, string>();

  constructor(private readonly base: JsonRenderOptions) {}

  /** A message as proto3 JSON renders it: a reference, or a well-known type's JSON form. */
  message(type: protobuf.Type, json: JsonRenderOptions): SchemaObject {
    const wkt = wellKnownSchema(type, json);
    if (wkt) return wkt;
    const name = this.componentName(type, json);
    if (!(name in this.components)) {
      this.components[name] = {}; // placeholder: recursive types refer to themselves
      this.components[name] = this.messageObject(type, json);
    }
    return ref(name);
  }

  /** A whole-message body bound with renames and ignored keys: an inline object. */
  messageBody(type: protobuf.Type, json: JsonRenderOptions, rename: Record<string, string> = {}, ignore: readonly string[] = []): SchemaObject {
    const schema = this.messageObject(type, json);
    const properties = schema.properties as Record<string, SchemaObject>;
    for (const [key, target] of Object.entries(rename)) {
      const field = findField(type, target);
      if (field) properties[key] = this.field(field, json);
    }
    for (const key of ignore) delete properties[key];
    return schema;
  }

  private messageObject(type: protobuf.Type, json: JsonRenderOptions): SchemaObject {
    type.resolveAll();
    const properties: Record<string, SchemaObject> = {};
    const required: string[] = [];
    for (const field of type.fieldsArray) {
      const key = json.names === 'json' ? jsonName(field) : field.name;
      let schema = this.field(field, json);
      const singularMessage = field.resolvedType instanceof protobuf.Type && !field.repeated && !field.map;
      // With emitDefaults every field but oneof members is written; unset messages as null.
      if (json.emitDefaults && !field.partOf) {
        required.push(key);
        if (singularMessage) schema = nullable(schema);
      }
      properties[key] = schema;
    }
    const out: SchemaObject = { type: 'object', title: typeName(type), properties };
    if (required.length > 0) out.required = required;
    return out;
  }

  /** A field's whole JSON value: repeated → array, map → object, else its element. */
  field(field: protobuf.Field, json: JsonRenderOptions): SchemaObject {
    field.resolve();
    const element = this.element(field.resolvedType, field.type, json);
    if (field.map) {
      const keyType = (field as unknown as protobuf.MapField).keyType;
      const out: SchemaObject = { type: 'object', additionalProperties: element };
      if (keyType === 'bool') out.propertyNames = { enum: ['true', 'false'] };
      else if (INT32_KINDS.has(keyType) || INT64_KINDS.has(keyType)) out.propertyNames = { pattern: '^-?[0-9]+$' };
      else if (UINT32_KINDS.has(keyType) || UINT64_KINDS.has(keyType)) out.propertyNames = { pattern: '^[0-9]+$' };
      return out;
    }
    if (field.repeated) return { type: 'array', items: element };
    return element;
  }

  element(resolved: protobuf.ReflectionObject | null, kind: string, json: JsonRenderOptions): SchemaObject {
    if (resolved instanceof protobuf.Enum) return this.enumeration(resolved);
    if (resolved instanceof protobuf.Type) return this.message(resolved, json);
    return scalarSchema(kind, json);
  }

  private enumeration(type: protobuf.Enum): SchemaObject {
    const name = typeName(type);
    this.components[name] ??= { type: 'string', title: name, enum: Object.keys(type.values) };
    return ref(name);
  }

  /** A reference to a shared response component (equal responses share one). */
  response(name: string, response: OpenApiResponse): OpenApiReference {
    const text = JSON.stringify(response);
    let target = this.responseNames.get(text);
    if (!target) {
      target = name;
      for (let n = 2; target in this.responses; n++) target = `${name}-${n}`;
      this.responses[target] = response;
      this.responseNames.set(text, target);
    }
    return { $ref: `#/components/responses/${encodePointerSegment(target)}` };
  }

  /** google.rpc.Status as the default error body writes it. */
  status(): SchemaObject {
    this.components[STATUS_COMPONENT] ??= {
      type: 'object',
      title: STATUS_COMPONENT,
      properties: {
        code: { type: 'integer', format: 'int32' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { '@type': { type: 'string' } }, required: ['@type'] } },
      },
      required: ['code', 'message', 'details'],
    };
    return ref(STATUS_COMPONENT);
  }

  /**
   * A JSON Schema written in the definition (`bodySchema`), made valid inside the document:
   * its `$defs` become components and `#/$defs/…` references point there (inside an OpenAPI
   * document `#` is the document, not the schema). This inverts what the OpenAPI import does.
   */
  adopt(schema: Record<string, unknown> | boolean): SchemaObject {
    if (typeof schema === 'boolean') return schema ? {} : { not: {} };
    const defs = schema.$defs as Record<string, unknown> | undefined;
    if (!defs || typeof defs !== 'object') return structuredClone(schema);
    const names = new Map<string, string>();
    for (const [name, def] of Object.entries(defs)) {
      const text = JSON.stringify(def);
      let target = this.adopted.get(text);
      if (!target) {
        target = name;
        for (let n = 2; target in this.components && JSON.stringify(this.components[target]) !== text; n++) target = `${name}_${n}`;
        this.adopted.set(text, target);
      }
      names.set(name, target);
    }
    const rewrite = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rewrite);
      if (value === null || typeof value !== 'object') return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
          const [first, ...rest] = v.slice('#/$defs/'.length).split('/');
          const target = names.get(decodePointerSegment(first));
          out[k] = target === undefined ? v : ['#/components/schemas', encodePointerSegment(target), ...rest].join('/');
        } else {
          out[k] = rewrite(v);
        }
      }
      return out;
    };
    for (const [name, def] of Object.entries(defs)) {
      const target = names.get(name)!;
      this.components[target] ??= rewrite(def) as SchemaObject;
    }
    const { $defs: _defs, ...root } = schema;
    void _defs;
    return rewrite(root) as SchemaObject;
  }

  /** What a planned body template renders (see template.ts); `root` holds the types it names. */
  template(plan: TemplatePlan, root: protobuf.Root | undefined, json: JsonRenderOptions): SchemaObject {
    let schema: SchemaObject;
    switch (plan.kind) {
      case 'const':
        if (plan.literal) return plan.value === null ? { type: 'null' } : { const: plan.value };
        schema = { const: plan.value };
        break;
      case 'array':
        return { type: 'array', prefixItems: plan.items.map((t) => this.template(t, root, json)), items: false, minItems: plan.items.length };
      case 'object': {
        const properties: Record<string, SchemaObject> = {};
        const required: string[] = [];
        for (const f of plan.fields) {
          properties[f.key] = this.template(f.value, root, json);
          // Present unless a rule drops it or the value can be missing (error metadata entries).
          const metadataEntry = f.value.kind === 'read' && f.value.source.path.startsWith('error.metadata.') && f.value.default === undefined;
          if (f.omitWhen === undefined && f.when === undefined && !metadataEntry) required.push(f.key);
        }
        schema = { type: 'object', properties, additionalProperties: false };
        if (required.length > 0) schema.required = required;
        break;
      }
      case 'each':
        schema = { type: 'array', items: this.template(plan.item, root, json) };
        break;
      case 'read':
        schema = this.read(plan.source, root, plan.int64 ? { ...json, int64: plan.int64 } : json);
        break;
      case 'format':
        schema = { type: 'string' };
        break;
    }
    if (plan.map !== undefined) schema = { anyOf: [schema, { enum: uniqueValues(Object.values(plan.map)) }] };
    if (plan.default !== undefined) schema = { ...schema, default: plan.default };
    return schema;
  }

  private read(source: ReadPlan, root: protobuf.Root | undefined, json: JsonRenderOptions): SchemaObject {
    if (source.root === 'error') return errorViewSchema(source.path.split('.').slice(1));
    const shape = source.shape;
    if (shape.kind === 'plain' || !root) return {};
    if (shape.kind === 'message') return this.message(root.lookupType(shape.type), json);
    const field = lookupField(root, shape.field);
    if (shape.kind === 'element') return this.element(field.resolvedType, field.type, json);
    const schema = this.field(field, json);
    // A singular message field read directly renders null when it is not set.
    const singularMessage = field.resolvedType instanceof protobuf.Type && !field.repeated && !field.map;
    return singularMessage ? nullable(schema) : schema;
  }

  private componentName(type: protobuf.Type, json: JsonRenderOptions): string {
    const name = typeName(type);
    const variant: string[] = [];
    if (json.names !== this.base.names) variant.push(`names-${json.names}`);
    if (json.int64 !== this.base.int64) variant.push(`int64-${json.int64}`);
    if (json.emitDefaults !== this.base.emitDefaults) variant.push(json.emitDefaults ? 'defaults' : 'no-defaults');
    return variant.length === 0 ? name : `${name}_${variant.join('_')}`;
  }
}

function scalarSchema(kind: string, json: JsonRenderOptions): SchemaObject {
  if (kind === 'double' || kind === 'float') return { type: 'number', format: kind };
  if (INT32_KINDS.has(kind)) return { type: 'integer', format: 'int32' };
  if (UINT32_KINDS.has(kind)) return { type: 'integer', minimum: 0, maximum: 4294967295 };
  // proto3 JSON writes 64-bit integers as strings; `int64: number` writes them as numbers.
  if (INT64_KINDS.has(kind)) return json.int64 === 'number' ? { type: 'integer', format: 'int64' } : { type: 'string', format: 'int64', pattern: '^-?[0-9]+$' };
  if (UINT64_KINDS.has(kind)) return json.int64 === 'number' ? { type: 'integer', format: 'uint64', minimum: 0 } : { type: 'string', format: 'uint64', pattern: '^[0-9]+$' };
  if (kind === 'bool') return { type: 'boolean' };
  if (kind === 'string') return { type: 'string' };
  if (kind === 'bytes') return { type: 'string', contentEncoding: 'base64' };
  return {};
}

/** proto3 JSON forms of the well-known types (message-json.ts renders them so). */
function wellKnownSchema(type: protobuf.Type, json: JsonRenderOptions): SchemaObject | undefined {
  const wrapped = WRAPPER_KINDS[type.fullName];
  if (wrapped) return scalarSchema(wrapped, json);
  switch (type.fullName) {
    case '.google.protobuf.Timestamp':
      return { type: 'string', format: 'date-time' };
    case '.google.protobuf.Duration':
      return { type: 'string', pattern: '^-?[0-9]+(\\.[0-9]{1,9})?s$' };
    case '.google.protobuf.FieldMask':
      return { type: 'string', description: 'Comma-separated lowerCamelCase field paths' };
    case '.google.protobuf.Struct':
      return { type: 'object' };
    case '.google.protobuf.Value':
      return { description: 'Any JSON value' };
    case '.google.protobuf.ListValue':
      return { type: 'array' };
    case '.google.protobuf.Empty':
      return { type: 'object' };
    case '.google.protobuf.Any':
      return { type: 'object', properties: { '@type': { type: 'string' } }, required: ['@type'] };
    default:
      return undefined;
  }
}

function errorViewSchema(keys: string[]): SchemaObject {
  if (keys.length === 0) return { type: 'object', properties: ERROR_VIEW_PROPERTIES, required: Object.keys(ERROR_VIEW_PROPERTIES) };
  if (keys[0] === 'metadata' && keys.length === 2) return { type: 'string' };
  if (keys.length === 1 && keys[0] in ERROR_VIEW_PROPERTIES) return ERROR_VIEW_PROPERTIES[keys[0]];
  return {};
}

function nullable(schema: SchemaObject): SchemaObject {
  return { anyOf: [schema, { type: 'null' }] };
}

function ref(name: string): SchemaObject {
  return { $ref: `#/components/schemas/${encodePointerSegment(name)}` };
}

function uniqueValues(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const key = JSON.stringify(v);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function encodePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function decodePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
