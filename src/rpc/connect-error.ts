/**
 * A GatewayError in the Connect protocol's words: the code names, the HTTP status the spec
 * assigns each code, and the error JSON (connectrpc.com/docs/protocol, "Error Codes" and
 * "Error and EndStreamResponse"; connect-go's `connectWireError` and `connectCodeToHTTP`).
 *
 * Details: a backend's `google.rpc.Status` travels on the error as received (`statusDetails`),
 * and each of its `Any` details becomes one Connect detail: the type's full name, the message
 * bytes as unpadded base64, and, when the type is one the gateway knows (google.rpc.*), its
 * proto3 JSON under `debug` for people reading the wire (clients must not rely on it). An error
 * the gateway raised itself has no such bytes: its ErrorInfo (reason, domain, metadata) and its
 * typed details (`@type` JSON) are encoded here instead, so a Connect client sees the same
 * ErrorInfo whether a backend or the gateway refused the call.
 */
import protobuf from 'protobufjs';
import { Code, GatewayError, GatewayReason } from '../core/gateway-error.js';
import { loadProtoRoot } from '../grpc/proto-root.js';
import { jsonCodecFor } from './proto-json-codec.js';

/** The Connect code names, index = gRPC code number (connect-go's `Code.String`). */
const CODE_NAMES: readonly string[] = [
  'ok',
  'canceled',
  'unknown',
  'invalid_argument',
  'deadline_exceeded',
  'not_found',
  'already_exists',
  'permission_denied',
  'resource_exhausted',
  'failed_precondition',
  'aborted',
  'out_of_range',
  'unimplemented',
  'internal',
  'unavailable',
  'data_loss',
  'unauthenticated',
];

/** The spec's table, index = gRPC code number (OK never travels as an error: see below). */
const HTTP_STATUS: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

/**
 * `not_found` for NOT_FOUND. OK is not an error code in Connect ("only the codes below are
 * valid"), so an error that somehow carries OK goes out as `unknown`, as connect-go's clients
 * read an out-of-range code.
 */
export function connectCodeName(code: Code): string {
  return code > Code.OK && code <= Code.UNAUTHENTICATED ? CODE_NAMES[code] : 'unknown';
}

/** The gRPC code a Connect code name stands for; undefined for anything else. */
export function parseConnectCode(name: string): Code | undefined {
  const index = CODE_NAMES.indexOf(name);
  return index > 0 ? (index as Code) : undefined;
}

/** The HTTP status of a unary error response with this code (the spec's "Error Codes" table). */
export function connectHttpStatus(code: Code): number {
  return code > Code.OK && code <= Code.UNAUTHENTICATED ? HTTP_STATUS[code] : 500;
}

/** One entry of an error's `details`. */
export interface ConnectErrorDetail {
  /** The detail message's fully qualified name, `google.rpc.ErrorInfo`. */
  type: string;
  /** The message's binary encoding, base64 without padding. */
  value: string;
  /** The message as proto3 JSON, when its type is known; informative only. */
  debug?: unknown;
}

/** The Connect `Error` object: the body of a unary error and the `error` of an end-of-stream message. */
export interface ConnectWireError {
  code: string;
  message?: string;
  details?: ConnectErrorDetail[];
}

/**
 * The error as the Connect `Error` JSON object: `{"code","message","details"}`, with `message`
 * left out when empty and `details` when there are none (connect-go's `omitempty`).
 */
export function connectEndStreamError(err: GatewayError): ConnectWireError {
  const wire: ConnectWireError = { code: connectCodeName(err.code) };
  if (err.message !== '') wire.message = err.message;
  const details = detailsOf(err);
  if (details.length > 0) wire.details = details;
  return wire;
}

/** A unary error response: status, headers and body, ready to write. */
export interface ConnectErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The unary error response for `err`: always `application/json` (the spec requires JSON for
 * errors whatever the request's codec), the status of its code. The one exception is a codec the
 * gateway does not serve (reason UNSUPPORTED_MEDIA_TYPE from the gateway itself), which the spec
 * answers with 415 Unsupported Media Type rather than the code's 400.
 */
export function connectErrorResponse(err: GatewayError): ConnectErrorResponse {
  const status = err.reason === GatewayReason.UNSUPPORTED_MEDIA_TYPE && err.httpStatus === 415 ? 415 : connectHttpStatus(err.code);
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(connectEndStreamError(err)) };
}

const ERROR_INFO = 'google.rpc.ErrorInfo';
let richRoot: protobuf.Root | undefined;
/** google.rpc.Status and the standard detail types (error_details.proto), loaded once. */
function rich(): protobuf.Root {
  richRoot ??= loadProtoRoot([]);
  return richRoot;
}

function detailsOf(err: GatewayError): ConnectErrorDetail[] {
  const raw = (err as { statusDetails?: Uint8Array }).statusDetails;
  if (raw && raw.length > 0) {
    const fromStatus = detailsFromStatus(raw);
    if (fromStatus) return fromStatus;
  }
  const details: ConnectErrorDetail[] = [];
  if (err.reason !== '') {
    const type = rich().lookupType(ERROR_INFO);
    const bytes = type.encode({ reason: err.reason, domain: err.domain, metadata: err.metadata }).finish();
    details.push(detail(ERROR_INFO, bytes, type));
  }
  for (const typed of err.details) {
    const encoded = encodeTypedDetail(typed);
    if (encoded) details.push(encoded);
  }
  return details;
}

/**
 * The details of an encoded google.rpc.Status, in order; undefined when the bytes do not decode
 * (a peer's bad trailer must not fail the response: the gateway's own rendering stands in).
 */
function detailsFromStatus(raw: Uint8Array): ConnectErrorDetail[] | undefined {
  let decoded: { details?: { type_url?: string; value?: Uint8Array }[] };
  try {
    decoded = rich().lookupType('google.rpc.Status').decode(raw) as typeof decoded;
  } catch {
    return undefined;
  }
  return (decoded.details ?? []).map((any) => {
    const name = typeNameOfUrl(any.type_url ?? '');
    return detail(name, any.value ?? new Uint8Array(0), knownType(name));
  });
}

/** `google.rpc.ErrorInfo` for `type.googleapis.com/google.rpc.ErrorInfo` (connect-go's typeNameForURL). */
function typeNameOfUrl(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}

function knownType(name: string): protobuf.Type | undefined {
  if (name === '') return undefined;
  const found = rich().lookup(name);
  return found instanceof protobuf.Type ? found : undefined;
}

function detail(type: string, bytes: Uint8Array, known: protobuf.Type | undefined): ConnectErrorDetail {
  const out: ConnectErrorDetail = { type, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '') };
  if (known) {
    try {
      out.debug = JSON.parse(jsonCodecFor(known).toJson(bytes));
    } catch {
      // Bytes that do not decode as their type name says (or have no JSON form): the detail
      // still goes out, without debug.
    }
  }
  return out;
}

/** A typed detail given as `@type` JSON (google.rpc.BadRequest, say), encoded for the wire. */
function encodeTypedDetail(typed: GatewayError['details'][number]): ConnectErrorDetail | undefined {
  const name = typeNameOfUrl(String(typed['@type'] ?? ''));
  const type = knownType(name);
  if (!type) return undefined;
  try {
    const { '@type': _, ...fields } = typed;
    const bytes = jsonCodecFor(type).fromJson(JSON.stringify(fields));
    return detail(name, bytes, type);
  } catch {
    return undefined;
  }
}
