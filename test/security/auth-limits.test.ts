/**
 * The bounded structures behind basic auth, on their own with a fake clock: the credential
 * cache (LRU, TTL, no secret kept), the per-address failure budget (token bucket, bounded
 * map) and the verification gate (concurrency, turns per address, bounds).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCredentialCache } from '../../src/security/credential-cache.js';
import { createFailureLimiter } from '../../src/security/failure-limiter.js';
import { createVerificationGate } from '../../src/security/verification-gate.js';

describe('credential cache', () => {
  test('least recently used out first, entries expire, clear forgets all', () => {
    let now = 0;
    const cache = createCredentialCache<string>({ maxEntries: 2, ttlMs: 100, now: () => now });
    const [a, b, c, d] = ['a:1', 'b:1', 'c:1', 'd:1'].map((secret) => cache.key(secret));
    cache.set(a, 'A');
    cache.set(b, 'B');
    assert.equal(cache.get(a), 'A');
    cache.set(c, 'C');
    assert.equal(cache.get(b), undefined, 'b was least recently used');
    assert.equal(cache.get(a), 'A');
    assert.equal(cache.size, 2);
    now = 150;
    assert.equal(cache.get(a), undefined, 'expired');
    cache.set(d, 'D');
    cache.clear();
    assert.equal(cache.get(d), undefined);
    assert.equal(cache.size, 0);
  });

  test('only the exact secret reaches an entry, and the key is not the secret', () => {
    const cache = createCredentialCache<string>();
    cache.set(cache.key('alice:s3cret-password'), 'alice');
    assert.equal(cache.get(cache.key('alice:s3cret-password')), 'alice');
    assert.equal(cache.get(cache.key('alice:s3cret-passwor')), undefined);
    assert.equal(cache.get(cache.key('alice:s3cret-password ')), undefined);
    assert.ok(!cache.key('alice:s3cret-password').includes('s3cret'));
    // Another cache (another process, another worker) has another HMAC key.
    assert.notEqual(createCredentialCache<string>().key('alice:s3cret-password'), cache.key('alice:s3cret-password'));
  });
});

describe('failure limiter', () => {
  test('a burst, then one per refill period; full buckets are forgotten', () => {
    let now = 0;
    const limiter = createFailureLimiter({ burst: 2, refillMs: 1_000, now: () => now });
    assert.equal(limiter.retryAfterMs('x'), 0);
    limiter.fail('x');
    limiter.fail('x');
    assert.equal(limiter.retryAfterMs('x'), 1_000);
    assert.equal(limiter.retryAfterMs('y'), 0);
    now = 400;
    assert.equal(limiter.retryAfterMs('x'), 600);
    now = 1_000;
    assert.equal(limiter.retryAfterMs('x'), 0);
    limiter.fail('x');
    assert.equal(limiter.retryAfterMs('x'), 1_000);
    now = 10_000;
    assert.equal(limiter.retryAfterMs('x'), 0);
    assert.equal(limiter.size, 0, 'a refilled address is dropped');
  });

  test('the map of addresses is bounded', () => {
    const limiter = createFailureLimiter({ maxAddresses: 100 });
    for (let i = 0; i < 10_000; i++) limiter.fail(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(limiter.size, 100);
  });
});

describe('verification gate', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  test('at most `concurrency` at once, and waiting addresses take turns', async () => {
    const gate = createVerificationGate({ concurrency: 1, perAddress: 10, maxQueued: 100 });
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const enter = (address: string) =>
      gate.admit(address)!.then((release) => {
        order.push(address);
        releases.push(release);
      });
    const all = [enter('busy'), enter('busy'), enter('busy'), enter('busy'), enter('user')];
    await tick();
    assert.deepEqual(order, ['busy']);
    assert.equal(gate.running, 1);
    assert.equal(gate.queued, 4);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    await Promise.all(all);
    // The legitimate address went second, not behind every queued guess.
    assert.deepEqual(order, ['busy', 'busy', 'user', 'busy', 'busy']);
    assert.equal(gate.running, 0);
    assert.equal(gate.queued, 0);
  });

  test('an address holding its share, or a full queue, is refused at once', async () => {
    const gate = createVerificationGate({ concurrency: 1, perAddress: 2, maxQueued: 2 });
    const first = await gate.admit('a')!;
    void gate.admit('a');
    assert.equal(gate.admit('a'), undefined, 'per address');
    void gate.admit('b');
    assert.equal(gate.admit('c'), undefined, 'queue full');
    first();
    first(); // releasing twice frees one slot only
    assert.equal(gate.running, 1);
  });
});
