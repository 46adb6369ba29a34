/**
 * The request mapper: ParamMappings compiled into one closure that builds the plain request
 * message from path, query, header, cookie and body values.
 *
 * Precedence is path over body over query (grpc-gateway's rule): mappings are applied
 * query first, then body, then path, each later one overwriting, so a query value can never
 * override a field bound by the path or the body.
 */
import protobuf from 'protobufjs';
import type { ParamMapping } from '../frontends/definition.js';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { DiagnosticCode, nestedSink, type DiagnosticSink } from '../frontends/diagnostics.js';
import { fieldShape, type BindingPlan, type BindingSource } from '../routing/route-plan.js';
import { compileFieldCoercer, compileMessageCoercer, type Coercer, type SourceKind } from './coerce.js';
import { CoercionFailure } from './coercion-failure.js';
import { describeField, planFieldPath, typeName } from './field-path.js';
import { readCookie } from './request-cookie.js';
import type { RequestValues } from './request-values.js';

export type RequestMapper = ((values: RequestValues) => Record<string, unknown>) & {
  /**
   * Some mapping reads the raw body (`from: body, encoding: raw`): the caller hands the
   * body's bytes over as RequestValues.rawBody instead of parsing it as JSON.
   */
  readonly readsRawBody?: boolean;
};

type SourceRoot = 'path' | 'query' | 'header' | 'cookie' | 'body' | 'rawBody' | 'const';
const PRECEDENCE: Record<SourceRoot, number> = { const: 0, query: 1, body: 2, rawBody: 2, path: 3, header: 1, cookie: 1 };
const SOURCE_LABEL: Record<SourceRoot, string> = {
  path: 'path parameter',
  query: 'query parameter',
  header: 'header',
  cookie: 'cookie',
  body: 'body field',
  rawBody: 'raw body',
  const: 'constant',
};

interface CompiledParam {
  apply(values: RequestValues, target: Record<string, unknown>): void;
  precedence: number;
}

export interface RequestMapperPlan {
  readonly mapper: RequestMapper;
  /** Query parameter names some mapping reads (for the `reject` unknown-query policy). */
  readonly boundQuery: ReadonlySet<string>;
  /** Path parameter names some mapping reads. */
  readonly boundPath: ReadonlySet<string>;
  /** Every mapping that compiled, in the order written, as plan data. */
  readonly bindings: readonly BindingPlan[];
  /** Some mapping reads the raw body (which is then never parsed as JSON). */
  readonly readsRawBody?: boolean;
}

export interface RequestMapperOptions {
  /** Body numbers and booleans may fill string fields (see SourceKind 'json-lenient'). */
  readonly lenientStrings?: boolean;
}

/**
 * Compiles a route's ParamMappings against the request type. Every problem is reported into
 * `sink` (pointers relative to the params list: `/2/to`), and the returned plan is only usable
 * when none was reported.
 */
export function compileRequestMapper(requestType: protobuf.Type, params: readonly ParamMapping[], sink: DiagnosticSink, options: RequestMapperOptions = {}): RequestMapperPlan {
  const compiled: CompiledParam[] = [];
  const bindings: BindingPlan[] = [];
  const boundQuery = new Set<string>();
  const boundPath = new Set<string>();
  const targets = new Map<string, { index: number; root: SourceRoot; from?: string }>();
  params.forEach((param, index) => {
    const root = sourceRoot(param);
    const previous = targets.get(param.to);
    // Two different headers may feed one field (`If-Match` and `If-None-Match` both set an
    // expected version), and two query names (a field's proto and JSON names, both of which
    // grpc-gateway reads): a request carrying both gets the one written later.
    const otherHeader = root === 'header' && previous?.from?.toLowerCase() !== param.from?.toLowerCase();
    const otherQuery = root === 'query' && previous?.from !== param.from;
    if (previous && previous.root === root && !otherHeader && !otherQuery) {
      sink(DiagnosticCode.DUPLICATE_NAME, `/${index}/to`, `field '${param.to}' is already bound by params[${previous.index}] from the same source`);
      return;
    }
    targets.set(param.to, { index, root, from: param.from });
    const result = compileParam(requestType, param, root, options.lenientStrings === true, (property, code, message) => sink(code, `/${index}/${property}`, message));
    if (!result) return;
    compiled.push(result.compiled);
    bindings.push(result.binding);
    if (root === 'query') boundQuery.add(param.from!.slice('query.'.length));
    if (root === 'path') boundPath.add(param.from!.slice('path.'.length));
  });
  compiled.sort((a, b) => a.precedence - b.precedence);
  const steps = compiled.map((c) => c.apply);
  const checkOneofs = compileOneofCheck(requestType, params);
  const map = (values: RequestValues): Record<string, unknown> => {
    const target: Record<string, unknown> = {};
    for (let i = 0; i < steps.length; i++) steps[i](values, target);
    if (checkOneofs) checkOneofs(target);
    return target;
  };
  const rawBodyAt = params.findIndex((p) => sourceRoot(p) === 'rawBody');
  const bodyAt = params.findIndex((p) => sourceRoot(p) === 'body');
  if (rawBodyAt >= 0 && bodyAt >= 0) {
    // One body, read one way: as JSON or as bytes.
    sink(DiagnosticCode.UNSUPPORTED, `/${Math.max(rawBodyAt, bodyAt)}/from`, `the body cannot be read as JSON (params[${bodyAt}]) and as raw bytes (params[${rawBodyAt}]) by one route`);
  }
  const readsRawBody = rawBodyAt >= 0;
  const mapper: RequestMapper = readsRawBody ? Object.assign(map, { readsRawBody: true }) : map;
  return { mapper, boundQuery, boundPath, bindings, ...(readsRawBody ? { readsRawBody } : {}) };
}

/** A problem of one ParamMapping: the property at fault, its code, the message. */
type ParamProblem = (property: string, code: DiagnosticCode, message: string) => void;

function compileParam(requestType: protobuf.Type, param: ParamMapping, root: SourceRoot, lenientStrings: boolean, report: ParamProblem): { compiled: CompiledParam; binding: BindingPlan } | undefined {
  const sourceName = param.from === undefined || root === 'rawBody' ? '' : param.from.slice(root.length + 1);
  const label = root === 'const' ? 'constant' : root === 'rawBody' ? 'the raw body' : root === 'body' && sourceName === '' ? 'body' : `${SOURCE_LABEL[root]} '${sourceName}'`;
  const kind: SourceKind = root === 'path' || root === 'query' || root === 'header' || root === 'cookie' ? 'text' : lenientStrings ? 'json-lenient' : 'json';
  if (param.entityTag === true && root !== 'header') return void report('entityTag', DiagnosticCode.UNSUPPORTED, `only a header holds entity tags (${label} does not)`);
  if (param.encoding === 'raw' && root !== 'rawBody') return void report('encoding', DiagnosticCode.UNSUPPORTED, `'encoding: raw' reads the whole body as bytes: it needs 'from: body' (not ${param.from === undefined ? 'a constant' : `'${param.from}'`})`);

  // The target: a field chain, or the whole message (`*`).
  let chain: protobuf.Field[] = [];
  let coerce: Coercer;
  let targetLabel: string;
  if (param.to === '*') {
    if (root === 'rawBody') return void report('to', DiagnosticCode.UNSUPPORTED, "the raw body binds to one 'bytes' field, not to the whole request message");
    if (root !== 'body' && root !== 'const') return void report('to', DiagnosticCode.UNSUPPORTED, `'*' (the whole request message) can only be bound from the body or a constant`);
    const message = compileMessageCoercer(requestType, kind, { rename: param.rename, ignore: param.ignore }, (code, _, text) => report('to', code, text));
    if (!message) return undefined;
    coerce = message;
    targetLabel = `the request (${typeName(requestType)})`;
  } else {
    const resolved = planFieldPath(requestType, param.to, nestedSink((code, _, message) => report('to', code, message), ''));
    if (!resolved) return undefined;
    chain = resolved;
    const field = chain[chain.length - 1];
    targetLabel = `field '${param.to}' (${describeField(field)})`;
    const bytesTarget = field.type === 'bytes' && !field.map;
    if (root === 'rawBody' && !(bytesTarget && !field.repeated)) return void report('to', DiagnosticCode.TYPE_MISMATCH, `${label} cannot feed ${targetLabel}: it binds to a singular 'bytes' field`);
    if (param.encoding !== undefined && !bytesTarget) return void report('encoding', DiagnosticCode.TYPE_MISMATCH, `'encoding' applies to 'bytes' fields; ${targetLabel} is not one`);
    const property = param.coerce ? 'coerce' : 'from';
    const fieldCoerce =
      root === 'rawBody' ? rawBytes
      : param.encoding === 'utf8' ? (field.repeated ? utf8List : utf8Bytes)
      : compileFieldCoercer(field, kind, { coerce: param.coerce, rename: param.rename, ignore: param.ignore }, (code, _, message) => report(property, code, `${label} cannot feed ${targetLabel}: ${message}`));
    if (!fieldCoerce) return undefined;
    coerce = fieldCoerce;
    if (kind === 'text' && field.resolvedType instanceof protobuf.Type && !isTextMessage(field.resolvedType)) {
      return void report('from', DiagnosticCode.TYPE_MISMATCH, `${label} cannot feed ${targetLabel}: a text value cannot become a message`);
    }
  }

  const fail = (reason: GatewayReason, message: string, value: unknown, expected: string): GatewayError =>
    new GatewayError(Code.INVALID_ARGUMENT, message, {
      reason,
      metadata: { source: root, param: sourceName, field: param.to, expected, value: typeof value === 'string' ? value : JSON.stringify(value) ?? '' },
    });

  let pattern: RegExp | undefined;
  if (param.pattern !== undefined) {
    try {
      pattern = new RegExp(param.pattern, 'u');
    } catch (err) {
      return void report('pattern', DiagnosticCode.INVALID_VALUE, `invalid regular expression: ${(err as Error).message}`);
    }
  }
  const valueMap = param.map === undefined ? undefined : compileValueMap(param.map, param.mapOptions);
  // The pattern checks what the client sent; the value map then translates it. Both apply to
  // each of several values (repeated query parameters, JSON arrays).
  const prepare = (value: unknown): unknown => {
    if (pattern && typeof value === 'string' && !pattern.test(value)) {
      throw fail(GatewayReason.BINDING_PATTERN, `cannot bind ${label} to ${targetLabel}: '${value}' does not match ${param.pattern}`, value, param.pattern!);
    }
    if (valueMap && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      const mapped = valueMap(String(value));
      if (mapped !== undefined) return mapped;
    }
    return value;
  };
  const prepared = pattern !== undefined || valueMap !== undefined;
  const convert = (raw: unknown): unknown => {
    const value = !prepared ? raw : Array.isArray(raw) ? raw.map(prepare) : prepare(raw);
    try {
      return coerce(value);
    } catch (err) {
      if (!(err instanceof CoercionFailure)) throw err;
      const where = err.at ? ` at '${err.at}'` : '';
      const reason = err.problem === 'range' ? GatewayReason.BINDING_RANGE : GatewayReason.BINDING_TYPE;
      throw fail(reason, `cannot bind ${label} to ${targetLabel}${where}: ${err.message}`, raw, err.expected);
    }
  };

  // Defaults and constants are coerced once, here, so a bad one is a definition error.
  let fallback: unknown;
  const hasDefault = param.default !== undefined;
  if (root === 'const' || hasDefault) {
    try {
      fallback = convert(root === 'const' ? param.const : param.default);
    } catch (err) {
      return void report(root === 'const' ? 'const' : 'default', DiagnosticCode.TYPE_MISMATCH, (err as Error).message);
    }
  }

  const read = compileSourceReader(root, sourceName);
  const assign = compileAssign(chain);
  const required = param.required === true;
  const missing = fail(GatewayReason.BINDING_MISSING, `${label} is required`, '', 'a value');
  let nullValue: unknown;
  const hasNullValue = param.nullValue !== undefined;
  if (hasNullValue) {
    try {
      nullValue = convert(param.nullValue);
    } catch (err) {
      return void report('nullValue', DiagnosticCode.TYPE_MISMATCH, (err as Error).message);
    }
  }
  // A raw body is the whole body (source `body`, no name) read with `encoding: raw`.
  const source: BindingSource = root === 'const' ? { kind: 'const', value: param.const } : { kind: root === 'rawBody' ? 'body' : root, name: sourceName };
  const binding: BindingPlan = {
    source,
    target: param.to,
    fields: chain.map(fieldShape),
    coercion: { from: kind, ...(param.coerce ? { coerce: param.coerce } : {}) },
    required,
    ...(hasDefault ? { default: param.default } : {}),
    ...(hasNullValue ? { nullValue: param.nullValue } : {}),
    ...(param.pattern !== undefined ? { pattern: param.pattern } : {}),
    ...(param.map !== undefined ? { map: param.map } : {}),
    ...(param.mapOptions !== undefined ? { mapOptions: param.mapOptions } : {}),
    ...(param.rename !== undefined ? { rename: param.rename } : {}),
    ...(param.ignore !== undefined ? { ignore: param.ignore } : {}),
    // base64 is what proto3 JSON does anyway: only the other encodings are decisions.
    ...(param.encoding === 'utf8' || param.encoding === 'raw' ? { encoding: param.encoding } : {}),
    ...(param.entityTag === true ? { entityTag: true as const } : {}),
    precedence: PRECEDENCE[root],
  };
  const entityTag = param.entityTag === true;
  const compiled: CompiledParam = {
    precedence: PRECEDENCE[root],
    apply(values, target) {
      let raw = read(values);
      if (raw === null && hasNullValue) {
        assign(target, nullValue);
        return;
      }
      if (raw === undefined || raw === null) {
        if (hasDefault || root === 'const') {
          assign(target, fallback);
          return;
        }
        if (required) throw missing;
        return;
      }
      // A single-valued field takes the first of repeated query values or headers.
      if (Array.isArray(raw) && kind === 'text' && !(chain.length > 0 && chain[chain.length - 1].repeated)) raw = raw[0];
      if (entityTag) raw = Array.isArray(raw) ? raw.map(firstEntityTag) : firstEntityTag(raw);
      assign(target, convert(raw));
    },
  };
  return { compiled, binding };
}

/** Where a mapping reads from: `from`'s first segment; `from: body, encoding: raw` is the raw body. */
function sourceRoot(param: ParamMapping): SourceRoot {
  if (param.from === undefined) return 'const';
  if (param.from === 'body' && param.encoding === 'raw') return 'rawBody';
  return param.from.split('.')[0] as SourceRoot;
}

/** The raw body as it came: bytes already. */
const rawBytes: Coercer = (v) => v;

/** Text as its own UTF-8 bytes (`encoding: utf8`), not as base64. */
const utf8Bytes: Coercer = (v) => {
  if (typeof v !== 'string') throw new CoercionFailure('type', 'text', JSON.stringify(v) ?? String(v));
  return Buffer.from(v, 'utf8');
};
const utf8List: Coercer = (v) => (Array.isArray(v) ? v.map(utf8Bytes) : [utf8Bytes(v)]);

/**
 * The first entity tag of an `If-Match` / `If-None-Match` value (RFC 9110 §8.8.3, §13.1.1),
 * without `W/` and quotes: `"3"` and `W/"3", "4"` give `3`; `*` stays `*`. A value that is
 * not a quoted tag is passed on as it is, for `pattern` to refuse or the coercion to fail on.
 */
export function firstEntityTag(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  const tag = /^(?:W\/)?"([^"]*)"/.exec(text);
  if (tag) return tag[1];
  return text.startsWith('*') ? '*' : text;
}

/**
 * Params that bind different members of one oneof (`choice_text` from the path, `choice_number`
 * from the query) could set two at once; that is refused like two members in one JSON object.
 */
function compileOneofCheck(requestType: protobuf.Type, params: readonly ParamMapping[]): ((target: Record<string, unknown>) => void) | undefined {
  const groups = new Map<string, { path: string[]; members: Set<string> }>();
  for (const p of params) {
    if (p.to === '*') continue;
    // A target that does not resolve was reported when its param compiled.
    const chain = planFieldPath(requestType, p.to, () => {});
    if (!chain) continue;
    const field = chain[chain.length - 1];
    if (!field.partOf) continue;
    const parent = chain.slice(0, -1).map((f) => f.name);
    const key = [...parent, field.partOf.name].join('.');
    const group = groups.get(key) ?? { path: parent, members: new Set<string>() };
    group.members.add(field.name);
    groups.set(key, group);
  }
  const checks = [...groups.entries()].filter(([, g]) => g.members.size > 1);
  if (checks.length === 0) return undefined;
  return (target) => {
    for (const [name, group] of checks) {
      let cur: unknown = target;
      for (const key of group.path) cur = (cur as Record<string, unknown> | undefined)?.[key];
      if (!cur) continue;
      const set = [...group.members].filter((m) => (cur as Record<string, unknown>)[m] !== undefined);
      if (set.length > 1) {
        throw new GatewayError(Code.INVALID_ARGUMENT, `at most one field of oneof '${name}' can be set; got ${set.join(', ')}`, {
          reason: GatewayReason.BINDING_TYPE,
          metadata: { source: 'params', param: set.join(','), field: name, expected: 'at most one oneof member', value: '' },
        });
      }
    }
  };
}

function isTextMessage(type: protobuf.Type): boolean {
  return /^\.google\.protobuf\.(\w+Value|Timestamp|Duration|FieldMask)$/.test(type.fullName) && type.fullName !== '.google.protobuf.Value' && type.fullName !== '.google.protobuf.ListValue';
}

function compileValueMap(map: Record<string, unknown>, options: ParamMapping['mapOptions'] = {}): (value: string) => unknown {
  const normalize = (s: string) => {
    let out = options.trim ? s.trim() : s;
    if (options.caseInsensitive) out = out.toLowerCase();
    return out;
  };
  const table = new Map<string, unknown>();
  for (const [k, v] of Object.entries(map)) table.set(normalize(k), v);
  return (value) => table.get(normalize(value));
}

function compileSourceReader(root: SourceRoot, name: string): (values: RequestValues) => unknown {
  switch (root) {
    case 'path':
      return (v) => v.params[name];
    case 'query':
      return (v) => v.query[name];
    case 'header': {
      const lower = name.toLowerCase();
      return (v) => v.headers[lower];
    }
    case 'cookie':
      return (v) => readCookie(v.headers.cookie, name);
    // An empty body is no body: the field keeps its default (no bytes).
    case 'rawBody':
      return (v) => (v.rawBody === undefined || v.rawBody.length === 0 ? undefined : v.rawBody);
    case 'body': {
      if (name === '') return (v) => v.body;
      const path = name.split('.');
      return (v) => {
        let cur: unknown = v.body;
        for (const key of path) {
          if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
          cur = Object.prototype.hasOwnProperty.call(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
        }
        return cur;
      };
    }
    default:
      return () => undefined;
  }
}

/** Writes a value at a field chain, creating intermediate messages; `*` merges into the root. */
function compileAssign(chain: protobuf.Field[]): (target: Record<string, unknown>, value: unknown) => void {
  if (chain.length === 0) return (target, value) => deepAssign(target, value as Record<string, unknown>);
  const names = chain.map((f) => f.name);
  const last = names[names.length - 1];
  return (target, value) => {
    let cur = target;
    for (let i = 0; i < names.length - 1; i++) {
      const next = cur[names[i]];
      if (typeof next === 'object' && next !== null) cur = next as Record<string, unknown>;
      else cur = cur[names[i]] = {};
    }
    cur[last] = value;
  };
}

function deepAssign(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) deepAssign(existing, value);
    else target[key] = value;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
