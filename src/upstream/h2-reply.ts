/**
 * Reading a gRPC reply off the lean HTTP/2 connection, shared by unary calls
 * (http2-upstream.ts) and streaming calls (http2-stream.ts): header blocks as objects, their
 * text metadata, and the error of a stream that ended without a gRPC status.
 */
import { Code, type GatewayError } from '../core/gateway-error.js';
import { RST } from './h2-connection.js';
import type { HeaderList } from './hpack.js';
import { httpStatusError, statusToGatewayError } from './status.js';

/** A header block as an object: the first value of a repeated name first, like node:http2. */
export type ReplyHeaders = Record<string, string | string[]>;

/** Response headers that are not metadata (grpc-js drops the same ones). */
const STATUS_KEYS = new Set(['grpc-status', 'grpc-message', 'grpc-encoding', 'grpc-accept-encoding']);

/** A decoded header list as an object; a repeated name collects its values in order. */
export function toObject(fields: HeaderList): ReplyHeaders {
  const out: ReplyHeaders = {};
  for (const [name, value] of fields) {
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else out[name] = [seen, value];
  }
  return out;
}

/** The first value of a header. */
export function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Text metadata of a header block (first value of each key), without pseudo and status keys. */
export function copyMetadata(headers: ReplyHeaders, into: Record<string, string>): void {
  for (const key of Object.keys(headers)) {
    if (key.charCodeAt(0) === 58 /* : */ || STATUS_KEYS.has(key) || key.endsWith('-bin')) continue;
    const v = headerText(headers[key]);
    if (v !== undefined) into[key] = v;
  }
}

/**
 * The error of a stream that ended without a gRPC status (reset with `rst`, or END_STREAM
 * without trailers: NO_ERROR), worded as grpc-js words it. `httpStatus` 0: no response
 * headers came. (A REFUSED_STREAM was never processed: callers may send the call again.)
 */
export function resetError(rst: number, httpStatus: number): GatewayError {
  if (rst === RST.REFUSED_STREAM) return localError(Code.UNAVAILABLE, 'Stream refused by server');
  if (rst === RST.CANCEL) return localError(Code.CANCELLED, 'Call cancelled');
  if (rst === RST.ENHANCE_YOUR_CALM) return localError(Code.RESOURCE_EXHAUSTED, 'Bandwidth exhausted or memory limit exceeded');
  if (rst === RST.INADEQUATE_SECURITY) return localError(Code.PERMISSION_DENIED, 'Protocol not secure enough');
  if (rst === RST.NO_ERROR && httpStatus !== 0 && httpStatus !== 200) return httpStatusError(httpStatus);
  if (rst === RST.NO_ERROR && httpStatus === 0) return localError(Code.UNAVAILABLE, 'Connection dropped');
  return localError(Code.INTERNAL, `Received RST_STREAM with code ${rst} (Call ended without gRPC status)`);
}

/** A failure found on this side of the wire, worded as status.ts words a received status. */
export function localError(code: Code, details: string): GatewayError {
  return statusToGatewayError({ code, details });
}
