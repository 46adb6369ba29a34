/**
 * The response mapper: a route's ResponseMapping compiled into a closure that turns the decoded
 * reply (and the bound request) into status, headers and a body. Without a body template the
 * whole message goes out as proto3 JSON.
 */
import protobuf from 'protobufjs';
import type { ResponseMapping } from '../frontends/definition.js';
import { compileTemplatePlan, planTemplate, type TemplateRenderer } from './template.js';
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';
import type { CookiePlan, ReadPlan, ResponsePlan, TemplatePlan } from '../routing/route-plan.js';
import { setCookieHeader } from './set-cookie.js';
import { defaultJsonOptions, type JsonRenderOptions } from './message-json.js';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { describeField, findField, typeName } from './field-path.js';

export interface MappedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  /** A JSON value, the raw text when the mapping is `raw`, or a Buffer when it writes a `bytes` field. */
  body: unknown;
  raw: boolean;
}

export type ResponseMapper = ((response: unknown, request: unknown, metadata?: Readonly<Record<string, string>>) => MappedResponse) & {
  /** The body is a `bytes` field written as its bytes: any media type may be asked for. */
  readonly rawBytes?: boolean;
};

/** What an HTTP header value may hold (RFC 9110 field-value: no CR, LF or other controls). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * Checks and resolves a route's ResponseMapping, reporting every problem into `sink`
 * (pointers relative to the mapping).
 * @returns the plan, or undefined when a problem was reported.
 */
export function planResponse(
  mapping: ResponseMapping | undefined,
  types: { response?: protobuf.Type; request?: protobuf.Type },
  frontendJson: Partial<JsonRenderOptions>,
  sink: DiagnosticSink,
): ResponsePlan | undefined {
  const json: JsonRenderOptions = { ...defaultJsonOptions, ...frontendJson, ...mapping?.json };
  const scope = { response: types.response, request: types.request, metadata: true, json };
  let problems = 0;
  const counting: DiagnosticSink = (code, pointer, message) => {
    problems++;
    sink(code, pointer, message);
  };
  let body: TemplatePlan | undefined;
  if (mapping?.body !== undefined) body = planTemplate(mapping.body, scope, counting, '/body');
  else if (types.response) body = planTemplate({ from: 'response' }, scope, counting, '/body');
  const headers: Record<string, TemplatePlan> = {};
  for (const [name, t] of Object.entries(mapping?.headers ?? {})) {
    const plan = planTemplate(t, scope, counting, `/headers/${name}`);
    if (plan) headers[name] = plan;
  }
  const raw = mapping?.raw === true;
  if (raw && mapping?.body === undefined) counting(DiagnosticCode.TEMPLATE, '/raw', "a raw response needs a body template that yields a string (e.g. { from: response.text })");
  const etag = mapping?.etag === undefined ? undefined : planTemplate(mapping.etag, scope, counting, '/etag');
  const textBytes = mapping?.textBytes;
  if (textBytes !== undefined) {
    if (!types.response) counting(DiagnosticCode.TEMPLATE, '/textBytes', 'a route without a gRPC method has no response fields to render as text');
    else textBytes.forEach((path, i) => resolveBytesPath(types.response!, path, (code, message) => counting(code, `/textBytes/${i}`, message)));
  }
  const cookies: CookiePlan[] = [];
  (mapping?.cookies ?? []).forEach((c, i) => {
    if (c.sameSite === 'None' && c.secure !== true) counting(DiagnosticCode.INVALID_VALUE, `/cookies/${i}/sameSite`, 'a SameSite=None cookie must be secure (browsers refuse it otherwise)');
    if (Object.keys(mapping?.headers ?? {}).some((h) => h.toLowerCase() === 'set-cookie')) counting(DiagnosticCode.DUPLICATE_NAME, `/cookies/${i}`, 'cookies and a Set-Cookie header template cannot both be declared');
    const value = planTemplate(c.value, scope, counting, `/cookies/${i}/value`);
    if (value) cookies.push({ ...c, value });
  });
  if (problems > 0) return undefined;
  const plan: ResponsePlan = {
    status: mapping?.status ?? 200,
    raw,
    json,
    headers,
    ...(body ? { body } : {}),
    declared: mapping?.body !== undefined,
    ...(etag ? { etag } : {}),
    ...(textBytes?.length ? { textBytes } : {}),
    ...(cookies.length > 0 ? { cookies } : {}),
  };
  return plan;
}

/**
 * Resolves a `textBytes` path: every segment but the last a message field (singular or
 * repeated), the last a bytes field.
 * @returns the fields walked, or undefined after reporting.
 */
function resolveBytesPath(type: protobuf.Type, path: string, report: (code: DiagnosticCode, message: string) => void): protobuf.Field[] | undefined {
  const names: protobuf.Field[] = [];
  let current = type;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const field = findField(current, segments[i]);
    if (!field) return void report(DiagnosticCode.UNKNOWN_FIELD, `unknown field '${segments[i]}' in ${typeName(current)}`);
    field.resolve();
    names.push(field);
    if (i === segments.length - 1) {
      if (field.type !== 'bytes' || field.map) return void report(DiagnosticCode.TYPE_MISMATCH, `'${path}' is not a bytes field (${describeField(field)})`);
    } else {
      if (!(field.resolvedType instanceof protobuf.Type) || field.map) return void report(DiagnosticCode.TYPE_MISMATCH, `field '${segments[i]}' of ${typeName(current)} is not a message, so '${segments.slice(i + 1).join('.')}' cannot be reached through it`);
      current = field.resolvedType;
    }
  }
  return names;
}

/** Compiles a response plan (made against the same types) into the route's response mapper. */
export function compileResponseMapper(plan: ResponsePlan, types: { response?: protobuf.Type; request?: protobuf.Type }): ResponseMapper {
  const scope = { response: types.response, request: types.request, metadata: true, json: plan.json };
  const status = plan.status;
  const raw = plan.raw;
  // A raw body that reads one bytes field of the reply is written as those bytes, untouched.
  const bytesRead = raw && plan.body?.kind === 'read' && isBytesRead(plan.body.source) ? plan.body.source.keys : undefined;
  const body: TemplateRenderer = bytesRead ? (ctx) => readBytes(ctx.response, bytesRead) : plan.body ? compileTemplatePlan(plan.body, scope) : () => ({});
  const headers: [string, TemplateRenderer][] = Object.entries(plan.headers).map(([name, t]) => [name.toLowerCase(), compileTemplatePlan(t, scope)]);
  const etag = plan.etag ? compileTemplatePlan(plan.etag, scope) : undefined;
  const cookies = (plan.cookies ?? []).map((c) => ({ attributes: c, render: compileTemplatePlan(c.value, scope) }));
  const asText = plan.textBytes && types.response ? compileTextBytes(types.response, plan.textBytes) : undefined;

  const mapper = (response: unknown, request: unknown, metadata?: Readonly<Record<string, string>>): MappedResponse => {
    const ctx = { response: asText && response ? asText(response) : response, request, metadata };
    const out: Record<string, string | string[]> = {};
    for (const [name, render] of headers) {
      const v = render(ctx);
      if (v === undefined || v === null) continue;
      out[name] = headerText(name, String(v));
    }
    if (etag) {
      const v = etag(ctx);
      // RFC 9110 §8.8.3: an entity tag is quoted and holds no quote itself.
      if (v !== undefined && v !== null && v !== '') {
        const text = String(v);
        if (text.includes('"')) throw new GatewayError(Code.INTERNAL, `the ETag value '${text}' holds a quote, which an entity tag cannot`, { reason: GatewayReason.INTERNAL });
        out['etag'] = headerText('etag', `"${text}"`);
      }
    }
    const setCookies: string[] = [];
    for (const c of cookies) {
      const v = c.render(ctx);
      // An empty value (proto3's default for an unset field) sets nothing, unless the cookie
      // is declared to expire: then `name=; Max-Age=0` is how a cookie is removed.
      const removes = c.attributes.maxAgeSeconds !== undefined && c.attributes.maxAgeSeconds <= 0;
      if ((v === undefined || v === null || v === '') && !removes) continue;
      setCookies.push(setCookieHeader(c.attributes, typeof v === 'string' ? v : JSON.stringify(v)));
    }
    if (setCookies.length > 0) out['set-cookie'] = setCookies;
    let value = body(ctx);
    if (raw && typeof value !== 'string' && !Buffer.isBuffer(value)) value = value === undefined || value === null ? '' : JSON.stringify(value);
    return { status, headers: out, body: value, raw };
  };
  return bytesRead ? Object.assign(mapper, { rawBytes: true }) : mapper;
}

/**
 * A header value as it goes out.
 * @throws GatewayError INTERNAL for characters HTTP does not allow in a header.
 */
function headerText(name: string, text: string): string {
  if (!HEADER_VALUE.test(text)) throw new GatewayError(Code.INTERNAL, `response header '${name}' would carry characters HTTP does not allow`, { reason: GatewayReason.INTERNAL });
  return text;
}

function isBytesRead(source: ReadPlan): boolean {
  return source.root === 'response' && source.shape.kind === 'field' && source.shape.field.kind === 'bytes' && !source.shape.field.repeated && !source.shape.field.map;
}

/** A bytes field of the reply as a Buffer over the same memory (empty when unset). */
function readBytes(response: unknown, keys: readonly string[]): Buffer {
  let cur: unknown = response;
  for (const key of keys) cur = cur === undefined || cur === null ? undefined : (cur as Record<string, unknown>)[key];
  if (cur instanceof Uint8Array) return Buffer.from(cur.buffer, cur.byteOffset, cur.byteLength);
  return Buffer.alloc(0);
}

/** Field name → what to do inside it: turn it (one value or a list) to text, or descend. */
type TextTree = Map<string, TextTree | 'one' | 'list'>;

/**
 * Compiles `textBytes` into a function that copies the decoded reply with those bytes fields
 * as UTF-8 strings (message-json writes a string given for a bytes field as it is). Only the
 * messages on the way are copied; each copy keeps its prototype, where protobufjs keeps the
 * defaults of unset fields.
 */
function compileTextBytes(type: protobuf.Type, paths: readonly string[]): (message: unknown) => unknown {
  const tree: TextTree = new Map();
  for (const path of paths) {
    const fields = resolveBytesPath(type, path, () => {});
    if (!fields) continue;
    let node = tree;
    fields.forEach((field, i) => {
      if (i === fields.length - 1) return void node.set(field.name, field.repeated ? 'list' : 'one');
      let next = node.get(field.name);
      if (!(next instanceof Map)) node.set(field.name, (next = new Map()));
      node = next;
    });
  }
  const toText = (v: unknown): unknown => (v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8') : Array.isArray(v) ? Buffer.from(v).toString('utf8') : v);
  const copy = (message: unknown, node: TextTree): unknown => {
    if (typeof message !== 'object' || message === null) return message;
    const out = Object.assign(Object.create(Object.getPrototypeOf(message)) as Record<string, unknown>, message);
    for (const [name, inner] of node) {
      const v = out[name];
      if (v === undefined || v === null) continue;
      if (inner === 'list') out[name] = Array.isArray(v) ? v.map(toText) : v;
      else if (inner === 'one') out[name] = toText(v);
      else out[name] = Array.isArray(v) ? v.map((m) => copy(m, inner)) : copy(v, inner);
    }
    return out;
  };
  return (message) => copy(message, tree);
}
