/**
 * The one runtime error type of the gateway. Every failure on the request path (a binding that
 * does not fit, a route that does not exist, an upstream status) becomes a GatewayError with a
 * gRPC-numbered code and, where known, a machine-readable reason; frontends render it through
 * their error mapping (render-error.ts). Only the upstream layer converts grpc-js errors into
 * this type. The HTTP status is never stated where an error is raised: it comes from the one
 * table in http-status.ts.
 */
import { Code, codeName, parseCode } from './code.js';
import { GATEWAY_DOMAIN, GatewayReason } from './gateway-reason.js';
import { codeToHttpStatus, httpStatusOf } from './http-status.js';

export { Code, codeName, parseCode, GATEWAY_DOMAIN, GatewayReason, codeToHttpStatus };

/**
 * A typed detail beyond the ErrorInfo (google.rpc.BadRequest, say), as it appears in the
 * default error body: an `@type` URL and the message's JSON fields.
 */
export interface ErrorDetail {
  readonly '@type': string;
  readonly [field: string]: unknown;
}

export interface GatewayErrorInit {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  /** Details after the ErrorInfo, in the order they are rendered. */
  details?: readonly ErrorDetail[];
  /**
   * The encoded `google.rpc.Status` a backend sent in `grpc-status-details-bin`, kept as
   * received so protocols that carry it (gRPC-Web, Connect) pass every detail on untouched.
   */
  statusDetails?: Uint8Array;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: Code;
  readonly reason: string;
  readonly domain: string;
  readonly metadata: Record<string, string>;
  readonly details: readonly ErrorDetail[];
  /** The backend's encoded `google.rpc.Status`, when the error came from one (see GatewayErrorInit). */
  readonly statusDetails?: Uint8Array;
  /** From the status table (http-status.ts); error templates read it as `error.httpStatus`. */
  readonly httpStatus: number;

  constructor(code: Code, message: string, init: GatewayErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.reason = init.reason ?? '';
    this.domain = init.domain ?? (init.reason ? GATEWAY_DOMAIN : '');
    this.metadata = init.metadata ?? {};
    this.details = init.details ?? [];
    if (init.statusDetails !== undefined) this.statusDetails = init.statusDetails;
    this.httpStatus = httpStatusOf(code, this.reason, this.domain);
  }
}

/** A gateway-raised error: reason in the gateway domain; its HTTP status comes from the table. */
export function gatewayError(
  code: Code,
  reason: GatewayReason,
  message: string,
  metadata: Record<string, string> = {},
  details: readonly ErrorDetail[] = [],
): GatewayError {
  return new GatewayError(code, message, { reason, domain: GATEWAY_DOMAIN, metadata, details });
}
