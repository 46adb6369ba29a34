/**
 * The one status table (src/core/http-status.ts): every gateway reason has a decision, the
 * reason rows are pinned, a backend's reason never borrows a gateway row, and the code fallback
 * is grpc-gateway's HTTPStatusFromCode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, GATEWAY_DOMAIN, GatewayError, gatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { BY_CODE, codeToHttpStatus, httpStatusOf, REASON_STATUS, retryAfterOf } from '../../src/core/http-status.js';

test('every gateway reason has a row or a deliberate fallback to its code, and nothing else is in the table', () => {
  assert.deepEqual(Object.keys(REASON_STATUS).sort(), Object.values(GatewayReason).sort());
});

test('the reason rows, pinned', () => {
  const rows = Object.fromEntries(Object.entries(REASON_STATUS).filter(([, row]) => row !== BY_CODE));
  assert.deepEqual(rows, {
    ROUTE_NOT_FOUND: { status: 404 },
    METHOD_NOT_ALLOWED: { status: 405 },
    UNSUPPORTED_MEDIA_TYPE: { status: 415 },
    NOT_ACCEPTABLE: { status: 406 },
    PAYLOAD_TOO_LARGE: { status: 413 },
    HEADERS_TOO_LARGE: { status: 431 },
    REQUEST_TIMEOUT: { status: 408 },
    OVERLOADED: { status: 503, retryAfter: 1 },
    AUTH_RATE_LIMITED: { status: 429, retryAfter: 'metadata' },
    READ_ONLY_FRONTEND: { status: 409 },
    BACKEND_IN_USE: { status: 409 },
    READ_ONLY_BACKEND: { status: 409 },
  });
});

test('gRPC code → HTTP status, grpc-gateway HTTPStatusFromCode', () => {
  const table = Object.fromEntries(Object.keys(Code).filter((k) => Number.isNaN(Number(k))).map((name) => [name, codeToHttpStatus(Code[name as keyof typeof Code])]));
  assert.deepEqual(table, {
    OK: 200, CANCELLED: 499, UNKNOWN: 500, INVALID_ARGUMENT: 400, DEADLINE_EXCEEDED: 504, NOT_FOUND: 404, ALREADY_EXISTS: 409,
    PERMISSION_DENIED: 403, RESOURCE_EXHAUSTED: 429, FAILED_PRECONDITION: 400, ABORTED: 409, OUT_OF_RANGE: 400, UNIMPLEMENTED: 501,
    INTERNAL: 500, UNAVAILABLE: 503, DATA_LOSS: 500, UNAUTHENTICATED: 401,
  });
});

// Each raise site's (code, reason) and the status it answered before the table existed.
const RAISE_SITES: [string, Code, GatewayReason, number][] = [
  ['no route', Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, 404],
  ['wrong method', Code.UNIMPLEMENTED, GatewayReason.METHOD_NOT_ALLOWED, 405],
  ['no acceptable type', Code.INVALID_ARGUMENT, GatewayReason.NOT_ACCEPTABLE, 406],
  ['unsupported content type', Code.INVALID_ARGUMENT, GatewayReason.UNSUPPORTED_MEDIA_TYPE, 415],
  ['body too large', Code.RESOURCE_EXHAUSTED, GatewayReason.PAYLOAD_TOO_LARGE, 413],
  ['headers too large', Code.RESOURCE_EXHAUSTED, GatewayReason.HEADERS_TOO_LARGE, 431],
  ['request too slow', Code.DEADLINE_EXCEEDED, GatewayReason.REQUEST_TIMEOUT, 408],
  ['malformed HTTP', Code.INVALID_ARGUMENT, GatewayReason.BAD_REQUEST, 400],
  ['malformed JSON', Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 400],
  ['body against its schema', Code.INVALID_ARGUMENT, GatewayReason.BODY_INVALID, 400],
  ['unknown query parameter', Code.INVALID_ARGUMENT, GatewayReason.UNKNOWN_PARAMETER, 400],
  ['header not forwardable', Code.INVALID_ARGUMENT, GatewayReason.BINDING_TYPE, 400],
  ['binding missing', Code.INVALID_ARGUMENT, GatewayReason.BINDING_MISSING, 400],
  ['binding range', Code.INVALID_ARGUMENT, GatewayReason.BINDING_RANGE, 400],
  ['binding pattern', Code.INVALID_ARGUMENT, GatewayReason.BINDING_PATTERN, 400],
  ['not ready', Code.UNAVAILABLE, GatewayReason.NOT_READY, 503],
  ['no upstream', Code.UNAVAILABLE, GatewayReason.UPSTREAM_UNAVAILABLE, 503],
  ['overloaded', Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 503],
  ['shutting down, ending a stream', Code.UNAVAILABLE, GatewayReason.SHUTTING_DOWN, 503],
  ['a stream idle past its timeout', Code.DEADLINE_EXCEEDED, GatewayReason.STREAM_IDLE_TIMEOUT, 504],
  ['a stream past its maximum duration', Code.DEADLINE_EXCEEDED, GatewayReason.STREAM_MAX_DURATION, 504],
  ['unauthenticated', Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED, 401],
  ['too many failed attempts', Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED, 429],
  ['forbidden', Code.PERMISSION_DENIED, GatewayReason.FORBIDDEN, 403],
  ['internal', Code.INTERNAL, GatewayReason.INTERNAL, 500],
  ['admin: no such frontend', Code.NOT_FOUND, GatewayReason.FRONTEND_NOT_FOUND, 404],
  ['admin: definition rejected', Code.INVALID_ARGUMENT, GatewayReason.DEFINITION_INVALID, 400],
  ['admin: name mismatch', Code.INVALID_ARGUMENT, GatewayReason.FRONTEND_NAME_MISMATCH, 400],
  ['admin: namespace required', Code.INVALID_ARGUMENT, GatewayReason.NAMESPACE_REQUIRED, 400],
  ['admin: read-only frontend', Code.FAILED_PRECONDITION, GatewayReason.READ_ONLY_FRONTEND, 409],
  ['admin: ambiguous route id', Code.INVALID_ARGUMENT, GatewayReason.ROUTE_AMBIGUOUS, 400],
  ['admin: no OpenAPI export', Code.UNIMPLEMENTED, GatewayReason.EXPORT_UNAVAILABLE, 501],
  ['admin: no such backend', Code.NOT_FOUND, GatewayReason.BACKEND_NOT_FOUND, 404],
  ['admin: backend rejected', Code.INVALID_ARGUMENT, GatewayReason.BACKEND_INVALID, 400],
  ['admin: deleting a backend in use', Code.FAILED_PRECONDITION, GatewayReason.BACKEND_IN_USE, 409],
  ['admin: read-only backend', Code.FAILED_PRECONDITION, GatewayReason.READ_ONLY_BACKEND, 409],
  ['admin: a re-bind that failed', Code.UNAVAILABLE, GatewayReason.BACKEND_REBIND_FAILED, 503],
];

for (const [site, code, reason, status] of RAISE_SITES) {
  test(`raise site "${site}" (${Code[code]}, ${reason}) answers ${status}`, () => {
    assert.equal(gatewayError(code, reason, site).httpStatus, status);
  });
}

test('every gateway reason is raised by some site above', () => {
  assert.deepEqual(new Set(RAISE_SITES.map(([, , reason]) => reason)), new Set(Object.values(GatewayReason)));
});

test("a backend's reason never takes a gateway row: its code decides", () => {
  const backend = new GatewayError(Code.RESOURCE_EXHAUSTED, 'quota', { reason: 'OVERLOADED', domain: 'registry.prism.io' });
  assert.equal(backend.httpStatus, 429);
  assert.equal(retryAfterOf(backend), undefined);
  assert.equal(httpStatusOf(Code.NOT_FOUND, 'METHOD_NOT_ALLOWED', 'keyvalue.prism.io'), 404);
  assert.equal(httpStatusOf(Code.NOT_FOUND, 'METHOD_NOT_ALLOWED', GATEWAY_DOMAIN), 405);
  assert.equal(new GatewayError(Code.ABORTED, 'no reason at all').httpStatus, 409);
});

test('Retry-After: fixed for the overload refusal, from the metadata for an authentication back-off', () => {
  assert.equal(retryAfterOf(gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.OVERLOADED, 'busy')), '1');
  assert.equal(retryAfterOf(gatewayError(Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED, 'slow down', { retryAfterSeconds: '7' })), '7');
  assert.equal(retryAfterOf(gatewayError(Code.NOT_FOUND, GatewayReason.ROUTE_NOT_FOUND, 'no')), undefined);
});
