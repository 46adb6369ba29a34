/**
 * gRPC-Web and Connect under the gateway's own rules, against a real gateway over the fixture
 * gRPC server: authentication and the namespace's role per method (with a `methodRoles`
 * override), namespaces sharing a path picked by `x-prism-namespace`, the metadata a backend
 * receives, a namespace whose gRPC interface is off, a backend that is down, the listener's
 * body limit and a client deadline in each protocol's own shape, hot reload (a binding added
 * through the admin API mounts its namespace's methods at its prefix) and the reserved-path
 * refusal of a REST route, and the per-method metrics.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '../../src/security/password-hash.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';
import { echoFrontend, FIXTURE_PROTO_FILE, fixtureNamespace, http, sampleValue, startFromConfig, tempDir, writeConfig } from '../operations/support.js';
import { bodyOf, frame, grpcWebBody, grpcWebStatus } from './rpc-wire.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';

const SERVICE = '/prism.test.v1.EverythingService';
const everything = loadProtoRoot(['prism/test/v1/everything.proto']).lookupType('prism.test.v1.Everything');
const slow = loadProtoRoot(['prism/test/v1/everything.proto']).lookupType('prism.test.v1.SlowRequest');

const USERS = { reader: 'reader-pw-1', writer: 'writer-pw-2', admin: 'admin-pw-3' };
const ROLES = { reader: 'read', writer: 'write', admin: 'admin' };
const basic = (name: keyof typeof USERS) => `Basic ${Buffer.from(`${name}:${USERS[name]}`).toString('base64')}`;

const stack = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const dir = scope.own(tempDir('rpc-ns'));
  const users = await Promise.all(Object.entries(USERS).map(async ([name, pw]) => ({ name, password: await hashPassword(pw), roles: ROLES[name as keyof typeof ROLES] })));
  writeFileSync(join(dir.path, 'users.yaml'), stringify({ users }));
  writeFileSync(join(dir.path, 'echo.yaml'), echoFrontend('echo', [{ id: 'e', path: '/e', marker: 'rest' }]));
  const configFile = writeConfig(dir.path, {
    auth: { basic: { usersFile: 'users.yaml' } },
    bodyLimit: 4096,
    namespaces: [
      // a and b: no frontend binding, so both serve their methods at the root.
      fixtureNamespace('a', fixture.address, [], { grpcWeb: true, methodRoles: { 'prism.test.v1.EverythingService/Describe': 'read' } }),
      fixtureNamespace('b', fixture.address, [], { grpcWeb: true }),
      // Its gRPC interface is off: no gRPC-Web or Connect either.
      fixtureNamespace('off', fixture.address, [{ file: 'echo.yaml', pathPrefix: '/off' }], { grpcWeb: true, grpcPassthrough: false }),
      // Nothing listens there.
      { name: 'down', pattern: { target: '127.0.0.1:1', protos: [FIXTURE_PROTO_FILE] }, frontends: [{ file: 'echo.yaml', pathPrefix: '/down' }], grpcWeb: true },
    ],
  });
  const gateway = scope.own(await startFromConfig(configFile, join(dir.path, 'data')));
  return { fixture, gateway };
});

interface Out {
  res: Response;
  body: Buffer;
}
async function call(path: string, type: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<Out> {
  const res = await fetch(stack.gateway.url + path, { method: 'POST', headers: { 'content-type': type, ...headers }, body: bodyOf(body) });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}
const grpcWeb = (path: string, message: Uint8Array, headers: Record<string, string> = {}) => call(path, 'application/grpc-web+proto', frame(message), headers);
const connect = (path: string, json: unknown, headers: Record<string, string> = {}) => call(path, 'application/json', JSON.stringify(json), headers);
const echo = (text: string) => everything.encode({ f_string: text }).finish();

describe('authentication and roles', () => {
  const cases: { name: string; headers: Record<string, string>; method?: string; grpc: number; connect: [number, string] }[] = [
    { name: 'no credentials', headers: {}, grpc: 16, connect: [401, 'unauthenticated'] },
    { name: 'a wrong password', headers: { authorization: `Basic ${Buffer.from('writer:nope').toString('base64')}` }, grpc: 16, connect: [401, 'unauthenticated'] },
    { name: 'a reader calling a write', headers: { authorization: basic('reader'), 'x-prism-namespace': 'a' }, grpc: 7, connect: [403, 'permission_denied'] },
    { name: 'a reader calling a method methodRoles makes a read', headers: { authorization: basic('reader'), 'x-prism-namespace': 'a' }, method: 'Describe', grpc: 0, connect: [200, ''] },
    { name: 'a writer calling a write', headers: { authorization: basic('writer'), 'x-prism-namespace': 'a' }, grpc: 0, connect: [200, ''] },
  ];
  for (const c of cases) {
    test(`${c.name}: gRPC-Web grpc-status ${c.grpc}, Connect ${c.connect.join(' ')}`, async () => {
      const path = `${SERVICE}/${c.method ?? 'Echo'}`;
      const web = await grpcWeb(path, echo('hi'), c.headers);
      assert.equal(web.res.status, 200);
      assert.equal(grpcWebStatus(web.res, web.body).code, c.grpc);
      const con = await connect(path, { fString: 'hi' }, c.headers);
      assert.equal(con.res.status, c.connect[0], con.body.toString());
      if (c.connect[1]) assert.equal(JSON.parse(con.body.toString()).code, c.connect[1]);
    });
  }
});

describe('namespaces', () => {
  const writer = { authorization: basic('writer') };

  test('two namespaces at one path: without x-prism-namespace the call is refused, naming both', async () => {
    const web = await grpcWeb(`${SERVICE}/Echo`, echo('hi'), writer);
    const status = grpcWebStatus(web.res, web.body);
    assert.equal(status.code, 9);
    assert.match(status.message, /x-prism-namespace.*a, b/);
    const con = await connect(`${SERVICE}/Echo`, { fString: 'hi' }, writer);
    assert.equal(con.res.status, 400);
    assert.equal(JSON.parse(con.body.toString()).code, 'failed_precondition');
  });

  test('x-prism-namespace picks one; the backend gets the caller metadata without credentials or the namespace header', async () => {
    const before = stack.fixture.received.length;
    const web = await grpcWeb(`${SERVICE}/Echo`, echo('to-b'), { ...writer, 'x-prism-namespace': 'b', 'x-tenant': 't-1', 'x-grpc-web': '1' });
    const { messages, trailers } = grpcWebBody(web.body);
    assert.equal(trailers?.['grpc-status'], '0');
    assert.equal(everything.decode(messages[0]).toJSON().f_string, 'to-b');
    const seen = stack.fixture.received.slice(before).find((r) => r.method === 'Echo');
    assert.ok(seen);
    assert.equal(seen.metadata['x-tenant'], 't-1');
    assert.equal(seen.metadata['authorization'], undefined);
    assert.equal(seen.metadata['x-prism-namespace'], undefined);
    assert.notEqual(seen.metadata['content-type'], 'application/grpc-web+proto');
    assert.equal(seen.metadata['x-grpc-web'], undefined);
  });

  test('a namespace that does not serve the path is NOT_FOUND', async () => {
    const web = await grpcWeb(`${SERVICE}/Echo`, echo('x'), { ...writer, 'x-prism-namespace': 'nope' });
    assert.equal(grpcWebStatus(web.res, web.body).code, 5);
  });

  test('a namespace with its gRPC interface off serves no RPC path: its prefix is REST only', async () => {
    const web = await grpcWeb(`/off${SERVICE}/Echo`, echo('x'), writer);
    assert.equal(web.res.status, 404);
    assert.equal(web.res.headers.get('grpc-status'), null);
    const rest = await http(`${stack.gateway.url}/off/e`, { headers: writer });
    assert.equal(rest.status, 200);
  });

  test('a backend that is down is UNAVAILABLE (gRPC-Web 14, Connect 503 unavailable)', async () => {
    const web = await grpcWeb(`/down${SERVICE}/Echo`, echo('x'), writer);
    assert.equal(grpcWebStatus(web.res, web.body).code, 14);
    const con = await connect(`/down${SERVICE}/Echo`, {}, writer);
    assert.equal(con.res.status, 503);
    assert.equal(JSON.parse(con.body.toString()).code, 'unavailable');
  });
});

describe('limits', () => {
  const headers = { authorization: basic('writer'), 'x-prism-namespace': 'a' };

  test('a body over the listener limit is RESOURCE_EXHAUSTED in the protocol shape, not a REST error', async () => {
    const big = echo('x'.repeat(8000));
    const web = await grpcWeb(`${SERVICE}/Echo`, big, headers);
    assert.equal(web.res.status, 200);
    assert.equal(grpcWebStatus(web.res, web.body).code, 8);
    const con = await connect(`${SERVICE}/Echo`, { fString: 'x'.repeat(8000) }, headers);
    assert.equal(con.res.status, 429);
    assert.equal(JSON.parse(con.body.toString()).code, 'resource_exhausted');
  });

  test('grpc-timeout and connect-timeout-ms bound a slow call: DEADLINE_EXCEEDED long before the backend answers', async () => {
    const started = Date.now();
    const web = await grpcWeb(`${SERVICE}/Slow`, slow.encode({ delay_ms: 10_000 }).finish(), { ...headers, 'grpc-timeout': '100m' });
    assert.equal(grpcWebStatus(web.res, web.body).code, 4);
    const con = await connect(`${SERVICE}/Slow`, { delayMs: 10_000 }, { ...headers, 'connect-timeout-ms': '100' });
    assert.equal(con.res.status, 504);
    assert.equal(JSON.parse(con.body.toString()).code, 'deadline_exceeded');
    assert.ok(Date.now() - started < 5_000, 'both calls ended on their 100 ms deadlines, not the backend');
  });

  test('calls are counted per namespace, method and protocol', async () => {
    const metrics = (await http(`${stack.gateway.adminUrl}/metrics`, { headers: { authorization: basic('admin') } })).text;
    assert.ok((sampleValue(metrics, 'prism_rpc_calls_total', { namespace: 'b', method: `${SERVICE}/Echo`, protocol: 'grpc-web', code: 'OK' }) ?? 0) >= 1, metrics.split('\n').filter((l) => l.includes('rpc')).join('\n'));
    assert.ok((sampleValue(metrics, 'prism_rpc_calls_total', { namespace: 'a', method: `${SERVICE}/Echo`, protocol: 'connect', code: 'PERMISSION_DENIED' }) ?? 0) >= 1);
  });
});

describe('hot reload and reserved paths', () => {
  const admin = { authorization: basic('admin'), 'content-type': 'application/yaml' };
  const writer = { authorization: basic('writer') };

  test('a REST route on a served RPC path is refused with RESERVED_PATH, and nothing changes', async () => {
    const text = echoFrontend('clash', [], '    - { id: take-all, method: POST, path: "/{s}/{m}", grpc: Echo, params: [{ from: path.s, to: f_string }, { from: path.m, to: f_bytes }] }\n');
    const put = await http(`${stack.gateway.adminUrl}/admin/frontends/clash?namespace=a`, { method: 'PUT', headers: admin, body: text });
    assert.equal(put.status, 400, put.text);
    assert.match(put.text, /RESERVED_PATH/);
    assert.match(put.text, /take-all/);
  });

  test("a binding added through the admin API mounts its namespace's methods at its prefix", async () => {
    const before = await grpcWeb(`/hot${SERVICE}/Echo`, echo('x'), writer);
    assert.equal(before.res.status, 404);
    const put = await http(`${stack.gateway.adminUrl}/admin/frontends/hot?namespace=b&pathPrefix=/hot`, { method: 'PUT', headers: admin, body: echoFrontend('hot', [{ id: 'h', path: '/h', marker: 'hot' }]) });
    assert.equal(put.status, 200, put.text);
    const web = await grpcWeb(`/hot${SERVICE}/Echo`, echo('at-hot'), writer);
    assert.equal(grpcWebStatus(web.res, web.body).code, 0);
    assert.equal(everything.decode(grpcWebBody(web.body).messages[0]).toJSON().f_string, 'at-hot');
    // b is bound now, so the root is a's alone: no namespace header needed there any more.
    const root = await grpcWeb(`${SERVICE}/Echo`, echo('root'), writer);
    assert.equal(grpcWebStatus(root.res, root.body).code, 0);
  });
});
