/**
 * The one runtime error type of the gateway. Every failure on the request path (a binding that
 * does not fit, a route that does not exist, an upstream status) becomes a GatewayError with a
 * gRPC-numbered code and, where known, a machine-readable reason; frontends render it through
 * their error mapping. Only the upstream layer converts grpc-js errors into this type.
 */

/** gRPC status codes (google.rpc.Code), the closed set every error is classified by. */
export enum Code {
  OK = 0,
  CANCELLED = 1,
  UNKNOWN = 2,
  INVALID_ARGUMENT = 3,
  DEADLINE_EXCEEDED = 4,
  NOT_FOUND = 5,
  ALREADY_EXISTS = 6,
  PERMISSION_DENIED = 7,
  RESOURCE_EXHAUSTED = 8,
  FAILED_PRECONDITION = 9,
  ABORTED = 10,
  OUT_OF_RANGE = 11,
  UNIMPLEMENTED = 12,
  INTERNAL = 13,
  UNAVAILABLE = 14,
  DATA_LOSS = 15,
  UNAUTHENTICATED = 16,
}

/** The ErrorInfo domain of errors the gateway itself raises. */
export const GATEWAY_DOMAIN = 'gateway.prism.io';

/** Reasons of errors the gateway raises; error mappings match them like backend reasons. */
export const GatewayReason = {
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_ACCEPTABLE: 'NOT_ACCEPTABLE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  BAD_REQUEST: 'BAD_REQUEST',
  MALFORMED_BODY: 'MALFORMED_BODY',
  BODY_INVALID: 'BODY_INVALID',
  BINDING_MISSING: 'BINDING_MISSING',
  BINDING_TYPE: 'BINDING_TYPE',
  BINDING_RANGE: 'BINDING_RANGE',
  BINDING_PATTERN: 'BINDING_PATTERN',
  UNKNOWN_PARAMETER: 'UNKNOWN_PARAMETER',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  NOT_READY: 'NOT_READY',
  OVERLOADED: 'OVERLOADED',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  AUTH_RATE_LIMITED: 'AUTH_RATE_LIMITED',
  FORBIDDEN: 'FORBIDDEN',
  INTERNAL: 'INTERNAL',
} as const;
export type GatewayReason = (typeof GatewayReason)[keyof typeof GatewayReason];

export interface GatewayErrorInit {
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  /** HTTP status the gateway itself decided (routing failures); overrides the code table. */
  httpStatus?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly code: Code;
  readonly reason: string;
  readonly domain: string;
  readonly metadata: Record<string, string>;
  readonly httpStatus: number;

  constructor(code: Code, message: string, init: GatewayErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.reason = init.reason ?? '';
    this.domain = init.domain ?? (init.reason ? GATEWAY_DOMAIN : '');
    this.metadata = init.metadata ?? {};
    this.httpStatus = init.httpStatus ?? codeToHttpStatus(code);
  }
}

/** A gateway-raised error: reason in the gateway domain. */
export function gatewayError(
  code: Code,
  reason: GatewayReason,
  message: string,
  metadata: Record<string, string> = {},
  httpStatus?: number,
): GatewayError {
  return new GatewayError(code, message, { reason, domain: GATEWAY_DOMAIN, metadata, httpStatus });
}

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

/** `NOT_FOUND` for 5; used by error mappings that match codes by name. */
export function codeName(code: Code): string {
  return Code[code] ?? 'UNKNOWN';
}

/** Parses a code given by name (`NOT_FOUND`) or number; undefined when it is neither. */
export function parseCode(value: string | number): Code | undefined {
  if (typeof value === 'number') return Code[value] !== undefined ? (value as Code) : undefined;
  const byName = (Code as unknown as Record<string, number>)[value];
  return typeof byName === 'number' ? (byName as Code) : undefined;
}
