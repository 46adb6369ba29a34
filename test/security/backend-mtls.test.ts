/**
 * mTLS to a gRPC backend: a grpc-js Registry server that requires a client certificate signed
 * by the test CA (`checkClientCertificate: true`). A gateway with `pattern.tls` caFile +
 * certFile + keyFile gets through, and the backend sees the gateway's certificate. Without a
 * client certificate, with one from another CA, or without trusting the server, every call
 * ends in the Confluent frontend's mapped error (500/50003), promptly; the handler never runs,
 * and /readyz reports the backend NOT_SERVING.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig, type TlsConfig } from '../../src/config/gateway-config.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { call, CONFLUENT_FRONTEND, keyPair, makeCertificates, REPO_ROOT } from './support.js';
import { addHealthService } from '../support/fixture-server.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

/** Calls that reached the Registry handler, and the client certificate's CN each one showed. */
const seen: string[] = [];
/** Every gateway the tests started, in order; the suite closes them before the backend. */
const gateways: RunningGateway[] = [];

const raw = (b: Buffer) => b;
const REGISTRY_PROTO = join(REPO_ROOT, 'proto/prism/patterns/registry/v1/registry.proto');

const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('mtls')).path;
  makeCertificates(dir);
  const root = loadProtoRoot([REGISTRY_PROTO]);
  const server = new grpc.Server();
  scope.onClose(() => server.forceShutdown());
  server.addService(createServiceDefinition(root.lookupService('prism.patterns.registry.v1.Registry')), {
    ListSubjects: (c: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      const cn = String(c.getAuthContext().sslPeerCertificate?.subject?.CN ?? 'none');
      seen.push(cn);
      cb(null, { subjects: [`peer:${cn}`] });
    },
  });
  // grpc.health.v1 for /readyz.
  addHealthService(server);
  const credentials = grpc.ServerCredentials.createSsl(readFileSync(join(dir, 'ca.crt')), [{ cert_chain: keyPair(dir, 'server').cert, private_key: keyPair(dir, 'server').key }], true);
  const port = await new Promise<number>((done, fail) => server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? fail(err) : done(p))));
  return { dir, target: `127.0.0.1:${port}`, scope };
});

/** A gateway whose only namespace reaches the mTLS backend with `tls` (file paths in the suite's folder). */
async function gatewayWith(name: string, tls: TlsConfig, pattern: Record<string, unknown> = {}): Promise<RunningGateway> {
  const file = join(suite.dir, `${name}.yaml`);
  writeFileSync(file, stringify({ namespaces: [{ name: 'default', deadlineMs: 5000, pattern: { target: suite.target, tls, ...pattern }, frontends: [{ file: CONFLUENT_FRONTEND }] }] }));
  const gateway = suite.scope.own(await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(suite.dir, `data-${name}`), logger: false }));
  gateways.push(gateway);
  return gateway;
}

describe('a backend that requires client certificates', () => {
  test('caFile + certFile + keyFile: served, and the backend sees the gateway certificate', async () => {
    const gateway = await gatewayWith('mtls', { caFile: 'ca.crt', certFile: 'client.crt', keyFile: 'client.key' });
    for (let i = 0; i < 5; i++) {
      const a = await call(`${gateway.url}/subjects`);
      assert.equal(a.status, 200, a.text);
      assert.deepEqual(a.json(), ['peer:client']);
    }
    assert.deepEqual(seen, Array(5).fill('client'));
    const ready = await call(`${gateway.adminUrl}/readyz`);
    assert.equal(ready.status, 200, ready.text);
  });

  const refused: [string, TlsConfig][] = [
    ['no client certificate', { caFile: 'ca.crt' }],
    ['a client certificate from another CA', { caFile: 'ca.crt', certFile: 'rogue.crt', keyFile: 'rogue.key' }],
    ['a client certificate, but the server is not trusted', { certFile: 'client.crt', keyFile: 'client.key' }],
  ];
  for (const [i, [what, tls]] of refused.entries()) {
    test(`${what}: 500/50003 on every call, promptly, and nothing reaches the handler`, async (t) => {
      const before = seen.length;
      const gateway = await gatewayWith(`refused-${i}`, tls);
      let slowest = 0;
      for (let round = 0; round < 5; round++) {
        const started = performance.now();
        const a = await call(`${gateway.url}/subjects`);
        slowest = Math.max(slowest, performance.now() - started);
        assert.equal(a.status, 500, a.text);
        assert.deepEqual(a.json(), { error_code: 50003, message: 'Error while forwarding the request to the registry backend' });
      }
      // The 5 s route deadline was not what ended the calls: the handshake failure did.
      assert.ok(slowest < 4000, `slowest answer ${Math.round(slowest)} ms`);
      assert.equal(seen.length, before, 'no call reached the Registry handler');
      const ready = await call(`${gateway.adminUrl}/readyz`);
      assert.equal(ready.status, 503, ready.text);
      assert.deepEqual((ready.json() as { namespaces: unknown }).namespaces, { default: 'NOT_SERVING' });
      t.diagnostic(`${what}: 5 × 500/50003, slowest ${Math.round(slowest)} ms`);
    });
  }

  test('the gRPC passthrough listener reaches the backend with the namespace\'s pattern.tls', async () => {
    const gateway = await gatewayWith('passthrough', { caFile: 'ca.crt', certFile: 'client.crt', keyFile: 'client.key' }, { protos: [REGISTRY_PROTO] });
    const client = new grpc.Client(gateway.grpcAddress!, grpc.credentials.createInsecure());
    try {
      const reply = await new Promise<Buffer>((done, fail) =>
        client.makeUnaryRequest('/prism.patterns.registry.v1.Registry/ListSubjects', raw, raw, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err, value) => (err ? fail(err) : done(value!))),
      );
      assert.match(reply.toString('latin1'), /peer:client/);
    } finally {
      client.close();
    }
  });

  test('the gateway that has the certificate is unaffected by the refused ones', async () => {
    const a = await call(`${gateways[0].url}/subjects`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json(), ['peer:client']);
  });
});
