/**
 * Connect errors (src/rpc/connect-error.ts), read back by connect-es, the reference client: code
 * names and HTTP statuses against connect-es's own tables, the error JSON through its
 * errorFromJson, details through ConnectError.findDetails with the generated ErrorInfo schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { anyPack, AnySchema } from '@bufbuild/protobuf/wkt';
import { Code as ConnectCode, ConnectError } from '@connectrpc/connect';
import { codeToHttpStatus, codeToString, errorFromJson } from '@connectrpc/connect/protocol-connect';
import { Code, GatewayError, gatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { encodeStatusDetails } from '../../src/grpc/rich-status.js';
import { connectCodeName, connectEndStreamError, connectErrorResponse, connectHttpStatus, parseConnectCode } from '../../src/rpc/connect-error.js';
import { BadRequestSchema, ErrorInfoSchema, RetryInfoSchema } from './gen/google/rpc/error_details_pb.js';

const ERROR_CODES = Object.values(Code).filter((c): c is Code => typeof c === 'number' && c !== Code.OK);

test('code names and HTTP statuses are the ones connect-es uses, for every error code', () => {
  for (const code of ERROR_CODES) {
    // connect-es numbers its codes as gRPC does.
    assert.equal(connectCodeName(code), codeToString(code as unknown as ConnectCode), `name of ${Code[code]}`);
    assert.equal(connectHttpStatus(code), codeToHttpStatus(code as unknown as ConnectCode), `status of ${Code[code]}`);
    assert.equal(parseConnectCode(connectCodeName(code)), code);
  }
});

test('the spec table, pinned', () => {
  const table = Object.fromEntries(ERROR_CODES.map((c) => [connectCodeName(c), connectHttpStatus(c)]));
  assert.deepEqual(table, {
    canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504, not_found: 404, already_exists: 409,
    permission_denied: 403, resource_exhausted: 429, failed_precondition: 400, aborted: 409, out_of_range: 400,
    unimplemented: 501, internal: 500, unavailable: 503, data_loss: 500, unauthenticated: 401,
  });
  assert.equal(connectCodeName(Code.OK), 'unknown', 'OK is no Connect error code');
  assert.equal(parseConnectCode('ok'), undefined);
  assert.equal(parseConnectCode('NOT_FOUND'), undefined);
});

function readBack(body: string): ConnectError {
  return errorFromJson(JSON.parse(body), undefined, new ConnectError('fallback used', ConnectCode.DataLoss));
}

test('a gateway error: code, message, and its ErrorInfo as a detail connect-es decodes', () => {
  const err = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.MALFORMED_BODY, 'bad body', { field: 'a.b' });
  const response = connectErrorResponse(err);
  assert.equal(response.status, 400);
  assert.deepEqual(response.headers, { 'content-type': 'application/json' });
  const read = readBack(response.body);
  assert.equal(read.code, ConnectCode.InvalidArgument);
  assert.equal(read.rawMessage, 'bad body');
  const [info] = read.findDetails(ErrorInfoSchema);
  assert.deepEqual({ reason: info.reason, domain: info.domain, metadata: info.metadata }, { reason: 'MALFORMED_BODY', domain: 'gateway.prism.io', metadata: { field: 'a.b' } });
  const wire = JSON.parse(response.body);
  assert.equal(wire.details[0].type, 'google.rpc.ErrorInfo');
  assert.doesNotMatch(wire.details[0].value, /=/, 'values are unpadded base64');
  assert.deepEqual(wire.details[0].debug, { reason: 'MALFORMED_BODY', domain: 'gateway.prism.io', metadata: { field: 'a.b' } });
});

test("a backend's status details go out as received, every detail in order", () => {
  // The registry's ErrorInfo, as its trailer carries it, plus a RetryInfo the gateway never reads.
  const info = create(ErrorInfoSchema, { reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io', metadata: { subject: 'orders-value' } });
  const retry = create(RetryInfoSchema, { retryDelay: { seconds: 30n } });
  const withInfo = Buffer.from(encodeStatusDetails(5, 'Subject not found', { reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io', metadata: { subject: 'orders-value' } }));
  // Append a second Any (google.rpc.Status field 3, repeated) by hand: the wire allows it.
  const anyBytes = toBinary(AnySchema, anyPack(RetryInfoSchema, retry));
  const statusDetails = Buffer.concat([withInfo, Buffer.from([0x1a, anyBytes.length]), anyBytes]);
  const err = new GatewayError(Code.NOT_FOUND, 'Subject not found', { reason: 'SUBJECT_NOT_FOUND', domain: 'registry.prism.io', metadata: { subject: 'orders-value' } });
  Object.assign(err, { statusDetails });
  const response = connectErrorResponse(err);
  assert.equal(response.status, 404);
  const read = readBack(response.body);
  assert.equal(read.code, ConnectCode.NotFound);
  assert.deepEqual(read.findDetails(ErrorInfoSchema).map((d) => d.reason), [info.reason]);
  assert.deepEqual(read.findDetails(RetryInfoSchema).map((d) => d.retryDelay?.seconds), [30n]);
  const wire = JSON.parse(response.body);
  assert.deepEqual(wire.details.map((d: { type: string }) => d.type), ['google.rpc.ErrorInfo', 'google.rpc.RetryInfo']);
  assert.deepEqual(wire.details[1].debug, { retryDelay: '30s' });
});

test('undecodable status details fall back to the error its ErrorInfo made', () => {
  const err = new GatewayError(Code.UNAVAILABLE, 'down', { reason: 'STORE_ERROR', domain: 'registry.prism.io' });
  Object.assign(err, { statusDetails: Buffer.from([0xff, 0xff, 0xff]) });
  const read = readBack(connectErrorResponse(err).body);
  assert.equal(read.code, ConnectCode.Unavailable);
  assert.equal(read.findDetails(ErrorInfoSchema)[0].reason, 'STORE_ERROR');
});

test("the gateway's typed details (BadRequest) are encoded after the ErrorInfo", () => {
  const err = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.DEFINITION_INVALID, 'invalid', {}, [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'routes[0]', description: 'unknown field' }] },
    { '@type': 'type.googleapis.com/no.such.Type', x: 1 },
  ]);
  const read = readBack(connectErrorResponse(err).body);
  const [bad] = read.findDetails(BadRequestSchema);
  assert.deepEqual(bad.fieldViolations.map((v: { field: string; description: string }) => [v.field, v.description]), [['routes[0]', 'unknown field']]);
  assert.equal(JSON.parse(connectErrorResponse(err).body).details.length, 2, 'a type the gateway cannot encode is left out');
});

test('an error without reason or message is just its code; 415 for a codec the gateway does not serve', () => {
  assert.deepEqual(connectEndStreamError(new GatewayError(Code.UNAVAILABLE, '')), { code: 'unavailable' });
  const unsupported = gatewayError(Code.INVALID_ARGUMENT, GatewayReason.UNSUPPORTED_MEDIA_TYPE, 'unsupported codec "xml"');
  assert.equal(connectErrorResponse(unsupported).status, 415);
  assert.equal(readBack(connectErrorResponse(unsupported).body).code, ConnectCode.InvalidArgument);
});
