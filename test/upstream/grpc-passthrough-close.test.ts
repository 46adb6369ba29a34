/**
 * The passthrough listener's close is bounded: right after a TLS client failed its handshake
 * on the plaintext listener, grpc-js' graceful shutdown can wait forever on the torn-down
 * connection (seen with @grpc/grpc-js 1.14 on Node 20), which would hold a gateway's SIGTERM
 * open. close(graceMs) ends what is left once the grace is over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { startGrpcPassthrough } from '../../src/upstream/grpc-passthrough.js';

const REGISTRY_PROTO = join(import.meta.dirname, '../../proto/prism/patterns/registry/v1/registry.proto');
const raw = (b: Buffer) => b;

test('close() returns within its grace after a failed TLS handshake', { timeout: 20_000 }, async (t) => {
  for (let round = 1; round <= 3; round++) {
    const passthrough = await startGrpcPassthrough([{ name: 'default', target: '127.0.0.1:1', protoFiles: [REGISTRY_PROTO], enabled: true }], { listen: '127.0.0.1:0' });
    const client = new grpc.Client(passthrough.address, grpc.credentials.createSsl());
    const failure = await new Promise<grpc.ServiceError | null>((done) =>
      client.makeUnaryRequest('/prism.patterns.registry.v1.Registry/ListSubjects', raw, raw, Buffer.alloc(0), { deadline: Date.now() + 3000 }, (err) => done(err)),
    );
    client.close();
    assert.equal(failure?.code, grpc.status.UNAVAILABLE, 'TLS against a plaintext listener fails');
    const started = Date.now();
    await passthrough.close(300);
    const took = Date.now() - started;
    t.diagnostic(`round ${round}: closed in ${took} ms`);
    assert.ok(took < 2_000, `close took ${took} ms`);
  }
});
