/**
 * Gateway replicas sharing their frontend definitions through PostgreSQL: a frontend applied
 * (or deleted) through one gateway's admin API serves (or stops) on the other. The news
 * travels by NOTIFY and takes well under a second; the bound is a liveness bound (10 s).
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
import { waitFor } from '../support/wait-for.js';
import { createTestDatabase } from '../patterns/registry/postgres-test-db.js';

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

/** Liveness bound for a change to reach the other gateway. */
const PROPAGATION_MS = 10_000;

const suite = useSuite(async (scope) => {
  const db = await createTestDatabase('shared_frontends');
  scope.onClose(() => db.drop());
  const fixture = scope.own(await startFixtureServer());
  const dir = mkdtempSync(join(tmpdir(), 'prism-shared-'));
  scope.onClose(() => rmSync(dir, { recursive: true, force: true }));
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
  const gateways = [];
  for (const name of ['a', 'b']) gateways.push(scope.own(await startGateway(loadGatewayConfig(config), { port: 0, dataDir: join(dir, name), logger: false })));
  return { gateways };
});

test('a frontend applied through one gateway serves on the other', async () => {
  const [a, b] = suite.gateways;
  const put = await fetch(`${a.adminUrl}/admin/frontends/shared`, { method: 'PUT', body: frontend('v1') });
  assert.equal(put.status, 200, await put.text());
  await waitFor(async () => (await fetch(`${b.url}/shared/hi`)).status === 200, { timeoutMs: PROPAGATION_MS, intervalMs: 20, what: 'the frontend to serve on gateway b' });
  assert.deepEqual(await (await fetch(`${b.url}/shared/hi`)).json(), { text: 'hi', version: 'v1' });

  const replace = await fetch(`${b.adminUrl}/admin/frontends/shared`, { method: 'PUT', body: frontend('v2') });
  assert.equal(replace.status, 200);
  await waitFor(async () => ((await (await fetch(`${a.url}/shared/hi`)).json()) as { version: string }).version === 'v2', { timeoutMs: PROPAGATION_MS, intervalMs: 20, what: 'v2 to serve on gateway a' });
});

test('a delete through one gateway takes the routes away on the other', async () => {
  const [a, b] = suite.gateways;
  const del = await fetch(`${a.adminUrl}/admin/frontends/shared`, { method: 'DELETE' });
  assert.equal(del.status, 200, await del.text());
  await waitFor(async () => (await fetch(`${b.url}/shared/hi`)).status === 404, { timeoutMs: PROPAGATION_MS, intervalMs: 20, what: 'the routes to leave gateway b' });
});
