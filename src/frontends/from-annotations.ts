/**
 * `google.api.http` annotations (google/api/http.proto) read into an ordinary frontend
 * definition, the one a YAML file parses into: nothing here is served; the routes it writes
 * compile like any others. Read as grpc-gateway and the Envoy transcoder read them:
 * - each HttpRule, and each of its `additional_bindings`, is one route (`get`, `put`, `post`,
 *   `delete`, `patch`, `custom { kind path }`);
 * - the path template is kept as written (the route compiler parses HttpRule templates), and
 *   each of its variables is bound to the field it names (`{book.name}` → `book.name`);
 * - `body: "*"` binds the whole request from the body, `body: "field"` that field;
 * - every field neither the path nor the body binds is read from the query (nested messages as
 *   `a.b=1`, repeated fields by repetition) under its JSON name or its proto name, unless the
 *   body is `*`, as grpc-gateway's query filter does;
 * - `response_body: "field"` answers that field instead of the whole reply;
 * - server streams are NDJSON lines `{"result": …}`, ended by a line `{"error": …}` on an
 *   in-stream error (grpc-gateway's ForwardResponseStream); a client stream's one reply is the
 *   message itself, as grpc-gateway answers a unary method.
 *
 * Two styles, grpc-gateway's two majors: `v2` (the default, and the Envoy transcoder's JSON)
 * writes lowerCamelCase JSON names and every field, default values included; `v1` keeps proto
 * field names, leaves defaults out, and answers errors with v1's body and status table.
 */
import { isAbsolute, resolve } from 'node:path';
import protobuf from 'protobufjs';
import type { ErrorMapping, FrontendDefinition, HttpMethod, ParamMapping, RouteMapping, Template } from './definition.js';
import { DiagnosticCode } from './diagnostics.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { jsonName } from '../mapping/field-path.js';
import { parsePathTemplate } from '../routing/path-template.js';

/** grpc-gateway's major whose conventions the routes follow (see the file comment). */
export type AnnotationStyle = 'v1' | 'v2';

export interface AnnotationImportOptions {
  /** Full name of the annotated service (`pkg.Svc`). */
  readonly service: string;
  /** Default `v2`; `v1` keeps proto field names (grpc-gateway v1's `OrigName`) and v1's error body. */
  readonly style?: AnnotationStyle;
  /** The frontend's name; default: the service's full name. */
  readonly name?: string;
  /** Written as the definition's `protos`. */
  readonly protos?: readonly string[];
}

/** A problem found while reading the annotations: the route it concerns is left out. */
export interface AnnotationProblem {
  readonly code: DiagnosticCode;
  readonly message: string;
}

export interface AnnotationImport {
  readonly definition: FrontendDefinition;
  readonly problems: readonly AnnotationProblem[];
  /** Methods of the service without a `google.api.http` option (grpc-gateway skips them too). */
  readonly unannotated: readonly string[];
}

/** One HttpRule as protobufjs parses it (snake_case keys, as in the proto). */
interface HttpRule {
  get?: string;
  put?: string;
  post?: string;
  delete?: string;
  patch?: string;
  custom?: { kind?: string; path?: string };
  body?: string;
  response_body?: string;
  additional_bindings?: HttpRule | HttpRule[];
}

const HTTP_OPTION = '(google.api.http)';
const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const HTTP_METHODS: readonly string[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const NDJSON = 'application/x-ndjson';
/** Messages a query value (text) can fill, as a path value can (request-mapper.ts). */
const TEXT_MESSAGES = /^\.google\.protobuf\.(DoubleValue|FloatValue|Int64Value|UInt64Value|Int32Value|UInt32Value|BoolValue|StringValue|BytesValue|Timestamp|Duration|FieldMask)$/;
/** How deep the query reaches into nested messages (a recursive type would never end). */
const MAX_QUERY_DEPTH = 8;

/**
 * Builds a frontend for `options.service` from its methods' HttpRules.
 * @throws Error when the service is not in `root` (the caller names what it loaded).
 */
export function definitionFromAnnotations(root: protobuf.Root, options: AnnotationImportOptions): AnnotationImport {
  const service = lookupService(root, options.service);
  if (!service) throw new Error(`unknown gRPC service '${options.service}'`);
  const style = options.style ?? 'v2';
  const problems: AnnotationProblem[] = [];
  const unannotated: string[] = [];
  const routes = routesFromAnnotations(service, style, problems, unannotated);
  const definition: FrontendDefinition = {
    name: options.name ?? service.fullName.replace(/^\./, ''),
    type: 'REST',
    ...(options.protos ? { protos: [...options.protos] } : {}),
    rest: {
      service: service.fullName.replace(/^\./, ''),
      json: jsonOptionsFor(style),
      errors: errorMappingsFor(style),
      routes,
    },
  };
  return { definition, problems, unannotated };
}

/** The service, by full name (with or without the leading dot). */
export function lookupService(root: protobuf.Root, name: string): protobuf.Service | undefined {
  try {
    const found = root.lookup(name.replace(/^\./, ''));
    return found instanceof protobuf.Service ? found : undefined;
  } catch {
    return undefined;
  }
}

/** The services declared in `files` (absolute paths as loaded) that carry at least one HttpRule. */
export function annotatedServices(root: protobuf.Root, files: readonly string[]): protobuf.Service[] {
  const wanted = new Set(files);
  const found: protobuf.Service[] = [];
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const child of ns.nestedArray) {
      if (child instanceof protobuf.Service && child.filename !== null && wanted.has(child.filename) && child.methodsArray.some((m) => httpRuleOf(m))) found.push(child);
      if (child instanceof protobuf.Namespace || child instanceof protobuf.Type) visit(child);
    }
  };
  visit(root);
  return found;
}

/** JSON rendering: v2 (and Envoy) write lowerCamelCase and defaults; v1 proto names, no defaults. */
export function jsonOptionsFor(style: AnnotationStyle): NonNullable<NonNullable<FrontendDefinition['rest']>['json']> {
  return style === 'v1' ? { names: 'original', emitDefaults: false } : { names: 'json', emitDefaults: true };
}

/**
 * The error style of an imported frontend, as ordinary error mappings.
 *
 * v2: grpc-gateway v2's body is `{code, message, details}` with each detail typed by `@type`,
 * and its statuses are HTTPStatusFromCode: both are the gateway's own default (render-error.ts,
 * http-status.ts), so one catch-all mapping without a body says exactly that.
 *
 * v1: grpc-gateway v1 (runtime/errors.go of 1.6, `errorBody`) answers `{error, message, code,
 * details}`: `error` repeats the message, `details` holds the status details as `Any` values
 * (`@type` first) and is left out when empty (`omitempty`); its table differs from v2's in two
 * rows: CANCELLED is 408 and FAILED_PRECONDITION 412. (v1 writes a detail's own fields with
 * proto names, `field_violations`; `error.details.list` has their JSON names, `fieldViolations`:
 * the same for ErrorInfo's `reason`, `domain` and `metadata`, not for longer names.)
 */
export function errorMappingsFor(style: AnnotationStyle): ErrorMapping[] {
  if (style === 'v2') return [{}];
  const body: Template = {
    object: {
      error: { from: 'error.message' },
      message: { from: 'error.message' },
      code: { from: 'error.code' },
      details: { from: 'error.details.list', omitWhen: 'empty' },
    },
  };
  return [...V1_STATUS_ROWS.map(([code, status]) => ({ match: { code }, status, body })), { body }];
}

/** Where grpc-gateway v1's HTTPStatusFromCode differs from v2's (the gateway's table). */
const V1_STATUS_ROWS: readonly (readonly [string, number])[] = [
  ['CANCELLED', 408],
  ['FAILED_PRECONDITION', 412],
];

/**
 * grpc-gateway v1's in-stream error (internal.StreamError): `{grpc_code, http_code, message,
 * http_status}`, the status as its reason phrase. A v1 streaming route renders its errors so,
 * and the NDJSON framing wraps the body in its last line `{"error": …}`, as v1 writes it.
 */
function v1StreamErrors(): ErrorMapping[] {
  const body = (status?: number): Template => ({
    object: {
      grpc_code: { from: 'error.code' },
      http_code: status === undefined ? { from: 'error.httpStatus' } : { const: status },
      message: { from: 'error.message' },
      http_status: status === undefined ? { from: 'error.httpStatus', map: REASON_PHRASES } : { const: REASON_PHRASES[String(status)] },
    },
  });
  return [...V1_STATUS_ROWS.map(([code, status]) => ({ match: { code }, status, body: body(status) })), { body: body() }];
}

/** Go's http.StatusText for the statuses HTTPStatusFromCode and the gateway's own reasons give. */
const REASON_PHRASES: Record<string, string> = {
  '400': 'Bad Request',
  '401': 'Unauthorized',
  '403': 'Forbidden',
  '404': 'Not Found',
  '405': 'Method Not Allowed',
  '406': 'Not Acceptable',
  '408': 'Request Timeout',
  '409': 'Conflict',
  '412': 'Precondition Failed',
  '413': 'Request Entity Too Large',
  '415': 'Unsupported Media Type',
  '429': 'Too Many Requests',
  '431': 'Request Header Fields Too Large',
  '499': '',
  '500': 'Internal Server Error',
  '501': 'Not Implemented',
  '503': 'Service Unavailable',
  '504': 'Gateway Timeout',
};

/**
 * The routes of every annotated method of `service`, in declaration order: a method's own rule
 * first (id = the method name), then its additional bindings (`Method-2`, `Method-3`, …).
 * Problems are collected; a binding with a problem is left out.
 */
export function routesFromAnnotations(service: protobuf.Service, style: AnnotationStyle, problems: AnnotationProblem[], unannotated: string[] = []): RouteMapping[] {
  const routes: RouteMapping[] = [];
  for (const method of service.methodsArray) {
    method.resolve();
    const rule = httpRuleOf(method);
    if (!rule) {
      unannotated.push(method.name);
      continue;
    }
    const nested = rule.additional_bindings === undefined ? [] : [rule.additional_bindings].flat();
    [rule, ...nested].forEach((binding, i) => {
      const id = i === 0 ? method.name : `${method.name}-${i + 1}`;
      const report = (code: DiagnosticCode, message: string) => problems.push({ code, message: `${service.fullName.replace(/^\./, '')}.${method.name}: ${message}` });
      if (i > 0 && binding.additional_bindings !== undefined) report(DiagnosticCode.UNSUPPORTED, `additional binding ${i} has additional_bindings of its own, which HttpRule does not allow: they are ignored`);
      const route = routeFromRule(id, method, binding, style, report);
      if (route) routes.push(route);
    });
  }
  return routes;
}

/** The method's HttpRule: protobufjs keeps a custom option's message in `parsedOptions`. */
export function httpRuleOf(method: protobuf.Method): HttpRule | undefined {
  let rule: HttpRule | undefined;
  for (const entry of method.parsedOptions ?? []) {
    const value = (entry as Record<string, unknown>)[HTTP_OPTION];
    // `option (google.api.http).get = …; option (google.api.http).body = …;` may come as parts.
    if (value !== null && typeof value === 'object') rule = { ...rule, ...(value as HttpRule) };
  }
  return rule;
}

function routeFromRule(id: string, method: protobuf.Method, rule: HttpRule, style: AnnotationStyle, report: (code: DiagnosticCode, message: string) => void): RouteMapping | undefined {
  const patterns = VERBS.filter((v) => typeof rule[v] === 'string').map((v) => ({ method: v.toUpperCase(), path: rule[v] as string }));
  if (rule.custom !== undefined) patterns.push({ method: String(rule.custom.kind ?? '').toUpperCase(), path: String(rule.custom.path ?? '') });
  if (patterns.length !== 1) {
    report(DiagnosticCode.INVALID_VALUE, `an HttpRule needs exactly one of get, put, post, delete, patch, custom (found ${patterns.length === 0 ? 'none' : patterns.map((p) => p.method.toLowerCase()).join(', ')})`);
    return undefined;
  }
  const { method: httpMethod, path } = patterns[0];
  if (!HTTP_METHODS.includes(httpMethod)) {
    report(DiagnosticCode.UNSUPPORTED, `custom method '${httpMethod}' of ${path} is not one the gateway routes (${HTTP_METHODS.join(', ')})`);
    return undefined;
  }
  let problem = false;
  const fail = (code: DiagnosticCode, message: string) => {
    problem = true;
    report(code, message);
  };
  const template = parsePathTemplate(path, (code, _pointer, message) => fail(code, message));
  if (!template) return undefined;
  const requestType = method.resolvedRequestType!;
  const responseType = method.resolvedResponseType!;

  const params: ParamMapping[] = [];
  const bound: string[] = [];
  for (const name of template.params) {
    if (resolveFieldPath(requestType, name, fail, `path variable {${name}}`)) {
      params.push({ from: `path.${name}`, to: name });
      bound.push(name);
    }
  }
  const body = rule.body ?? '';
  if (body !== '' && (httpMethod === 'GET' || httpMethod === 'DELETE') && rule.custom === undefined) {
    // grpc-gateway refuses a body on GET (and Envoy on GET and DELETE); a body stays readable
    // here, but the rule is almost certainly a mistake worth saying.
    fail(DiagnosticCode.UNSUPPORTED, `${httpMethod} ${path} declares body '${body}': HttpRule forbids a body on GET and DELETE`);
  }
  if (body === '*') params.push({ from: 'body', to: '*' });
  else if (body !== '') {
    if (resolveFieldPath(requestType, body, fail, `body '${body}'`)) {
      params.push({ from: 'body', to: body });
      bound.push(body);
    }
  }
  if (body !== '*') params.push(...queryParams(requestType, bound, style));

  const responseBody = rule.response_body ?? '';
  if (responseBody !== '') resolveFieldPath(responseType, responseBody, fail, `response_body '${responseBody}'`);
  if (problem) return undefined;

  const route: RouteMapping = { id, method: httpMethod as HttpMethod, path, grpc: method.name };
  if (params.length > 0) route.params = params;
  const value: Template = { from: responseBody === '' ? 'response' : `response.${responseBody}` };
  if (method.responseStream) {
    route.stream = { produces: [NDJSON] };
    route.response = { body: { object: { result: value } } };
    if (style === 'v1') route.errors = v1StreamErrors();
  } else if (method.requestStream) {
    // Client streaming: grpc-gateway answers the one reply as a unary method's
    // (ForwardResponseMessage), the message itself with no {"result"} around it, and errors
    // with the unary error body. The route streams the request body, so it needs a stream
    // block; its one NDJSON line is that message.
    route.stream = { produces: [NDJSON] };
    if (responseBody !== '') route.response = { body: value };
  } else if (responseBody !== '') {
    route.response = { body: value };
  }
  return route;
}

/**
 * Checks a field path of an HttpRule (proto names, as google/api/http.proto says) against the
 * message; reports a path that does not resolve, or that reaches a repeated or map field
 * through which nothing can be bound.
 */
function resolveFieldPath(type: protobuf.Type, path: string, fail: (code: DiagnosticCode, message: string) => void, what: string): boolean {
  let current = type;
  const parts = path.split('.');
  for (let i = 0; i < parts.length; i++) {
    const field = current.fields[parts[i]];
    if (!field) {
      fail(DiagnosticCode.UNKNOWN_FIELD, `${what}: no field '${parts[i]}' in ${current.fullName.replace(/^\./, '')}`);
      return false;
    }
    if (i === parts.length - 1) return true;
    field.resolve();
    if (!(field.resolvedType instanceof protobuf.Type) || field.repeated || field.map) {
      fail(DiagnosticCode.TYPE_MISMATCH, `${what}: field '${parts[i]}' of ${current.fullName.replace(/^\./, '')} is not a singular message`);
      return false;
    }
    current = field.resolvedType;
  }
  return true;
}

/**
 * The query params of the fields the path and body leave free, at any depth: a field already
 * bound (or inside one) is skipped, a message that holds a bound field is entered for its other
 * fields. grpc-gateway reads a query key under either name of each field, the proto name or
 * the JSON name (v2 `fields.ByName` then `ByJSONName`; v1 `fieldByProtoName` compares
 * `OrigName` and `JSONName`, but a oneof member only by its proto name): so a field whose two
 * names differ gets two params, the other spelling first and the style's own name last (which
 * wins when a request carries both). A nested key is accepted all in one spelling (`a_b.c_d`
 * or `aB.cD`); grpc-gateway also takes mixed ones (`a_b.cD`), which are not generated. Maps,
 * repeated messages and JSON-valued well-known types (Struct, Value, ListValue, Any) have no
 * query form and are left to the body.
 */
function queryParams(type: protobuf.Type, bound: readonly string[], style: AnnotationStyle): ParamMapping[] {
  const params: ParamMapping[] = [];
  const visit = (current: protobuf.Type, protoPrefix: string, jsonPrefix: string, chain: readonly protobuf.Type[]) => {
    for (const field of current.fieldsArray) {
      const protoPath = protoPrefix + field.name;
      if (bound.some((b) => b === protoPath || protoPath.startsWith(b + '.'))) continue;
      // v1 finds a oneof member through the oneof's own table, keyed by proto name only.
      const jsonPath = jsonPrefix + (style === 'v1' && field.partOf !== null ? field.name : jsonName(field));
      field.resolve();
      const resolved = field.resolvedType;
      if (field.map) continue;
      if (resolved instanceof protobuf.Type && !TEXT_MESSAGES.test(resolved.fullName)) {
        if (field.repeated || resolved.fullName.startsWith('.google.protobuf.')) continue;
        if (chain.includes(resolved) || chain.length >= MAX_QUERY_DEPTH) continue;
        visit(resolved, protoPath + '.', jsonPath + '.', [...chain, resolved]);
        continue;
      }
      const [own, other] = style === 'v1' ? [protoPath, jsonPath] : [jsonPath, protoPath];
      if (other !== own) params.push({ from: `query.${other}`, to: protoPath });
      params.push({ from: `query.${own}`, to: protoPath });
    }
  };
  visit(type, '', '', [type]);
  return params;
}

/** `rest.fromAnnotations` in a definition: `true`, or options. */
export type FromAnnotationsOption = boolean | { readonly protoNames?: boolean };

/** A problem of the expansion, at a pointer into the definition. */
export interface ExpansionProblem {
  readonly code: DiagnosticCode;
  readonly pointer: string;
  readonly message: string;
}

/**
 * `protos:` + `rest: { fromAnnotations: true }`: the routes the annotations describe, added to
 * the definition when it loads. The routes written by hand stay first, in their order (so
 * every pointer into the file still names the route it names there), and replace the generated
 * route of the same id; the generated routes follow. `json` and `errors` written by hand win
 * over the imported style's; `service` defaults to the one annotated service of the listed
 * protos. Relative proto paths resolve against `baseDir` (the definition's folder).
 * @returns the definition unchanged when it does not ask for annotations.
 */
export function expandAnnotatedRoutes(definition: FrontendDefinition, baseDir: string): { definition: FrontendDefinition; problems: ExpansionProblem[] } {
  const rest = definition.rest as (FrontendDefinition['rest'] & { fromAnnotations?: FromAnnotationsOption }) | undefined;
  const option = rest?.fromAnnotations;
  if (!rest || option === undefined || option === false) return { definition, problems: [] };
  const at = '/rest/fromAnnotations';
  const problems: ExpansionProblem[] = [];
  const files = (definition.protos ?? []).map((p) => (isAbsolute(p) ? p : resolve(baseDir, p)));
  if (files.length === 0) return { definition, problems: [{ code: DiagnosticCode.PROTO_LOAD, pointer: at, message: "fromAnnotations reads the annotations of the definition's protos, and it lists none" }] };
  let root: protobuf.Root;
  try {
    root = loadProtoRoot(files, [baseDir]);
  } catch (err) {
    return { definition, problems: [{ code: DiagnosticCode.PROTO_LOAD, pointer: '/protos', message: (err as Error).message }] };
  }
  let service = rest.service;
  if (service === undefined) {
    const found = annotatedServices(root, files);
    if (found.length !== 1) {
      const what = found.length === 0 ? 'no service with google.api.http annotations' : `several annotated services (${found.map((s) => s.fullName.slice(1)).join(', ')})`;
      return { definition, problems: [{ code: DiagnosticCode.UNKNOWN_SERVICE, pointer: at, message: `the protos declare ${what}: name one with rest.service` }] };
    }
    service = found[0].fullName.slice(1);
  }
  if (!lookupService(root, service)) return { definition, problems: [{ code: DiagnosticCode.UNKNOWN_SERVICE, pointer: '/rest/service', message: `unknown gRPC service '${service}'` }] };
  const style: AnnotationStyle = typeof option === 'object' && option.protoNames ? 'v1' : 'v2';
  const imported = definitionFromAnnotations(root, { service, style });
  for (const p of imported.problems) problems.push({ code: p.code, pointer: at, message: p.message });
  const generated = imported.definition.rest!;
  const written = rest.routes ?? [];
  const ids = new Set(written.map((r) => r.id));
  return {
    definition: {
      ...definition,
      rest: {
        ...rest,
        service,
        json: rest.json ?? generated.json,
        errors: rest.errors ?? generated.errors,
        routes: [...written, ...generated.routes.filter((r) => !ids.has(r.id))],
      },
    },
    problems,
  };
}
