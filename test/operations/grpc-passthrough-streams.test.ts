/**
 * The gRPC passthrough with auth on, for the three streaming call kinds: nothing reaches the
 * backend before the call is admitted, client messages sent while the credentials are still
 * being checked are neither lost nor reordered, a refused stream ends with the refusal, and a
 * long stream in both directions arrives whole and in order. The role of a streaming method
 * comes from its proto like any other (Fan declares NO_SIDE_EFFECTS, the others do not). The
 * backend's response headers and trailers reach the client of a single-answer call too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway } from '../../src/start-gateway.js';
import { basic } from '../security/support.js';
import { useSuite } from '../support/use-suite.js';
import { tempDir } from './support.js';

const PROTO = `syntax = "proto3";
package prism.test.streams.v1;
message Chunk { string text = 1; }
service Streams {
  // Answers with the text it was sent.
  rpc Echo(Chunk) returns (Chunk);
  // Concatenates what the client sent.
  rpc Collect(stream Chunk) returns (Chunk);
  // Echoes every message.
  rpc Chat(stream Chunk) returns (stream Chunk);
  // Sends the text back once per character.
  rpc Fan(Chunk) returns (stream Chunk) {
    option idempotency_level = NO_SIDE_EFFECTS;
  }
}
`;
const SERVICE = 'prism.test.streams.v1.Streams';
const USERS = { reader: 'stream-reader-R1', writer: 'stream-writer-W2' };

/** Calls the backend saw, by method (admission happens before any of them). */
const seen: string[] = [];
type Chunk = { text: string };
type StreamsClient = grpc.Client & {
  Echo(request: Chunk, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, value?: Chunk) => void): grpc.ClientUnaryCall;
  Collect(metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, value?: Chunk) => void): grpc.ClientWritableStream<Chunk>;
  Chat(metadata: grpc.Metadata, options: grpc.CallOptions): grpc.ClientDuplexStream<Chunk, Chunk>;
  Fan(request: Chunk, metadata: grpc.Metadata, options: grpc.CallOptions): grpc.ClientReadableStream<Chunk>;
};

// The backend, then a gateway whose config names its port, then a client of the gateway.
const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('pt-streams'));
  const protoFile = join(dir.path, 'streams.proto');
  writeFileSync(protoFile, PROTO);
  const definition = createServiceDefinition(loadProtoRoot([protoFile]).lookupService(SERVICE));
  const backend = new grpc.Server();
  scope.onClose(() => backend.forceShutdown());
  // The single-answer methods send response headers and trailers of their own.
  const headers = () => {
    const md = new grpc.Metadata();
    md.set('x-backend-header', 'h1');
    return md;
  };
  const trailers = () => {
    const md = new grpc.Metadata();
    md.set('x-backend-trailer', 't1');
    return md;
  };
  backend.addService(definition, {
    Echo(call: grpc.ServerUnaryCall<Chunk, Chunk>, cb: grpc.sendUnaryData<Chunk>) {
      seen.push('Echo');
      call.sendMetadata(headers());
      cb(null, { text: call.request.text }, trailers());
    },
    Collect(call: grpc.ServerReadableStream<Chunk, Chunk>, cb: grpc.sendUnaryData<Chunk>) {
      seen.push('Collect');
      call.sendMetadata(headers());
      let text = '';
      call.on('data', (c: Chunk) => (text += c.text));
      call.on('end', () => cb(null, { text }, trailers()));
    },
    Chat(call: grpc.ServerDuplexStream<Chunk, Chunk>) {
      seen.push('Chat');
      call.on('data', (c: Chunk) => call.write(c));
      call.on('end', () => call.end());
    },
    Fan(call: grpc.ServerWritableStream<Chunk, Chunk>) {
      seen.push('Fan');
      for (const ch of call.request.text) call.write({ text: ch });
      call.end();
    },
  });
  const port = await new Promise<number>((done, fail) => backend.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? fail(err) : done(p))));
  const users = await Promise.all([
    { name: 'reader', password: await hashPassword(USERS.reader), roles: { streams: 'read' } },
    { name: 'writer', password: await hashPassword(USERS.writer), roles: { streams: 'write' } },
  ]);
  writeFileSync(join(dir.path, 'users.yaml'), stringify({ users }));
  writeFileSync(
    join(dir.path, 'gateway.yaml'),
    stringify({ auth: { basic: { usersFile: 'users.yaml' } }, namespaces: [{ name: 'streams', pattern: { target: `127.0.0.1:${port}`, protos: [protoFile] }, frontends: [] }] }),
  );
  const gateway = scope.own(await startGateway(loadGatewayConfig(join(dir.path, 'gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false }));
  const Streams = grpc.makeGenericClientConstructor(definition, 'Streams');
  return { client: scope.own(new Streams(gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as StreamsClient) };
});

const auth = (user?: keyof typeof USERS) => {
  const metadata = new grpc.Metadata();
  if (user) metadata.set('authorization', basic(user, USERS[user]));
  return metadata;
};
const options = () => ({ deadline: Date.now() + 20_000 });

function collect(user: keyof typeof USERS | undefined, parts: string[]): Promise<{ code: grpc.status; text?: string }> {
  return new Promise((done) => {
    const call = suite.client.Collect(auth(user), options(), (err, value) => done(err ? { code: err.code } : { code: grpc.status.OK, text: value!.text }));
    // Written at once: they arrive while the password is still being checked.
    for (const p of parts) call.write({ text: p });
    call.end();
  });
}

function chat(user: keyof typeof USERS | undefined, parts: string[]): Promise<{ code: grpc.status; echoed: string[] }> {
  return new Promise((done) => {
    const echoed: string[] = [];
    const call = suite.client.Chat(auth(user), options());
    call.on('data', (c: Chunk) => echoed.push(c.text));
    call.on('error', (err: grpc.ServiceError) => done({ code: err.code, echoed }));
    call.on('status', (s: grpc.StatusObject) => s.code === grpc.status.OK && done({ code: grpc.status.OK, echoed }));
    for (const p of parts) call.write({ text: p });
    call.end();
  });
}

function fan(user: keyof typeof USERS | undefined, text: string): Promise<{ code: grpc.status; parts: string[] }> {
  return new Promise((done) => {
    const parts: string[] = [];
    const call = suite.client.Fan({ text }, auth(user), options());
    call.on('data', (c: Chunk) => parts.push(c.text));
    call.on('error', (err: grpc.ServiceError) => done({ code: err.code, parts }));
    call.on('status', (s: grpc.StatusObject) => s.code === grpc.status.OK && done({ code: grpc.status.OK, parts }));
  });
}

describe('streaming calls on the passthrough with auth on', () => {
  test('without credentials every kind is UNAUTHENTICATED and the backend never sees the call', async () => {
    assert.equal((await collect(undefined, ['a', 'b'])).code, grpc.status.UNAUTHENTICATED);
    assert.deepEqual(await chat(undefined, ['a']), { code: grpc.status.UNAUTHENTICATED, echoed: [] });
    assert.deepEqual(await fan(undefined, 'abc'), { code: grpc.status.UNAUTHENTICATED, parts: [] });
    assert.deepEqual(seen, []);
  });

  test('read role: the NO_SIDE_EFFECTS stream is open to it, the others are PERMISSION_DENIED', async () => {
    assert.deepEqual(await fan('reader', 'abc'), { code: grpc.status.OK, parts: ['a', 'b', 'c'] });
    assert.equal((await collect('reader', ['a'])).code, grpc.status.PERMISSION_DENIED);
    assert.equal((await chat('reader', ['a'])).code, grpc.status.PERMISSION_DENIED);
    assert.deepEqual(seen, ['Fan']);
  });

  test('write role: messages sent during authentication arrive whole and in order', async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `${i},`);
    assert.deepEqual(await collect('writer', parts), { code: grpc.status.OK, text: parts.join('') });
    assert.deepEqual(await chat('writer', parts), { code: grpc.status.OK, echoed: parts });
  });

  test('a long bidirectional stream (5,000 messages of 1 KiB) passes through whole and in order', async () => {
    const parts = Array.from({ length: 5_000 }, (_, i) => `${String(i).padStart(5, '0')}${'x'.repeat(1019)}`);
    const out = await chat('writer', parts);
    assert.equal(out.code, grpc.status.OK);
    assert.equal(out.echoed.length, parts.length);
    assert.deepEqual(out.echoed, parts);
  });

  test('single-answer calls pass the backend\'s response headers and trailers through', async () => {
    for (const start of [
      (cb: (err: grpc.ServiceError | null) => void) => suite.client.Echo({ text: 'e' }, auth('writer'), options(), cb),
      (cb: (err: grpc.ServiceError | null) => void) => {
        const call = suite.client.Collect(auth('writer'), options(), cb);
        call.write({ text: 'c' });
        call.end();
        return call;
      },
    ]) {
      const out = await new Promise<{ code?: grpc.status; header?: unknown; trailer?: unknown }>((done) => {
        const got: { code?: grpc.status; header?: unknown; trailer?: unknown } = {};
        const call = start((err) => err && done({ code: err.code }));
        call.on('metadata', (md: grpc.Metadata) => (got.header = md.get('x-backend-header')[0]));
        call.on('status', (s: grpc.StatusObject) => done({ ...got, code: s.code, trailer: s.metadata.get('x-backend-trailer')[0] }));
      });
      assert.deepEqual(out, { code: grpc.status.OK, header: 'h1', trailer: 't1' });
    }
  });
});
