/**
 * The one table from (gRPC code, gateway reason) to HTTP status. An error the gateway raised
 * (ErrorInfo domain `gateway.prism.io`) whose reason has a row takes that row's status; every
 * other error (a backend's, or a gateway reason that says "by code") takes its code's status
 * from grpc-gateway's HTTPStatusFromCode. Raise sites never state a status: they classify, this
 * table decides, and the frontend's error mapping may still render any status it declares.
 */
import { Code } from './code.js';
import { GATEWAY_DOMAIN, GatewayReason } from './gateway-reason.js';

/** A reason's own status, where the code alone would say something else or too little. */
export interface ReasonStatus {
  readonly status: number;
  /**
   * `Retry-After` sent with it: a fixed number of seconds, or `metadata` for the error's own
   * `retryAfterSeconds` metadata (an authentication back-off knows how long it lasts).
   */
  readonly retryAfter?: number | 'metadata';
}

/** The reason has no row of its own: its gRPC code decides (codeToHttpStatus). */
export const BY_CODE = 'by code';

/**
 * Every gateway reason, with the status it answers. The mapped type makes a reason without a
 * decision here a compile error; test/core/http-status.test.ts pins the whole table.
 */
export const REASON_STATUS: { readonly [R in GatewayReason]: ReasonStatus | typeof BY_CODE } = {
  ROUTE_NOT_FOUND: { status: 404 },
  // HTTP's 405 (with Allow); the gRPC code is UNIMPLEMENTED, which alone would say 501.
  METHOD_NOT_ALLOWED: { status: 405 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  NOT_ACCEPTABLE: { status: 406 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  HEADERS_TOO_LARGE: { status: 431 },
  REQUEST_TIMEOUT: { status: 408 },
  BAD_REQUEST: BY_CODE,
  MALFORMED_BODY: BY_CODE,
  BODY_INVALID: BY_CODE,
  BINDING_MISSING: BY_CODE,
  BINDING_TYPE: BY_CODE,
  BINDING_RANGE: BY_CODE,
  BINDING_PATTERN: BY_CODE,
  UNKNOWN_PARAMETER: BY_CODE,
  UPSTREAM_UNAVAILABLE: BY_CODE,
  NOT_READY: BY_CODE,
  // The refusal of a request over the in-flight limit: 503 (not RESOURCE_EXHAUSTED's 429, which
  // would blame the client) with `Retry-After: 1`, as a load balancer expects of a busy server.
  OVERLOADED: { status: 503, retryAfter: 1 },
  SHUTTING_DOWN: BY_CODE,
  STREAM_IDLE_TIMEOUT: BY_CODE,
  STREAM_MAX_DURATION: BY_CODE,
  UNAUTHENTICATED: BY_CODE,
  // Too many failed attempts from one address: 429 until the back-off the error names passes.
  AUTH_RATE_LIMITED: { status: 429, retryAfter: 'metadata' },
  FORBIDDEN: BY_CODE,
  FRONTEND_NOT_FOUND: BY_CODE,
  DEFINITION_INVALID: BY_CODE,
  FRONTEND_NAME_MISMATCH: BY_CODE,
  NAMESPACE_REQUIRED: BY_CODE,
  // FAILED_PRECONDITION alone says 400; the request is fine, the resource's owner is not the API.
  READ_ONLY_FRONTEND: { status: 409 },
  ROUTE_AMBIGUOUS: BY_CODE,
  BACKEND_NOT_FOUND: BY_CODE,
  BACKEND_INVALID: BY_CODE,
  // Conflicts with the backend's state, as READ_ONLY_FRONTEND: the request is fine.
  BACKEND_IN_USE: { status: 409 },
  READ_ONLY_BACKEND: { status: 409 },
  BACKEND_REBIND_FAILED: BY_CODE,
  EXPORT_UNAVAILABLE: BY_CODE,
  INTERNAL: BY_CODE,
};

/** gRPC code → HTTP status, the table grpc-gateway's runtime uses (HTTPStatusFromCode). */
export function codeToHttpStatus(code: Code): number {
  switch (code) {
    case Code.OK: return 200;
    case Code.CANCELLED: return 499;
    case Code.UNKNOWN: return 500;
    case Code.INVALID_ARGUMENT: return 400;
    case Code.DEADLINE_EXCEEDED: return 504;
    case Code.NOT_FOUND: return 404;
    case Code.ALREADY_EXISTS: return 409;
    case Code.PERMISSION_DENIED: return 403;
    case Code.UNAUTHENTICATED: return 401;
    case Code.RESOURCE_EXHAUSTED: return 429;
    case Code.FAILED_PRECONDITION: return 400;
    case Code.ABORTED: return 409;
    case Code.OUT_OF_RANGE: return 400;
    case Code.UNIMPLEMENTED: return 501;
    case Code.INTERNAL: return 500;
    case Code.UNAVAILABLE: return 503;
    case Code.DATA_LOSS: return 500;
    default: return 500;
  }
}

/** The row of a gateway-raised reason, if it has one (a backend's reason never does). */
export function reasonStatus(reason: string, domain: string): ReasonStatus | undefined {
  if (domain !== GATEWAY_DOMAIN || !Object.hasOwn(REASON_STATUS, reason)) return undefined;
  const row = REASON_STATUS[reason as GatewayReason];
  return row === BY_CODE ? undefined : row;
}

/** The HTTP status of an error: its reason's row when it has one, else its code's. */
export function httpStatusOf(code: Code, reason: string, domain: string): number {
  return reasonStatus(reason, domain)?.status ?? codeToHttpStatus(code);
}

/** The `Retry-After` value the table asks for with this error, if any. */
export function retryAfterOf(error: { readonly reason: string; readonly domain: string; readonly metadata: Readonly<Record<string, string>> }): string | undefined {
  const retryAfter = reasonStatus(error.reason, error.domain)?.retryAfter;
  if (retryAfter === undefined) return undefined;
  return retryAfter === 'metadata' ? error.metadata.retryAfterSeconds : String(retryAfter);
}
