/**
 * The response mapper: a route's ResponseMapping compiled into a closure that turns the decoded
 * reply (and the bound request) into status, headers and a body. Without a body template the
 * whole message goes out as proto3 JSON.
 */
import protobuf from 'protobufjs';
import type { ResponseMapping } from '../frontends/definition.js';
import { compileTemplate, type TemplateRenderer, TemplateError } from './template.js';
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
 * @throws TemplateError with the pointer (relative to the mapping) of the problem.
 */
export function compileResponseMapper(
  mapping: ResponseMapping | undefined,
  types: { response?: protobuf.Type; request?: protobuf.Type },
  frontendJson: Partial<JsonRenderOptions> = {},
): ResponseMapper {
  const json: JsonRenderOptions = { ...defaultJsonOptions, ...frontendJson, ...mapping?.json };
  const scope = { response: types.response, request: types.request, metadata: true, json };
  const status = mapping?.status ?? 200;
  const raw = mapping?.raw === true;
  let body: TemplateRenderer;
  if (mapping?.body !== undefined) body = compileTemplate(mapping.body, scope, '/body');
  else if (types.response) body = compileTemplate({ from: 'response' }, scope, '/body');
  else body = () => ({});
  const headers: [string, TemplateRenderer][] = Object.entries(mapping?.headers ?? {}).map(([name, t]) => [name.toLowerCase(), compileTemplate(t, scope, `/headers/${name}`)]);
  if (raw && mapping?.body === undefined) throw new TemplateError('/raw', "a raw response needs a body template that yields a string (e.g. { from: response.text })");

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
