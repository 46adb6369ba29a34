/**
 * A backend's gRPC status as the gateway's error: the one conversion both clients use (the
 * grpc-js client hands over a ServiceError, the HTTP/2 client the raw trailers), so a status
 * raises the same GatewayError whichever client received it.
 *
 * The rules, in the order they apply:
 * - code: the `grpc-status` number; anything that is not one of google.rpc.Code's 17 values
 *   is UNKNOWN.
 * - message: `grpc-message`, which is percent-encoded UTF-8 on the wire (gRPC's
 *   PROTOCOL-HTTP2.md, "Status-Message"); grpc-js decodes it itself, the HTTP/2 client with
 *   `percentDecode` here.
 * - reason, domain, metadata: from the first `google.rpc.ErrorInfo` in the
 *   `grpc-status-details-bin` trailer (src/grpc/rich-status.ts); absent, malformed or
 *   ErrorInfo-less details leave them empty and never fail the call.
 * - statusDetails: the `grpc-status-details-bin` bytes as received, for protocols that pass
 *   them on (gRPC-Web, Connect).
 * - without an ErrorInfo, UNAVAILABLE, DEADLINE_EXCEEDED and CANCELLED say what happened in
 *   neutral words instead of the client's text, which names addresses and library internals
 *   (users see these messages in error bodies: they are part of the API).
 */
import type { ServiceError } from '@grpc/grpc-js';
import { Code, GatewayError } from '../core/gateway-error.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from '../grpc/rich-status.js';

/** A status as received: code, decoded message, text metadata, the raw status details. */
export interface UpstreamStatus {
  readonly code: number;
  readonly details: string;
  /** Text metadata of the reply (kept on the error's `cause` for logs). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The encoded `google.rpc.Status` of `grpc-status-details-bin`, when there was one. */
  readonly statusDetails?: Uint8Array;
}

/** What a client's transport failures say when the backend gave no ErrorInfo. */
const NEUTRAL_MESSAGES: Partial<Record<Code, string>> = {
  [Code.UNAVAILABLE]: 'upstream unavailable',
  [Code.DEADLINE_EXCEEDED]: 'upstream deadline exceeded',
  [Code.CANCELLED]: 'call cancelled',
};

/** `n` when it is a gRPC code (an integer 0..16), else UNKNOWN. */
export function toCode(n: number): Code {
  return Number.isInteger(n) && n >= Code.OK && n <= Code.UNAUTHENTICATED ? (n as Code) : Code.UNKNOWN;
}

/**
 * The GatewayError for a non-OK status. `cause` is what the client received (grpc-js' own
 * ServiceError); without one, an Error shaped like it (`code`, `details`, `metadata`, and
 * grpc-js' message format) stands in, so logs read the same whichever client failed.
 */
export function statusToGatewayError(status: UpstreamStatus, cause?: unknown): GatewayError {
  const code = toCode(status.code);
  const info = decodeErrorInfo(status.statusDetails);
  const message = info ? status.details : (NEUTRAL_MESSAGES[code] ?? status.details);
  const why = cause ?? Object.assign(new Error(`${code} ${Code[code]}: ${status.details}`), { code, details: status.details, metadata: status.metadata ?? {} });
  // The raw details go along as received: gRPC-Web and Connect clients read every detail, not
  // only the ErrorInfo the gateway itself uses.
  const statusDetails = status.statusDetails && status.statusDetails.length > 0 ? status.statusDetails : undefined;
  return new GatewayError(code, message, { reason: info?.reason, domain: info?.domain, metadata: info?.metadata, statusDetails, cause: why });
}

/** A grpc-js call's error as a GatewayError (grpc-js has percent-decoded the message already). */
export function serviceErrorToGatewayError(err: ServiceError): GatewayError {
  const detailBytes = err.metadata?.get(STATUS_DETAILS_KEY)[0];
  return statusToGatewayError(
    { code: err.code ?? Code.UNKNOWN, details: err.details ?? '', statusDetails: typeof detailBytes === 'string' ? undefined : detailBytes },
    err,
  );
}

/**
 * The status a trailer block carries, from its raw `grpc-status`, `grpc-message` and
 * `grpc-status-details-bin` (base64) values; undefined when there is no `grpc-status` (see
 * `missingStatusError`). The code is `Number()` of the text: an empty value reads as OK, as
 * the HTTP/2 client has always read it, and anything else not a code as UNKNOWN.
 */
export function readTrailerStatus(grpcStatus: string | undefined, grpcMessage: string | undefined, statusDetailsBase64: string | undefined): UpstreamStatus | undefined {
  if (grpcStatus === undefined) return undefined;
  return {
    code: toCode(Number(grpcStatus)),
    details: percentDecode(grpcMessage ?? ''),
    statusDetails: statusDetailsBase64 === undefined ? undefined : Buffer.from(statusDetailsBase64, 'base64'),
  };
}

/**
 * The error for a reply that ended without a gRPC status: the HTTP status says what happened
 * when it is not 200 (a proxy, a server that is not gRPC), else UNKNOWN, as grpc-js says it.
 * `httpStatus` 0 means no response headers arrived.
 */
export function missingStatusError(httpStatus: number): GatewayError {
  return httpStatus !== 200 && httpStatus !== 0 ? httpStatusError(httpStatus) : statusToGatewayError({ code: Code.UNKNOWN, details: 'No status information received' });
}

/**
 * A reply's HTTP status without a gRPC status → the gRPC code gRPC's
 * doc/http-grpc-status-mapping.md gives it, with grpc-js' message.
 */
export function httpStatusError(httpStatus: number): GatewayError {
  const code =
    httpStatus === 400 ? Code.INTERNAL
    : httpStatus === 401 ? Code.UNAUTHENTICATED
    : httpStatus === 403 ? Code.PERMISSION_DENIED
    : httpStatus === 404 ? Code.UNIMPLEMENTED
    : httpStatus === 429 || httpStatus === 502 || httpStatus === 503 || httpStatus === 504 ? Code.UNAVAILABLE
    : Code.UNKNOWN;
  return statusToGatewayError({ code, details: `Received HTTP status code ${httpStatus}` });
}

/**
 * `grpc-message` is percent-encoded UTF-8. Malformed escapes stay as they are (a bad UTF-8
 * sequence becomes U+FFFD): a peer's odd message must never fail the call.
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 37 && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
        bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
        i += 2;
      } else {
        for (const b of Buffer.from(text[i], 'utf8')) bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
}
