/**
 * The bounds of the gateway's caches: the response cache holds a route's replies up to an
 * entry count and a byte budget (least recently used out first), and the credential cache
 * reads the config's `cacheEntries: 0` / `cacheTtlMs: 0` as "remember nothing".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpReply } from '../../src/core/http-types.js';
import { createResponseCache, RESPONSE_CACHE_MAX_BYTES } from '../../src/routing/response-cache.js';
import { createCredentialCache } from '../../src/security/credential-cache.js';

const reply = (bytes: number): HttpReply => ({ status: 200, headers: { 'content-type': 'application/json' }, body: 'x'.repeat(bytes) });

test('the response cache keeps a route within its byte budget, dropping the least recently used', () => {
  const cache = createResponseCache(10_000);
  for (const key of ['a', 'b', 'c']) cache.set('r', key, reply(3_000), {}, cache.generation);
  assert.ok(cache.get('r', 'a'));
  // A fourth 3 kB reply does not fit beside three: b, now the least recently used, leaves.
  cache.set('r', 'd', reply(3_000), {}, cache.generation);
  assert.equal(cache.get('r', 'b'), undefined);
  assert.ok(cache.get('r', 'a'));
  assert.ok(cache.get('r', 'c'));
  assert.ok(cache.get('r', 'd'));
});

test('a reply larger than the whole budget is not cached; other routes have budgets of their own', () => {
  const cache = createResponseCache(10_000);
  cache.set('small', 'k', reply(5_000), {}, cache.generation);
  cache.set('big', 'k', reply(20_000), {}, cache.generation);
  assert.equal(cache.get('big', 'k'), undefined);
  cache.set('other', 'k', reply(5_000), {}, cache.generation);
  assert.ok(cache.get('small', 'k'));
  assert.ok(cache.get('other', 'k'));
});

test('the response cache also keeps maxEntries, and a reply stored after a clear that began before it is dropped', () => {
  const cache = createResponseCache();
  for (const key of ['a', 'b', 'c']) cache.set('r', key, reply(10), { maxEntries: 2 }, cache.generation);
  assert.equal(cache.get('r', 'a'), undefined);
  assert.ok(cache.get('r', 'c'));
  const started = cache.generation;
  cache.clear();
  cache.set('r', 'late', reply(10), { maxEntries: 2 }, started);
  assert.equal(cache.get('r', 'late'), undefined);
  assert.equal(cache.get('r', 'c'), undefined);
});

test('the default byte budget per route is 64 MiB', () => {
  assert.equal(RESPONSE_CACHE_MAX_BYTES, 64 * 1024 * 1024);
});

test('a credential cache with no entries or no time remembers nothing', () => {
  for (const options of [{ maxEntries: 0 }, { ttlMs: 0 }]) {
    const cache = createCredentialCache<string>(options);
    const key = cache.key('ada:pw');
    cache.set(key, 'ada');
    assert.equal(cache.get(key), undefined, JSON.stringify(options));
    assert.equal(cache.size, 0);
  }
});

test('a credential entry is trusted for ttlMs from when it was set, then forgotten', () => {
  let now = 0;
  const cache = createCredentialCache<string>({ ttlMs: 100, now: () => now });
  const key = cache.key('ada:pw');
  cache.set(key, 'ada');
  now = 99;
  assert.equal(cache.get(key), 'ada');
  now = 101;
  assert.equal(cache.get(key), undefined);
});
