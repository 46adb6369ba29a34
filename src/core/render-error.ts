/**
 * The one way out for every error: routes, routing failures (404, 405, 406, 413, 415), requests
 * the HTTP parser refuses, the overload refusal and the admin API all render a GatewayError
 * here. The frontend's error mapping (when there is one) decides status, headers and body;
 * without one the body is grpc-gateway's `{code, message, details}` with the ErrorInfo as a
 * typed detail. If the mapped body cannot be rendered, the frontend's declared fallback goes
 * out (the generic DEFAULT_FALLBACK only when it declares none): an error never escapes as a
 * stack trace.
 */
import { GatewayError, type ErrorDetail } from './gateway-error.js';
import { decodeStatusDetails } from '../grpc/rich-status.js';
import { retryAfterOf } from './http-status.js';
import type { HttpReply } from './http-types.js';

/** What an error mapping makes of an error, before serialisation. */
export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A fixed answer for when rendering fails: a status and a JSON body. */
export interface FallbackBody {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A frontend's (or route's) compiled error mapping (mapping/error-mapper.ts). `fallback` is the
 * frontend's declared fallback body, sent when what the mapping rendered cannot be serialised.
 */
export interface ErrorMapper {
  (error: GatewayError, request?: unknown): RenderedError;
  readonly fallback?: FallbackBody;
}

/** The gateway's fallback when a frontend declares none. */
export const DEFAULT_FALLBACK: FallbackBody = { status: 500, body: { code: 13, message: 'internal error' } };

const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

const detailLists = new WeakMap<GatewayError, readonly ErrorDetail[]>();

/**
 * Every detail of an error as proto3 JSON (`{"@type": …, …fields}`), in the order the default
 * body renders them: the ErrorInfo (reason, domain, metadata) first, then the gateway's own
 * details, then the backend's other details as its `google.rpc.Status` carried them
 * (BadRequest, RetryInfo, …; the backend's ErrorInfo is the first one already). Decoded once
 * per error.
 */
export function errorDetailList(e: GatewayError): readonly ErrorDetail[] {
  let list = detailLists.get(e);
  if (!list) {
    const details: ErrorDetail[] = e.reason ? [{ '@type': ERROR_INFO, reason: e.reason, domain: e.domain, metadata: e.metadata }] : [];
    details.push(...e.details);
    let skippedInfo = !e.reason;
    for (const d of decodeStatusDetails(e.statusDetails)) {
      if (!skippedInfo && d['@type'].endsWith('/google.rpc.ErrorInfo')) {
        skippedInfo = true;
        continue;
      }
      details.push(d);
    }
    list = details;
    detailLists.set(e, list);
  }
  return list;
}

/** grpc-gateway's default error body: `{code, message, details}`, the ErrorInfo first. */
export function defaultErrorBody(e: GatewayError): { code: number; message: string; details: ErrorDetail[] } {
  return { code: e.code, message: e.message, details: [...errorDetailList(e)] };
}

/**
 * `Retry-After` (whole seconds, rounded up) from the error's google.rpc.RetryInfo, when it has
 * one: a backend that says when to retry is heard by HTTP clients too.
 */
export function retryAfterFromDetails(e: GatewayError): string | undefined {
  const info = errorDetailList(e).find((d) => d['@type'].endsWith('/google.rpc.RetryInfo'));
  const delay = typeof info?.retryDelay === 'string' ? /^(-?\d+)(?:\.(\d+))?s$/.exec(info.retryDelay) : null;
  if (!delay) return undefined;
  const seconds = Number(delay[1]) + (delay[2] && Number(delay[2]) > 0 ? 1 : 0);
  return String(Math.max(0, seconds));
}

export interface ErrorRendering {
  /** The error mapping of the route or frontend that answers; absent: the default body. */
  readonly mapError?: ErrorMapper;
  /** The request message bound so far (error templates may read it). */
  readonly request?: unknown;
  /** The media type the body goes out as (the negotiated one); `application/json` by default. */
  readonly contentType?: string;
}

/** Renders an error as an HTTP reply; never throws. */
export function renderError(error: GatewayError, rendering: ErrorRendering = {}): HttpReply {
  const { mapError, request, contentType = 'application/json' } = rendering;
  let status: number;
  let headers: Record<string, string>;
  let body: string;
  try {
    const rendered = mapError ? mapError(error, request) : { status: error.httpStatus, headers: {}, body: defaultErrorBody(error) };
    // JSON.stringify(undefined) is undefined: a template that renders nothing sends `null`.
    body = JSON.stringify(rendered.body) ?? 'null';
    status = rendered.status;
    headers = { 'content-type': contentType, ...rendered.headers };
  } catch {
    const fallback = mapError?.fallback ?? DEFAULT_FALLBACK;
    status = fallback.status;
    headers = { 'content-type': contentType };
    body = JSON.stringify(fallback.body);
  }
  // The table's Retry-After wins over whatever the mapping said (http-status.ts); a RetryInfo
  // detail gives one when neither the table nor the mapping did.
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) headers['retry-after'] = retryAfter;
  else if (!Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) {
    const fromDetails = retryAfterFromDetails(error);
    if (fromDetails !== undefined) headers['retry-after'] = fromDetails;
  }
  return { status, headers, body };
}
