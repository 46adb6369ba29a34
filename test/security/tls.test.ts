/**
 * TLS: HTTPS on the public listener with a test CA and `clientCertificates: require` (a client
 * without a certificate is refused, one with a CA-signed certificate is served), and TLS to a
 * gRPC backend (`pattern.tls.caFile`) against a grpc-js server with a test certificate. Keys
 * are made with openssl in a temporary folder at test time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { stringify } from 'yaml';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { loadProtoRoot } from '../../src/upstream/proto-root.js';
import { createServiceDefinition } from '../../src/upstream/service-definition.js';
import { CONFLUENT_FRONTEND, REPO_ROOT } from './support.js';

let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA, a server certificate for 127.0.0.1/localhost, and a client certificate, all signed by the CA. */
function makeCertificates() {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=prism test CA');
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const [name, ext] of [['server', ['-extfile', 'server.ext']], ['client', []]] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', ...ext);
  }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=rogue');
}

function get(url: string, options: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = httpsRequest(url, { ...options, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

let gateway: RunningGateway;
let backendGateway: RunningGateway;
let server: grpc.Server;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prism-tls-'));
  makeCertificates();
  writeFileSync(
    file('gateway.yaml'),
    stringify({
      http: { tls: { certFile: 'server.crt', keyFile: 'server.key', caFile: 'ca.crt', clientCertificates: 'require' } },
      backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
    }),
  );
  gateway = await startGateway(loadGatewayConfig(file('gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: file('data'), logger: false });

  // A TLS gRPC backend: a Registry whose ListSubjects answers ["over-tls"].
  const root = loadProtoRoot([join(REPO_ROOT, 'proto/prism/patterns/registry/v1/registry.proto')]);
  server = new grpc.Server();
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
  backendGateway = await startGateway(loadGatewayConfig(file('backend-gateway.yaml')), { host: '127.0.0.1', port: 0, dataDir: file('data2'), logger: false });
});

after(async () => {
  await gateway?.close();
  await backendGateway?.close();
  server?.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

test('HTTPS with clientCertificates: require — a CA-signed client is served, others are refused', async () => {
  assert.match(gateway.url, /^https:\/\//);
  const ca = readFileSync(file('ca.crt'));
  const ok = await get(`${gateway.url}/subjects`, { ca, cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')) });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(JSON.parse(ok.text), []);
  await assert.rejects(get(`${gateway.url}/subjects`, { ca }), 'no client certificate');
  await assert.rejects(get(`${gateway.url}/subjects`, { ca, cert: readFileSync(file('rogue.crt')), key: readFileSync(file('rogue.key')) }), 'a certificate from another CA');
  await assert.rejects(get(`${gateway.url}/subjects`, { cert: readFileSync(file('client.crt')), key: readFileSync(file('client.key')) }), 'the client does not trust the server without the CA');
  const plain = await fetch(gateway.url.replace('https:', 'http:') + '/subjects').then((r) => r.status, () => 'refused');
  assert.notEqual(plain, 200, 'no plain HTTP on the TLS listener');
});

test('TLS to a gRPC backend with pattern.tls.caFile', async () => {
  const a = await fetch(`${backendGateway.url}/subjects`);
  assert.equal(a.status, 200, await a.clone().text());
  assert.deepEqual(await a.json(), ['over-tls']);
});
