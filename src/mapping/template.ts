/**
 * Body templates (responses and errors) compiled into closures. A template reads values from
 * the roots `response` (the decoded reply), `request` (the bound request message), `error`
 * (the classified error) and `item` (the element inside `each`), resolved against the proto
 * types once; rendering only reads fields and calls precompiled renderers.
 */
import protobuf from 'protobufjs';
import type { OmitRule, Template, TemplateNode } from '../frontends/definition.js';
import { describeField, findField, typeName } from './field-path.js';
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

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(readonly pointer: string, message: string) {
    super(message);
  }
}

const NODE_KEYS = new Set(['from', 'const', 'object', 'each']);

/**
 * Compiles a template.
 * @throws TemplateError with the JSON pointer (relative to the template) of the first problem.
 */
export function compileTemplate(template: Template | undefined, scope: TemplateScope, pointer = ''): TemplateRenderer {
  if (template === undefined) return () => undefined;
  if (template === null || typeof template !== 'object') return () => template;
  if (Array.isArray(template)) {
    const items = template.map((t, i) => compileTemplate(t, scope, `${pointer}/${i}`));
    return (ctx) => items.map((r) => r(ctx));
  }
  const node = template as TemplateNode;
  const forms = Object.keys(node).filter((k) => NODE_KEYS.has(k));
  if (forms.length !== 1) {
    throw new TemplateError(pointer, `a template node needs exactly one of from, const, object, each (found ${forms.length === 0 ? 'none' : forms.join(', ')})`);
  }
  let base: TemplateRenderer;
  if (node.const !== undefined) {
    const value = node.const;
    base = () => value;
  } else if (node.object !== undefined) {
    base = compileObject(node.object, scope, `${pointer}/object`);
  } else if (node.each !== undefined) {
    base = compileEach(node, scope, pointer);
  } else {
    base = compileRead(node.from!, scope, `${pointer}/from`, node.int64);
  }
  return decorate(base, node);
}

/** Value maps and defaults wrap any node form. */
function decorate(base: TemplateRenderer, node: TemplateNode): TemplateRenderer {
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

function compileObject(entries: Record<string, Template>, scope: TemplateScope, pointer: string): TemplateRenderer {
  const fields = Object.entries(entries).map(([key, t]) => {
    const at = `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const node = t !== null && typeof t === 'object' && !Array.isArray(t) ? (t as TemplateNode) : undefined;
    return {
      key,
      render: compileTemplate(t, scope, at),
      omit: node?.omitWhen === undefined ? undefined : compileOmit(node.omitWhen),
      when: node?.when === undefined ? undefined : compileRaw(node.when, scope, `${at}/when`),
    };
  });
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

function compileOmit(rules: OmitRule | OmitRule[]): (v: unknown) => boolean {
  const list = Array.isArray(rules) ? rules : [rules];
  const tests = list.map((rule): ((v: unknown) => boolean) => {
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

function compileEach(node: TemplateNode, scope: TemplateScope, pointer: string): TemplateRenderer {
  const { read, shape } = compileAccess(node.each!, scope, `${pointer}/each`);
  let itemShape: RootShape = { kind: 'plain' };
  if (shape.kind === 'field') {
    if (!shape.field.repeated) throw new TemplateError(`${pointer}/each`, `'${node.each}' is not a repeated field (${describeField(shape.field)})`);
    itemShape = shape.field.resolvedType instanceof protobuf.Type ? { kind: 'message', type: shape.field.resolvedType } : { kind: 'element', field: shape.field };
  }
  const item = node.item === undefined ? ({ from: 'item' } as Template) : node.item;
  const render = compileTemplate(item, { ...scope, item: itemShape }, `${pointer}/item`);
  return (ctx) => {
    const list = read(ctx);
    if (!Array.isArray(list)) return [];
    return list.map((element) => render({ ...ctx, item: element }));
  };
}

type Shape = { kind: 'message'; type: protobuf.Type } | { kind: 'field'; field: protobuf.Field } | { kind: 'element'; field: protobuf.Field } | { kind: 'plain' };

/** Resolves a `root.a.b` path: a raw reader plus the shape of what it yields. */
function compileAccess(path: string, scope: TemplateScope, pointer: string): { read: TemplateRenderer; shape: Shape } {
  const [root, ...segments] = path.split('.');
  let shape: Shape;
  switch (root) {
    case 'response':
      if (!scope.response) throw new TemplateError(pointer, `'response' is not available here`);
      shape = { kind: 'message', type: scope.response };
      break;
    case 'request':
      if (!scope.request) throw new TemplateError(pointer, `'request' is not available here`);
      shape = { kind: 'message', type: scope.request };
      break;
    case 'error':
      if (!scope.error) throw new TemplateError(pointer, `'error' is only available in error templates`);
      shape = { kind: 'plain' };
      break;
    case 'metadata':
      if (!scope.metadata) throw new TemplateError(pointer, `'metadata' is only available in response templates`);
      shape = { kind: 'plain' };
      break;
    case 'item':
      if (!scope.item) throw new TemplateError(pointer, `'item' is only available inside 'each'`);
      shape = scope.item.kind === 'element' ? { kind: 'element', field: scope.item.field } : scope.item;
      break;
    default:
      throw new TemplateError(pointer, `unknown root '${root}' (expected response, request, error, item or metadata)`);
  }
  const keys: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (shape.kind === 'plain') {
      keys.push(segment);
      continue;
    }
    if (shape.kind !== 'message') {
      throw new TemplateError(pointer, `cannot read '${segment}' of a ${shape.kind === 'field' ? describeField(shape.field) : 'scalar'} value`);
    }
    const field = findField(shape.type, segment);
    if (!field) throw new TemplateError(pointer, `unknown field '${segment}' in ${typeName(shape.type)}`);
    field.resolve();
    keys.push(field.name);
    const last = i === segments.length - 1;
    if (last) shape = { kind: 'field', field };
    else if (field.resolvedType instanceof protobuf.Type && !field.repeated && !field.map) shape = { kind: 'message', type: field.resolvedType };
    else throw new TemplateError(pointer, `cannot read '${segments[i + 1]}' through ${describeField(field)} field '${segment}'`);
  }
  const rootKey = root as keyof TemplateContext;
  // A field with presence (proto3 `optional`, proto2) that is not set reads as absent, so an
  // object template leaves it out; other fields read their default, as proto3 has it.
  const last = shape.kind === 'field' ? shape.field : undefined;
  const presence = last !== undefined && tracksPresence(last);
  const read: TemplateRenderer = (ctx) => {
    let cur: unknown = ctx[rootKey];
    for (let i = 0; i < keys.length; i++) {
      if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
      if (presence && i === keys.length - 1 && !Object.prototype.hasOwnProperty.call(cur, keys[i])) return undefined;
      // Decoded messages keep field defaults on their prototype, so this is a plain read.
      cur = (cur as Record<string, unknown>)[keys[i]];
    }
    return cur;
  };
  return { read, shape };
}

/** A value rendered as JSON per its proto type (`from`). */
function compileRead(path: string, scope: TemplateScope, pointer: string, int64?: 'string' | 'number'): TemplateRenderer {
  const { read, shape } = compileAccess(path, scope, pointer);
  const json = int64 ? { ...scope.json, int64 } : scope.json;
  let render: ValueRenderer | undefined;
  if (shape.kind === 'message') render = compileMessageRenderer(shape.type, json);
  else if (shape.kind === 'field') render = compileFieldRenderer(shape.field, json);
  else if (shape.kind === 'element') render = elementRenderer(shape.field.resolvedType, shape.field.type, json);
  if (!render) return read;
  const r = render;
  if (shape.kind === 'field' && tracksPresence(shape.field)) {
    return (ctx) => {
      const v = read(ctx);
      return v === undefined ? undefined : r(v);
    };
  }
  return (ctx) => r(read(ctx));
}

/** A raw value for conditions (`when`): truthy means present. */
function compileRaw(path: string, scope: TemplateScope, pointer: string): TemplateRenderer {
  const { read } = compileAccess(path, scope, pointer);
  return (ctx) => {
    const v = read(ctx);
    return Array.isArray(v) ? v.length > 0 : !!v;
  };
}

/** A scalar field declared `optional` in proto3: set or not is part of its value. */
function tracksPresence(field: protobuf.Field): boolean {
  return (field.options as Record<string, unknown> | undefined)?.proto3_optional === true;
}
