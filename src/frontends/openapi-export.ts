/**
 * OpenAPI 3.1 export: one frontend of a compiled route table described as an OpenAPI document.
 * Paths and operations come from the compiled routes; parameter, body and response schemas are
 * derived from the proto types the routes resolved, read through the frontend's mappings the
 * way the request mapper, the response mapper and the error mapper apply them:
 * - request values as the coercers accept them (an enum by name, int64 as a decimal string);
 * - response values as proto3 JSON renders them under the frontend's `json` options;
 * - messages as `components/schemas` entries named by their full proto name, well-known types
 *   in their JSON forms (Timestamp → date-time string, wrappers → their scalar, ...).
 *
 * The compiled route keeps closures, not the mappings they were built from, so the
 * ParamMappings, ResponseMapping, error mappings, content types and body schema are read from
 * the frontend's definition, passed in by the caller (`definitionOf`).
 */
import { INT32_KINDS, INT64_KINDS, UINT32_KINDS, UINT64_KINDS, WRAPPER_KINDS } from '../mapping/proto-kinds.js';
import protobuf from 'protobufjs';
import type { ErrorMapping, FrontendDefinition, ParamMapping, RouteMapping, Template, TemplateNode } from './definition.js';
import type { CompiledFrontend, CompiledRoute } from '../routing/compiled-route.js';
import type { RouteTable } from '../routing/route-table.js';
import { findField, jsonName, resolveFieldPath, typeName } from '../mapping/field-path.js';
import { defaultJsonOptions, type JsonRenderOptions } from '../mapping/message-json.js';
import { parsePathTemplate } from '../routing/path-template.js';

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
}

export interface OpenApiRequestBody {
  description?: string;
  required?: boolean;
  content: Record<string, OpenApiMediaType>;
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

/**
 * The few OpenAPI 3.1 types this module needs, under the names the `openapi-types` package
 * uses, so that package can replace them without touching callers.
 */
export declare namespace OpenAPIV3_1 {
  type Document = OpenApiDocument;
  type PathItemObject = OpenApiPathItem;
  type OperationObject = OpenApiOperation;
  type ParameterObject = OpenApiParameter;
  type RequestBodyObject = OpenApiRequestBody;
  type ResponseObject = OpenApiResponse;
  type ReferenceObject = OpenApiReference;
  type MediaTypeObject = OpenApiMediaType;
  type SchemaObject = JsonSchemaObject;
}
type JsonSchemaObject = SchemaObject;

export interface ExportOptions {
  /**
   * The definition a compiled frontend was built from (by frontend name). Without it only the
   * paths, path parameters and gRPC targets can be described.
   */
  definitionOf?: (frontendName: string) => FrontendDefinition | undefined;
  /** Describe only the mount at this path (by default every mount is one server). */
  mountPath?: string;
  /** `info.version` (default `0.0.0`). */
  version?: string;
}

const DEFAULT_PRODUCES = ['application/json'];
const DEFAULT_CONSUMES = ['application/json'];
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
  const definition = options.definitionOf?.(frontendName);
  const rest = definition?.rest;
  const json: JsonRenderOptions = { ...defaultJsonOptions, ...rest?.json };
  const schemas = new SchemaBuilder(json);
  const produces = rest?.produces?.map((p) => p.type) ?? DEFAULT_PRODUCES;
  const consumes = rest?.consumes ?? DEFAULT_CONSUMES;
  const routesById = new Map((rest?.routes ?? []).map((r) => [r.id, r] as const));

  const paths: Record<string, OpenApiPathItem> = {};
  for (const route of table.routes) {
    if (route.frontend !== frontend) continue;
    const key = relativePath(route.template, frontend);
    const item = (paths[key] ??= {});
    const mapping = routesById.get(route.id);
    item[route.method.toLowerCase() as OpenApiMethod] = mapping
      ? describeOperation(route, mapping, { schemas, json, produces, consumes, frontendErrors: rest?.errors ?? [], fallback: rest?.fallback })
      : describeBareOperation(route);
  }

  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: frontendName, version: options.version ?? '0.0.0' },
  };
  const servers = [...new Map(mounts.map((m) => [serverUrl(m), m] as const))].map(([url, m]) => (m.namespace ? { url, description: `namespace ${m.namespace}` } : { url }));
  if (servers.length > 1 || servers[0].url !== '/') document.servers = servers;
  document.paths = paths;
  const components: NonNullable<OpenApiDocument['components']> = {};
  if (Object.keys(schemas.components).length > 0) components.schemas = sortKeys(schemas.components);
  if (Object.keys(schemas.responses).length > 0) components.responses = sortKeys(schemas.responses);
  if (Object.keys(components).length > 0) document.components = components;
  return document;
}

interface OperationContext {
  schemas: SchemaBuilder;
  json: JsonRenderOptions;
  produces: string[];
  consumes: string[];
  frontendErrors: readonly ErrorMapping[];
  fallback?: { status: number; body: unknown };
}

function serverUrl(frontend: CompiledFrontend): string {
  if (frontend.host === undefined) return frontend.mountPath;
  return `//${frontend.host}${frontend.mountPath === '/' ? '' : frontend.mountPath}`;
}

function relativePath(template: string, frontend: CompiledFrontend): string {
  if (frontend.mountPath === '/') return template;
  const rest = template.slice(frontend.mountPath.length);
  return rest === '' ? '/' : rest;
}

function grpcName(route: CompiledRoute): string | undefined {
  return route.grpc?.path.slice(1);
}

/** Without the definition: the path, its parameters and the gRPC target. */
function describeBareOperation(route: CompiledRoute): OpenApiOperation {
  const params = parsePathTemplate(route.template).params;
  const grpc = grpcName(route);
  return {
    operationId: route.id,
    ...(params.length > 0 ? { parameters: params.map((name): OpenApiParameter => ({ name, in: 'path', required: true, schema: { type: 'string' } })) } : {}),
    responses: { default: { description: 'The response of the route (its mapping is not available to the exporter).' } },
    ...(grpc ? { 'x-prism-grpc': grpc } : {}),
  };
}

function describeOperation(route: CompiledRoute, mapping: RouteMapping, ctx: OperationContext): OpenApiOperation {
  const grpc = grpcName(route);
  const summary = grpc ? `Calls ${grpc}` : mapping.readiness ? 'Static answer, only while the backend is ready' : 'Static answer';
  const requestType = route.grpc?.requestType;
  const parameters = describeParameters(route, mapping, requestType, ctx);
  const body = describeRequestBody(mapping, requestType, ctx);
  const responses = describeResponses(route, mapping, ctx);
  return {
    operationId: route.id,
    summary,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(grpc ? { 'x-prism-grpc': grpc } : {}),
  };
}

// ---- Parameters ------------------------------------------------------------------------

function describeParameters(route: CompiledRoute, mapping: RouteMapping, requestType: protobuf.Type | undefined, ctx: OperationContext): OpenApiParameter[] {
  const out: OpenApiParameter[] = [];
  const seen = new Set<string>();
  for (const param of mapping.params ?? []) {
    const from = param.from;
    if (from === undefined || !requestType || param.to === '*') continue;
    const dot = from.indexOf('.');
    const where = from.slice(0, dot);
    if (where !== 'path' && where !== 'query' && where !== 'header') continue;
    const name = from.slice(dot + 1);
    // OpenAPI ignores parameter declarations of these headers: they are described elsewhere.
    if (where === 'header' && ['accept', 'content-type', 'authorization'].includes(name.toLowerCase())) continue;
    const key = `${where}:${where === 'header' ? name.toLowerCase() : name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    let schema: SchemaObject = {};
    try {
      const chain = resolveFieldPath(requestType, param.to);
      schema = parameterSchema(chain[chain.length - 1], param, ctx);
    } catch {
      // The route compiled, so the path resolves; an unknown schema is the safe description.
    }
    const required = where === 'path' || (param.required === true && param.default === undefined);
    const described: OpenApiParameter = { name, in: where, schema };
    if (required) described.required = true;
    described.description = `Bound to request field '${param.to}'.`;
    out.push(described);
  }
  // Every template parameter is declared, even one the definition did not let us type.
  for (const name of parsePathTemplate(route.template).params) {
    if (!seen.has(`path:${name}`)) out.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  return out;
}

function parameterSchema(field: protobuf.Field, param: ParamMapping, ctx: OperationContext): SchemaObject {
  let schema: SchemaObject = param.coerce === 'lenient-bool' ? { type: 'boolean' } : ctx.schemas.field(field, ctx.json);
  if (param.pattern !== undefined && schema.type === 'string') schema = { ...schema, pattern: param.pattern };
  if (param.map !== undefined) {
    // Mapped words (`latest`) are accepted besides the field's own values.
    schema = { anyOf: [schema, { type: 'string', enum: Object.keys(param.map) }] };
  }
  if (param.default !== undefined) schema = { ...schema, default: param.default };
  return schema;
}

// ---- Request body ------------------------------------------------------------------------

function describeRequestBody(mapping: RouteMapping, requestType: protobuf.Type | undefined, ctx: OperationContext): OpenApiRequestBody | undefined {
  const bodyParams = (mapping.params ?? []).filter((p) => p.from === 'body' || p.from?.startsWith('body.'));
  if (bodyParams.length === 0 && mapping.bodySchema === undefined) return undefined;
  let schema: SchemaObject;
  if (mapping.bodySchema !== undefined) {
    // The route's own schema is what the gateway checks: it is the exact description.
    schema = ctx.schemas.adopt(mapping.bodySchema);
  } else {
    schema = derivedBodySchema(bodyParams, requestType!, ctx);
  }
  const body: OpenApiRequestBody = { content: Object.fromEntries(ctx.consumes.map((type) => [type, { schema }])) };
  if (bodyParams.some((p) => p.required === true && p.default === undefined)) body.required = true;
  return body;
}

function derivedBodySchema(params: ParamMapping[], requestType: protobuf.Type, ctx: OperationContext): SchemaObject {
  const parts: SchemaObject[] = [];
  const fields: SchemaObject = { type: 'object', properties: {} };
  let hasFields = false;
  for (const p of params) {
    if (p.from === 'body') {
      if (p.to === '*') {
        parts.push(p.rename || p.ignore ? ctx.schemas.messageBody(requestType, ctx.json, p.rename, p.ignore) : ctx.schemas.message(requestType, ctx.json));
      } else {
        parts.push(fieldOrAny(requestType, p.to, ctx));
      }
      continue;
    }
    hasFields = true;
    // `body.a.b` → { a: { b: <field> } }, merged with the other body paths.
    const keys = p.from!.slice('body.'.length).split('.');
    let node = fields;
    keys.forEach((key, i) => {
      const properties = node.properties as Record<string, SchemaObject>;
      if (i === keys.length - 1) {
        properties[key] = fieldOrAny(requestType, p.to, ctx);
        if (p.required && p.default === undefined) node.required = [...new Set([...((node.required as string[] | undefined) ?? []), key])];
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
  try {
    const chain = resolveFieldPath(type, path);
    return ctx.schemas.field(chain[chain.length - 1], ctx.json);
  } catch {
    return {};
  }
}

// ---- Responses ---------------------------------------------------------------------------

function describeResponses(route: CompiledRoute, mapping: RouteMapping, ctx: OperationContext): Record<string, OpenApiResponse | OpenApiReference> {
  const responses: Record<string, OpenApiResponse | OpenApiReference> = {};
  const response = mapping.response;
  const json: JsonRenderOptions = { ...ctx.json, ...response?.json };
  const scope: TemplateScope = { response: route.grpc?.responseType, request: route.grpc?.requestType, json };
  let body: SchemaObject;
  if (response?.raw) body = { type: 'string' };
  else if (response?.body !== undefined) body = ctx.schemas.template(response.body, scope);
  else if (route.grpc) body = ctx.schemas.message(route.grpc.responseType, json);
  else body = { type: 'object', maxProperties: 0 };
  const success: OpenApiResponse = {
    description: route.grpc ? `The reply of ${grpcName(route)}` : 'The declared answer',
    content: Object.fromEntries(ctx.produces.map((type) => [type, { schema: body }])),
  };
  if (response?.headers && Object.keys(response.headers).length > 0) {
    success.headers = Object.fromEntries(Object.keys(response.headers).map((name) => [name, { schema: { type: 'string' } }]));
  }
  responses[String(response?.status ?? 200)] = success;

  // Error mappings, route first, first match wins: a mapping after a catch-all never applies.
  const byStatus = new Map<string, { schemas: SchemaObject[]; reasons: string[] }>();
  const add = (status: string, schema: SchemaObject, what: string) => {
    let entry = byStatus.get(status);
    if (!entry) byStatus.set(status, (entry = { schemas: [], reasons: [] }));
    if (!entry.schemas.some((s) => JSON.stringify(s) === JSON.stringify(schema))) entry.schemas.push(schema);
    if (!entry.reasons.includes(what)) entry.reasons.push(what);
  };
  const errorScope: TemplateScope = { error: true, request: route.grpc?.requestType, json: ctx.json };
  let catchAll = false;
  for (const m of [...(mapping.errors ?? []), ...ctx.frontendErrors]) {
    const reasons = m.match?.reason === undefined ? [] : Array.isArray(m.match.reason) ? m.match.reason : [m.match.reason];
    if (reasons.length > 0 && reasons.every((r) => ROUTING_REASONS.has(r))) continue;
    const schema = m.body !== undefined ? ctx.schemas.template(m.body, errorScope) : ctx.schemas.status();
    add(m.status !== undefined ? String(m.status) : 'default', schema, describeMatch(m));
    if (isCatchAll(m)) {
      catchAll = true;
      break;
    }
  }
  if (!catchAll) add('default', ctx.schemas.status(), 'any other error');
  if (ctx.fallback) add(String(ctx.fallback.status), ctx.schemas.template({ const: ctx.fallback.body }, errorScope), 'an error that could not be rendered');
  if (!byStatus.has('default')) {
    // Every error has a declared status here; `default` still names the body of last resort.
    const fallback = ctx.fallback ? ctx.schemas.template({ const: ctx.fallback.body }, errorScope) : ctx.schemas.status();
    add('default', fallback, 'an error that could not be rendered');
  }
  for (const [status, entry] of byStatus) {
    const schema = entry.schemas.length === 1 ? entry.schemas[0] : { anyOf: entry.schemas };
    if (status === String(response?.status ?? 200)) {
      // An error mapped to the success status: both bodies are possible.
      for (const media of Object.values(success.content ?? {})) media.schema = { anyOf: [media.schema ?? {}, schema] };
      continue;
    }
    // Most routes share their frontend's error mappings: one component per distinct answer.
    responses[status] = ctx.schemas.response(`error-${status}`, {
      description: `Error: ${entry.reasons.join('; ')}`,
      content: Object.fromEntries(ctx.produces.map((type) => [type, { schema }])),
    });
  }
  return responses;
}

function isCatchAll(m: ErrorMapping): boolean {
  const match = m.match ?? {};
  return match.code === undefined && match.reason === undefined && match.domain === undefined && match.metadata === undefined;
}

function describeMatch(m: ErrorMapping): string {
  const match = m.match ?? {};
  const parts: string[] = [];
  if (match.reason !== undefined) parts.push([match.reason].flat().join(', '));
  if (match.code !== undefined) parts.push(`code ${[match.code].flat().join(', ')}`);
  if (match.domain !== undefined) parts.push(`domain ${match.domain}`);
  if (match.metadata !== undefined) parts.push(Object.entries(match.metadata).map(([k, v]) => `${k}=${v}`).join(', '));
  return parts.length > 0 ? parts.join(' ') : 'any error';
}

// ---- Schemas -----------------------------------------------------------------------------

type ItemShape = { kind: 'message'; type: protobuf.Type } | { kind: 'element'; field: protobuf.Field } | { kind: 'plain' };

interface TemplateScope {
  response?: protobuf.Type;
  request?: protobuf.Type;
  error?: boolean;
  item?: ItemShape;
  json: JsonRenderOptions;
}

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

  /** What a body template renders (see template.ts). */
  template(template: Template, scope: TemplateScope): SchemaObject {
    if (template === null) return { type: 'null' };
    if (typeof template !== 'object') return { const: template };
    if (Array.isArray(template)) {
      return { type: 'array', prefixItems: template.map((t) => this.template(t, scope)), items: false, minItems: template.length };
    }
    const node = template as TemplateNode;
    let schema: SchemaObject;
    if (node.const !== undefined) schema = { const: node.const };
    else if (node.object !== undefined) schema = this.object(node.object, scope);
    else if (node.each !== undefined) schema = this.each(node, scope);
    else if (node.from !== undefined) schema = this.read(node.from, scope, node.int64);
    else schema = {};
    if (node.map !== undefined) schema = { anyOf: [schema, { enum: uniqueValues(Object.values(node.map)) }] };
    if (node.default !== undefined) schema = { ...schema, default: node.default };
    return schema;
  }

  private object(entries: Record<string, Template>, scope: TemplateScope): SchemaObject {
    const properties: Record<string, SchemaObject> = {};
    const required: string[] = [];
    for (const [key, t] of Object.entries(entries)) {
      properties[key] = this.template(t, scope);
      const node = t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as TemplateNode) : undefined;
      // Present unless a rule drops it or the value can be missing (error metadata entries).
      const optional = node !== undefined && (node.omitWhen !== undefined || node.when !== undefined || (node.from?.startsWith('error.metadata.') === true && node.default === undefined));
      if (!optional) required.push(key);
    }
    const out: SchemaObject = { type: 'object', properties, additionalProperties: false };
    if (required.length > 0) out.required = required;
    return out;
  }

  private each(node: TemplateNode, scope: TemplateScope): SchemaObject {
    const shape = this.resolve(node.each!, scope);
    let item: ItemShape = { kind: 'plain' };
    if (shape?.kind === 'field') {
      item = shape.field.resolvedType instanceof protobuf.Type ? { kind: 'message', type: shape.field.resolvedType } : { kind: 'element', field: shape.field };
    }
    const template = node.item === undefined ? ({ from: 'item' } as Template) : node.item;
    return { type: 'array', items: this.template(template, { ...scope, item }) };
  }

  private read(path: string, scope: TemplateScope, int64: 'string' | 'number' | undefined): SchemaObject {
    const json = int64 ? { ...scope.json, int64 } : scope.json;
    if (path === 'error' || path.startsWith('error.')) return errorViewSchema(path.split('.').slice(1));
    const shape = this.resolve(path, scope);
    if (!shape) return {};
    switch (shape.kind) {
      case 'message':
        return this.message(shape.type, json);
      case 'element':
        return this.element(shape.field.resolvedType, shape.field.type, json);
      case 'field': {
        const schema = this.field(shape.field, json);
        // A singular message field read directly renders null when it is not set.
        const singularMessage = shape.field.resolvedType instanceof protobuf.Type && !shape.field.repeated && !shape.field.map;
        return singularMessage ? nullable(schema) : schema;
      }
      default:
        return {};
    }
  }

  /** Resolves a `root.a.b` read against the scope's types (it compiled, so it resolves). */
  private resolve(path: string, scope: TemplateScope): { kind: 'message'; type: protobuf.Type } | { kind: 'field' | 'element'; field: protobuf.Field } | undefined {
    const [root, ...segments] = path.split('.');
    let current: { kind: 'message'; type: protobuf.Type } | { kind: 'field' | 'element'; field: protobuf.Field } | undefined;
    if (root === 'response' && scope.response) current = { kind: 'message', type: scope.response };
    else if (root === 'request' && scope.request) current = { kind: 'message', type: scope.request };
    else if (root === 'item' && scope.item && scope.item.kind !== 'plain') current = scope.item;
    if (!current) return undefined;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      if (current.kind !== 'message') return undefined;
      const field: protobuf.Field | undefined = findField(current.type, segment);
      if (!field) return undefined;
      field.resolve();
      current = { kind: 'field', field };
      if (i < segments.length - 1 && field.resolvedType instanceof protobuf.Type && !field.repeated && !field.map) {
        current = { kind: 'message', type: field.resolvedType };
      }
    }
    return current;
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
