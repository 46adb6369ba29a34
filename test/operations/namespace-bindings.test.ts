/**
 * Namespace bindings against the fixture backend: per-namespace overrides (deadline, header
 * allow-list) applied to the same frontend mounted twice, frontends bound to a Host (from the
 * config and through the admin API), and the gRPC passthrough of the fixture service (metadata
 * forwarded without the namespace key, the rich error status passed through unchanged).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FIXTURE_PROTO, FIXTURE_SERVICE } from '../support/fixture-server.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { echoFrontend, fixtureNamespace, http, putFrontend, useConfiguredGateway } from './support.js';

const SHARED = echoFrontend(
  'shared',
  [{ id: 'echo', path: '/echo', marker: 'shared' }],
  `    - { id: slow, method: GET, path: /slow, grpc: Slow, params: [{ const: 800, to: delay_ms }] }
`,
);

/** One GET with an explicit Host header (fetch would not let a test choose it). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const req = httpRequest(url, { headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end();
  });
}

const stack = useConfiguredGateway('bindings', (fixture, dir) => {
  writeFileSync(join(dir, 'shared.yaml'), SHARED);
  writeFileSync(join(dir, 'hosted.yaml'), echoFrontend('hosted', [{ id: 'whoami-hosted', path: '/whoami', marker: 'hosted' }]));
  writeFileSync(join(dir, 'anyhost.yaml'), echoFrontend('anyhost', [{ id: 'whoami-any', path: '/whoami', marker: 'anyhost' }]));
  return {
    // Declared, bound to nothing: the admin API lists it without its config.
    backends: [{ name: 'pg-main', type: 'POSTGRES', config: { host: 'db.internal', password: 'hunter2-secret' } }],
    namespaces: [
      fixtureNamespace('tight', fixture.address, [{ file: 'shared.yaml', pathPrefix: '/tight' }], { deadlineMs: 300, forwardHeaders: ['x-tenant'] }),
      fixtureNamespace('loose', fixture.address, [{ file: 'shared.yaml', pathPrefix: '/loose' }, { file: 'anyhost.yaml' }]),
      fixtureNamespace('hosts', fixture.address, [{ file: 'hosted.yaml', host: 'api.example.test' }], { grpcPassthrough: false }),
    ],
  };
});

describe('per-namespace overrides', () => {
  test('the namespace deadline applies to its mount of a frontend only', async () => {
    const tight = await get(`${stack.gateway.url}/tight/slow`);
    assert.equal(tight.status, 504, tight.text);
    const loose = await get(`${stack.gateway.url}/loose/slow`);
    assert.equal(loose.status, 200, loose.text);
    assert.equal(loose.text, '{}');
  });

  test('the namespace header allow-list forwards its headers (and only those) as metadata', async () => {
    const before = stack.fixture.received.length;
    assert.equal((await get(`${stack.gateway.url}/tight/echo`, { 'x-tenant': 'acme', 'x-other': 'nope', 'x-request-id': 'rid-tight' })).status, 200);
    assert.equal((await get(`${stack.gateway.url}/loose/echo`, { 'x-tenant': 'acme', 'x-request-id': 'rid-loose' })).status, 200);
    const [tight, loose] = stack.fixture.received.slice(before);
    assert.equal(tight.metadata['x-tenant'], 'acme');
    assert.equal(tight.metadata['x-other'], undefined);
    assert.equal(tight.metadata['x-request-id'], 'rid-tight');
    assert.equal(loose.metadata['x-tenant'], undefined, 'the other namespace does not forward it');
    assert.equal(loose.metadata['x-request-id'], 'rid-loose');
  });
});

describe('admin views of namespaces and backends', () => {
  test('/admin/namespaces shows each namespace\'s target, passthrough switch and frontends', async () => {
    const list = ((await http(`${stack.gateway.adminUrl}/admin/namespaces`)).json() as Record<string, unknown>[]).map((n) => ({ name: n.name, target: n.target, grpcPassthrough: n.grpcPassthrough, frontends: n.frontends }));
    assert.deepEqual(list, [
      { name: 'tight', target: stack.fixture.address, grpcPassthrough: true, frontends: ['shared'] },
      { name: 'loose', target: stack.fixture.address, grpcPassthrough: true, frontends: ['shared', 'anyhost'] },
      { name: 'hosts', target: stack.fixture.address, grpcPassthrough: false, frontends: ['hosted'] },
    ]);
  });

  test('/admin/backends lists names and types, never their config', async () => {
    const a = await http(`${stack.gateway.adminUrl}/admin/backends`);
    assert.equal(a.status, 200);
    assert.deepEqual((a.json() as Record<string, unknown>[]).map((b) => ({ name: b.name, type: b.type })), [{ name: 'pg-main', type: 'POSTGRES' }]);
    assert.doesNotMatch(a.text, /hunter2-secret|db\.internal/);
  });
});

describe('host-bound frontends', () => {
  test('a frontend bound to a host from the config serves that host only; others fall to the unbound one', async () => {
    assert.deepEqual(await get(`${stack.gateway.url}/whoami`, { host: 'api.example.test' }), { status: 200, text: '{"fString":"hosted"}' });
    assert.deepEqual(await get(`${stack.gateway.url}/whoami`, { host: 'API.Example.Test:8081' }), { status: 200, text: '{"fString":"hosted"}' }, 'case and port do not matter');
    assert.deepEqual(await get(`${stack.gateway.url}/whoami`, { host: 'other.example.test' }), { status: 200, text: '{"fString":"anyhost"}' });
  });

  test('a frontend applied with ?host= serves that host only', async () => {
    const put = await putFrontend(stack.gateway.adminUrl!, 'admin-hosted', echoFrontend('admin-hosted', [{ id: 'only-here', path: '/only-here', marker: 'admin-hosted' }]), { namespace: 'loose', host: 'admin.example.test' });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(await get(`${stack.gateway.url}/only-here`, { host: 'admin.example.test' }), { status: 200, text: '{"fString":"admin-hosted"}' });
    assert.equal((await get(`${stack.gateway.url}/only-here`, { host: 'elsewhere.test' })).status, 404);
  });

  test('with several namespaces, an apply without ?namespace= is refused', async () => {
    const put = await putFrontend(stack.gateway.adminUrl!, 'homeless', echoFrontend('homeless', [{ id: 'homeless', path: '/homeless', marker: 'x' }]));
    assert.equal(put.status, 400, put.text);
    assert.match(put.text, /namespace/);
    const unknown = await putFrontend(stack.gateway.adminUrl!, 'homeless', echoFrontend('homeless', [{ id: 'homeless', path: '/homeless', marker: 'x' }]), { namespace: 'nowhere' });
    assert.equal(unknown.status, 400, unknown.text);
    assert.match(unknown.text, /nowhere/);
    assert.equal((await get(`${stack.gateway.url}/homeless`)).status, 404);
  });
});

describe('gRPC passthrough of the fixture service', () => {
  type Unary = (request: Record<string, unknown>, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, value?: Record<string, unknown>) => void) => void;
  type FixtureClient = grpc.Client & { Echo: Unary; Fail: Unary; Slow: Unary };
  const Ctor = grpc.makeGenericClientConstructor(createServiceDefinition(loadProtoRoot([FIXTURE_PROTO]).lookupService(FIXTURE_SERVICE)), 'Everything');
  let through: FixtureClient;
  let direct: FixtureClient;

  before(() => {
    through = new Ctor(stack.gateway.grpcAddress!, grpc.credentials.createInsecure()) as unknown as FixtureClient;
    direct = new Ctor(stack.fixture.address, grpc.credentials.createInsecure()) as unknown as FixtureClient;
  });

  after(() => {
    through?.close();
    direct?.close();
  });

  const call = (c: FixtureClient, method: 'Echo' | 'Fail' | 'Slow', request: Record<string, unknown>, entries: Record<string, string>, deadlineMs = 5000) =>
    new Promise<{ err: grpc.ServiceError | null; value?: Record<string, unknown> }>((done) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(entries)) md.set(k, v);
      c[method](request, md, { deadline: Date.now() + deadlineMs }, (err, value) => done({ err, value }));
    });

  test('metadata reaches the backend without the namespace key', async () => {
    const before = stack.fixture.received.length;
    const out = await call(through, 'Echo', { f_string: 'hi', f_int64: '9007199254740993' }, { 'x-prism-namespace': 'loose', 'x-custom': 'kept' });
    assert.equal(out.err, null);
    assert.equal(out.value!.f_string, 'hi');
    assert.equal(out.value!.f_int64, '9007199254740993');
    const seen = stack.fixture.received.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0].metadata['x-custom'], 'kept');
    assert.equal(seen[0].metadata['x-prism-namespace'], undefined);
  });

  test('a rich error status passes through unchanged', async () => {
    const request = { code: 9, message: 'not now', reason: 'NOT_NOW', domain: 'fixture.test', metadata: { k: 'v', other: 'w' } };
    const viaGateway = await call(through, 'Fail', request, { 'x-prism-namespace': 'tight' });
    const viaFixture = await call(direct, 'Fail', request, {});
    const summary = (e: grpc.ServiceError | null) => {
      const bytes = e?.metadata.get(STATUS_DETAILS_KEY)[0];
      return { code: e?.code, details: e?.details, info: decodeErrorInfo(typeof bytes === 'string' ? undefined : bytes) };
    };
    assert.deepEqual(summary(viaFixture.err), { code: 9, details: 'not now', info: { reason: 'NOT_NOW', domain: 'fixture.test', metadata: { k: 'v', other: 'w' } } });
    assert.deepEqual(summary(viaGateway.err), summary(viaFixture.err));
  });

  test('the client deadline travels with the call', async () => {
    const started = Date.now();
    const out = await call(through, 'Slow', { delay_ms: 2000 }, { 'x-prism-namespace': 'loose' }, 300);
    assert.equal(out.err?.code, grpc.status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 1500, 'it did not wait for the backend');
  });

  test('the namespace with the passthrough switched off is UNIMPLEMENTED, the others answer', async () => {
    const off = await call(through, 'Echo', {}, { 'x-prism-namespace': 'hosts' });
    assert.equal(off.err?.code, grpc.status.UNIMPLEMENTED);
    const on = await call(through, 'Echo', {}, { 'x-prism-namespace': 'tight' });
    assert.equal(on.err, null);
  });
});
