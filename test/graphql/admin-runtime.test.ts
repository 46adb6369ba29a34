/**
 * GraphQL frontends at run time through the admin API: applied (then served at once on the
 * public listener, WebSocket included), their SDL served at
 * `GET /admin/frontends/{name}/schema.graphql`, replaced (the new schema serves the next
 * request) and deleted, with no restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';

const definition = (field: string) => `name: runtime-graphql
type: GRAPHQL
protos: [prism/test/v1/everything.proto]
graphql:
  service: prism.test.v1.EverythingService
  query:
    ${field}: { grpc: Echo, args: { text: { to: f_string } }, result: { from: response.fString } }
`;

const suite = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const dir = mkdtempSync(join(tmpdir(), 'prism-graphql-admin-'));
  scope.onClose(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    `
admin: {}
grpc: { enabled: false }
namespaces:
  - name: fixture
    pattern: { target: '${fixture.address}', protos: ['${resolve('proto/prism/test/v1/everything.proto')}'] }
    frontends: []
`,
  );
  const gateway = scope.own(await startGateway(loadGatewayConfig(config), { port: 0, dataDir: join(dir, 'data'), logger: false }));
  return { gateway };
});

async function query(text: string) {
  const res = await fetch(`${suite.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: text }) });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string }[] } };
}

test('apply, read the SDL, replace and delete a GraphQL frontend at run time', async () => {
  const admin = suite.gateway.adminUrl!;
  const put = await fetch(`${admin}/admin/frontends/runtime-graphql`, { method: 'PUT', body: definition('shout') });
  assert.ok(put.ok, `${put.status} ${await put.text()}`);
  assert.deepEqual((await query('{ shout(text: "one") }')).body, { data: { shout: 'one' } });

  const sdl = await fetch(`${admin}/admin/frontends/runtime-graphql/schema.graphql`);
  assert.equal(sdl.status, 200);
  assert.match(sdl.headers.get('content-type') ?? '', /^application\/graphql/);
  assert.match(await sdl.text(), /type Query {\n(.*\n)*\s+shout\(text: String\): String\n}/);

  const replaced = await fetch(`${admin}/admin/frontends/runtime-graphql`, { method: 'PUT', body: definition('whisper') });
  assert.ok(replaced.ok);
  assert.deepEqual((await query('{ whisper(text: "two") }')).body, { data: { whisper: 'two' } });
  assert.match((await query('{ shout(text: "x") }')).body.errors![0].message, /Cannot query field "shout"/);

  const del = await fetch(`${admin}/admin/frontends/runtime-graphql`, { method: 'DELETE' });
  assert.ok(del.ok);
  assert.equal((await query('{ whisper(text: "x") }')).status, 404);
  assert.equal((await fetch(`${admin}/admin/frontends/runtime-graphql/schema.graphql`)).status, 404);
});

test('a definition with a GraphQL problem is refused with its diagnostics; nothing changes', async () => {
  const admin = suite.gateway.adminUrl!;
  const res = await fetch(`${admin}/admin/frontends/broken-graphql`, { method: 'PUT', body: definition('x').replace('name: runtime-graphql', 'name: broken-graphql').replace('grpc: Echo', 'grpc: Stream') });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /server-streaming; only Subscription fields may call it/);
});
