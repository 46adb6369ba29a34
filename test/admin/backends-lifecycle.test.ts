/**
 * The admin API's backend commands on a running gateway (RFC-039 REGISTER_BACKEND,
 * UPDATE_BACKEND, DELETE_BACKEND): register, read back redacted, refuse bad configs and
 * config-file backends, persist across a restart, refuse deleting a backend bound to a slot
 * (naming it), refuse an update the slot cannot use, and re-bind the registry pattern's slot on
 * an update while it keeps answering. No answer and no log line holds a secret.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { CONFLUENT_FRONTEND_FILE, http, tempDir, writeConfig } from '../operations/support.js';
import { captureLog } from '../security/support.js';

const SECRETS = ['hunter2-in-url', 'plain-file-password', 'env-secret-value'];
const log = captureLog();

async function start(dir: string, slotBackend: string): Promise<RunningGateway> {
  const file = writeConfig(dir, {
    backends: [
      { name: 'mem', type: 'MEMSTORE' },
      { name: 'pg-file', type: 'POSTGRES', config: { host: 'db.internal', user: 'app', password: 'plain-file-password' } },
    ],
    namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: slotBackend } }, frontends: [{ file: CONFLUENT_FRONTEND_FILE }] }],
  });
  return startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: { level: 'info', stream: log.stream } as never });
}

const put = (g: RunningGateway, name: string, body: object) => http(`${g.adminUrl}/admin/backends/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

test('backend lifecycle through the admin API, secrets never shown', async () => {
  const dir = tempDir('backends');
  process.env.PRISM_TEST_REDIS_PASSWORD = 'env-secret-value';
  const answers: string[] = [];
  let gateway = await start(dir.path, 'mem');
  try {
    // REGISTER_BACKEND: 201, the config shown with its secrets redacted, the reference kept.
    const created = await put(gateway, 'cache', { type: 'REDIS', config: { url: 'redis://:hunter2-in-url@127.0.0.1:6379', password: { env: 'PRISM_TEST_REDIS_PASSWORD' } } });
    answers.push(created.text);
    assert.equal(created.status, 201, created.text);
    const got = await http(`${gateway.adminUrl}/admin/backends/cache`);
    answers.push(got.text);
    assert.deepEqual(got.json(), {
      name: 'cache',
      type: 'REDIS',
      origin: 'admin',
      interfaces: ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch', 'pubsub_basic', 'queue_basic', 'stream_basic'],
      usedBy: [],
      config: { url: 'redis://:***@127.0.0.1:6379', password: { env: 'PRISM_TEST_REDIS_PASSWORD' } },
    });
    const fileBackend = await http(`${gateway.adminUrl}/admin/backends/pg-file`);
    answers.push(fileBackend.text);
    assert.deepEqual((fileBackend.json() as { config: unknown }).config, { host: 'db.internal', user: 'app', password: '***' });

    // A config that does not fit its type: 400, every problem as a field violation, nothing stored.
    const bad = await put(gateway, 'broken', { type: 'KAFKA', config: { brokers: [], tls: { enabled: 'yes' } } });
    answers.push(bad.text);
    assert.equal(bad.status, 400, bad.text);
    const violations = (bad.json() as { details: { fieldViolations?: { field: string }[] }[] }).details.flatMap((d) => d.fieldViolations ?? []).map((v) => v.field);
    assert.deepEqual(violations.sort(), ['/config/brokers', '/config/tls/enabled']);
    assert.equal((await http(`${gateway.adminUrl}/admin/backends/broken`)).status, 404);
    const unknownType = await put(gateway, 'x', { type: 'CASSANDRA' });
    assert.equal(unknownType.status, 400);
    assert.match(unknownType.text, /unknown backend type 'CASSANDRA'/);

    // Config-file backends are read-only, for changes and deletes alike.
    for (const answer of [await put(gateway, 'mem', { type: 'MEMSTORE' }), await http(`${gateway.adminUrl}/admin/backends/mem`, { method: 'DELETE' })]) {
      answers.push(answer.text);
      assert.equal(answer.status, 409, answer.text);
      assert.match(answer.text, /READ_ONLY_BACKEND/);
    }

    // A backend to bind the registry's slot to, at the next start.
    assert.equal((await put(gateway, 'regstore', { type: 'MEMSTORE', config: {} })).status, 201);
    const list = await http(`${gateway.adminUrl}/admin/backends`);
    answers.push(list.text);
    assert.deepEqual((list.json() as { name: string; origin: string }[]).map((b) => [b.name, b.origin]), [['mem', 'file'], ['pg-file', 'file'], ['cache', 'admin'], ['regstore', 'admin']]);
    assert.deepEqual((list.json() as { name: string; usedBy: unknown[] }[]).find((b) => b.name === 'mem')!.usedBy, [{ namespace: 'default', slot: 'storage' }]);
    await gateway.close();

    // Persisted: a new gateway on the same data dir binds its slot to the registered backend.
    gateway = await start(dir.path, 'regstore');
    const reg = await http(`${gateway.adminUrl}/admin/backends/regstore`);
    assert.deepEqual((reg.json() as { usedBy: unknown }).usedBy, [{ namespace: 'default', slot: 'storage' }]);
    const inUse = await http(`${gateway.adminUrl}/admin/backends/regstore`, { method: 'DELETE' });
    answers.push(inUse.text);
    assert.equal(inUse.status, 409, inUse.text);
    assert.match(inUse.text, /BACKEND_IN_USE/);
    assert.match(inUse.text, /slot default\/storage/);

    // An update the bound slot cannot use is refused before anything changes.
    const wrong = await put(gateway, 'regstore', { type: 'REDIS', config: { url: 'redis://127.0.0.1:6379' } });
    assert.equal(wrong.status, 400, wrong.text);
    assert.match(wrong.text, /slot 'storage' of the registry pattern requires registry_store, which backend 'regstore' \(REDIS\) does not implement/);

    // A new binding that cannot start leaves the old one serving, and says why.
    const before = await http(`${gateway.url}/subjects`);
    assert.equal(before.status, 200);
    // Its folder is a file: the registry cannot open (or lock) the database.
    writeFileSync(join(dir.path, 'not-a-folder'), '');
    const failing = await put(gateway, 'regstore', { type: 'SQLITE', config: { path: join(dir.path, 'not-a-folder', 'registry.db') } });
    answers.push(failing.text);
    assert.equal(failing.status, 503, failing.text);
    assert.match(failing.text, /BACKEND_REBIND_FAILED/);
    assert.match(failing.text, /namespace 'default': the registry pattern did not start with the new binding: .*not-a-folder.*the old binding keeps serving/);
    assert.equal(((await http(`${gateway.adminUrl}/admin/backends/regstore`)).json() as { type: string }).type, 'MEMSTORE');
    assert.equal((await http(`${gateway.url}/subjects`)).status, 200);

    // An update the slot can use re-binds it; the registry keeps answering.
    const updated = await put(gateway, 'regstore', { type: 'MEMSTORE', config: { maxEntries: 1000 } });
    answers.push(updated.text);
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual((updated.json() as { rebound: unknown }).rebound, [{ namespace: 'default', slot: 'storage' }]);
    for (let i = 0; i < 5; i++) assert.equal((await http(`${gateway.url}/subjects`)).status, 200);

    // Deleting a backend nobody uses.
    const deleted = await http(`${gateway.adminUrl}/admin/backends/cache`, { method: 'DELETE' });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal((await http(`${gateway.adminUrl}/admin/backends/cache`)).status, 404);
  } finally {
    await gateway.close();
    delete process.env.PRISM_TEST_REDIS_PASSWORD;
    dir.remove();
  }
  const everything = answers.join('\n') + log.text();
  for (const secret of SECRETS) assert.ok(!everything.includes(secret), `'${secret}' appears in an answer or the log`);
  assert.match(log.text(), /config\.password is a secret written as a plain value/);
});
