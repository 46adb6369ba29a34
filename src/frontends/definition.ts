/**
 * The frontend definition format (RFC-039 model), as written in YAML or JSON, declared once:
 * each part is a TypeBox schema, and its TypeScript type is `Static<typeof ThatSchema>`, so the
 * JSON Schema ajv checks at load and the types the compiler reads cannot drift apart.
 * `frontendDefinitionSchema` is the whole format, shipped with the package. The schema checks
 * the shape only; the route compiler checks the meaning (services, methods, fields, types)
 * against the loaded protos.
 *
 * Schema choices that keep load errors readable (load-definition.ts turns ajv's errors into
 * sentences): closed choices are `enum`s, not unions of literals, so a wrong value is one
 * "must be one of …" error instead of one error per literal; multi-typed values are one
 * `type: [...]`, not a union.
 */
import { Type, type SchemaOptions, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** A closed set of strings as one JSON Schema `enum` (TypeBox writes a union of literals). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, enum: [...values] });
}

/** Any JSON value. */
const Json = (options: SchemaOptions = {}) => Type.Unknown(options);

const Status = (description: string) => Type.Integer({ minimum: 100, maximum: 599, description });

/** A dotted value path rooted at one of a template's roots. */
const VALUE_PATH = '^(response|request|error|item|metadata)(\\.[^.]+)*$';
/** Names of frontends and routes. */
const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

export const HttpMethodSchema = StringEnum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
export type HttpMethod = Static<typeof HttpMethodSchema>;

export const OmitRuleSchema = Type.Union([
  StringEnum(['empty', 'null']),
  Type.Object({ equals: Json() }, { additionalProperties: false }),
]);
/** When an object template leaves a field out: the value is empty, null, or equals a value. */
export type OmitRule = Static<typeof OmitRuleSchema>;

/**
 * A body template. A JSON scalar or array is a constant; an object is one of the node forms:
 * - `{ from: 'response.a.b' }` a value (roots: response, request, error, item, metadata);
 * - `{ const: X }` a constant (any JSON);
 * - `{ object: { key: Template } }` an object whose fields may be omitted by their rules;
 * - `{ each: 'response.items', item: Template }` an array built from a repeated field;
 * - `{ format: '/v1/todos/{response.id}' }` a string of literal text and values (`{{`, `}}`
 *   for literal braces).
 * Node options: `omitWhen` (in objects), `when` (include only if the value is truthy), `map`
 * (value map), `default`, `int64`.
 *
 * `$id: 'Template'` is how the schema refers to itself and how the rest of the format refers
 * to it (TemplateRef): it lives once, under the root schema's `definitions` (ajv refuses one
 * `$id` in two places). load-definition.ts also recognises a failed template union by it.
 */
export const TemplateSchema = Type.Recursive(
  (This) =>
    Type.Union([
      Type.Unsafe<null | boolean | number | string>({ type: ['null', 'boolean', 'number', 'string'] }),
      Type.Array(This),
      Type.Object(
        {
          from: Type.Optional(Type.String({ pattern: VALUE_PATH, description: 'A value: `response.a.b`, `request.x`, `error.message`, `item.name`.' })),
          const: Type.Optional(Json({ description: 'A constant (any JSON).' })),
          object: Type.Optional(Type.Record(Type.String(), This, { description: 'An object whose fields may be omitted by their rules.' })),
          each: Type.Optional(Type.String({ pattern: VALUE_PATH, description: 'An array built from this repeated field, one `item` per element.' })),
          format: Type.Optional(
            Type.String({ description: 'A string of literal text and `{root.a.b}` values, each written as text: `/v1/todos/{response.id}`; `{{` and `}}` are literal braces.' }),
          ),
          item: Type.Optional(This),
          omitWhen: Type.Optional(
            Type.Union([OmitRuleSchema, Type.Array(OmitRuleSchema)], {
              description: 'Omit this field of the enclosing object when the value is empty and/or equals a value.',
            }),
          ),
          when: Type.Optional(Type.String({ pattern: VALUE_PATH, description: 'Include this field of the enclosing object only when this value is truthy.' })),
          map: Type.Optional(Type.Record(Type.String(), Json(), { description: 'Response value map.' })),
          default: Type.Optional(Json()),
          int64: Type.Optional(StringEnum(['string', 'number'])),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ]),
  { $id: 'Template' },
);
/** A body template (see TemplateSchema): a JSON constant, an array, or a node. */
export type Template = Static<typeof TemplateSchema>;
/** The object form of a template: one of from, const, object, each, with options. */
export type TemplateNode = Exclude<Template, null | boolean | number | string | readonly unknown[]>;
/** A template anywhere in the format: a reference to the one TemplateSchema. */
const TemplateRef = Type.Unsafe<Template>(Type.Ref(TemplateSchema.$id!));

export const JsonOptionsSchema = Type.Object(
  {
    names: Type.Optional(StringEnum(['original', 'json'], { description: 'Field names as written in the proto (`original`) or lowerCamelCase JSON names (`json`).' })),
    emitDefaults: Type.Optional(Type.Boolean({ description: 'Emit fields that hold their default value.' })),
    int64: Type.Optional(StringEnum(['string', 'number'], { description: '64-bit integers as JSON strings (proto3 JSON) or as numbers when they fit 2^53.' })),
  },
  { additionalProperties: false, description: 'How whole messages render as JSON.' },
);
/** How whole messages render as JSON. */
export type JsonOptions = Static<typeof JsonOptionsSchema>;

const Headers = () => Type.Record(Type.String(), TemplateRef);

export const ErrorMatchSchema = Type.Object(
  {
    code: Type.Optional(
      Type.Union([
        Type.Unsafe<string | number>({ type: ['string', 'integer'] }),
        Type.Array(Type.Unsafe<string | number>({ type: ['string', 'integer'] }), { minItems: 1 }),
      ], { description: 'gRPC code name(s) or number(s).' }),
    ),
    reason: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })])),
    domain: Type.Optional(Type.String()),
    metadata: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'ErrorInfo metadata entries that must be equal.' })),
  },
  { additionalProperties: false },
);
/** What an error mapping matches: gRPC code, ErrorInfo reason, domain and metadata. */
export type ErrorMatch = Static<typeof ErrorMatchSchema>;

export const ErrorMappingSchema = Type.Object(
  {
    match: Type.Optional(ErrorMatchSchema),
    status: Type.Optional(Status("HTTP status; default: the error's own (grpc-gateway's code table, or the routing status).")),
    body: Type.Optional(TemplateRef),
    headers: Type.Optional(Headers()),
  },
  { additionalProperties: false },
);
/** One error mapping: the first whose `match` fits an error renders it. */
export type ErrorMapping = Static<typeof ErrorMappingSchema>;

export const CoercionSchema = StringEnum(['lenient-bool']);
/** A declared coercion: `lenient-bool` takes `true` in any case as true, anything else as false. */
export type Coercion = Static<typeof CoercionSchema>;

export const ParamMappingSchema = Type.Object(
  {
    from: Type.Optional(
      Type.String({
        pattern: '^(path|query)\\.[^.]+(\\.[^.]+)*$|^header\\.[^.]+$|^cookie\\.[!#$%&\'*+\\-.^_`|~0-9A-Za-z]+$|^body(\\..+)?$',
        description:
          '`path.x` (`path.a.b` for a field-path parameter `{a.b}`), `query.x` (`query.a.b` for a nested query parameter `a.b=1`), `header.x`, `cookie.x` (the first cookie of that exact name in the `Cookie` header, quotes removed, not percent-decoded), `body` or `body.a.b`; absent when `const` is given.',
      }),
    ),
    const: Type.Optional(Json()),
    to: Type.String({ minLength: 1, description: 'Target field path in the request message (`a.b.c`), or `*` for the whole message.' }),
    required: Type.Optional(Type.Boolean()),
    default: Type.Optional(Json({ description: 'Used when the source is absent.' })),
    nullValue: Type.Optional(Json({ description: 'Used when the source is present and JSON null (which otherwise counts as absent).' })),
    map: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'Request value map applied before coercion (`latest: "-1"`).' })),
    mapOptions: Type.Optional(
      Type.Object({ caseInsensitive: Type.Optional(Type.Boolean()), trim: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    ),
    pattern: Type.Optional(Type.String({ description: 'Regular expression the raw string value must match.' })),
    coerce: Type.Optional(CoercionSchema),
    encoding: Type.Optional(
      StringEnum(['base64', 'utf8', 'raw'], {
        description:
          'How the value becomes a `bytes` field: `base64` (proto3 JSON, the default), `utf8` (a text\'s own UTF-8 bytes, for keys written as text), or `raw` (with `from: body`: the body\'s bytes as sent, of any content type, never parsed as JSON).',
      }),
    ),
    entityTag: Type.Optional(
      Type.Boolean({
        description: 'The header holds HTTP entity tags (`If-Match`, `If-None-Match`): the first tag of the list is taken without its quotes and `W/` prefix (`"3"` → `3`); `*` stays `*` for `map` or `pattern` to handle.',
      }),
    ),
    rename: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'JSON object key → message field renames for body values bound to messages.' })),
    ignore: Type.Optional(Type.Array(Type.String(), { description: 'JSON object keys left out when a body object is bound to a message.' })),
  },
  { additionalProperties: false, oneOf: [{ required: ['from'] }, { required: ['const'] }] },
);
/** Where one request field comes from: a request value (`from`) or a constant (`const`). */
export type ParamMapping = Static<typeof ParamMappingSchema>;

/** RFC 6265 §4.1.1: a cookie name is an RFC 9110 token. */
const COOKIE_NAME = "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$";

export const ResponseCookieSchema = Type.Object(
  {
    name: Type.String({ pattern: COOKIE_NAME, description: 'The cookie name (an RFC 6265 token).' }),
    value: TemplateRef,
    path: Type.Optional(Type.String({ pattern: '^/[\\x21-\\x3a\\x3c-\\x7e]*$', description: 'The `Path` attribute.' })),
    domain: Type.Optional(Type.String({ pattern: '^\\.?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$', description: 'The `Domain` attribute (a host name).' })),
    maxAgeSeconds: Type.Optional(Type.Integer({ description: 'The `Max-Age` attribute; 0 or less removes the cookie.' })),
    secure: Type.Optional(Type.Boolean({ description: 'The `Secure` attribute.' })),
    httpOnly: Type.Optional(Type.Boolean({ description: 'The `HttpOnly` attribute.' })),
    sameSite: Type.Optional(StringEnum(['Strict', 'Lax', 'None'], { description: 'The `SameSite` attribute; `None` needs `secure`.' })),
  },
  { additionalProperties: false },
);
/** One `Set-Cookie` header of a successful answer. */
export type ResponseCookie = Static<typeof ResponseCookieSchema>;

export const ResponseMappingSchema = Type.Object(
  {
    status: Type.Optional(Status('HTTP status of a successful answer.')),
    headers: Type.Optional(Headers()),
    cookies: Type.Optional(
      Type.Array(ResponseCookieSchema, {
        description: 'Cookies set by a successful answer, one `Set-Cookie` header each; a value rendering empty or absent sets no cookie, unless `maxAgeSeconds` is 0 or less (which removes it).',
      }),
    ),
    body: Type.Optional(TemplateRef),
    raw: Type.Optional(
      Type.Boolean({
        description:
          'The body is not JSON: a string is written as is under the negotiated type; a `bytes` field read by `{ from: response.x }` is written as its bytes (its type from a `Content-Type` header template, else the negotiated one).',
      }),
    ),
    // The `ETag` header: the value written as a strong entity tag (`"<value>"`); left out when empty.
    etag: Type.Optional(TemplateRef),
    textBytes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[^.]+(\\.[^.]+)*$' }), {
        uniqueItems: true,
        description: 'Response `bytes` fields rendered as UTF-8 text instead of base64: field paths in the response message, through repeated messages (`items.key`).',
      }),
    ),
    json: Type.Optional(JsonOptionsSchema),
  },
  { additionalProperties: false },
);
/** How a route's reply is written: status, headers and a body template. */
export type ResponseMapping = Static<typeof ResponseMappingSchema>;

const RoleSchema = StringEnum(['read', 'write', 'admin']);

/** The framings a server-streaming route can offer over plain HTTP (DESIGN.md §8). */
export const STREAM_FRAMINGS = ['text/event-stream', 'application/x-ndjson'] as const;
export type StreamFraming = (typeof STREAM_FRAMINGS)[number];

export const StreamMappingSchema = Type.Object(
  {
    produces: Type.Optional(
      Type.Array(StringEnum(STREAM_FRAMINGS), {
        uniqueItems: true,
        description: 'Framings offered to content negotiation, the first being the default; default both (SSE first). Client and bidi streams take their messages from the body (JSON values, concatenated or one per line). Empty: WebSocket only.',
      }),
    ),
    sse: Type.Optional(
      Type.Object(
        {
          event: Type.Optional(TemplateRef),
          id: Type.Optional(TemplateRef),
          retryMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Sent once as `retry:` at the start of the stream.' })),
          heartbeatMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Interval of the heartbeat comment lines; default 15000, 0 = none.' })),
        },
        { additionalProperties: false, description: 'SSE options: `event:` and `id:` rendered from each message by template.' },
      ),
    ),
    websocket: Type.Optional(Type.Boolean({ description: 'The route also accepts a WebSocket upgrade (server, client or bidi streaming; the upgrade, a GET, reaches a route of another method when the path has no GET route).' })),
    maxBufferedBytes: Type.Optional(Type.Integer({ minimum: 1, description: 'Bytes buffered from the backend per stream before its sends block.' })),
    idleTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'No message either way for this long ends the stream (DEADLINE_EXCEEDED); 0 = off.' })),
    maxDurationMs: Type.Optional(Type.Integer({ minimum: 0, description: "A hard cap on a stream's life; 0 = off." })),
  },
  { additionalProperties: false, description: 'How a route bound to a streaming method streams: framings, SSE options, WebSocket, limits.' },
);
/** A streaming route's `stream` block. */
export type StreamMapping = Static<typeof StreamMappingSchema>;

export const RouteMappingSchema = Type.Object(
  {
    id: Type.String({ pattern: NAME }),
    method: HttpMethodSchema,
    path: Type.String({ pattern: '^/', description: 'Path template, `{param}` style (OpenAPI).' }),
    grpc: Type.Optional(Type.String({ minLength: 1, description: "`Method` of the frontend's service, or `package.Service/Method`. Absent on static routes." })),
    params: Type.Optional(Type.Array(ParamMappingSchema)),
    response: Type.Optional(ResponseMappingSchema),
    readiness: Type.Optional(Type.Boolean({ description: 'Answer only while the upstream is healthy (grpc.health.v1); otherwise UNAVAILABLE.' })),
    deadlineMs: Type.Optional(Type.Integer({ minimum: 1 })),
    unknownFields: Type.Optional(
      StringEnum(['ignore', 'reject'], {
        description: 'What to do with body keys no field takes: ignore (default, as proto3 JSON parsers do) or reject (400, reason BODY_INVALID naming the key).',
      }),
    ),
    bodySchema: Type.Optional(
      Type.Unsafe<Record<string, unknown> | boolean>({ type: ['object', 'boolean'], description: 'JSON Schema (2020-12) the parsed body must satisfy before any mapping or call.' }),
    ),
    cache: Type.Optional(
      Type.Object(
        { ttlMs: Type.Optional(Type.Integer({ minimum: 1 })), maxEntries: Type.Optional(Type.Integer({ minimum: 1 })) },
        {
          additionalProperties: false,
          description:
            'Serve repeated reads from memory: replies are cached by request (a write through the same frontend clears the cache; `ttlMs` bounds staleness from writes made elsewhere).',
        },
      ),
    ),
    role: Type.Optional(
      StringEnum(['none', 'read', 'write', 'admin'], {
        description: "Role a caller needs in the namespace when auth is on: read < write < admin; `none` lets anyone in. Default: read for GET, HEAD and OPTIONS, write otherwise.",
      }),
    ),
    elevate: Type.Optional(
      Type.Object(
        { query: Type.String({ minLength: 1 }), role: RoleSchema },
        { additionalProperties: false, description: 'A higher role needed when a boolean query flag is true (`permanent=true` deletes).' },
      ),
    ),
    errors: Type.Optional(Type.Array(ErrorMappingSchema)),
    stream: Type.Optional(StreamMappingSchema),
  },
  { additionalProperties: false },
);
/** One REST route: method and path template → a gRPC method (or a static answer). */
export type RouteMapping = Static<typeof RouteMappingSchema>;

export const ProducedTypeSchema = Type.Object(
  {
    type: Type.String({ pattern: '^[^/\\s*]+/[^/\\s*]+$' }),
    quality: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
/** A response media type with a server quality (higher wins when the client has no preference). */
export type ProducedType = Static<typeof ProducedTypeSchema>;

export const RestConfigSchema = Type.Object(
  {
    basePath: Type.Optional(Type.String({ pattern: '^/' })),
    service: Type.Optional(Type.String({ minLength: 1, description: "Default gRPC service (full name) for routes whose `grpc` names only a method." })),
    fromAnnotations: Type.Optional(
      Type.Union(
        [
          Type.Boolean(),
          Type.Object({ protoNames: Type.Optional(Type.Boolean({ description: 'grpc-gateway v1 style: proto field names, the v1 error body and statuses.' })) }, { additionalProperties: false }),
        ],
        { description: "Add a route for every google.api.http annotation of `service` (or of the protos' one annotated service); routes written here win by id, as do `json` and `errors`." },
      ),
    ),
    trailingSlash: Type.Optional(Type.Boolean({ description: 'Tolerate one trailing slash on every route (`/a/b/` is `/a/b`).' })),
    unknownQuery: Type.Optional(StringEnum(['ignore', 'reject'], { description: 'What to do with query parameters no route binds: ignore (default) or reject (400).' })),
    unknownFields: Type.Optional(
      StringEnum(['ignore', 'reject'], {
        description: 'What to do with body keys no field takes: ignore (default, as proto3 JSON parsers do) or reject (400, reason BODY_INVALID naming the key).',
      }),
    ),
    lenientStrings: Type.Optional(
      Type.Boolean({
        description: 'JSON bodies may give a number or boolean for a string field, taken as its text (as Jackson-based servers accept). Off by default: proto3 JSON is strict.',
      }),
    ),
    consumes: Type.Optional(Type.Array(Type.String({ pattern: '^[^/\\s]+/[^/\\s]+$' }), { description: 'Request media types accepted for bodies; every one is parsed as JSON.' })),
    defaultRequestType: Type.Optional(Type.String({ description: 'Media type assumed for a body sent without Content-Type (default: the first of consumes).' })),
    produces: Type.Optional(Type.Array(ProducedTypeSchema, { minItems: 1, description: 'Response media types with a server quality.' })),
    deadlineMs: Type.Optional(Type.Integer({ minimum: 1, description: "Default deadline of every route's gRPC call, in milliseconds." })),
    forwardHeaders: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), { description: 'Request headers forwarded as gRPC metadata (x-request-id always is).' })),
    json: Type.Optional(JsonOptionsSchema),
    errors: Type.Optional(Type.Array(ErrorMappingSchema)),
    fallback: Type.Optional(
      Type.Object(
        { status: Status('Status of the fallback answer.'), body: Json() },
        { additionalProperties: false, description: 'Written when rendering an error fails: a fixed status and body.' },
      ),
    ),
    routes: Type.Array(RouteMappingSchema),
  },
  { additionalProperties: false },
);
/** A REST frontend's config: base path, media types, defaults, error mappings and routes. */
export type RestConfig = Static<typeof RestConfigSchema>;

/** A GraphQL field name (and argument name): GraphQL's `Name`, without the reserved `__` prefix. */
const GRAPHQL_NAME = '^(?!__)[_A-Za-z][_0-9A-Za-z]*$';

export const GraphqlArgumentSchema = Type.Object(
  {
    to: Type.Optional(Type.String({ minLength: 1, description: 'Request field path the argument feeds (`a.b`), or `*` for the whole request message; default: the field named like the argument (proto or JSON name).' })),
    type: Type.Optional(Type.String({ minLength: 1, description: 'The argument\'s GraphQL type (`String`, `Int!`, `[String!]`); default: derived from the target field.' })),
    required: Type.Optional(Type.Boolean({ description: 'The argument is non-null (`!`).' })),
    default: Type.Optional(Json({ description: 'Used when the argument is absent.' })),
    map: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'Value map applied before coercion (`latest: "-1"`).' })),
    mapOptions: Type.Optional(
      Type.Object({ caseInsensitive: Type.Optional(Type.Boolean()), trim: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    ),
    pattern: Type.Optional(Type.String({ description: 'Regular expression a string value must match.' })),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
/** One argument of a GraphQL field: the request field it feeds and how. */
export type GraphqlArgument = Static<typeof GraphqlArgumentSchema>;

export const GraphqlFieldSchema = Type.Object(
  {
    grpc: Type.String({ minLength: 1, description: "`Method` of the frontend's service, or `package.Service/Method`." }),
    description: Type.Optional(Type.String()),
    args: Type.Optional(Type.Record(Type.String({ pattern: GRAPHQL_NAME }), GraphqlArgumentSchema, { description: 'Arguments by name.' })),
    constants: Type.Optional(Type.Record(Type.String(), Json(), { description: 'Request field path → a constant value.' })),
    parent: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1 }), { description: "Request field path → a field of the parent object (dotted), for fields added to a type under `types`." }),
    ),
    result: Type.Optional(TemplateRef),
    resultType: Type.Optional(Type.String({ pattern: GRAPHQL_NAME, description: 'Name of the object type an `object` result template makes (default: the field name in PascalCase + `Result`).' })),
    role: Type.Optional(StringEnum(['none', 'read', 'write', 'admin'], { description: 'Role needed when auth is on; default read (queries, subscriptions) or write (mutations).' })),
    deadlineMs: Type.Optional(Type.Integer({ minimum: 1 })),
    errors: Type.Optional(Type.Array(ErrorMappingSchema)),
  },
  { additionalProperties: false },
);
/** One GraphQL field bound to a gRPC method. */
export type GraphqlField = Static<typeof GraphqlFieldSchema>;

const GraphqlFields = (description: string) => Type.Record(Type.String({ pattern: GRAPHQL_NAME }), GraphqlFieldSchema, { description });

export const GraphqlConfigSchema = Type.Object(
  {
    path: Type.Optional(Type.String({ pattern: '^/', description: "Endpoint path under the binding's prefix." })),
    service: Type.Optional(Type.String({ minLength: 1, description: "Default gRPC service (full name) for fields whose `grpc` names only a method." })),
    graphiql: Type.Optional(Type.Boolean({ description: 'Serve the GraphiQL page on GET with Accept: text/html.' })),
    jit: Type.Optional(Type.Boolean({ description: 'Compile each query document with graphql-jit (cached per document).' })),
    persistedQueries: Type.Optional(
      Type.Boolean({ description: "Automatic persisted queries (Apollo's protocol): a request may name its query by its SHA-256 hash once the endpoint has seen it." }),
    ),
    maxDepth: Type.Optional(Type.Integer({ minimum: 1, description: 'Deepest selection nesting accepted.' })),
    maxComplexity: Type.Optional(Type.Integer({ minimum: 1, description: 'Largest complexity accepted (every selected field costs 1, a field calling gRPC costs 10, lists multiply by 10).' })),
    deadlineMs: Type.Optional(Type.Integer({ minimum: 1, description: "Default deadline of each field's gRPC call, in milliseconds." })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'Longest a query or mutation request may run.' })),
    forwardHeaders: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), { description: 'Request headers forwarded as gRPC metadata (x-request-id always is).' })),
    errors: Type.Optional(Type.Array(ErrorMappingSchema)),
    query: Type.Optional(GraphqlFields('Fields of the Query type.')),
    mutation: Type.Optional(GraphqlFields('Fields of the Mutation type.')),
    subscription: Type.Optional(GraphqlFields('Fields of the Subscription type: server-streaming methods.')),
    types: Type.Optional(
      Type.Record(
        Type.String({ pattern: GRAPHQL_NAME }),
        Type.Object({ fields: GraphqlFields('Fields added to the type.') }, { additionalProperties: false }),
        { description: 'Fields added to object types of the schema, resolved by gRPC calls that read the parent object.' },
      ),
    ),
  },
  { additionalProperties: false },
);
/** A GraphQL frontend's config: endpoint, limits and the fields of Query, Mutation and Subscription. */
export type GraphqlConfig = Static<typeof GraphqlConfigSchema>;

/** The frontend types a definition may declare (DESIGN.md §8). */
export const FRONTEND_TYPES = ['REST', 'GRAPHQL'] as const;

export const FrontendDefinitionSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME }),
    type: StringEnum(FRONTEND_TYPES),
    protos: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: ".proto files (relative to the definition's folder or an include path) the routes use." }),
    ),
    rest: Type.Optional(RestConfigSchema),
    graphql: Type.Optional(GraphqlConfigSchema),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://prism.io/schemas/frontend-definition.json',
    title: 'Prism Gateway frontend definition',
    additionalProperties: false,
    allOf: [
      { if: { properties: { type: { const: 'REST' } } }, then: { required: ['rest'] } },
      { if: { properties: { type: { const: 'GRAPHQL' } } }, then: { required: ['graphql'] } },
    ],
    definitions: { template: TemplateSchema },
  },
);
/** One definition document: a frontend, with the protos its routes call. */
export type FrontendDefinition = Static<typeof FrontendDefinitionSchema>;

/** The JSON Schema of the whole definition format (draft-07), as ajv compiles it. */
export const frontendDefinitionSchema: TSchema = FrontendDefinitionSchema;
