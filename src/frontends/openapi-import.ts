/**
 * OpenAPI 3.1 import: a frontend written as an OpenAPI document whose parts carry the
 * definition through `x-prism-*` extensions.
 *
 * Document level:
 * - `x-prism-frontend`: `name` (default: `info.title` as a slug), `type` (default REST),
 *   `protos`, and any REST config key of the definition format (`service`, `basePath`,
 *   `consumes`, `produces`, `errors`, `json`, `fallback`, ...) except `routes`.
 * Operation level (each operation is one route):
 * - `operationId` → the route id; the path key and the method → the route's path and method;
 * - `x-prism-path` → the route's path when OpenAPI path templating cannot say it (HttpRule
 *   forms: `{path=**}`, `{name=shelves/*}`, bare `*` and `**`); the path key is then only
 *   documentation;
 * - `x-prism-grpc` → `grpc`, `x-prism-params` → `params`, `x-prism-response` → `response`,
 *   `x-prism-errors` → `errors`, `x-prism-stream` → `stream`, `x-prism-readiness` →
 *   `readiness`, `x-prism-deadline-ms` → `deadlineMs`, `x-prism-role` → `role`,
 *   `x-prism-elevate` → `elevate`, `x-prism-cache` → `cache`;
 * - the JSON schema of the `requestBody` → `bodySchema`, made self-contained for ajv: the
 *   `#/components/schemas/…` it reaches are embedded as `$defs` and its references rewritten;
 *   unless the request body says `x-prism-validate: false` (a schema that documents what the
 *   bindings read, as the export writes for routes without a bodySchema).
 *
 * Conversion checks only what the definition format cannot see (the document's structure,
 * references, unknown extensions); the result is then checked like any definition, and every
 * problem points into the OpenAPI document (a JSON pointer from its root).
 */
import type { FrontendDefinition, HttpMethod, RouteMapping } from './definition.js';
import { DefinitionError, type DefinitionProblem } from './definition-error.js';
import { DiagnosticCode, type DiagnosticSink } from './diagnostics.js';
import { decodePointerSegment, encodePointerSegment } from './openapi-export.js';

export interface OpenApiConversion {
  readonly definition: FrontendDefinition;
  /** Problems of the document, each with a JSON pointer into it; empty when it converted. */
  readonly problems: readonly DefinitionProblem[];
  /** Maps a pointer into the definition (`/rest/routes/3/params/0`) to its source in the document. */
  sourcePointer(definitionPointer: string): string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const COMPONENT_PREFIX = '#/components/schemas/';
/** Operation extensions and the route property each one becomes. */
const OPERATION_EXTENSIONS: Record<string, keyof RouteMapping> = {
  'x-prism-path': 'path',
  'x-prism-grpc': 'grpc',
  'x-prism-params': 'params',
  'x-prism-response': 'response',
  'x-prism-errors': 'errors',
  'x-prism-stream': 'stream',
  'x-prism-readiness': 'readiness',
  'x-prism-deadline-ms': 'deadlineMs',
  'x-prism-role': 'role',
  'x-prism-elevate': 'elevate',
  'x-prism-cache': 'cache',
};
/** Request body extensions. */
const BODY_EXTENSIONS = ['x-prism-validate'];
/** Keywords whose values are data, not schemas: a `$ref` key inside them is not a reference. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'example']);

/** Whether a parsed YAML/JSON value is an OpenAPI document (rather than a definition). */
export function isOpenApiDocument(value: unknown): value is Record<string, unknown> {
  return isObject(value) && typeof value.openapi === 'string';
}

/**
 * Converts an OpenAPI document into a definition, collecting every problem.
 * Never throws: problems come back in the result.
 */
/** Where the import reports: a code, the pointer in the OpenAPI document, the message, the route. */
type ImportReport = (code: DiagnosticCode, pointer: string, message: string, route?: string) => void;

export function convertOpenApi(doc: unknown, file: string): OpenApiConversion {
  const problems: DefinitionProblem[] = [];
  const origins: [string, string][] = [['', '']];
  const report: ImportReport = (code, pointer, message, route) => problems.push({ code, file, pointer, route, message });
  const root = isObject(doc) ? doc : {};
  if (!isObject(doc)) report(DiagnosticCode.SCHEMA, '', 'an OpenAPI document is an object');

  const version = root.openapi;
  if (typeof version !== 'string' || !/^3\.1\.\d+$/.test(version)) {
    report(DiagnosticCode.UNSUPPORTED, '/openapi', `OpenAPI ${String(version)} is not supported: only 3.1.x, whose schemas are JSON Schema 2020-12 as the body validator expects`);
  }

  // The frontend: document-level extension, flattened REST config.
  const extension = root['x-prism-frontend'];
  if (extension === undefined) report(DiagnosticCode.SCHEMA, '', "missing 'x-prism-frontend': the document must say at least which protos (and service) its operations call");
  else if (!isObject(extension)) report(DiagnosticCode.SCHEMA, '/x-prism-frontend', 'must be an object');
  const frontend = isObject(extension) ? extension : {};
  const { name, type, protos, routes: _routes, ...restConfig } = frontend;
  if (_routes !== undefined) report(DiagnosticCode.UNSUPPORTED, '/x-prism-frontend/routes', 'routes come from the operations of the document, not from x-prism-frontend');
  const info = isObject(root.info) ? root.info : {};
  const definitionName = name ?? (typeof info.title === 'string' ? slug(info.title) : undefined);
  if (definitionName === undefined || definitionName === '') report(DiagnosticCode.SCHEMA, '/x-prism-frontend', "missing 'name' (and info.title does not give one)");

  const routes: RouteMapping[] = [];
  const rest: Record<string, unknown> = { ...restConfig, routes };
  const definition = { name: definitionName, type: type ?? 'REST', rest } as unknown as FrontendDefinition;
  if (protos !== undefined) definition.protos = protos as string[];
  for (const key of ['name', 'type', 'protos']) origins.push([`/${key}`, `/x-prism-frontend/${key}`]);
  origins.push(['/rest', '/x-prism-frontend']);
  for (const key of Object.keys(restConfig)) origins.push([`/rest/${encodePointerSegment(key)}`, `/x-prism-frontend/${encodePointerSegment(key)}`]);
  origins.push(['/rest/routes', '/paths']);

  const consumed: string[] = [];
  const paths = root.paths;
  if (paths !== undefined && !isObject(paths)) report(DiagnosticCode.SCHEMA, '/paths', 'must be an object');
  for (const [path, item] of Object.entries(isObject(paths) ? paths : {})) {
    const pathPointer = `/paths/${encodePointerSegment(path)}`;
    if (!isObject(item)) {
      report(DiagnosticCode.SCHEMA, pathPointer, 'a path item must be an object');
      continue;
    }
    if (item.$ref !== undefined) {
      report(DiagnosticCode.UNSUPPORTED, `${pathPointer}/$ref`, 'path item references are not supported: write the operations in place');
      continue;
    }
    for (const method of METHODS) {
      const operation = item[method];
      if (operation === undefined) continue;
      const at = `${pathPointer}/${method}`;
      if (!isObject(operation)) {
        report(DiagnosticCode.SCHEMA, at, 'an operation must be an object');
        continue;
      }
      if (method === 'trace') {
        report(DiagnosticCode.UNSUPPORTED, at, 'TRACE operations cannot be routed');
        continue;
      }
      const id = operation.operationId;
      if (typeof id !== 'string' || id === '') {
        report(DiagnosticCode.SCHEMA, at, "missing 'operationId': it becomes the route id");
        continue;
      }
      const route: RouteMapping = { id, method: method.toUpperCase() as HttpMethod, path };
      const index = routes.length;
      const to = `/rest/routes/${index}`;
      origins.push([to, at], [`${to}/id`, `${at}/operationId`], [`${to}/method`, at]);
      // `x-prism-path`, when present, says where the route's path came from (below).
      if (operation['x-prism-path'] === undefined) origins.push([`${to}/path`, pathPointer]);
      for (const key of Object.keys(operation)) {
        if (!key.startsWith('x-prism-')) continue;
        const property = OPERATION_EXTENSIONS[key];
        if (property === undefined) {
          report(DiagnosticCode.UNKNOWN_FIELD, `${at}/${encodePointerSegment(key)}`, `unknown extension '${key}' (known: ${Object.keys(OPERATION_EXTENSIONS).join(', ')})`, id);
          continue;
        }
        (route as unknown as Record<string, unknown>)[property] = operation[key];
        origins.push([`${to}/${property}`, `${at}/${key}`]);
      }
      const body = requestBodySchema(root, operation, at, id, report);
      if (body) {
        for (const media of body.mediaTypes) if (!consumed.includes(media)) consumed.push(media);
        if (body.schema !== undefined && body.validate) {
          route.bodySchema = bundleSchema(root, body.schema, body.pointer, (code, pointer, message) => report(code, pointer, message, id));
          origins.push([`${to}/bodySchema`, body.pointer]);
        }
      }
      routes.push(route);
    }
  }
  // Without a declared list, the frontend consumes what the operations' bodies declare.
  if (rest.consumes === undefined && consumed.length > 0) rest.consumes = consumed;

  // Longest prefixes first, so a route's own parts win over the route.
  origins.sort((a, b) => b[0].length - a[0].length);
  return {
    definition,
    problems,
    sourcePointer(pointer) {
      for (const [prefix, source] of origins) {
        if (pointer === prefix || pointer.startsWith(prefix + '/')) return source + pointer.slice(prefix.length);
      }
      return pointer;
    },
  };
}

/**
 * Converts an OpenAPI document into a definition (not yet checked against the definition
 * format: `loadAnyDefinitionFile` does that).
 * @throws DefinitionError listing every problem, each with a JSON pointer into the document.
 */
export function openApiToDefinition(doc: unknown, file: string): FrontendDefinition {
  const conversion = convertOpenApi(doc, file);
  if (conversion.problems.length > 0) throw new DefinitionError(conversion.problems);
  return conversion.definition;
}

/** The request body's schema (one for every media type: the gateway parses all as JSON). */
function requestBodySchema(
  root: Record<string, unknown>,
  operation: Record<string, unknown>,
  at: string,
  id: string,
  report: ImportReport,
): { mediaTypes: string[]; schema?: unknown; pointer: string; validate: boolean } | undefined {
  let body = operation.requestBody;
  let pointer = `${at}/requestBody`;
  if (body === undefined) return undefined;
  if (isObject(body) && typeof body.$ref === 'string') {
    const target = body.$ref.startsWith('#/components/requestBodies/') ? resolveLocal(root, body.$ref) : undefined;
    if (target === undefined) {
      report(DiagnosticCode.UNKNOWN_REFERENCE, `${pointer}/$ref`, `reference '${body.$ref}' does not resolve to a request body of this document`, id);
      return undefined;
    }
    pointer = body.$ref.slice(1);
    body = target;
  }
  if (!isObject(body) || !isObject(body.content)) {
    report(DiagnosticCode.SCHEMA, pointer, "a request body needs a 'content' object", id);
    return undefined;
  }
  for (const key of Object.keys(body)) {
    if (key.startsWith('x-prism-') && !BODY_EXTENSIONS.includes(key)) {
      report(DiagnosticCode.UNKNOWN_FIELD, `${pointer}/${encodePointerSegment(key)}`, `unknown request body extension '${key}' (known: ${BODY_EXTENSIONS.join(', ')})`, id);
    }
  }
  const validate = body['x-prism-validate'];
  if (validate !== undefined && typeof validate !== 'boolean') report(DiagnosticCode.SCHEMA, `${pointer}/x-prism-validate`, 'must be a boolean', id);
  const mediaTypes = Object.keys(body.content);
  let chosen: { schema: unknown; pointer: string } | undefined;
  for (const media of mediaTypes) {
    const entry = body.content[media];
    if (!isObject(entry) || entry.schema === undefined) continue;
    const schemaPointer = `${pointer}/content/${encodePointerSegment(media)}/schema`;
    if (!chosen) chosen = { schema: entry.schema, pointer: schemaPointer };
    else if (JSON.stringify(entry.schema) !== JSON.stringify(chosen.schema)) {
      report(DiagnosticCode.UNSUPPORTED, schemaPointer, `differs from the schema of '${mediaTypes[0]}': the gateway parses every consumed type as JSON and checks one schema`, id);
    }
  }
  return { mediaTypes, schema: chosen?.schema, pointer: chosen?.pointer ?? pointer, validate: validate !== false };
}

/**
 * A schema made self-contained: the component schemas it reaches (transitively) are embedded
 * under `$defs` and `#/components/schemas/X` references become `#/$defs/X`.
 */
function bundleSchema(root: Record<string, unknown>, schema: unknown, pointer: string, report: DiagnosticSink): Record<string, unknown> | boolean {
  if (typeof schema === 'boolean') return schema;
  if (!isObject(schema)) {
    report(DiagnosticCode.SCHEMA, pointer, 'a schema is an object or a boolean');
    return true;
  }
  const components = isObject(root.components) && isObject(root.components.schemas) ? root.components.schemas : {};
  const needed = new Map<string, unknown>();
  const visit = (value: unknown, at: string): void => {
    if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${at}/${i}`));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, v] of Object.entries(value)) {
      if (DATA_KEYWORDS.has(key)) continue;
      if (key !== '$ref') {
        visit(v, `${at}/${encodePointerSegment(key)}`);
        continue;
      }
      if (typeof v !== 'string') continue;
      if (!v.startsWith(COMPONENT_PREFIX)) {
        report(DiagnosticCode.UNSUPPORTED, `${at}/$ref`, `reference '${v}' is not supported: a body schema may refer only to ${COMPONENT_PREFIX}… of this document`);
        continue;
      }
      const name = decodePointerSegment(v.slice(COMPONENT_PREFIX.length).split('/')[0]);
      if (needed.has(name)) continue;
      if (!(name in components) || resolveLocal(root, v) === undefined) {
        report(DiagnosticCode.UNKNOWN_REFERENCE, `${at}/$ref`, `reference '${v}' does not resolve in this document`);
        continue;
      }
      needed.set(name, components[name]);
      visit(components[name], `/components/schemas/${encodePointerSegment(name)}`);
    }
  };
  visit(schema, pointer);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (DATA_KEYWORDS.has(key)) out[key] = v;
      else if (key === '$ref' && typeof v === 'string' && v.startsWith(COMPONENT_PREFIX)) out[key] = '#/$defs/' + v.slice(COMPONENT_PREFIX.length);
      else out[key] = rewrite(v);
    }
    return out;
  };
  const bundled = rewrite(schema) as Record<string, unknown>;
  if (needed.size === 0) return bundled;
  const defs: Record<string, unknown> = isObject(bundled.$defs) ? { ...bundled.$defs } : {};
  for (const [name, component] of needed) {
    if (name in defs) {
      report(DiagnosticCode.DUPLICATE_NAME, `${pointer}/$defs/${encodePointerSegment(name)}`, `'$defs/${name}' would be shadowed by the component of the same name this schema refers to`);
      continue;
    }
    defs[name] = rewrite(component);
  }
  return { ...bundled, $defs: defs };
}

/** Resolves a local reference (`#/a/b`) in the document. */
function resolveLocal(root: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = root;
  for (const segment of ref.slice(2).split('/').map(decodePointerSegment)) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isObject(current) && Object.prototype.hasOwnProperty.call(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

function slug(title: string): string {
  return title.trim().toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|-+$/g, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
