/**
 * Authentication and roles on the Confluent stack: basic credentials from a users file,
 * bearer JWTs against a JWKS file (signature, issuer, audience, expiry with clock skew, roles
 * per namespace), 401 with WWW-Authenticate and 403 in Confluent's shape, the admin listener
 * requiring admin (but /healthz open), and no password or token in the logs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { as, basic, call, captureLog, REALM, schema, startSecureStack, USERS, type SecureStack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const log = captureLog();

const stack = useStarted(() => startSecureStack({ logger: { level: 'info', stream: log.stream } }));

const UNAUTHORIZED = { error_code: 401, message: 'Unauthorized' };
const FORBIDDEN = { error_code: 403, message: 'Forbidden' };

function assert401(a: { status: number; headers: Headers; json(): unknown; text: string }) {
  assert.equal(a.status, 401, a.text);
  assert.deepEqual(a.json(), UNAUTHORIZED);
  const challenge = a.headers.get('www-authenticate') ?? '';
  assert.match(challenge, new RegExp(`Basic realm="${REALM}"`));
  assert.match(challenge, new RegExp(`Bearer realm="${REALM}"`));
}

describe('basic auth', () => {
  test('no credentials, a wrong password, an unknown user, a malformed header: 401 with the challenge', async () => {
    assert401(await call(`${stack.url}/subjects`));
    assert401(await call(`${stack.url}/subjects`, { authorization: basic('reader', 'wrong') }));
    assert401(await call(`${stack.url}/subjects`, { authorization: basic('nobody', USERS.reader.password) }));
    assert401(await call(`${stack.url}/subjects`, { authorization: 'Basic !!!not-base64' }));
    assert401(await call(`${stack.url}/subjects`, { authorization: 'Basic' }));
    assert401(await call(`${stack.url}/subjects`, { authorization: 'Digest username="reader"' }));
    assert401(await call(`${stack.url}/subjects`, { authorization: basic('reader', '') }));
  });

  test('GET / needs no credentials (liveness probes)', async () => {
    const a = await call(`${stack.url}/`);
    assert.equal(a.status, 200, a.text);
  });

  test('a read user reads but may not write: 403 in Confluent shape', async () => {
    assert.equal((await call(`${stack.url}/subjects`, { authorization: as('reader') })).status, 200);
    const w = await call(`${stack.url}/subjects/r/versions`, { method: 'POST', body: { schema: schema('R') }, authorization: as('reader') });
    assert.equal(w.status, 403, w.text);
    assert.deepEqual(w.json(), FORBIDDEN);
    const c = await call(`${stack.url}/config`, { method: 'PUT', body: { compatibility: 'NONE' }, authorization: as('reader') });
    assert.equal(c.status, 403, c.text);
  });

  test('a write user registers and soft-deletes, but mode changes and permanent deletes need admin', async () => {
    const w = await call(`${stack.url}/subjects/w/versions`, { method: 'POST', body: { schema: schema('W') }, authorization: as('writer') });
    assert.equal(w.status, 200, w.text);
    const mode = await call(`${stack.url}/mode/w`, { method: 'PUT', body: { mode: 'READONLY' }, authorization: as('writer') });
    assert.equal(mode.status, 403, mode.text);
    assert.deepEqual(mode.json(), FORBIDDEN);
    const soft = await call(`${stack.url}/subjects/w/versions/1`, { method: 'DELETE', authorization: as('writer') });
    assert.equal(soft.status, 200, soft.text);
    const hard = await call(`${stack.url}/subjects/w/versions/1?permanent=true`, { method: 'DELETE', authorization: as('writer') });
    assert.equal(hard.status, 403, hard.text);
    const hardSubject = await call(`${stack.url}/subjects/w?permanent=TRUE`, { method: 'DELETE', authorization: as('writer') });
    assert.equal(hardSubject.status, 403, hardSubject.text);
    // The version is still there (soft-deleted): the refused permanent delete did nothing.
    const still = await call(`${stack.url}/subjects/w/versions/1?deleted=true`, { authorization: as('reader') });
    assert.equal(still.status, 200, still.text);
  });

  test('an admin changes modes and deletes permanently', async () => {
    assert.equal((await call(`${stack.url}/subjects/a/versions`, { method: 'POST', body: { schema: schema('A') }, authorization: as('admin') })).status, 200);
    const mode = await call(`${stack.url}/mode/a`, { method: 'PUT', body: { mode: 'READONLY' }, authorization: as('admin') });
    assert.equal(mode.status, 200, mode.text);
    assert.deepEqual(mode.json(), { mode: 'READONLY' });
    assert.equal((await call(`${stack.url}/mode/a`, { method: 'DELETE', authorization: as('admin') })).status, 200);
    assert.equal((await call(`${stack.url}/subjects/a/versions/1`, { method: 'DELETE', authorization: as('admin') })).status, 200);
    const hard = await call(`${stack.url}/subjects/a/versions/1?permanent=true`, { method: 'DELETE', authorization: as('admin') });
    assert.equal(hard.status, 200, hard.text);
  });

  test("roles are per namespace: admin of another namespace is nobody here", async () => {
    const a = await call(`${stack.url}/subjects`, { authorization: as('elsewhere') });
    assert.equal(a.status, 403, a.text);
    assert.deepEqual(a.json(), FORBIDDEN);
  });
});

describe('bearer tokens', () => {
  test('a valid token with namespace roles: write allowed, admin refused', async () => {
    const token = await stack.token({ sub: 'svc', roles: ['default:write'] });
    const w = await call(`${stack.url}/subjects/t/versions`, { method: 'POST', body: { schema: schema('T') }, authorization: `Bearer ${token}` });
    assert.equal(w.status, 200, w.text);
    const mode = await call(`${stack.url}/mode`, { method: 'PUT', body: { mode: 'READWRITE' }, authorization: `Bearer ${token}` });
    assert.equal(mode.status, 403, mode.text);
    const readOnly = await stack.token({ sub: 'svc', roles: ['read'] });
    assert.equal((await call(`${stack.url}/subjects`, { authorization: `Bearer ${readOnly}` })).status, 200);
    assert.equal((await call(`${stack.url}/subjects/t/versions`, { method: 'POST', body: { schema: schema('T2') }, authorization: `Bearer ${readOnly}` })).status, 403);
    const otherNs = await stack.token({ sub: 'svc', roles: ['other:admin'] });
    assert.equal((await call(`${stack.url}/subjects`, { authorization: `Bearer ${otherNs}` })).status, 403);
    const noRoles = await stack.token({ sub: 'svc' });
    assert.equal((await call(`${stack.url}/subjects`, { authorization: `Bearer ${noRoles}` })).status, 403);
  });

  test('expired beyond the clock skew, wrong issuer, wrong audience, foreign signature, garbage: 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const roles = { roles: ['admin'] };
    const bad = [
      await stack.token(roles, { expiresAt: now - 60 }),
      await stack.token(roles, { issuer: 'https://evil.test' }),
      await stack.token(roles, { audience: 'someone-else' }),
      await stack.token(roles, { foreignKey: true }),
      'not.a.token',
      '',
    ];
    for (const token of bad) assert401(await call(`${stack.url}/subjects`, { authorization: `Bearer ${token}` }));
    // A tampered payload with the original signature.
    const good = await stack.token({ roles: ['read'] });
    const [h, , s] = good.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ roles: ['admin'], iss: 'https://issuer.prism.test', aud: 'prism-gateway', exp: now + 300 })).toString('base64url')}.${s}`;
    assert401(await call(`${stack.url}/subjects`, { authorization: `Bearer ${forged}` }));
  });

  test('expired within the clock skew (5 s) still passes', async () => {
    const token = await stack.token({ roles: ['read'] }, { expiresAt: Math.floor(Date.now() / 1000) - 2 });
    const a = await call(`${stack.url}/subjects`, { authorization: `Bearer ${token}` });
    assert.equal(a.status, 200, a.text);
  });
});

describe('the admin listener', () => {
  test('requires admin; /healthz stays open', async () => {
    assert.equal((await call(`${stack.adminUrl}/healthz`)).status, 200);
    const none = await call(`${stack.adminUrl}/admin/routes`);
    assert.equal(none.status, 401, none.text);
    assert.match(none.headers.get('www-authenticate') ?? '', /Basic realm=/);
    assert.equal((await call(`${stack.adminUrl}/admin/routes`, { authorization: as('writer') })).status, 403);
    assert.equal((await call(`${stack.adminUrl}/metrics`, { authorization: as('reader') })).status, 403);
    assert.equal((await call(`${stack.adminUrl}/readyz`)).status, 401);
    assert.equal((await call(`${stack.adminUrl}/admin/routes`, { authorization: as('admin') })).status, 200);
    const token = await stack.token({ roles: ['admin'] });
    assert.equal((await call(`${stack.adminUrl}/admin/frontends`, { authorization: `Bearer ${token}` })).status, 200);
    // Namespace admin is not admin of the gateway.
    const nsAdmin = await stack.token({ roles: ['default:admin'] });
    assert.equal((await call(`${stack.adminUrl}/admin/frontends`, { authorization: `Bearer ${nsAdmin}` })).status, 403);
  });
});

describe('logs', () => {
  test('passwords, tokens and Authorization headers never appear in the logs', async () => {
    const token = await stack.token({ sub: 'log-test', roles: ['admin'] });
    const secrets = [...Object.values(USERS).map((u) => u.password), token, token.split('.')[2], ...Object.keys(USERS).map((n) => as(n as keyof typeof USERS).slice(6))];
    await call(`${stack.url}/subjects`, { authorization: `Bearer ${token}` });
    await call(`${stack.url}/subjects`, { authorization: basic('reader', 'wrong-password-xyz') });
    await call(`${stack.url}/subjects/l/versions`, { method: 'POST', body: { schema: schema('L') }, authorization: as('writer') });
    await call(`${stack.adminUrl}/admin/routes`, { authorization: as('admin') });
    await call(`${stack.url}/nowhere`, { authorization: `Bearer ${token}` });
    const text = log.text();
    assert.match(text, /"msg":"request"/, 'requests are logged at all');
    for (const secret of [...secrets, 'wrong-password-xyz']) assert.ok(!text.includes(secret), `a secret appears in the log: ${secret.slice(0, 8)}…`);
    assert.ok(!/authorization/i.test(text), 'no Authorization header in the log');
  });
});
