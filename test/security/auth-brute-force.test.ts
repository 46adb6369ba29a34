/**
 * Issue 13 item 3 over real sockets: wrong passwords from one client address end in 429 with
 * Retry-After (in Confluent's error shape on the public listener, and on the admin listener),
 * while a user on another address still authenticates; an unknown user and a wrong password
 * get the same answer. Loopback has a whole /8, so 127.0.0.2 is a second client here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { basic, startSecureStack, USERS, type SecureStack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const stack = useStarted(() => startSecureStack());

/** One GET from a chosen local address. */
function getFrom(localAddress: string, url: string, authorization: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((done, fail) => {
    const req = request(url, { localAddress, headers: { authorization }, agent: false, timeout: 15_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.end();
  });
}

describe('failed basic attempts per client address', () => {
  test('unknown user and wrong password: the same status, body and challenge', async () => {
    const unknown = await getFrom('127.0.0.3', `${stack.url}/subjects`, basic('nobody', 'whatever'));
    const wrong = await getFrom('127.0.0.3', `${stack.url}/subjects`, basic('reader', 'whatever'));
    assert.equal(unknown.status, 401);
    assert.deepEqual([wrong.status, wrong.body, wrong.headers['www-authenticate']], [unknown.status, unknown.body, unknown.headers['www-authenticate']]);
  });

  test('a flood of wrong passwords from one address is refused with 429; another address still signs in', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 30 && !limited; i++) {
      const a = await getFrom('127.0.0.2', `${stack.url}/subjects`, basic(i % 2 ? 'reader' : 'nobody', `guess-${i}`));
      statuses.push(a.status);
      if (a.status === 429) limited = a;
    }
    // Ten failures are allowed in a row (the default burst), the eleventh is refused.
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    assert.ok(limited);
    assert.deepEqual(JSON.parse(limited.body), { error_code: 429, message: 'Too many failed authentication attempts; retry later' });
    assert.match(String(limited.headers['retry-after']), /^[1-9]\d*$/);
    // Even the right password waits for the budget on that address (it was never verified there)...
    assert.equal((await getFrom('127.0.0.2', `${stack.url}/subjects`, basic('reader', USERS.reader.password))).status, 429);
    // ...and the admin listener counts the same budget.
    const admin = await getFrom('127.0.0.2', `${stack.adminUrl}/admin/routes`, basic('admin', 'guess'));
    assert.equal(admin.status, 429, admin.body);
    assert.ok(admin.headers['retry-after']);
    // Another address is not affected.
    const other = await getFrom('127.0.0.1', `${stack.url}/subjects`, basic('reader', USERS.reader.password));
    assert.equal(other.status, 200, other.body);
  });
});
