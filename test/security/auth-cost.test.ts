/**
 * Issue 13 item 3: basic auth cost a full scrypt per request, so authenticated traffic ran at
 * ~60 req/s and a crowd of wrong passwords starved legitimate users. These drive the real
 * authenticator over a real users file (real scrypt), counting verifications through its
 * onVerify hook: a verified credential is not hashed again until the users file changes; a
 * changed, broken or SIGHUP-reloaded file behaves as an operator expects; failed attempts
 * are limited per address without hashing; unknown user and wrong password cost the same.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Code, GatewayError, GatewayReason } from '../../src/core/gateway-error.js';
import { createAuthenticator, type AuthenticatorOptions } from '../../src/security/authenticator.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { reloadUsersFiles } from '../../src/security/users-file.js';
import { basic } from './support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';

const hashes = new Map<string, string>();
const hashOf = async (password: string) => {
  if (!hashes.has(password)) hashes.set(password, await hashPassword(password));
  return hashes.get(password)!;
};

/** The folder every harness keeps its users file in; the common passwords hashed ahead. */
const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('auth-cost')).path;
  await Promise.all(['alice-1', 'alice-2', 'bob-1'].map(hashOf));
  return { dir };
});

let files = 0;
/** Writes a users file (atomically, as deploy tools do) and returns its path. */
async function writeUsers(path: string, users: Record<string, string>): Promise<void> {
  const list = await Promise.all(Object.entries(users).map(async ([name, password]) => ({ name, password: await hashOf(password), roles: 'admin' })));
  const tmp = `${path}.${files++}.tmp`;
  writeFileSync(tmp, stringify({ users: list }));
  renameSync(tmp, path);
}

interface Harness {
  authenticate(name: string, password: string, address?: string): Promise<string>;
  readonly verifications: number;
  readonly logged: { level: string; object: Record<string, unknown>; message: string }[];
  readonly usersFile: string;
  close(): void;
}

async function harness(options: AuthenticatorOptions = {}, users: Record<string, string> = { alice: 'alice-1', bob: 'bob-1' }): Promise<Harness> {
  const sub = mkdtempSync(join(suite.dir, 'h-'));
  const usersFile = join(sub, 'users.yaml');
  await writeUsers(usersFile, users);
  let verifications = 0;
  const logged: Harness['logged'] = [];
  const auth = createAuthenticator({ basic: { usersFile: 'users.yaml' } }, sub, {
    ...options,
    onVerify: () => void verifications++,
    log: {
      info: (object, message) => logged.push({ level: 'info', object: object as Record<string, unknown>, message }),
      error: (object, message) => logged.push({ level: 'error', object: object as Record<string, unknown>, message }),
    },
  });
  return {
    authenticate: async (name, password, address = '10.0.0.1') => (await auth.authenticate(basic(name, password), address)).name,
    get verifications() {
      return verifications;
    },
    logged,
    usersFile,
    close: () => auth.close?.(),
  };
}

const refused = (code: Code, reason: string) => (err: unknown) => err instanceof GatewayError && err.code === code && err.reason === reason;
const rejects = async (p: Promise<unknown>) => {
  try {
    await p;
    return false;
  } catch {
    return true;
  }
};

describe('verified credentials are cached', () => {
  test('a second request with the same credentials runs no scrypt; another password does', async () => {
    const h = await harness();
    try {
      assert.equal(await h.authenticate('alice', 'alice-1'), 'alice');
      assert.equal(h.verifications, 1);
      for (let i = 0; i < 20; i++) assert.equal(await h.authenticate('alice', 'alice-1', `10.0.1.${i}`), 'alice');
      assert.equal(h.verifications, 1);
      await assert.rejects(h.authenticate('alice', 'alice-1x'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      assert.equal(h.verifications, 2);
      // A failure is never cached as a success, nor a success of one user as another's.
      await assert.rejects(h.authenticate('bob', 'alice-1'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
    } finally {
      h.close();
    }
  });

  test('simultaneous first requests from one address (one proxy) all get their answer, from one scrypt', async () => {
    const h = await harness();
    try {
      // More than the gate's per-address limit (4): identical attempts share one verification.
      const names = await Promise.all(Array.from({ length: 8 }, () => h.authenticate('bob', 'bob-1', '10.0.2.1')));
      assert.deepEqual(names, Array(8).fill('bob'));
      assert.equal(h.verifications, 1);
    } finally {
      h.close();
    }
  });

  test('simultaneous identical wrong attempts share one verification and cost the address one failure', async () => {
    const h = await harness({ limits: { failureBurst: 2 } });
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => h.authenticate('bob', 'wrong', '10.0.2.2')));
      for (const r of results) assert.ok(r.status === 'rejected' && refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED)(r.reason), JSON.stringify(r));
      assert.equal(h.verifications, 1);
      // One failure spent of two: one more wrong guess is still verified, the next is refused.
      await assert.rejects(h.authenticate('bob', 'wrong-2', '10.0.2.2'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      await assert.rejects(h.authenticate('bob', 'wrong-3', '10.0.2.2'), refused(Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED));
    } finally {
      h.close();
    }
  });

  test('distinct credentials still count against the per-address limit', async () => {
    const h = await harness({ limits: { verificationsPerAddress: 2, concurrentVerifications: 1 } });
    try {
      const results = await Promise.allSettled(['bob-1', 'x-1', 'x-2'].map((password) => h.authenticate('bob', password, '10.0.2.3')));
      assert.equal(results[0].status, 'fulfilled');
      assert.ok(results[1].status === 'rejected' && refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED)(results[1].reason));
      assert.ok(results[2].status === 'rejected' && refused(Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED)(results[2].reason));
    } finally {
      h.close();
    }
  });

  test('an entry expires after the TTL and is verified again', async () => {
    let now = 1_000_000;
    const h = await harness({ now: () => now, limits: { cacheTtlMs: 60_000 } });
    try {
      await h.authenticate('alice', 'alice-1');
      now += 59_000;
      await h.authenticate('alice', 'alice-1');
      assert.equal(h.verifications, 1);
      now += 2_000;
      await h.authenticate('alice', 'alice-1');
      assert.equal(h.verifications, 2);
    } finally {
      h.close();
    }
  });
});

// A users-file change reaches the authenticator through a file watch, a real event that no
// mocked clock can hurry, so these poll for its effect (waitFor's 10 s is a liveness bound).
describe('the users file is followed', () => {
  test('a changed password drops the cache: the old password is refused, the new one accepted', async () => {
    const h = await harness();
    try {
      await h.authenticate('alice', 'alice-1');
      await writeUsers(h.usersFile, { alice: 'alice-2', bob: 'bob-1' });
      await waitFor(() => rejects(h.authenticate('alice', 'alice-1')), { what: 'the old password refused after the file changed' });
      assert.equal(await h.authenticate('alice', 'alice-2'), 'alice');
      assert.ok(h.logged.some((l) => l.level === 'info' && l.message === 'users file reloaded' && l.object.trigger === 'file change'));
    } finally {
      h.close();
    }
  });

  test('a removed user is refused at once, even with a cached credential', async () => {
    const h = await harness();
    try {
      await h.authenticate('bob', 'bob-1');
      await writeUsers(h.usersFile, { alice: 'alice-1' });
      await waitFor(() => rejects(h.authenticate('bob', 'bob-1')), { what: 'bob refused after removal' });
    } finally {
      h.close();
    }
  });

  test('a broken new file keeps the previous users and logs an error naming the file', async () => {
    const h = await harness();
    try {
      writeFileSync(h.usersFile, 'users:\n  - { name: alice, password: plain-text, roles: admin }\n');
      await waitFor(() => h.logged.some((l) => l.level === 'error'), { what: 'an error logged for the broken file' });
      const error = h.logged.find((l) => l.level === 'error')!;
      assert.equal(error.message, 'users file not reloaded: keeping the previous users');
      assert.match(String((error.object.err as { message: string }).message), /users\.yaml: users\[0\]: a password hash looks like/);
      // bob was never cached: this runs scrypt against the users kept.
      assert.equal(await h.authenticate('bob', 'bob-1'), 'bob');
      assert.equal(await h.authenticate('alice', 'alice-1', '10.0.3.1'), 'alice');
    } finally {
      h.close();
    }
  });

  test('reloadUsersFiles (the SIGHUP handler) rereads files that are not watched', async () => {
    const h = await harness({ watchUsersFile: false });
    try {
      await h.authenticate('alice', 'alice-1');
      await writeUsers(h.usersFile, { alice: 'alice-2' });
      // Not watched: nothing changes until the signal.
      assert.equal(await h.authenticate('alice', 'alice-1'), 'alice');
      assert.ok(reloadUsersFiles('SIGHUP') >= 1);
      await assert.rejects(h.authenticate('alice', 'alice-1'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      assert.equal(await h.authenticate('alice', 'alice-2'), 'alice');
      assert.ok(h.logged.some((l) => l.message === 'users file reloaded' && l.object.trigger === 'SIGHUP' && l.object.changed === true));
    } finally {
      h.close();
    }
  });
});

describe('failed attempts', () => {
  test('unknown user and wrong password: the same error, and one scrypt each', async () => {
    const h = await harness();
    try {
      const errors: unknown[] = [];
      for (const [name, password] of [['nobody', 'alice-1'], ['alice', 'wrong']]) {
        const before = h.verifications;
        await h.authenticate(name, password).catch((err: unknown) => errors.push(err));
        assert.equal(h.verifications - before, 1, `${name}: one verification`);
      }
      const [unknown, wrong] = errors as GatewayError[];
      assert.deepEqual([unknown.code, unknown.reason, unknown.message], [wrong.code, wrong.reason, wrong.message]);
      assert.equal(unknown.message, 'invalid credentials');
    } finally {
      h.close();
    }
  });

  test('an address out of failures is refused without scrypt, with a retry delay; other addresses and cached users are not', async () => {
    let now = 5_000_000;
    const h = await harness({ now: () => now, limits: { failureBurst: 3, failureRefillMs: 6_000 } });
    try {
      await h.authenticate('alice', 'alice-1', '10.9.9.9');
      for (let i = 0; i < 3; i++) await assert.rejects(h.authenticate('alice', `guess-${i}`, '10.9.9.9'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      const hashed = h.verifications;
      for (const [name, password] of [['alice', 'guess-4'], ['nobody', 'x'], ['bob', 'bob-1']]) {
        await assert.rejects(h.authenticate(name, password, '10.9.9.9'), (err: unknown) => {
          assert.ok(err instanceof GatewayError);
          assert.equal(err.code, Code.RESOURCE_EXHAUSTED);
          assert.equal(err.reason, GatewayReason.AUTH_RATE_LIMITED);
          assert.equal(err.httpStatus, 429);
          assert.equal(err.metadata.retryAfterSeconds, '6');
          return true;
        });
      }
      assert.equal(h.verifications, hashed, 'refused attempts run no scrypt');
      // A credential verified before is still served from the cache.
      assert.equal(await h.authenticate('alice', 'alice-1', '10.9.9.9'), 'alice');
      // Another address is unaffected, as is another IPv6 /64.
      assert.equal(await h.authenticate('bob', 'bob-1', '10.9.9.10'), 'bob');
      // After one refill period, one more attempt.
      now += 6_000;
      await assert.rejects(h.authenticate('alice', 'guess-5', '10.9.9.9'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      await assert.rejects(h.authenticate('alice', 'guess-6', '10.9.9.9'), refused(Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED));
    } finally {
      h.close();
    }
  });

  test('addresses of one IPv6 /64 share a budget', async () => {
    const h = await harness({ limits: { failureBurst: 2 } });
    try {
      await assert.rejects(h.authenticate('alice', 'x', '2001:db8:1:2::1'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      await assert.rejects(h.authenticate('alice', 'x', '2001:db8:1:2:ffff::9'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      await assert.rejects(h.authenticate('alice', 'x', '2001:db8:1:2:a:b:c:d'), refused(Code.RESOURCE_EXHAUSTED, GatewayReason.AUTH_RATE_LIMITED));
      await assert.rejects(h.authenticate('alice', 'x', '2001:db8:1:3::1'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
    } finally {
      h.close();
    }
  });

  test('a malformed credential (no name) is refused without scrypt', async () => {
    const h = await harness();
    try {
      const auth = createAuthenticator({ basic: { usersFile: h.usersFile } }, suite.dir, { watchUsersFile: false, onVerify: () => assert.fail('no scrypt for a malformed credential') });
      for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from(':pw').toString('base64')}`, `Basic ${Buffer.from('nocolon').toString('base64')}`]) {
        await assert.rejects(auth.authenticate(header, '10.0.0.7'), refused(Code.UNAUTHENTICATED, GatewayReason.UNAUTHENTICATED));
      }
      auth.close?.();
    } finally {
      h.close();
    }
  });
});
