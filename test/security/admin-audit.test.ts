/**
 * Admin changes leave an audit line (who, from where, what, with which outcome; the line's
 * time says when), refused ones a warning, and every route-table swap a line of its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { as, captureLog, CONFLUENT_FRONTEND, startSecureStack, type SecureStack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const log = captureLog();

const stack = useStarted(() => startSecureStack({ logger: { level: 'info', stream: log.stream } }));

interface Line {
  msg: string;
  time: number;
  audit?: { principal: string | null; client: string; action: string; status: number };
  routes?: number;
  trigger?: string;
}
const lines = () => log.text().trim().split('\n').map((l) => JSON.parse(l) as Line);

async function admin(method: string, path: string, authorization: string, body?: string) {
  const res = await fetch(`${stack.adminUrl}${path}`, { method, headers: { authorization, ...(body ? { 'content-type': 'application/yaml' } : {}) }, body });
  await res.text();
  return res.status;
}

test('an applied frontend: an audit line naming the admin and the change, and a route-table line', async () => {
  const text = readFileSync(CONFLUENT_FRONTEND, 'utf8').replace(/^name: .*$/m, 'name: audited');
  assert.equal(await admin('PUT', '/admin/frontends/audited?pathPrefix=/audited', as('admin'), text), 200);
  const audit = lines().find((l) => l.msg === 'admin change' && l.audit?.action === 'PUT /admin/frontends/audited?pathPrefix=/audited');
  assert.ok(audit, log.text());
  assert.equal(audit.audit!.principal, 'admin');
  assert.equal(audit.audit!.status, 200);
  assert.match(audit.audit!.client, /127\.0\.0\.1/);
  assert.ok(Math.abs(audit.time - Date.now()) < 60_000);
  const reloaded = lines().find((l) => l.msg === 'route table reloaded' && l.trigger === 'admin');
  assert.ok(reloaded && reloaded.routes! > 0, log.text());
});

test('a refused change is logged as refused, without credentials', async () => {
  assert.equal(await admin('DELETE', '/admin/frontends/audited', as('writer')), 403);
  const refused = lines().find((l) => l.msg === 'admin change refused' && l.audit?.action === 'DELETE /admin/frontends/audited');
  assert.ok(refused, log.text());
  assert.equal(refused.audit!.status, 403);
  assert.doesNotMatch(log.text(), /writer-secret|admin-secret/);
});

test('reads are not audited', async () => {
  assert.equal(await admin('GET', '/admin/frontends', as('admin')), 200);
  assert.equal(lines().filter((l) => l.audit?.action === 'GET /admin/frontends').length, 0);
});
