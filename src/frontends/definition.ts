/**
 * The frontend definition format (RFC-039 model), as written in YAML or JSON.
 * The JSON Schema in `definition-schema.ts` checks the shape; the route compiler checks the
 * meaning (services, methods, fields, types) against the loaded protos.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** One definition file: a frontend, with the protos its routes call. */
export interface FrontendDefinition {
  name: string;
  type: 'REST' | 'GRAPHQL' | 'GRPC_WEB' | 'SSE' | 'WEBSOCKET';
  /** .proto files (relative to the definition's folder or an include path) the routes use. */
  protos?: string[];
  rest?: RestConfig;
}

export interface RestConfig {
  basePath?: string;
  /** Default gRPC service (full name) for routes whose `grpc` names only a method. */
  service?: string;
  /** Tolerate one trailing slash on every route (`/a/b/` is `/a/b`). */
  trailingSlash?: boolean;
  /**
   * JSON bodies may give a number or boolean for a string field, taken as its text (as
   * Jackson-based servers accept). Off by default: proto3 JSON is strict.
   */
  lenientStrings?: boolean;
  /** What to do with query parameters no route binds: ignore (default) or reject (400). */
  unknownQuery?: 'ignore' | 'reject';
  /** Request media types accepted for bodies; every one is parsed as JSON. */
  consumes?: string[];
  /** Media type assumed for a body sent without Content-Type (default: the first of consumes). */
  defaultRequestType?: string;
  /** Response media types with a server quality (higher wins when the client has no preference). */
  produces?: ProducedType[];
  /** Default deadline of every route's gRPC call, in milliseconds. */
  deadlineMs?: number;
  /** Request headers forwarded as gRPC metadata (x-request-id always is). */
  forwardHeaders?: string[];
  /** How whole messages render as JSON. */
  json?: JsonOptions;
  errors?: ErrorMapping[];
  /** Written when rendering an error fails: a fixed status and body. */
  fallback?: { status: number; body: unknown };
  routes: RouteMapping[];
}

export interface ProducedType {
  type: string;
  quality?: number;
}

export interface JsonOptions {
  /** Field names as written in the proto (`original`) or lowerCamelCase JSON names (`json`). */
  names?: 'original' | 'json';
  /** Emit fields that hold their default value. */
  emitDefaults?: boolean;
  /** 64-bit integers as JSON strings (proto3 JSON) or as numbers when they fit 2^53. */
  int64?: 'string' | 'number';
}

export interface RouteMapping {
  id: string;
  method: HttpMethod;
  /** Path template, `{param}` style (OpenAPI). */
  path: string;
  /** `Method` of the frontend's service, or `package.Service/Method`. Absent on static routes. */
  grpc?: string;
  params?: ParamMapping[];
  response?: ResponseMapping;
  /** Answer only while the upstream is healthy (grpc.health.v1); otherwise UNAVAILABLE. */
  readiness?: boolean;
  deadlineMs?: number;
  errors?: ErrorMapping[];
  /**
   * Role a caller needs in the namespace when auth is on: read < write < admin; `none` lets
   * anyone in. Default: read for GET, HEAD and OPTIONS, write otherwise.
   */
  role?: 'none' | 'read' | 'write' | 'admin';
  /** A higher role needed when a boolean query flag is true (`permanent=true` deletes). */
  elevate?: { query: string; role: 'read' | 'write' | 'admin' };
  /**
   * Serve repeated reads from memory: replies are cached by request (a write through the same
   * frontend clears the cache; `ttlMs` bounds staleness from writes made elsewhere).
   */
  cache?: { ttlMs?: number; maxEntries?: number };
  /** JSON Schema (2020-12) the parsed body must satisfy before any mapping or call. */
  bodySchema?: Record<string, unknown> | boolean;
}

export type Coercion = 'lenient-bool';

export interface ParamMapping {
  /** `path.x`, `query.x`, `header.x`, `body` or `body.a.b`; absent when `const` is given. */
  from?: string;
  const?: unknown;
  /** Target field path in the request message (`a.b.c`), or `*` for the whole message. */
  to: string;
  required?: boolean;
  /** Used when the source is absent. */
  default?: unknown;
  /** Used when the source is present and JSON null (which otherwise counts as absent). */
  nullValue?: unknown;
  /** Request value map applied before coercion (`latest: "-1"`). */
  map?: Record<string, unknown>;
  mapOptions?: { caseInsensitive?: boolean; trim?: boolean };
  /** Regular expression the raw string value must match. */
  pattern?: string;
  coerce?: Coercion;
  /** JSON object key → message field renames for body values bound to messages. */
  rename?: Record<string, string>;
  /** JSON object keys left out when a body object is bound to a message. */
  ignore?: string[];
}

export interface ResponseMapping {
  status?: number;
  headers?: Record<string, Template>;
  body?: Template;
  /** The body is a raw string (written as is under the negotiated type), not JSON. */
  raw?: boolean;
  json?: JsonOptions;
}

/**
 * A body template. A JSON scalar or array is a constant; an object is one of the node forms:
 * - `{ from: 'response.a.b' }` a value (roots: response, request, error, item);
 * - `{ const: X }` a constant (any JSON);
 * - `{ object: { key: Template } }` an object whose fields may be omitted by their rules;
 * - `{ each: 'response.items', item: Template }` an array built from a repeated field.
 * Node options: `omitWhen` (in objects), `when` (include only if the value is truthy), `map`
 * (value map), `default`, `int64`.
 */
export type Template = null | boolean | number | string | Template[] | TemplateNode;

export interface TemplateNode {
  from?: string;
  const?: unknown;
  object?: Record<string, Template>;
  each?: string;
  item?: Template;
  /** Omit this field of the enclosing object when the value is empty and/or equals a value. */
  omitWhen?: OmitRule | OmitRule[];
  /** Include this field of the enclosing object only when this value is truthy. */
  when?: string;
  map?: Record<string, unknown>;
  default?: unknown;
  int64?: 'string' | 'number';
}

export type OmitRule = 'empty' | 'null' | { equals: unknown };

export interface ErrorMapping {
  match?: ErrorMatch;
  /** HTTP status; default: the error's own (grpc-gateway's code table, or the routing status). */
  status?: number;
  body?: Template;
  headers?: Record<string, Template>;
}

export interface ErrorMatch {
  /** gRPC code name(s) or number(s). */
  code?: string | number | Array<string | number>;
  reason?: string | string[];
  domain?: string;
  /** ErrorInfo metadata entries that must be equal. */
  metadata?: Record<string, string>;
}
