/**
 * Gateway replicas sharing their frontend definitions through PostgreSQL: a frontend applied
 * (or deleted) through one gateway's admin API serves (or stops) on the other within 1 s.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { createTestDatabase, type TestDatabase } from '../patterns/registry/postgres-test-db.js';

let db: TestDatabase;
let fixture: FixtureServer;
let dir: string;
const gateways: RunningGateway[] = [];

const frontend = (text: string) => `
name: shared
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  basePath: /shared
  service: prism.test.v1.EverythingService
  routes:
    - id: echo
      method: GET
      path: /{text}
      grpc: Echo
      params: [{ from: path.text, to: f_string }]
      response: { body: { object: { text: { from: response.f_string }, version: { const: ${JSON.stringify(text)} } } } }
`;

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await check()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not within ${ms} ms`);
}

before(async () => {
  db = await createTestDatabase('shared_frontends');
  fixture = await startFixtureServer();
  dir = mkdtempSync(join(tmpdir(), 'prism-shared-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    `
admin: { store: definitions }
grpc: { enabled: false }
backends:
  - { name: definitions, type: POSTGRES, config: { url: '${db.url}' } }
namespaces:
  - name: fixture
    pattern: { target: '${fixture.address}', protos: ['${resolve('proto/prism/test/v1/everything.proto')}'] }
    frontends: []
`,
  );
  for (const name of ['a', 'b']) {
    gateways.push(await startGateway(loadGatewayConfig(config), { port: 0, dataDir: join(dir, name), logger: false }));
  }
});

after(async () => {
  for (const g of gateways) await g.close();
  await fixture.close();
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a frontend applied through one gateway serves on the other within 1 s', async () => {
  const [a, b] = gateways;
  const put = await fetch(`${a.adminUrl}/admin/frontends/shared`, { method: 'PUT', body: frontend('v1') });
  assert.equal(put.status, 200, await put.text());
  await waitFor(async () => (await fetch(`${b.url}/shared/hi`)).status === 200, 1000);
  assert.deepEqual(await (await fetch(`${b.url}/shared/hi`)).json(), { text: 'hi', version: 'v1' });

  const replace = await fetch(`${b.adminUrl}/admin/frontends/shared`, { method: 'PUT', body: frontend('v2') });
  assert.equal(replace.status, 200);
  await waitFor(async () => ((await (await fetch(`${a.url}/shared/hi`)).json()) as { version: string }).version === 'v2', 1000);
});

test('a delete through one gateway takes the routes away on the other within 1 s', async () => {
  const [a, b] = gateways;
  const del = await fetch(`${a.adminUrl}/admin/frontends/shared`, { method: 'DELETE' });
  assert.equal(del.status, 200, await del.text());
  await waitFor(async () => (await fetch(`${b.url}/shared/hi`)).status === 404, 1000);
});
