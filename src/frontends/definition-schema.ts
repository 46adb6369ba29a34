/**
 * JSON Schema of the frontend definition format (see definition.ts), shipped with the package.
 * Shape only: what names mean (services, fields, types) is checked by the route compiler.
 */

const template = { $ref: '#/definitions/template' };

const errorMapping = {
  type: 'object',
  additionalProperties: false,
  properties: {
    match: {
      type: 'object',
      additionalProperties: false,
      properties: {
        code: { anyOf: [{ type: ['string', 'integer'] }, { type: 'array', items: { type: ['string', 'integer'] }, minItems: 1 }] },
        reason: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
        domain: { type: 'string' },
        metadata: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    status: { type: 'integer', minimum: 100, maximum: 599 },
    body: template,
    headers: { type: 'object', additionalProperties: template },
  },
};

const jsonOptions = {
  type: 'object',
  additionalProperties: false,
  properties: {
    names: { enum: ['original', 'json'] },
    emitDefaults: { type: 'boolean' },
    int64: { enum: ['string', 'number'] },
  },
};

export const frontendDefinitionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://prism.io/schemas/frontend-definition.json',
  title: 'Prism Gateway frontend definition',
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
    type: { enum: ['REST', 'GRAPHQL', 'GRPC_WEB', 'SSE', 'WEBSOCKET'] },
    protos: { type: 'array', items: { type: 'string', minLength: 1 } },
    rest: { $ref: '#/definitions/rest' },
  },
  if: { properties: { type: { const: 'REST' } } },
  then: { required: ['rest'] },
  definitions: {
    rest: {
      type: 'object',
      required: ['routes'],
      additionalProperties: false,
      properties: {
        basePath: { type: 'string', pattern: '^/' },
        service: { type: 'string', minLength: 1 },
        trailingSlash: { type: 'boolean' },
        unknownQuery: { enum: ['ignore', 'reject'] },
        lenientStrings: { type: 'boolean' },
        consumes: { type: 'array', items: { type: 'string', pattern: '^[^/\\s]+/[^/\\s]+$' } },
        defaultRequestType: { type: 'string' },
        produces: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['type'],
            additionalProperties: false,
            properties: {
              type: { type: 'string', pattern: '^[^/\\s*]+/[^/\\s*]+$' },
              quality: { type: 'number', minimum: 0, maximum: 1 },
            },
          },
        },
        deadlineMs: { type: 'integer', minimum: 1 },
        forwardHeaders: { type: 'array', items: { type: 'string', pattern: '^[A-Za-z0-9-]+$' } },
        json: jsonOptions,
        errors: { type: 'array', items: errorMapping },
        fallback: {
          type: 'object',
          required: ['status', 'body'],
          additionalProperties: false,
          properties: { status: { type: 'integer', minimum: 100, maximum: 599 }, body: {} },
        },
        routes: { type: 'array', items: { $ref: '#/definitions/route' } },
      },
    },
    route: {
      type: 'object',
      required: ['id', 'method', 'path'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' },
        method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] },
        path: { type: 'string', pattern: '^/' },
        grpc: { type: 'string', minLength: 1 },
        params: { type: 'array', items: { $ref: '#/definitions/param' } },
        response: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'integer', minimum: 100, maximum: 599 },
            headers: { type: 'object', additionalProperties: template },
            body: template,
            raw: { type: 'boolean' },
            json: jsonOptions,
          },
        },
        readiness: { type: 'boolean' },
        deadlineMs: { type: 'integer', minimum: 1 },
        bodySchema: { type: ['object', 'boolean'] },
        cache: {
          type: 'object',
          additionalProperties: false,
          properties: { ttlMs: { type: 'integer', minimum: 1 }, maxEntries: { type: 'integer', minimum: 1 } },
        },
        role: { enum: ['none', 'read', 'write', 'admin'] },
        elevate: {
          type: 'object',
          required: ['query', 'role'],
          additionalProperties: false,
          properties: { query: { type: 'string', minLength: 1 }, role: { enum: ['read', 'write', 'admin'] } },
        },
        errors: { type: 'array', items: errorMapping },
      },
    },
    param: {
      type: 'object',
      required: ['to'],
      additionalProperties: false,
      properties: {
        from: { type: 'string', pattern: '^(path|query|header)\\.[^.]+$|^body(\\..+)?$' },
        const: {},
        to: { type: 'string', minLength: 1 },
        required: { type: 'boolean' },
        default: {},
        nullValue: {},
        map: { type: 'object' },
        mapOptions: {
          type: 'object',
          additionalProperties: false,
          properties: { caseInsensitive: { type: 'boolean' }, trim: { type: 'boolean' } },
        },
        pattern: { type: 'string' },
        coerce: { enum: ['lenient-bool'] },
        rename: { type: 'object', additionalProperties: { type: 'string' } },
        ignore: { type: 'array', items: { type: 'string' } },
      },
      oneOf: [{ required: ['from'] }, { required: ['const'] }],
    },
    template: {
      anyOf: [
        { type: ['null', 'boolean', 'number', 'string'] },
        { type: 'array', items: template },
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            from: { type: 'string', pattern: '^(response|request|error|item|metadata)(\\.[^.]+)*$' },
            const: {},
            object: { type: 'object', additionalProperties: template },
            each: { type: 'string', pattern: '^(response|request|error|item|metadata)(\\.[^.]+)*$' },
            item: template,
            omitWhen: {
              anyOf: [{ $ref: '#/definitions/omitRule' }, { type: 'array', items: { $ref: '#/definitions/omitRule' } }],
            },
            when: { type: 'string', pattern: '^(response|request|error|item|metadata)(\\.[^.]+)*$' },
            map: { type: 'object' },
            default: {},
            int64: { enum: ['string', 'number'] },
          },
        },
      ],
    },
    omitRule: {
      anyOf: [
        { enum: ['empty', 'null'] },
        { type: 'object', required: ['equals'], additionalProperties: false, properties: { equals: {} } },
      ],
    },
  },
} as const;
