/**
 * Reading an HttpInput the same way on every road in (plain requests, streams, WebSockets):
 * header values, the first of repeated query values, the Host, and the headers forwarded to
 * the backend as gRPC metadata.
 */
import { Code, gatewayError, GatewayReason } from './gateway-error.js';
import type { HttpInput } from './http-types.js';

export const REQUEST_ID = 'x-request-id';

/** A header's value; repeated headers joined as HTTP joins them. */
export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The first of repeated values: what the request mapper binds to a scalar (DESIGN.md §8). */
export function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function accept(input: HttpInput): string | undefined {
  return headerValue(input.headers['accept']);
}

/** The Host header without its port, lower-case (`[::1]:80` → `[::1]`). */
export function hostOf(headers: HttpInput['headers']): string | undefined {
  const host = headerValue(headers['host']);
  if (!host) return undefined;
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/** gRPC metadata values are printable ASCII; anything else (CR, LF, controls) is refused. */
const METADATA_VALUE = /^[\x20-\x7e]*$/;

/**
 * The request headers a route forwards, as gRPC metadata (x-request-id is the gateway's id).
 * @throws GatewayError INVALID_ARGUMENT (BINDING_TYPE) for a value metadata cannot carry.
 */
export function forwardedMetadata(names: readonly string[], headers: HttpInput['headers'], requestId: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = name === REQUEST_ID ? requestId : headerValue(headers[name]);
    if (v === undefined) continue;
    if (!METADATA_VALUE.test(v)) {
      throw gatewayError(Code.INVALID_ARGUMENT, GatewayReason.BINDING_TYPE, `header '${name}' cannot be forwarded: it holds characters gRPC metadata does not allow`, { source: 'header', param: name });
    }
    out[name] = v;
  }
  return out;
}
