/**
 * status.ts, the one conversion of a backend's gRPC status into a GatewayError, without a
 * server: every code, status details with and without an ErrorInfo, details that are not a
 * status at all, trailers without a status, and the grpc-js and raw-trailer routes in agreeing
 * on the same error. The clients' end-to-end agreement is in http2-upstream.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Code, GatewayError } from '../../src/core/gateway-error.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import {
  httpStatusError,
  missingStatusError,
  percentDecode,
  readTrailerStatus,
  serviceErrorToGatewayError,
  statusToGatewayError,
  toCode,
} from '../../src/upstream/status.js';

const shape = (e: GatewayError) => ({ code: e.code, message: e.message, reason: e.reason, domain: e.domain, metadata: e.metadata });
const NEUTRAL: Partial<Record<Code, string>> = {
  [Code.CANCELLED]: 'call cancelled',
  [Code.DEADLINE_EXCEEDED]: 'upstream deadline exceeded',
  [Code.UNAVAILABLE]: 'upstream unavailable',
};
const INFO = { reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io', metadata: { subject: 'orders-value', error_code: '40401' } };

/** A `google.rpc.Status` whose details are `details` (type URL, encoded message), in order. */
function statusWith(details: [typeUrl: string, value: Uint8Array][]): Buffer {
  const root = loadProtoRoot([]);
  const Status = root.lookupType('google.rpc.Status');
  return Buffer.from(Status.encode(Status.create({ code: 5, message: 'x', details: details.map(([type_url, value]) => ({ type_url, value })) })).finish());
}
function badRequest(): Uint8Array {
  const BadRequest = loadProtoRoot([]).lookupType('google.rpc.BadRequest');
  return BadRequest.encode(BadRequest.create({ field_violations: [{ field: 'schema', description: 'empty' }] })).finish();
}
function errorInfo(): Uint8Array {
  const ErrorInfo = loadProtoRoot([]).lookupType('google.rpc.ErrorInfo');
  return ErrorInfo.encode(ErrorInfo.create(INFO)).finish();
}

test('every code without an ErrorInfo: the code kept, the message kept except the three transport codes', () => {
  for (let code = Code.CANCELLED; code <= Code.UNAUTHENTICATED; code++) {
    const e = statusToGatewayError({ code, details: `failure ${code}` });
    assert.ok(e instanceof GatewayError);
    assert.deepEqual(shape(e), { code, message: NEUTRAL[code as Code] ?? `failure ${code}`, reason: '', domain: '', metadata: {} }, Code[code]);
  }
});

test("every code with an ErrorInfo: the backend's message, reason, domain and metadata, transport codes included", () => {
  for (let code = Code.CANCELLED; code <= Code.UNAUTHENTICATED; code++) {
    const e = statusToGatewayError({ code, details: 'Subject not found.', statusDetails: encodeStatusDetails(code, 'Subject not found.', INFO) });
    assert.deepEqual(shape(e), { code, message: 'Subject not found.', ...INFO }, Code[code]);
  }
});

test('the first ErrorInfo among the details counts, wherever it stands; details without one carry no reason', () => {
  const behind = statusWith([
    ['type.googleapis.com/google.rpc.BadRequest', badRequest()],
    ['type.googleapis.com/google.rpc.ErrorInfo', errorInfo()],
  ]);
  assert.deepEqual(shape(statusToGatewayError({ code: Code.NOT_FOUND, details: 'nope', statusDetails: behind })), { code: Code.NOT_FOUND, message: 'nope', ...INFO });
  const without = statusWith([['type.googleapis.com/google.rpc.BadRequest', badRequest()]]);
  assert.deepEqual(shape(statusToGatewayError({ code: Code.UNAVAILABLE, details: 'connect ECONNREFUSED 10.0.0.1:50051', statusDetails: without })), {
    code: Code.UNAVAILABLE,
    message: 'upstream unavailable',
    reason: '',
    domain: '',
    metadata: {},
  });
});

test('details that are not a google.rpc.Status, or an ErrorInfo that does not decode, are ignored', () => {
  const garbage: [name: string, bytes: Uint8Array][] = [
    ['empty', Buffer.alloc(0)],
    ['text', Buffer.from('not a status')],
    ['truncated varint', Buffer.from([0x08, 0xff])],
    ['bad wire type', Buffer.from([0x0f, 0x01, 0x02])],
    ['truncated status', encodeStatusDetails(5, 'm', INFO).subarray(0, 12)],
    ['ErrorInfo with a broken body', statusWith([['type.googleapis.com/google.rpc.ErrorInfo', Buffer.from([0x0a, 0xff])]])],
  ];
  for (const [name, bytes] of garbage) {
    assert.deepEqual(shape(statusToGatewayError({ code: Code.FAILED_PRECONDITION, details: 'locked', statusDetails: bytes })), { code: Code.FAILED_PRECONDITION, message: 'locked', reason: '', domain: '', metadata: {} }, name);
    assert.equal(statusToGatewayError({ code: Code.DEADLINE_EXCEEDED, details: 'grpc-js text', statusDetails: bytes }).message, 'upstream deadline exceeded', name);
  }
});

test('a number that is not a gRPC code is UNKNOWN', () => {
  for (const n of [17, -1, 2.5, Number.NaN, 1e9]) {
    assert.equal(toCode(n), Code.UNKNOWN, String(n));
    assert.equal(statusToGatewayError({ code: n, details: 'odd' }).code, Code.UNKNOWN, String(n));
  }
  for (let code = Code.OK; code <= Code.UNAUTHENTICATED; code++) assert.equal(toCode(code), code);
});

test('without a cause, the error carries one shaped like a grpc-js ServiceError', () => {
  const e = statusToGatewayError({ code: Code.NOT_FOUND, details: 'gone', metadata: { 'x-trace': '1' } });
  const cause = e.cause as Error & { code: number; details: string; metadata: Record<string, string> };
  assert.equal(cause.message, '5 NOT_FOUND: gone');
  assert.deepEqual({ code: cause.code, details: cause.details, metadata: cause.metadata }, { code: 5, details: 'gone', metadata: { 'x-trace': '1' } });
  const given = new Error('original');
  assert.equal(statusToGatewayError({ code: Code.INTERNAL, details: 'x' }, given).cause, given);
});

test('readTrailerStatus: no grpc-status is no status; the code, the percent-decoded message, the base64 details', () => {
  assert.equal(readTrailerStatus(undefined, 'ignored', undefined), undefined);
  const cases: [status: string, code: Code][] = [
    ['0', Code.OK],
    ['', Code.OK],
    ['5', Code.NOT_FOUND],
    ['16', Code.UNAUTHENTICATED],
    ['17', Code.UNKNOWN],
    ['abc', Code.UNKNOWN],
    ['-3', Code.UNKNOWN],
  ];
  for (const [text, code] of cases) assert.equal(readTrailerStatus(text, undefined, undefined)?.code, code, JSON.stringify(text));
  const details = encodeStatusDetails(5, 'm', INFO);
  const status = readTrailerStatus('5', 'Subject %27caf%C3%A9%27 not found. 100%25', details.toString('base64'));
  assert.equal(status?.details, "Subject 'café' not found. 100%");
  assert.deepEqual(status?.statusDetails, details);
  assert.equal(readTrailerStatus('5', undefined, undefined)?.details, '');
  assert.deepEqual(shape(statusToGatewayError(status!)), { code: Code.NOT_FOUND, message: "Subject 'café' not found. 100%", ...INFO });
});

test('a reply without a gRPC status: the HTTP status decides the code (gRPC http-grpc-status-mapping.md)', () => {
  assert.deepEqual(shape(missingStatusError(200)), { code: Code.UNKNOWN, message: 'No status information received', reason: '', domain: '', metadata: {} });
  assert.deepEqual(shape(missingStatusError(0)), shape(missingStatusError(200)));
  const cases: [http: number, code: Code][] = [
    [400, Code.INTERNAL],
    [401, Code.UNAUTHENTICATED],
    [403, Code.PERMISSION_DENIED],
    [404, Code.UNIMPLEMENTED],
    [429, Code.UNAVAILABLE],
    [502, Code.UNAVAILABLE],
    [503, Code.UNAVAILABLE],
    [504, Code.UNAVAILABLE],
    [500, Code.UNKNOWN],
    [302, Code.UNKNOWN],
  ];
  for (const [http, code] of cases) {
    const expected = { code, message: NEUTRAL[code] ?? `Received HTTP status code ${http}`, reason: '', domain: '', metadata: {} };
    assert.deepEqual(shape(httpStatusError(http)), expected, String(http));
    assert.deepEqual(shape(missingStatusError(http)), expected, String(http));
  }
});

/** A ServiceError as grpc-js hands it to a unary callback. */
function serviceError(code: number | undefined, details: string | undefined, detailBytes?: Buffer | string): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  if (typeof detailBytes === 'string') metadata.set('x-note', detailBytes);
  else if (detailBytes) metadata.set(STATUS_DETAILS_KEY, detailBytes);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata }) as unknown as grpc.ServiceError;
}

test('a grpc-js ServiceError and the same status read from raw trailers make the same error', () => {
  const details = encodeStatusDetails(Code.NOT_FOUND, 'm', INFO);
  for (let code = Code.CANCELLED; code <= Code.UNAUTHENTICATED; code++) {
    for (const bytes of [undefined, details, Buffer.from('garbage')]) {
      const viaJs = serviceErrorToGatewayError(serviceError(code, 'caf\u00e9 100%', bytes));
      const viaTrailers = statusToGatewayError(readTrailerStatus(String(code), 'caf%C3%A9 100%25', bytes?.toString('base64'))!);
      assert.deepEqual(shape(viaJs), shape(viaTrailers), `${Code[code]} ${bytes ? bytes.length : 'none'}`);
    }
  }
});

test('a grpc-js ServiceError: itself as the cause; no code is UNKNOWN, no details an empty message', () => {
  const err = serviceError(Code.ABORTED, 'conflict', encodeStatusDetails(Code.ABORTED, 'conflict', INFO));
  const e = serviceErrorToGatewayError(err);
  assert.equal(e.cause, err);
  assert.deepEqual(shape(e), { code: Code.ABORTED, message: 'conflict', ...INFO });
  assert.deepEqual(shape(serviceErrorToGatewayError(serviceError(undefined, undefined))), { code: Code.UNKNOWN, message: '', reason: '', domain: '', metadata: {} });
  // Other metadata is not read as status details.
  assert.equal(serviceErrorToGatewayError(serviceError(Code.INTERNAL, 'boom', 'text')).reason, '');
});

test('percentDecode: UTF-8 escapes, malformed escapes kept', () => {
  assert.equal(percentDecode('plain'), 'plain');
  assert.equal(percentDecode('100%25 done'), '100% done');
  assert.equal(percentDecode('%E2%98%83 snow'), '☃ snow');
  assert.equal(percentDecode('bad %E2%98 and %G1'), 'bad \uFFFD and %G1');
  assert.equal(percentDecode('50%'), '50%');
  assert.equal(percentDecode('caf%C3%A9 %ZZ 50%'), 'café %ZZ 50%');
});
