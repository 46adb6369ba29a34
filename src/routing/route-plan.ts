/**
 * Route plans: what compiling a route decided, as plain data. A plan holds no closures and no
 * protobufjs objects (proto shapes are named by full type name and described field by field),
 * so it can be printed (`prism-gateway routes`), served as JSON (`GET /admin/routes/{id}`),
 * exported (OpenAPI, and later the GraphQL SDL) and compared in tests. The request-time
 * closures of a compiled route are built from the same decisions, so the exports cannot drift
 * from what the gateway does.
 */
import type protobuf from 'protobufjs';
import type { ErrorMatch, HttpMethod, OmitRule } from '../frontends/definition.js';
import type { JsonRenderOptions } from '../mapping/message-json.js';
import type { PathSegment } from './path-template.js';

/** A proto field as the plan describes it. */
export interface FieldShape {
  /** Proto name, and the proto3 JSON name. */
  readonly name: string;
  readonly jsonName: string;
  /** Full name (`.pkg.Message`) of the message that declares the field. */
  readonly parent: string;
  /** The scalar kind as written (`int64`, `string`, ...) or the element type's full name. */
  readonly kind: string;
  /** `scalar`, `enum` or `message`: what one element of the field is. */
  readonly element: 'scalar' | 'enum' | 'message';
  readonly repeated: boolean;
  /** A map field; `keyType` is its key's scalar kind. */
  readonly map: boolean;
  readonly keyType?: string;
  /** A proto3 `optional` field: whether it is set is part of its value. */
  readonly presence: boolean;
}

/** Where a binding's value comes from. */
export type BindingSource =
  | { readonly kind: 'path' | 'query' | 'header' | 'cookie'; readonly name: string }
  /** `name` is the dotted path inside the body; empty for the whole body. */
  | { readonly kind: 'body'; readonly name: string }
  | { readonly kind: 'const'; readonly value: unknown };

/** One ParamMapping as compiled: its source, its target field and how the value is coerced. */
export interface BindingPlan {
  readonly source: BindingSource;
  /** The target as written: a field path, or `*` for the whole request message. */
  readonly target: string;
  /** The field chain the target walks (empty for `*`). */
  readonly fields: readonly FieldShape[];
  /**
   * How the value is read: `text` (path, query, header), `json` (body), `json-lenient` (body,
   * numbers and booleans accepted for strings), plus an explicit coercion (`lenient-bool`).
   */
  readonly coercion: { readonly from: 'text' | 'json' | 'json-lenient'; readonly coerce?: 'lenient-bool' };
  readonly required: boolean;
  readonly default?: unknown;
  readonly nullValue?: unknown;
  readonly pattern?: string;
  readonly map?: Readonly<Record<string, unknown>>;
  readonly mapOptions?: { readonly caseInsensitive?: boolean; readonly trim?: boolean };
  readonly rename?: Readonly<Record<string, string>>;
  readonly ignore?: readonly string[];
  /**
   * How a `bytes` target is fed (absent: base64, proto3 JSON): `utf8` takes a text's own
   * UTF-8 bytes; `raw` (source `body`, name empty) takes the body's bytes as sent, never parsed.
   */
  readonly encoding?: 'utf8' | 'raw';
  /** A header holding entity tags: the first tag is read without quotes and `W/` (`*` kept). */
  readonly entityTag?: true;
  /** Later bindings overwrite earlier ones: const < query, header < body < path. */
  readonly precedence: number;
}

/** What a template path yields: a whole message, one field, an element of one, or plain data. */
export type ValueShape =
  | { readonly kind: 'message'; readonly type: string }
  | { readonly kind: 'field'; readonly field: FieldShape }
  | { readonly kind: 'element'; readonly field: FieldShape }
  | { readonly kind: 'plain' };

/** A `root.a.b` read, resolved: the keys read at run time and the shape of the value. */
export interface ReadPlan {
  /** The path as written. */
  readonly path: string;
  readonly root: 'response' | 'request' | 'error' | 'item' | 'metadata';
  /** The keys read in turn from the root (proto names for typed roots). */
  readonly keys: readonly string[];
  readonly shape: ValueShape;
}

/** Value maps and defaults, which wrap any template node. */
interface Decorations {
  readonly map?: Readonly<Record<string, unknown>>;
  readonly default?: unknown;
}

/** A body (or header) template as a typed tree. */
export type TemplatePlan =
  /** `literal`: written as a bare JSON value rather than a `{ const }` node. */
  | ({ readonly kind: 'const'; readonly value: unknown; readonly literal?: true } & Decorations)
  | { readonly kind: 'array'; readonly items: readonly TemplatePlan[] }
  | ({ readonly kind: 'object'; readonly fields: readonly ObjectFieldPlan[] } & Decorations)
  | ({ readonly kind: 'each'; readonly source: ReadPlan; readonly item: TemplatePlan } & Decorations)
  | ({ readonly kind: 'read'; readonly source: ReadPlan; readonly int64?: 'string' | 'number' } & Decorations)
  /** A string built from literal text and values read (`format` as written, and its pieces). */
  | ({ readonly kind: 'format'; readonly format: string; readonly parts: readonly FormatPartPlan[] } & Decorations);

/** A piece of a `format` node: literal text, or a value read and written as text. */
export type FormatPartPlan = { readonly text: string } | { readonly read: ReadPlan };

export interface ObjectFieldPlan {
  readonly key: string;
  readonly value: TemplatePlan;
  readonly omitWhen?: readonly OmitRule[];
  /** Included only when this value is truthy (a non-empty list). */
  readonly when?: ReadPlan;
}

export interface ResponsePlan {
  readonly status: number;
  /** The body is a raw string, written under the negotiated type. */
  readonly raw: boolean;
  readonly json: JsonRenderOptions;
  /** Header name (as written; sent lower-case) → template. */
  readonly headers: Readonly<Record<string, TemplatePlan>>;
  /** Absent: `{}` (a static route without a body). */
  readonly body?: TemplatePlan;
  /** The body template was written in the definition (otherwise it is the whole reply). */
  readonly declared: boolean;
  /** The `ETag` header's value, written as a strong entity tag (`"<value>"`); left out when empty. */
  readonly etag?: TemplatePlan;
  /** Response `bytes` fields (paths through repeated messages, `items.key`) rendered as UTF-8 text. */
  readonly textBytes?: readonly string[];
  /** `Set-Cookie` headers, in order: attributes as declared, the value by template. */
  readonly cookies?: readonly CookiePlan[];
}

/** One response cookie: its value rendered per answer, its attributes fixed. */
export interface CookiePlan {
  readonly name: string;
  readonly value: TemplatePlan;
  readonly path?: string;
  readonly domain?: string;
  readonly maxAgeSeconds?: number;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
}

/** One error mapping, in the order they are tried (the route's own first). */
export interface ErrorRulePlan {
  /** `route` or `frontend`: whose mapping it is. */
  readonly scope: 'route' | 'frontend';
  readonly match: ErrorMatch;
  readonly status?: number;
  /** Header name (as written; sent lower-case) → template, as in ResponsePlan. */
  readonly headers: Readonly<Record<string, TemplatePlan>>;
  /** Absent: the default body (`google.rpc.Status`). */
  readonly body?: TemplatePlan;
}

export interface RoutePlan {
  readonly id: string;
  readonly frontend: string;
  readonly namespace?: string;
  readonly host?: string;
  /** Namespace prefix + base path. */
  readonly mountPath: string;
  readonly method: HttpMethod;
  readonly path: {
    /** The full template (mount path + route path). */
    readonly template: string;
    readonly segments: readonly PathSegment[];
    readonly params: readonly string[];
  };
  /** Absent on static routes. */
  readonly grpc?: {
    /** `package.Service/Method` */
    readonly method: string;
    readonly requestType: string;
    readonly responseType: string;
  };
  readonly bindings: readonly BindingPlan[];
  /** Query names some binding reads (what `unknownQuery: reject` lets through). */
  readonly boundQuery: readonly string[];
  readonly body: {
    readonly consumes: readonly string[];
    /** The route's JSON Schema for the body, when it declares one. */
    readonly schema?: Readonly<Record<string, unknown>> | boolean;
  };
  readonly produces: readonly string[];
  readonly response: ResponsePlan;
  readonly errors: readonly ErrorRulePlan[];
  /** Written when rendering an error fails, as the definition declares it (absent: the gateway's default). */
  readonly fallback?: { readonly status: number; readonly body: unknown };
  /** The frontend's JSON options (error templates and whole messages render with them). */
  readonly json: JsonRenderOptions;
  /** Present on routes bound to a streaming method: how they stream. */
  readonly stream?: StreamPlan;
  readonly policy: {
    readonly deadlineMs: number;
    readonly role: 'none' | 'read' | 'write' | 'admin';
    readonly elevate?: { readonly query: string; readonly role: 'read' | 'write' | 'admin' };
    readonly cache?: { readonly ttlMs?: number; readonly maxEntries?: number };
    readonly readiness: boolean;
    readonly writes: boolean;
    readonly forwardHeaders: readonly string[];
    readonly unknownQuery: 'ignore' | 'reject';
  };
}

/** A streaming route's `stream` block as compiled. */
export interface StreamPlan {
  readonly kind: 'server' | 'client' | 'bidi';
  readonly websocket: boolean;
  /** Plain-HTTP framings in order of preference (also the route's `produces`); empty: WebSocket only. */
  readonly framings: readonly ('text/event-stream' | 'application/x-ndjson')[];
  readonly sse: {
    readonly event?: TemplatePlan;
    readonly id?: TemplatePlan;
    readonly retryMs?: number;
    readonly heartbeatMs: number;
  };
  readonly limits: { readonly maxBufferedBytes?: number; readonly idleTimeoutMs?: number; readonly maxDurationMs?: number };
}

/** Describes a resolved protobufjs field as plan data. */
export function fieldShape(field: protobuf.Field): FieldShape {
  field.resolve();
  const resolved = field.resolvedType;
  const element = resolved === null ? 'scalar' : 'values' in resolved ? 'enum' : 'message';
  const explicit = (field.options as Record<string, unknown> | undefined)?.json_name;
  const keyType = field.map ? (field as unknown as protobuf.MapField).keyType : undefined;
  return {
    name: field.name,
    jsonName: typeof explicit === 'string' ? explicit : field.name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()),
    parent: field.parent?.fullName ?? '',
    kind: resolved ? resolved.fullName : field.type,
    element,
    repeated: field.repeated,
    map: field.map,
    ...(keyType === undefined ? {} : { keyType }),
    presence: (field.options as Record<string, unknown> | undefined)?.proto3_optional === true,
  };
}

/** The protobufjs field a shape describes, looked up in `root` (it resolved when planned). */
export function lookupField(root: protobuf.Root, shape: FieldShape): protobuf.Field {
  const field = root.lookupType(shape.parent).fields[shape.name];
  field.resolve();
  return field;
}

/** One line per binding, for `prism-gateway routes`: `path.id -> f_int32 (required)`. */
export function describeBinding(b: BindingPlan): string {
  const source = b.source.kind === 'const' ? `const ${JSON.stringify(b.source.value)}` : b.source.name === '' ? b.source.kind : `${b.source.kind}.${b.source.name}`;
  return `${source} -> ${b.target}${b.required ? ' (required)' : ''}`;
}
