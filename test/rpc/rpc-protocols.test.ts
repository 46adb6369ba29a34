/**
 * gRPC-Web and the Connect protocol through the shipped `npm start` stack
 * (examples/confluent-schema-registry, `grpcWeb: true`, the registry pattern over real gRPC,
 * SQLite in a temporary folder), spoken by hand with fetch so each case states the bytes on the
 * wire: unary and server streaming in both protocols, JSON and binary codecs, Connect GET, the
 * registry's errors with their ErrorInfo, and the protocol edge cases (wrong content type,
 * truncated and oversized frames, `-text` padding, unknown methods, GET on a write, the
 * protocol version header).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeErrorInfo } from '../../src/grpc/rich-status.js';
import { startStack } from '../confluent/support.js';
import { useSuite } from '../support/use-suite.js';
import { bodyOf, frame, frames, grpcWebBody, grpcWebStatus, readStream, registryType } from './rpc-wire.js';

const REGISTRY = '/prism.patterns.registry.v1.Registry';
const stack = useSuite(async (scope) => {
  const s = scope.own(await startStack());
  // One schema, so reads have something to find.
  const res = await fetch(`${s.url}${REGISTRY}/RegisterSchema`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ subject: 'orders-value', schema: JSON.stringify({ type: 'record', name: 'Order', fields: [] }) }),
  });
  assert.equal(res.status, 200, await res.text());
  return s;
});

interface Out {
  res: Response;
  body: Buffer;
}
async function post(path: string, contentType: string | undefined, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Out> {
  const res = await fetch(stack.url + path, { method: 'POST', headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers }, body: bodyOf(body) });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}
const json = (out: Out) => JSON.parse(out.body.toString('utf8')) as Record<string, unknown>;

describe('Connect unary', () => {
  test('curl-style JSON POST works without Connect-Protocol-Version', async () => {
    const out = await post(`${REGISTRY}/ListSchemaVersions`, 'application/json', '{"subject":"orders-value"}');
    assert.equal(out.res.status, 200);
    assert.equal(out.res.headers.get('content-type'), 'application/json');
    assert.deepEqual(json(out), { versions: [1] });
  });

  test('Connect-Protocol-Version: 1 is accepted, any other value refused', async () => {
    assert.equal((await post(`${REGISTRY}/ListSubjects`, 'application/json', '{}', { 'connect-protocol-version': '1' })).res.status, 200);
    const out = await post(`${REGISTRY}/ListSubjects`, 'application/json', '{}', { 'connect-protocol-version': '2' });
    assert.equal(out.res.status, 400);
    assert.equal(json(out).code, 'invalid_argument');
  });

  test("a registry error is the Connect error JSON with the spec's status and the ErrorInfo detail", async () => {
    const out = await post(`${REGISTRY}/ListSchemaVersions`, 'application/json', '{"subject":"nope"}');
    assert.equal(out.res.status, 404);
    const body = json(out) as { code: string; message: string; details: { type: string; value: string }[] };
    assert.equal(body.code, 'not_found');
    assert.match(body.message, /nope/);
    const detail = body.details.find((d) => d.type === 'google.rpc.ErrorInfo');
    assert.ok(detail, JSON.stringify(body));
    const info = registryErrorInfo(detail.value);
    assert.equal(info.reason, 'SUBJECT_NOT_FOUND');
  });

  test('application/proto bodies go through as bytes', async () => {
    const request = registryType('ListSchemaVersionsRequest');
    const out = await post(`${REGISTRY}/ListSchemaVersions`, 'application/proto', request.encode({ subject: 'orders-value' }).finish());
    assert.equal(out.res.status, 200);
    assert.equal(out.res.headers.get('content-type'), 'application/proto');
    assert.deepEqual(registryType('ListSchemaVersionsResponse').toObject(registryType('ListSchemaVersionsResponse').decode(out.body)), { versions: [1] });
  });

  test('JSON that does not fit the message is invalid_argument naming the field', async () => {
    const out = await post(`${REGISTRY}/ListSchemaVersions`, 'application/json', '{"subject":7}');
    assert.equal(out.res.status, 400);
    assert.equal(json(out).code, 'invalid_argument');
    assert.match(String(json(out).message), /subject/);
  });

  test('GET serves a NO_SIDE_EFFECTS method; a method with side effects answers 405 Allow: POST', async () => {
    const message = encodeURIComponent('{"subject":"orders-value"}');
    const read = await fetch(`${stack.url}${REGISTRY}/ListSchemaVersions?encoding=json&message=${message}`);
    assert.equal(read.status, 200);
    assert.deepEqual(await read.json(), { versions: [1] });
    const write = await fetch(`${stack.url}${REGISTRY}/RegisterSchema?encoding=json&message=${encodeURIComponent('{}')}`);
    assert.equal(write.status, 405);
    assert.equal(write.headers.get('allow'), 'POST');
  });

  test('a client streaming content type on a unary method is 415 with the types it takes', async () => {
    const out = await post(`${REGISTRY}/ListSubjects`, 'application/connect+json', frame(Buffer.from('{}')));
    assert.equal(out.res.status, 415);
    assert.match(out.res.headers.get('accept-post') ?? '', /application\/json/);
  });
});

describe('gRPC-Web', () => {
  const listSubjects = () => frame(registryType('ListSubjectsRequest').encode({}).finish());

  for (const type of ['application/grpc-web', 'application/grpc-web+proto']) {
    test(`${type}: unary answer is one message frame then the trailer frame with grpc-status 0`, async () => {
      const out = await post(`${REGISTRY}/ListSubjects`, type, listSubjects());
      assert.equal(out.res.status, 200);
      assert.equal(out.res.headers.get('content-type'), type);
      const { messages, trailers } = grpcWebBody(out.body);
      assert.equal(messages.length, 1);
      assert.deepEqual(registryType('ListSubjectsResponse').toObject(registryType('ListSubjectsResponse').decode(messages[0])).subjects, ['orders-value']);
      assert.equal(trailers?.['grpc-status'], '0');
    });
  }

  test('-text: the request may be base64 in chunks, each padded; the answer is base64 frames', async () => {
    const bytes = frame(registryType('ListSchemaVersionsRequest').encode({ subject: 'orders-value' }).finish());
    // Two chunks, each encoded on its own: padding in the middle of the body.
    const body = bytes.subarray(0, 4).toString('base64') + bytes.subarray(4).toString('base64');
    assert.match(body, /=[A-Za-z0-9+/]/, 'the case needs padding inside the body');
    const out = await post(`${REGISTRY}/ListSchemaVersions`, 'application/grpc-web-text', body);
    assert.equal(out.res.status, 200);
    assert.equal(out.res.headers.get('content-type'), 'application/grpc-web-text');
    const decoded = Buffer.concat(out.body.toString('latin1').match(/[^=]+=*/g)!.map((chunk) => Buffer.from(chunk, 'base64')));
    const { messages, trailers } = grpcWebBody(decoded);
    assert.deepEqual(registryType('ListSchemaVersionsResponse').toObject(registryType('ListSchemaVersionsResponse').decode(messages[0])), { versions: [1] });
    assert.equal(trailers?.['grpc-status'], '0');
  });

  test("a registry error: grpc-status 5, the message, and the backend's google.rpc.Status in grpc-status-details-bin", async () => {
    const out = await post(`${REGISTRY}/GetSchema`, 'application/grpc-web+proto', frame(registryType('GetSchemaRequest').encode({ id: 99 }).finish()));
    assert.equal(out.res.status, 200);
    const status = grpcWebStatus(out.res, out.body);
    assert.equal(status.code, 5);
    assert.match(status.message, /99/);
    assert.equal(decodeErrorInfo(Buffer.from(status.detailsBin ?? '', 'base64'))?.reason, 'SCHEMA_NOT_FOUND');
  });

  const edgeCases: { name: string; path?: string; type: string; body: Uint8Array | string; status: number; grpcStatus?: number }[] = [
    { name: 'a truncated frame is INVALID_ARGUMENT', type: 'application/grpc-web', body: frame(Buffer.from([10, 1, 120])).subarray(0, 6), status: 200, grpcStatus: 3 },
    { name: 'a cut prefix is INVALID_ARGUMENT', type: 'application/grpc-web', body: Buffer.from([0, 0, 0]), status: 200, grpcStatus: 3 },
    { name: 'no frame at all is INVALID_ARGUMENT', type: 'application/grpc-web', body: Buffer.alloc(0), status: 200, grpcStatus: 3 },
    { name: 'two frames for a unary call are INVALID_ARGUMENT', type: 'application/grpc-web', body: Buffer.concat([frame(Buffer.alloc(0)), frame(Buffer.alloc(0))]), status: 200, grpcStatus: 3 },
    {
      name: 'a frame announcing more than the body limit is RESOURCE_EXHAUSTED',
      type: 'application/grpc-web',
      body: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xff]), Buffer.alloc(16)]),
      status: 200,
      grpcStatus: 8,
    },
    { name: 'a compressed frame is UNIMPLEMENTED', type: 'application/grpc-web', body: frame(Buffer.alloc(0), 1), status: 200, grpcStatus: 12 },
    { name: '-text that is not base64 is INVALID_ARGUMENT', type: 'application/grpc-web-text', body: 'AAAA*AAA', status: 200, grpcStatus: 3 },
    { name: '-text with padding that cannot be is INVALID_ARGUMENT', type: 'application/grpc-web-text', body: 'AAA==', status: 200, grpcStatus: 3 },
    { name: 'an unknown method on a served prefix is UNIMPLEMENTED', path: `${REGISTRY}/NoSuchMethod`, type: 'application/grpc-web', body: frame(Buffer.alloc(0)), status: 200, grpcStatus: 12 },
    { name: 'an unknown service on a served prefix is UNIMPLEMENTED', path: '/prism.patterns.registry.v1.Nope/ListSubjects', type: 'application/grpc-web', body: frame(Buffer.alloc(0)), status: 200, grpcStatus: 12 },
    { name: 'a gRPC-Web type not served (+json) is 415', type: 'application/grpc-web+json', body: frame(Buffer.from('{}')), status: 415 },
    { name: 'a content type of neither protocol is 415', type: 'text/plain', body: 'hello', status: 415 },
  ];
  for (const c of edgeCases) {
    test(c.name, async () => {
      const out = await post(c.path ?? `${REGISTRY}/ListSubjects`, c.type, c.body);
      assert.equal(out.res.status, c.status, out.body.toString('latin1'));
      if (c.grpcStatus !== undefined) {
        assert.equal(grpcWebStatus(out.res, out.body).code, c.grpcStatus);
        // Trailers-only: nothing but the status.
        assert.equal(out.body.length, 0);
      } else {
        assert.match(out.res.headers.get('accept-post') ?? '', /application\/grpc-web\b/);
      }
    });
  }

  test('a REST path is still served by the REST frontend', async () => {
    const res = await fetch(`${stack.url}/subjects`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), ['orders-value']);
  });
});

describe('server streaming (the registry change feed)', () => {
  test('gRPC-Web: the feed arrives as message frames while the stream stays open', async () => {
    const request = frame(registryType('WatchChangesRequest').encode({}).finish());
    const res = await fetch(`${stack.url}${REGISTRY}/WatchChanges`, { method: 'POST', headers: { 'content-type': 'application/grpc-web+proto' }, body: bodyOf(request) });
    assert.equal(res.status, 200);
    const body = await readStream(res, (b) => b.length >= 5 && b.length >= 5 + b.readUInt32BE(1));
    const change = registryType('Change').toObject(registryType('Change').decode(frames(body.subarray(0, 5 + body.readUInt32BE(1)))[0].payload), { enums: String, longs: String });
    assert.equal(change.subject, 'orders-value');
    assert.equal(change.kind, 'SCHEMA_REGISTERED');
  });

  test('Connect: JSON envelopes, and grpc-timeout-style deadlines end the stream in the end-of-stream message', async () => {
    const res = await fetch(`${stack.url}${REGISTRY}/WatchChanges`, {
      method: 'POST',
      headers: { 'content-type': 'application/connect+json', 'connect-timeout-ms': '300' },
      body: bodyOf(frame(Buffer.from('{}'))),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/connect+json');
    // The feed never ends on its own: the 300 ms deadline ends it (bounded at 10 s).
    const body = await readStream(res, () => false);
    const all = frames(body);
    assert.deepEqual(JSON.parse(all[0].payload.toString()).subject, 'orders-value');
    const end = all.at(-1)!;
    assert.equal(end.flag, 2);
    assert.equal(JSON.parse(end.payload.toString()).error.code, 'deadline_exceeded');
  });

  test('gRPC-Web: grpc-timeout ends the stream with a trailer frame saying DEADLINE_EXCEEDED', async () => {
    const request = frame(registryType('WatchChangesRequest').encode({ after: 'latest' }).finish());
    const res = await fetch(`${stack.url}${REGISTRY}/WatchChanges`, { method: 'POST', headers: { 'content-type': 'application/grpc-web', 'grpc-timeout': '200m' }, body: bodyOf(request) });
    const body = await readStream(res, () => false);
    const { messages, trailers } = grpcWebBody(body);
    assert.equal(messages.length, 0);
    assert.equal(trailers?.['grpc-status'], '4');
  });
});

/** The ErrorInfo of a Connect detail (its value is the message, base64 without padding). */
function registryErrorInfo(value: string): { reason: string } {
  const root = registryType('ListSubjectsRequest').root;
  const type = root.lookupType('google.rpc.ErrorInfo');
  return type.toObject(type.decode(Buffer.from(value, 'base64'))) as { reason: string };
}
