/**
 * Body templates (responses and errors). A template is first planned: checked and resolved
 * against the proto types of the roots `response` (the decoded reply), `request` (the bound
 * request message), `error` (the classified error), `item` (the element inside `each`) and
 * `metadata` (the upstream's response metadata), giving a TemplatePlan (plain data, see
 * routing/route-plan.ts) and reporting every problem into a DiagnosticSink. The plan is then
 * compiled into closures; rendering only reads fields and calls precompiled renderers.
 */
import protobuf from 'protobufjs';
import type { OmitRule, Template, TemplateNode } from '../frontends/definition.js';
import { DiagnosticCode, type DiagnosticCode as Code, type DiagnosticSink } from '../frontends/diagnostics.js';
import { fieldShape, lookupField, type FieldShape, type FormatPartPlan, type ObjectFieldPlan, type ReadPlan, type TemplatePlan, type ValueShape } from '../routing/route-plan.js';
import { describeField, findField, typeName } from './field-path.js';
import { parseFormat } from './format-string.js';
import { compileFieldRenderer, compileMessageRenderer, elementRenderer, type JsonRenderOptions, type ValueRenderer } from './message-json.js';

export interface TemplateContext {
  response?: unknown;
  request?: unknown;
  error?: unknown;
  item?: unknown;
  /** The upstream's response metadata (initial and trailing, text values). */
  metadata?: unknown;
}

export type TemplateRenderer = (ctx: TemplateContext) => unknown;

/** What a root holds: a message type, a single field's element, or untyped plain data. */
type RootShape = { kind: 'message'; type: protobuf.Type } | { kind: 'element'; field: protobuf.Field } | { kind: 'plain' };

export interface TemplateScope {
  response?: protobuf.Type;
  request?: protobuf.Type;
  /** `error` is always available as plain data in error templates. */
  error?: boolean;
  /** `metadata` (the upstream's response metadata) is available in response templates. */
  metadata?: boolean;
  item?: RootShape;
  json: JsonRenderOptions;
}

const NODE_KEYS = new Set(['from', 'const', 'object', 'each', 'format']);

/**
 * Well-known message types whose proto3 JSON is a single string or scalar, so a `format`
 * reference may write them as text; any other message is refused at load.
 */
const SCALAR_JSON_MESSAGES = new Set(
  ['Timestamp', 'Duration', 'FieldMask', 'DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map(
    (n) => `.google.protobuf.${n}`,
  ),
);

/**
 * The shape of plain data a template reads: `leaf` (a scalar), `list` (read whole or walked
 * with `each`), `open` (any key below: metadata maps), or an object of known keys.
 */
type PlainShape = 'leaf' | 'list' | 'open' | { readonly [key: string]: PlainShape };

/**
 * What `error.` offers (error-mapper.ts, ErrorView): a path outside it can never resolve, so it
 * fails at load instead of rendering nothing. Detail fields use their proto3 JSON names, as
 * `error.details.list` renders them.
 */
export const ERROR_VIEW_SHAPE: PlainShape = {
  code: 'leaf',
  codeName: 'leaf',
  message: 'leaf',
  reason: 'leaf',
  domain: 'leaf',
  metadata: 'open',
  httpStatus: 'leaf',
  details: {
    list: 'list',
    errorInfo: { reason: 'leaf', domain: 'leaf', metadata: 'open' },
    retryInfo: { retryDelay: 'leaf' },
    debugInfo: { stackEntries: 'list', detail: 'leaf' },
    quotaFailure: { violations: 'list' },
    preconditionFailure: { violations: 'list' },
    badRequest: { fieldViolations: 'list' },
    requestInfo: { requestId: 'leaf', servingData: 'leaf' },
    resourceInfo: { resourceType: 'leaf', resourceName: 'leaf', owner: 'leaf', description: 'leaf' },
    help: { links: 'list' },
    localizedMessage: { locale: 'leaf', message: 'leaf' },
  },
};

/** Checks `segments` (after `root`) against a plain shape; the problem's message, or undefined. */
function plainPathProblem(root: string, shape: PlainShape, segments: readonly string[]): string | undefined {
  let current = shape;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const at = [root, ...segments.slice(0, i)].join('.');
    if (current === 'open') return undefined;
    if (current === 'leaf' || current === 'list') return `'${at}' is ${current === 'list' ? "a list (read it whole, or walk it with 'each')" : 'a single value'}: it has no '${segment}'`;
    const next: PlainShape | undefined = Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (next === undefined) {
      const camel = segment.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== segment && Object.hasOwn(current, camel) ? ` (the JSON name is '${camel}')` : '';
      return `'${at}' has no '${segment}'${hint}; it has ${Object.keys(current).join(', ')}`;
    }
    current = next;
  }
  return undefined;
}

/**
 * Checks and resolves a template, reporting every problem into `sink` (pointers relative to
 * the template, prefixed with `pointer`).
 * @returns the plan, or undefined when a problem was reported.
 */
export function planTemplate(template: Template, scope: TemplateScope, sink: DiagnosticSink, pointer = ''): TemplatePlan | undefined {
  let problems = 0;
  const counting: DiagnosticSink = (code, at, message) => {
    problems++;
    sink(code, at, message);
  };
  const plan = planNode(template, planScope(scope), counting, pointer);
  return problems === 0 ? plan : undefined;
}

/** The scope as planning sees it: item shapes as plan data. */
interface PlanScope {
  response?: protobuf.Type;
  request?: protobuf.Type;
  error?: boolean;
  metadata?: boolean;
  item?: { kind: 'message'; type: protobuf.Type } | { kind: 'element'; field: protobuf.Field } | { kind: 'plain' };
}

function planScope(scope: TemplateScope): PlanScope {
  return { response: scope.response, request: scope.request, error: scope.error, metadata: scope.metadata, item: scope.item };
}

function planNode(template: Template, scope: PlanScope, sink: DiagnosticSink, pointer: string): TemplatePlan {
  if (template === null || typeof template !== 'object') return { kind: 'const', value: template, literal: true };
  if (Array.isArray(template)) return { kind: 'array', items: template.map((t, i) => planNode(t, scope, sink, `${pointer}/${i}`)) };
  const node = template as TemplateNode;
  const forms = Object.keys(node).filter((k) => NODE_KEYS.has(k));
  const decorations = { ...(node.map === undefined ? {} : { map: node.map }), ...(node.default === undefined ? {} : { default: node.default }) };
  if (forms.length !== 1) {
    sink(DiagnosticCode.TEMPLATE, pointer, `a template node needs exactly one of from, const, object, each, format (found ${forms.length === 0 ? 'none' : forms.join(', ')})`);
    return { kind: 'const', value: undefined };
  }
  if (node.const !== undefined) return { kind: 'const', value: node.const, ...decorations };
  if (node.format !== undefined) return { kind: 'format', format: node.format, parts: planFormat(node.format, scope, sink, `${pointer}/format`), ...decorations };
  if (node.object !== undefined) return { kind: 'object', fields: planObject(node.object, scope, sink, `${pointer}/object`), ...decorations };
  if (node.each !== undefined) {
    const at = `${pointer}/each`;
    const source = planRead(node.each, scope, sink, at);
    let item: PlanScope['item'] = { kind: 'plain' };
    const field = source && source.shape.kind === 'field' ? fieldOf(source, scope) : undefined;
    if (field) {
      if (!field.repeated) sink(DiagnosticCode.TYPE_MISMATCH, at, `'${node.each}' is not a repeated field (${describeField(field)})`);
      item = field.resolvedType instanceof protobuf.Type ? { kind: 'message', type: field.resolvedType } : { kind: 'element', field };
    }
    const itemTemplate = node.item === undefined ? ({ from: 'item' } as Template) : node.item;
    const itemPlan = planNode(itemTemplate, { ...scope, item }, sink, `${pointer}/item`);
    return { kind: 'each', source: source ?? unresolved(node.each), item: itemPlan, ...decorations };
  }
  const source = planRead(node.from!, scope, sink, `${pointer}/from`);
  return { kind: 'read', source: source ?? unresolved(node.from!), ...(node.int64 === undefined ? {} : { int64: node.int64 }), ...decorations };
}

function unresolved(path: string): ReadPlan {
  return { path, root: 'error', keys: [], shape: { kind: 'plain' } };
}

function planObject(entries: Record<string, Template>, scope: PlanScope, sink: DiagnosticSink, pointer: string): ObjectFieldPlan[] {
  return Object.entries(entries).map(([key, t]) => {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const node = t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as TemplateNode) : undefined;
    const when = node?.when === undefined ? undefined : planRead(node.when, scope, sink, `${at}/when`);
    const omitWhen = node?.omitWhen === undefined ? undefined : Array.isArray(node.omitWhen) ? node.omitWhen : [node.omitWhen];
    return { key, value: planNode(t, scope, sink, at), ...(omitWhen ? { omitWhen } : {}), ...(when ? { when } : {}) };
  });
}

/**
 * Plans the pieces of a `format` string. Each reference is resolved as a `from` would be, and
 * must name a value with a text form: a scalar, an enum, or a well-known type written as a
 * string; a message, a list or a map is refused (a string built from an object has no one
 * obvious spelling). Problems name the column inside the string.
 */
function planFormat(format: string, scope: PlanScope, sink: DiagnosticSink, pointer: string): FormatPartPlan[] {
  const { pieces, problems } = parseFormat(format);
  for (const p of problems) sink(DiagnosticCode.TEMPLATE, pointer, `format '${format}', column ${p.column}: ${p.message}`);
  const parts: FormatPartPlan[] = [];
  for (const piece of pieces) {
    if ('text' in piece) {
      parts.push({ text: piece.text });
      continue;
    }
    const where = `format '${format}', column ${piece.column}`;
    const located: DiagnosticSink = (code, at, message) => sink(code, at, `${where}: ${message}`);
    const read = planRead(piece.path, scope, located, pointer);
    if (!read) continue;
    const problem = textlessValue(read);
    if (problem) {
      located(DiagnosticCode.TYPE_MISMATCH, pointer, `'${piece.path}' ${problem}; a format reference needs a single value (a scalar, an enum, a timestamp, ...)`);
      continue;
    }
    parts.push({ read });
  }
  return parts;
}

/** Why a resolved value has no text form, or undefined when it has one. */
function textlessValue(read: ReadPlan): string | undefined {
  const shape = read.shape;
  if (shape.kind === 'message') return SCALAR_JSON_MESSAGES.has(shape.type) ? undefined : `is a message (${shape.type})`;
  if (shape.kind === 'plain') {
    if (read.root !== 'error') return undefined;
    const at = plainShapeAt(ERROR_VIEW_SHAPE, read.keys);
    if (at === 'list') return 'is a list';
    if (typeof at === 'object') return 'is an object';
    return undefined;
  }
  const field = shape.field;
  if (shape.kind === 'field' && field.map) return 'is a map';
  if (shape.kind === 'field' && field.repeated) return 'is a repeated field';
  if (field.element === 'message' && !SCALAR_JSON_MESSAGES.has(field.kind)) return `is a message (${field.kind})`;
  return undefined;
}

/** The plain shape at the end of a checked path. */
function plainShapeAt(shape: PlainShape, keys: readonly string[]): PlainShape {
  let current = shape;
  for (const key of keys) {
    if (typeof current !== 'object') return current;
    current = current[key];
  }
  return current;
}

/** The protobufjs field behind a field shape read in this scope. */
function fieldOf(read: ReadPlan, scope: PlanScope): protobuf.Field | undefined {
  if (read.shape.kind !== 'field') return undefined;
  const root = scope.response?.root ?? scope.request?.root ?? (scope.item && scope.item.kind === 'message' ? scope.item.type.root : scope.item && scope.item.kind === 'element' ? scope.item.field.root : undefined);
  return root ? lookupField(root as protobuf.Root, read.shape.field) : undefined;
}

/** Resolves a `root.a.b` path against the scope; undefined (after reporting) when it does not. */
function planRead(path: string, scope: PlanScope, sink: DiagnosticSink, pointer: string): ReadPlan | undefined {
  const [root, ...segments] = path.split('.');
  let shape: { kind: 'message'; type: protobuf.Type } | { kind: 'field' | 'element'; field: protobuf.Field } | { kind: 'plain' };
  const fail = (code: Code, message: string) => {
    sink(code, pointer, message);
    return undefined;
  };
  switch (root) {
    case 'response':
      if (!scope.response) return fail(DiagnosticCode.TEMPLATE, `'response' is not available here`);
      shape = { kind: 'message', type: scope.response };
      break;
    case 'request':
      if (!scope.request) return fail(DiagnosticCode.TEMPLATE, `'request' is not available here`);
      shape = { kind: 'message', type: scope.request };
      break;
    case 'error': {
      if (!scope.error) return fail(DiagnosticCode.TEMPLATE, `'error' is only available in error templates`);
      const problem = plainPathProblem('error', ERROR_VIEW_SHAPE, segments);
      if (problem) return fail(DiagnosticCode.UNKNOWN_FIELD, problem);
      shape = { kind: 'plain' };
      break;
    }
    case 'metadata':
      if (!scope.metadata) return fail(DiagnosticCode.TEMPLATE, `'metadata' is only available in response templates`);
      shape = { kind: 'plain' };
      break;
    case 'item':
      if (!scope.item) return fail(DiagnosticCode.TEMPLATE, `'item' is only available inside 'each'`);
      shape = scope.item;
      break;
    default:
      return fail(DiagnosticCode.TEMPLATE, `unknown root '${root}' (expected response, request, error, item or metadata)`);
  }
  const keys: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (shape.kind === 'plain') {
      keys.push(segment);
      continue;
    }
    if (shape.kind !== 'message') {
      return fail(DiagnosticCode.TYPE_MISMATCH, `cannot read '${segment}' of a ${shape.kind === 'field' ? describeField(shape.field) : 'scalar'} value`);
    }
    const field = findField(shape.type, segment);
    if (!field) return fail(DiagnosticCode.UNKNOWN_FIELD, `unknown field '${segment}' in ${typeName(shape.type)}`);
    field.resolve();
    keys.push(field.name);
    const last = i === segments.length - 1;
    if (last) shape = { kind: 'field', field };
    else if (field.resolvedType instanceof protobuf.Type && !field.repeated && !field.map) shape = { kind: 'message', type: field.resolvedType };
    else return fail(DiagnosticCode.TYPE_MISMATCH, `cannot read '${segments[i + 1]}' through ${describeField(field)} field '${segment}'`);
  }
  let planned: ValueShape;
  if (shape.kind === 'message') planned = { kind: 'message', type: shape.type.fullName };
  else if (shape.kind === 'plain') planned = { kind: 'plain' };
  else planned = { kind: shape.kind, field: fieldShape(shape.field) };
  return { path, root: root as ReadPlan['root'], keys, shape: planned };
}

// ---- Plan → closures ---------------------------------------------------------------------

/** Where compiled closures find the proto types a plan names. */
interface Types {
  root?: protobuf.Root;
  json: JsonRenderOptions;
}

/**
 * Compiles a plan (made by planTemplate against the same scope) into a renderer.
 * @throws Error only when the plan names types the scope's protos do not have (a plan made
 * against other protos).
 */
export function compileTemplatePlan(plan: TemplatePlan, scope: TemplateScope): TemplateRenderer {
  const root = (scope.response?.root ?? scope.request?.root ?? (scope.item && scope.item.kind === 'message' ? scope.item.type.root : undefined)) as protobuf.Root | undefined;
  return compileNode(plan, { root, json: scope.json });
}

function compileNode(plan: TemplatePlan, types: Types): TemplateRenderer {
  switch (plan.kind) {
    case 'format':
      return decorate(compileFormat(plan.parts, types), plan);
    case 'const': {
      const value = plan.value;
      return decorate(() => value, plan);
    }
    case 'array': {
      const items = plan.items.map((t) => compileNode(t, types));
      return (ctx) => items.map((r) => r(ctx));
    }
    case 'object':
      return decorate(compileObject(plan.fields, types), plan);
    case 'each': {
      const read = compileAccess(plan.source);
      const render = compileNode(plan.item, types);
      return decorate((ctx) => {
        const list = read(ctx);
        if (!Array.isArray(list)) return [];
        return list.map((element) => render({ ...ctx, item: element }));
      }, plan);
    }
    case 'read':
      return decorate(compileRead(plan.source, types, plan.int64), plan);
  }
}

/**
 * A `format` node: literal text and each reference's JSON value written as text (strings as
 * they are, numbers and booleans as JSON writes them, 64-bit integers in decimal, enums by
 * name, a missing value as nothing). Plain data that turns out not to be a scalar (a metadata
 * value sent twice) is written as its JSON text.
 */
function compileFormat(parts: readonly FormatPartPlan[], types: Types): TemplateRenderer {
  // 64-bit integers as decimal strings, whatever the node's JSON options: exact, never 1e+21.
  const decimal: Types = { ...types, json: { ...types.json, int64: 'string' } };
  const pieces = parts.map((p): TemplateRenderer => {
    if ('text' in p) {
      const text = p.text;
      return () => text;
    }
    const read = compileRead(p.read, decimal);
    return (ctx) => asText(read(ctx));
  });
  return (ctx) => {
    let out = '';
    for (const piece of pieces) out += piece(ctx) as string;
    return out;
  };
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Value maps and defaults wrap any node form. */
function decorate(base: TemplateRenderer, node: { map?: Readonly<Record<string, unknown>>; default?: unknown }): TemplateRenderer {
  let out = base;
  if (node.map !== undefined) {
    const table = new Map(Object.entries(node.map));
    const inner = out;
    out = (ctx) => {
      const v = inner(ctx);
      const key = String(v);
      return table.has(key) ? table.get(key) : v;
    };
  }
  if (node.default !== undefined) {
    const fallback = node.default;
    const inner = out;
    out = (ctx) => inner(ctx) ?? fallback;
  }
  return out;
}

function compileObject(entries: readonly ObjectFieldPlan[], types: Types): TemplateRenderer {
  const fields = entries.map((f) => ({
    key: f.key,
    render: compileNode(f.value, types),
    omit: f.omitWhen === undefined ? undefined : compileOmit(f.omitWhen),
    when: f.when === undefined ? undefined : compileRaw(f.when),
  }));
  return (ctx) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (f.when && !f.when(ctx)) continue;
      const v = f.render(ctx);
      if (v === undefined || (f.omit && f.omit(v))) continue;
      out[f.key] = v;
    }
    return out;
  };
}

function compileOmit(rules: readonly OmitRule[]): (v: unknown) => boolean {
  const tests = rules.map((rule): ((v: unknown) => boolean) => {
    if (rule === 'null') return (v) => v === null;
    if (rule === 'empty') return isEmpty;
    const expected = JSON.stringify(rule.equals);
    return (v) => JSON.stringify(v) === expected;
  });
  return (v) => tests.some((t) => t(v));
}

/** Jackson's NON_EMPTY: null, '', [] and {} are empty. */
function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** The raw reader of a resolved path. */
function compileAccess(source: ReadPlan): TemplateRenderer {
  const rootKey = source.root as keyof TemplateContext;
  const keys = source.keys;
  // A field with presence (proto3 `optional`, proto2) that is not set reads as absent, so an
  // object template leaves it out; other fields read their default, as proto3 has it.
  const presence = source.shape.kind === 'field' && source.shape.field.presence;
  return (ctx) => {
    let cur: unknown = ctx[rootKey];
    for (let i = 0; i < keys.length; i++) {
      if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
      if (presence && i === keys.length - 1 && !Object.prototype.hasOwnProperty.call(cur, keys[i])) return undefined;
      // Decoded messages keep field defaults on their prototype, so this is a plain read.
      cur = (cur as Record<string, unknown>)[keys[i]];
    }
    return cur;
  };
}

/** A value rendered as JSON per its proto type (`from`). */
function compileRead(source: ReadPlan, types: Types, int64?: 'string' | 'number'): TemplateRenderer {
  const read = compileAccess(source);
  const json = int64 ? { ...types.json, int64 } : types.json;
  const shape = source.shape;
  let render: ValueRenderer | undefined;
  if (shape.kind === 'message') render = compileMessageRenderer(types.root!.lookupType(shape.type), json);
  else if (shape.kind === 'field') render = compileFieldRenderer(field(types, shape.field), json);
  else if (shape.kind === 'element') {
    const f = field(types, shape.field);
    render = elementRenderer(f.resolvedType, f.type, json);
  }
  if (!render) return read;
  const r = render;
  if (shape.kind === 'field' && shape.field.presence) {
    return (ctx) => {
      const v = read(ctx);
      return v === undefined ? undefined : r(v);
    };
  }
  return (ctx) => r(read(ctx));
}

function field(types: Types, shape: FieldShape): protobuf.Field {
  return lookupField(types.root!, shape);
}

/** A raw value for conditions (`when`): truthy means present. */
function compileRaw(source: ReadPlan): TemplateRenderer {
  const read = compileAccess(source);
  return (ctx) => {
    const v = read(ctx);
    return Array.isArray(v) ? v.length > 0 : !!v;
  };
}
