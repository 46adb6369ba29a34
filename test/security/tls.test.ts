/**
 * TLS: HTTPS on the public listener with a test CA and `clientCertificates: require` (a client
 * without a certificate is refused, one with a CA-signed certificate is served), and TLS to a
 * gRPC backend (`pattern.tls.caFile`) against a grpc-js server with a test certificate. Keys
 * are made with openssl in a temporary folder at test time. `grpc.tls` puts the gRPC
 * passthrough listener on TLS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { CONFLUENT_FRONTEND, httpsCall, keyPair, makeCertificates, REPO_ROOT } from './support.js';
import { useSuite } from '../support/use-suite.js';

const suite = useSuite(async (scope) => {
  const dir = mkdtempSync(join(tmpdir(), 'prism-tls-'));
  scope.onClose(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string) => join(dir, name);
  makeCertificates(dir);
  writeFileSync(
    file('gateway.yaml'),
    stringify({
      http: { tls: { certFile: 'server.crt', keyFile: 'server.key', caFile: 'ca.crt', clientCertificates: 'require' } },
      grpc: { tls: { certFile: 'server.crt', keyFile: 'server.key' } },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
    }),
  );
  const gateway = scope.own(await startGateway(loadGatewayConfig(file('gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: file('data'), logger: false }));

  // A TLS gRPC backend: a Registry whose ListSubjects answers ["over-tls"].
  const root = loadProtoRoot([join(REPO_ROOT, 'proto/prism/patterns/registry/v1/registry.proto')]);
  const server = new grpc.Server();
  scope.onClose(() => server.forceShutdown());
  server.addService(createServiceDefinition(root.lookupService('prism.patterns.registry.v1.Registry')), {
    ListSubjects: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { subjects: ['over-tls'] }),
  });
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(file('server.crt')), private_key: readFileSync(file('server.key')) }], false), (err, p) => (err ? fail(err) : done(p))),
  );
  writeFileSync(
    file('backend-gateway.yaml'),
    stringify({ namespaces: [{ name: 'default', pattern: { target: `127.0.0.1:${port}`, tls: { caFile: 'ca.crt' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }] }),
  );
  const backendGateway = scope.own(await startGateway(loadGatewayConfig(file('backend-gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: file('data2'), logger: false }));
  return { dir, gateway, backendGateway };
});

const file = (name: string) => join(suite.dir, name);

test('HTTPS with clientCertificates: require — a CA-signed client is served, others are refused', async () => {
  assert.match(suite.gateway.url, /^https:\/\//);
  const ca = readFileSync(file('ca.crt'));
  const ok = await httpsCall(`${suite.gateway.url}/subjects`, { ca, ...keyPair(suite.dir, 'client') });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(JSON.parse(ok.text), []);
  await assert.rejects(httpsCall(`${suite.gateway.url}/subjects`, { ca }), 'no client certificate');
  await assert.rejects(httpsCall(`${suite.gateway.url}/subjects`, { ca, ...keyPair(suite.dir, 'rogue') }), 'a certificate from another CA');
  await assert.rejects(httpsCall(`${suite.gateway.url}/subjects`, keyPair(suite.dir, 'client')), 'the client does not trust the server without the CA');
  const plain = await fetch(suite.gateway.url.replace('https:', 'http:') + '/subjects').then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200, 'no plain HTTP on the TLS listener');
});

test('TLS to a gRPC backend with pattern.tls.caFile', async () => {
  const a = await fetch(`${suite.backendGateway.url}/subjects`);
  assert.equal(a.status, 200, await a.clone().text());
  assert.deepEqual(await a.json(), ['over-tls']);
});

test(
  'grpc.tls: the gRPC passthrough listener speaks TLS, and plaintext clients are refused',
  async () => {
    const [host, port] = suite.gateway.grpcAddress!.split(':');
    await new Promise<void>((done, fail) => {
      const socket = connectTls({ host, port: Number(port), ca: readFileSync(file('ca.crt')), servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
        socket.destroy();
        done();
      });
      socket.on('error', fail);
    });
    const raw = (b: Buffer) => b;
    // A gRPC client over TLS calls the embedded registry through the listener.
    const tlsClient = new grpc.Client(`localhost:${port}`, grpc.credentials.createSsl(readFileSync(file('ca.crt'))));
    const overTls = await new Promise<Buffer>((done, fail) =>
      tlsClient.makeUnaryRequest('/prism.patterns.registry.v1.Registry/ListSubjects', raw, raw, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err, value) => (err ? fail(err) : done(value!))),
    ).finally(() => tlsClient.close());
    assert.equal(overTls.length, 0, 'an empty ListSubjects reply');
    const client = new grpc.Client(suite.gateway.grpcAddress!, grpc.credentials.createInsecure());
    const plaintext = new Promise<Buffer>((done, fail) =>
      client.makeUnaryRequest('/prism.patterns.registry.v1.Registry/ListSubjects', raw, raw, Buffer.alloc(0), { deadline: Date.now() + 5000 }, (err, value) => (err ? fail(err) : done(value!))),
    );
    await assert.rejects(plaintext.finally(() => client.close()), 'no plaintext on a TLS listener');
  },
);
