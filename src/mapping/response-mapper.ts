/**
 * The response mapper: a route's ResponseMapping compiled into a closure that turns the decoded
 * reply (and the bound request) into status, headers and a body. Without a body template the
 * whole message goes out as proto3 JSON.
 */
import protobuf from 'protobufjs';
import type { ResponseMapping } from '../frontends/definition.js';
import { compileTemplatePlan, planTemplate, type TemplateRenderer } from './template.js';
import { DiagnosticCode, type DiagnosticSink } from '../frontends/diagnostics.js';
import type { ResponsePlan, TemplatePlan } from '../routing/route-plan.js';
import { defaultJsonOptions, type JsonRenderOptions } from './message-json.js';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';

export interface MappedResponse {
  status: number;
  headers: Record<string, string>;
  /** A JSON value, or the raw text when the mapping is `raw`. */
  body: unknown;
  raw: boolean;
}

export type ResponseMapper = (response: unknown, request: unknown, metadata?: Readonly<Record<string, string>>) => MappedResponse;

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
  if (problems > 0) return undefined;
  return { status: mapping?.status ?? 200, raw, json, headers, ...(body ? { body } : {}), declared: mapping?.body !== undefined };
}

/** Compiles a response plan (made against the same types) into the route's response mapper. */
export function compileResponseMapper(plan: ResponsePlan, types: { response?: protobuf.Type; request?: protobuf.Type }): ResponseMapper {
  const scope = { response: types.response, request: types.request, metadata: true, json: plan.json };
  const status = plan.status;
  const raw = plan.raw;
  const body: TemplateRenderer = plan.body ? compileTemplatePlan(plan.body, scope) : () => ({});
  const headers: [string, TemplateRenderer][] = Object.entries(plan.headers).map(([name, t]) => [name.toLowerCase(), compileTemplatePlan(t, scope)]);

  return (response, request, metadata) => {
    const ctx = { response, request, metadata };
    const out: Record<string, string> = {};
    for (const [name, render] of headers) {
      const v = render(ctx);
      if (v === undefined || v === null) continue;
      const text = String(v);
      if (!HEADER_VALUE.test(text)) throw new GatewayError(Code.INTERNAL, `response header '${name}' would carry characters HTTP does not allow`, { reason: GatewayReason.INTERNAL });
      out[name] = text;
    }
    let value = body(ctx);
    if (raw && typeof value !== 'string') value = value === undefined || value === null ? '' : JSON.stringify(value);
    return { status, headers: out, body: value, raw };
  };
}
