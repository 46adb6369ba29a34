/**
 * The reasons of errors the gateway itself raises (the `reason` of a google.rpc.ErrorInfo in the
 * gateway's domain). Error mappings match them exactly as they match backend reasons; the HTTP
 * status of each is in http-status.ts.
 */

/** The ErrorInfo domain of errors the gateway itself raises. */
export const GATEWAY_DOMAIN = 'gateway.prism.io';

/** Reasons of errors the gateway raises; error mappings match them like backend reasons. */
export const GatewayReason = {
  // Routing and negotiation.
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_ACCEPTABLE: 'NOT_ACCEPTABLE',
  // The request as it arrives.
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  HEADERS_TOO_LARGE: 'HEADERS_TOO_LARGE',
  /** The request (headers or body) did not arrive within the read timeouts. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  BAD_REQUEST: 'BAD_REQUEST',
  MALFORMED_BODY: 'MALFORMED_BODY',
  BODY_INVALID: 'BODY_INVALID',
  // Binding request values to the gRPC request.
  BINDING_MISSING: 'BINDING_MISSING',
  BINDING_TYPE: 'BINDING_TYPE',
  BINDING_RANGE: 'BINDING_RANGE',
  BINDING_PATTERN: 'BINDING_PATTERN',
  UNKNOWN_PARAMETER: 'UNKNOWN_PARAMETER',
  // The upstream and the gateway's own capacity.
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  NOT_READY: 'NOT_READY',
  OVERLOADED: 'OVERLOADED',
  /** The gateway is shutting down: open streams end with it (DESIGN.md §8). */
  SHUTTING_DOWN: 'SHUTTING_DOWN',
  /** A stream saw no message either way for its idle timeout. */
  STREAM_IDLE_TIMEOUT: 'STREAM_IDLE_TIMEOUT',
  /** A stream outlived its maximum duration. */
  STREAM_MAX_DURATION: 'STREAM_MAX_DURATION',
  // Authentication and roles.
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  AUTH_RATE_LIMITED: 'AUTH_RATE_LIMITED',
  FORBIDDEN: 'FORBIDDEN',
  // The admin API.
  FRONTEND_NOT_FOUND: 'FRONTEND_NOT_FOUND',
  /** A definition the loader or the compiler rejects; the problems travel as a BadRequest detail. */
  DEFINITION_INVALID: 'DEFINITION_INVALID',
  /** The body of `PUT /admin/frontends/{name}` does not define exactly the frontend `name`. */
  FRONTEND_NAME_MISMATCH: 'FRONTEND_NAME_MISMATCH',
  NAMESPACE_REQUIRED: 'NAMESPACE_REQUIRED',
  /** A frontend the config file (or a shared file) defines: the admin API cannot change it. */
  READ_ONLY_FRONTEND: 'READ_ONLY_FRONTEND',
  /** Several routes share the id asked for; `frontend` and `namespace` narrow. */
  ROUTE_AMBIGUOUS: 'ROUTE_AMBIGUOUS',
  BACKEND_NOT_FOUND: 'BACKEND_NOT_FOUND',
  /** The type or config does not fit, or a slot bound to the backend could not serve it. */
  BACKEND_INVALID: 'BACKEND_INVALID',
  /** A backend bound to pattern slots cannot be deleted. */
  BACKEND_IN_USE: 'BACKEND_IN_USE',
  /** A backend the config file defines: the admin API cannot change it. */
  READ_ONLY_BACKEND: 'READ_ONLY_BACKEND',
  /** The new binding did not connect or pass its health check; the old one keeps serving. */
  BACKEND_REBIND_FAILED: 'BACKEND_REBIND_FAILED',
  EXPORT_UNAVAILABLE: 'EXPORT_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type GatewayReason = (typeof GatewayReason)[keyof typeof GatewayReason];

/**
 * The gRPC code each gateway reason is raised with (some with two, by where they arise). The
 * HTTP status comes from http-status.ts; docs/frontend-reference.md lists both, and
 * test/core/gateway-reason-docs.test.ts pins the list to this table. A catch-all
 * `{match: {code: INVALID_ARGUMENT}}` also catches the INVALID_ARGUMENT rows here (406 and 415
 * included): match by `reason` where that matters.
 */
export const REASON_CODES: { readonly [R in GatewayReason]: readonly string[] } = {
  ROUTE_NOT_FOUND: ['NOT_FOUND', 'UNIMPLEMENTED'],
  METHOD_NOT_ALLOWED: ['UNIMPLEMENTED'],
  UNSUPPORTED_MEDIA_TYPE: ['INVALID_ARGUMENT', 'UNIMPLEMENTED'],
  NOT_ACCEPTABLE: ['INVALID_ARGUMENT'],
  PAYLOAD_TOO_LARGE: ['RESOURCE_EXHAUSTED'],
  HEADERS_TOO_LARGE: ['RESOURCE_EXHAUSTED'],
  REQUEST_TIMEOUT: ['DEADLINE_EXCEEDED'],
  BAD_REQUEST: ['INVALID_ARGUMENT'],
  MALFORMED_BODY: ['INVALID_ARGUMENT'],
  BODY_INVALID: ['INVALID_ARGUMENT'],
  BINDING_MISSING: ['INVALID_ARGUMENT'],
  BINDING_TYPE: ['INVALID_ARGUMENT'],
  BINDING_RANGE: ['INVALID_ARGUMENT'],
  BINDING_PATTERN: ['INVALID_ARGUMENT'],
  UNKNOWN_PARAMETER: ['INVALID_ARGUMENT'],
  UPSTREAM_UNAVAILABLE: ['UNAVAILABLE'],
  NOT_READY: ['UNAVAILABLE'],
  OVERLOADED: ['RESOURCE_EXHAUSTED'],
  SHUTTING_DOWN: ['UNAVAILABLE'],
  STREAM_IDLE_TIMEOUT: ['DEADLINE_EXCEEDED'],
  STREAM_MAX_DURATION: ['DEADLINE_EXCEEDED'],
  UNAUTHENTICATED: ['UNAUTHENTICATED'],
  AUTH_RATE_LIMITED: ['RESOURCE_EXHAUSTED'],
  FORBIDDEN: ['PERMISSION_DENIED'],
  FRONTEND_NOT_FOUND: ['NOT_FOUND'],
  DEFINITION_INVALID: ['INVALID_ARGUMENT'],
  FRONTEND_NAME_MISMATCH: ['INVALID_ARGUMENT'],
  NAMESPACE_REQUIRED: ['INVALID_ARGUMENT'],
  READ_ONLY_FRONTEND: ['FAILED_PRECONDITION'],
  ROUTE_AMBIGUOUS: ['INVALID_ARGUMENT'],
  BACKEND_NOT_FOUND: ['NOT_FOUND'],
  BACKEND_INVALID: ['INVALID_ARGUMENT'],
  BACKEND_IN_USE: ['FAILED_PRECONDITION'],
  READ_ONLY_BACKEND: ['FAILED_PRECONDITION'],
  BACKEND_REBIND_FAILED: ['UNAVAILABLE'],
  EXPORT_UNAVAILABLE: ['UNIMPLEMENTED'],
  INTERNAL: ['INTERNAL'],
};
