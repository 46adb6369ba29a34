/**
 * A GraphQL endpoint behind the gateway's auth, CORS and hot reload, as REST routes are:
 * credentials checked once per request (401 with the challenge), roles per field (queries
 * read, mutations write: a mutation by a reader fails alone, with PERMISSION_DENIED at its
 * path), a CORS preflight on the endpoint, and a swapped table serving the new schema to new
 * requests.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createAuthenticator } from '../../src/security/authenticator.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { FIXTURE_GRAPHQL } from './fixture-definition.js';

const basic = (name: string, password: string) => `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;

const gw = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const upstream = createGrpcUpstream(fixture.address);
  scope.onClose(() => upstream.close());
  const dir = scope.own(tempDir('graphql-auth')).path;
  const users = [
    { name: 'reader', password: await hashPassword('r-pass'), roles: { default: 'read' } },
    { name: 'writer', password: await hashPassword('w-pass'), roles: { default: 'write' } },
  ];
  writeFileSync(join(dir, 'users.yaml'), stringify({ users }));
  const auth = createAuthenticator({ basic: { usersFile: 'users.yaml' } }, dir);
  scope.onClose(() => auth.close?.());
  const compile = (text: string) => compileRouteTable(parseDefinitions(text, 'g.yaml', process.cwd()).map((loaded) => ({ loaded, upstream, namespace: 'default' })));
  const tables = createTableHolder(compile(FIXTURE_GRAPHQL));
  const app = createHttpServer({ tables, auth, cors: { allowOrigins: ['https://app.example'], allowCredentials: true } });
  scope.onClose(() => app.close());
  await app.ready();
  return { app, tables, compile };
});

async function post(query: string, authorization?: string) {
  const res = await gw.app.inject({
    method: 'POST',
    url: '/graphql',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    payload: JSON.stringify({ query }),
  });
  return { status: res.statusCode, headers: res.headers, body: res.json() as { data?: Record<string, unknown>; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] } };
}

describe('GraphQL auth', () => {
  test('no credentials: 401 with the challenge, before any field runs', async () => {
    const { status, headers, body } = await post('{ version(v: "1") }');
    assert.equal(status, 401);
    assert.match(String(headers['www-authenticate']), /^Basic/);
    assert.equal(body.errors![0].extensions!.code, 'UNAUTHENTICATED');
    assert.equal(body.data, undefined);
  });

  test('a reader queries; a reader\u2019s mutation fails alone with PERMISSION_DENIED at its path', async () => {
    const query = await post('{ version(v: "1") }', basic('reader', 'r-pass'));
    assert.deepEqual(query.body, { data: { version: 1 } });
    const mutation = await post('mutation { setText(text: "x") { text } }', basic('reader', 'r-pass'));
    assert.equal(mutation.status, 200);
    assert.deepEqual(mutation.body.data, { setText: null });
    assert.equal(mutation.body.errors![0].extensions!.code, 'PERMISSION_DENIED');
    assert.deepEqual(mutation.body.errors![0].path, ['setText']);
    const writer = await post('mutation { setText(text: "x") { text } }', basic('writer', 'w-pass'));
    assert.deepEqual(writer.body, { data: { setText: { text: 'x' } } });
  });
});

describe('GraphQL CORS', () => {
  test('a preflight on the endpoint is answered by the CORS policy', async () => {
    const res = await gw.app.inject({
      method: 'OPTIONS',
      url: '/graphql',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], 'https://app.example');
    const actual = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { origin: 'https://app.example', 'content-type': 'application/json', authorization: basic('reader', 'r-pass') }, payload: '{"query":"{ version(v: \\"2\\") }"}' });
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example');
  });
});

describe('GraphQL hot reload', () => {
  test('a swapped table serves the new schema to the next request', async () => {
    const before = await post('{ renamed: version(v: "3") }', basic('reader', 'r-pass'));
    assert.deepEqual(before.body, { data: { renamed: 3 } });
    gw.tables.swap(gw.compile(FIXTURE_GRAPHQL.replace('    version:\n', '    versionNumber:\n')));
    const old = await post('{ version(v: "3") }', basic('reader', 'r-pass'));
    // No Accept header: answered as application/graphql-response+json, a validation error is 400.
    assert.equal(old.status, 400);
    assert.match(old.body.errors![0].message, /Cannot query field "version"/);
    const now = await post('{ versionNumber(v: "3") }', basic('reader', 'r-pass'));
    assert.deepEqual(now.body, { data: { versionNumber: 3 } });
  });
});
