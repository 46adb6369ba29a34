/**
 * The case table every keyvalue store must pass (memory, SQLite, PostgreSQL, Redis): the stores
 * are interchangeable only if they agree on each case. conformance.test.ts runs it per store.
 */
import assert from 'node:assert/strict';
import type { KeyValueStore, StoreChange } from '../../../patterns/keyvalue/store/keyvalue-store.js';
import { waitFor } from '../../support/wait-for.js';

export interface StoreCase {
  readonly name: string;
  run(store: KeyValueStore, more: () => Promise<KeyValueStore>): Promise<void>;
}

const b = (text: string) => Buffer.from(text, 'latin1');
const set = (store: KeyValueStore, key: Buffer | string, value = 'v', extra: { ttlMs?: number; expectedVersion?: number; contentType?: string } = {}) =>
  store.set({ key: typeof key === 'string' ? b(key) : key, value: b(value), contentType: extra.contentType ?? 'text/plain', ttlMs: extra.ttlMs, expectedVersion: extra.expectedVersion });

async function written(store: KeyValueStore, key: Buffer | string, value = 'v', extra: Parameters<typeof set>[3] = {}): Promise<number> {
  const outcome = await set(store, key, value, extra);
  assert.equal(outcome.status, 'written');
  return outcome.status === 'written' ? outcome.version : 0;
}

/** Every key under `prefix`, paging `limit` at a time, as the service pages. */
async function scanAll(store: KeyValueStore, prefix: Buffer, limit: number, between?: () => Promise<void>): Promise<Buffer[]> {
  const keys: Buffer[] = [];
  let after: Buffer | undefined;
  for (;;) {
    const page = await store.scan(prefix, after, limit);
    keys.push(...page.map((e) => e.key));
    if (page.length < limit) return keys;
    after = page[page.length - 1].key;
    await between?.();
  }
}

/** Collects what a watch delivers. */
async function watching(store: KeyValueStore, prefix: string) {
  const seen: StoreChange[] = [];
  let failure: unknown;
  const subscription = await store.watch!(b(prefix), { change: (c) => seen.push(c), failed: (err) => (failure = err) });
  return { seen, failure: () => failure, close: () => subscription.close() };
}

// Bytes that trip up stores: NUL, 0xff (sorts after ASCII bytewise, unlike UTF-16 order),
// invalid UTF-8, and Redis's lexicographic range markers.
const AWKWARD_KEYS = [b('\x00'), b('\x00\x00'), b('a\x00b'), b('\xff'), b('\xff\xfe'), b('(x'), b('[x'), b('+'), b('-'), b('\xc3\x28'), b('k\r\n\t '), Buffer.from('clé ☃', 'utf8')];
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

export const storeCases: readonly StoreCase[] = [
  {
    name: 'a key reads back as written, with its content type and a version; absent keys read as absent',
    async run(store) {
      assert.equal(await store.get(b('missing')), undefined);
      const first = await set(store, 'k', 'hello', { contentType: 'text/plain; charset=utf-8' });
      assert.equal(first.status === 'written' && first.created, true);
      const entry = await store.get(b('k'));
      assert.ok(entry);
      assert.deepEqual([entry.key, entry.value.toString(), entry.contentType, entry.expiresAt], [b('k'), 'hello', 'text/plain; charset=utf-8', undefined]);
      assert.ok(first.status === 'written' && entry.version === first.version && entry.version > 0);
      const second = await set(store, 'k', '', { contentType: '' });
      assert.equal(second.status === 'written' && second.created, false);
      const empty = await store.get(b('k'));
      assert.deepEqual([empty?.value.length, empty?.contentType], [0, '']);
    },
  },
  {
    name: 'versions grow with every write, across keys and across a delete and re-create',
    async run(store) {
      const v1 = await written(store, 'a');
      const v2 = await written(store, 'b');
      const v3 = await written(store, 'a');
      const deleted = await store.delete(b('a'));
      assert.deepEqual(deleted, { status: 'deleted', version: v3 });
      const v4 = await written(store, 'a');
      assert.ok(v1 < v2 && v2 < v3 && v3 < v4, `${v1} < ${v2} < ${v3} < ${v4}`);
      assert.deepEqual(await store.delete(b('never')), { status: 'absent' });
    },
  },
  {
    name: 'keys and values are binary-safe',
    async run(store) {
      for (const [i, key] of AWKWARD_KEYS.entries()) await written(store, key, ALL_BYTES.toString('latin1') + String(i));
      for (const [i, key] of AWKWARD_KEYS.entries()) {
        const entry = await store.get(key);
        assert.ok(entry, `key ${key.toString('hex')}`);
        assert.deepEqual(entry.key, key);
        assert.deepEqual(entry.value, Buffer.concat([ALL_BYTES, b(String(i))]));
      }
      const listed = await scanAll(store, Buffer.alloc(0), 5);
      assert.deepEqual(listed.map((k) => k.toString('hex')), [...AWKWARD_KEYS].sort(Buffer.compare).map((k) => k.toString('hex')));
    },
  },
  {
    name: 'compare-and-set: a write or delete with the wrong version is refused and says the current one',
    async run(store) {
      assert.deepEqual(await set(store, 'c', 'x', { expectedVersion: 5 }), { status: 'mismatch', current: 0 });
      const v1 = await written(store, 'c', 'one', { expectedVersion: 0 });
      assert.deepEqual(await set(store, 'c', 'two', { expectedVersion: 0 }), { status: 'mismatch', current: v1 });
      assert.deepEqual(await set(store, 'c', 'two', { expectedVersion: v1 + 1000 }), { status: 'mismatch', current: v1 });
      const v2 = await written(store, 'c', 'two', { expectedVersion: v1 });
      assert.equal((await store.get(b('c')))?.value.toString(), 'two');
      assert.deepEqual(await store.delete(b('c'), v1), { status: 'mismatch', current: v2 });
      assert.deepEqual(await store.delete(b('c'), v2), { status: 'deleted', version: v2 });
      assert.equal(await store.get(b('c')), undefined);
    },
  },
  {
    name: 'compare-and-set under contention: of many writers expecting one version, exactly one wins',
    async run(store, more) {
      // A second handle on the same data where the store allows one (separate connections).
      const other = await more();
      const v1 = await written(store, 'race', 'start');
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => set(i % 2 ? other : store, 'race', `w${i}`, { expectedVersion: v1 })));
      const winners = outcomes.filter((o) => o.status === 'written');
      assert.equal(winners.length, 1, JSON.stringify(outcomes));
      const won = winners[0];
      for (const o of outcomes) if (o.status === 'mismatch') assert.equal(o.current, won.status === 'written' ? won.version : -1);
      // Creation races too: expected version 0.
      const creations = await Promise.all(Array.from({ length: 8 }, (_, i) => set(i % 2 ? other : store, 'fresh', `c${i}`, { expectedVersion: 0 })));
      assert.equal(creations.filter((o) => o.status === 'written').length, 1);
    },
  },
  {
    name: 'an entry with a TTL expires: absent to reads, scans and conditions; a write without a TTL makes it permanent',
    async run(store) {
      const before = Date.now();
      const outcome = await set(store, 't/short', 'x', { ttlMs: 300 });
      assert.ok(outcome.status === 'written' && outcome.expiresAt !== undefined && outcome.expiresAt >= before + 250 && outcome.expiresAt <= Date.now() + 5000, JSON.stringify(outcome));
      await written(store, 't/long', 'x', { ttlMs: 60_000 });
      await written(store, 't/kept', 'x', { ttlMs: 300 });
      await written(store, 't/kept', 'y');
      assert.ok((await store.get(b('t/short')))?.expiresAt);
      await waitFor(async () => (await store.get(b('t/short'))) === undefined, { what: 't/short to expire', timeoutMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 400));
      assert.deepEqual((await scanAll(store, b('t/'), 10)).map(String), ['t/kept', 't/long']);
      const kept = await store.get(b('t/kept'));
      assert.deepEqual([kept?.value.toString(), kept?.expiresAt], ['y', undefined]);
      assert.deepEqual(await store.delete(b('t/short')), { status: 'absent' });
      // The expired key counts as absent for a create-only write.
      const again = await set(store, 't/short', 'z', { expectedVersion: 0 });
      assert.equal(again.status === 'written' && again.created, true);
    },
  },
  {
    name: 'scans list keys under a prefix in bytewise order, with paging',
    async run(store) {
      for (const key of ['a', 'a\x00', 'a/1', 'a/2', 'a\x7f', 'a\x80', 'a\xff', 'ab', 'b', '`']) await written(store, key);
      const all = await scanAll(store, b('a'), 100);
      assert.deepEqual(all.map((k) => k.toString('latin1')), ['a', 'a\x00', 'a/1', 'a/2', 'ab', 'a\x7f', 'a\x80', 'a\xff']);
      for (const limit of [1, 2, 3, 7, 8]) assert.deepEqual(await scanAll(store, b('a'), limit), all, `limit ${limit}`);
      const page = await store.scan(b('a/'), undefined, 10);
      assert.deepEqual(page.map((e) => [e.key.toString(), e.size, e.contentType]), [['a/1', 1, 'text/plain'], ['a/2', 1, 'text/plain']]);
      assert.deepEqual(await store.scan(b('zz'), undefined, 10), []);
      assert.deepEqual((await store.scan(b('a'), b('a\x80'), 10)).map((e) => e.key.toString('latin1')), ['a\xff']);
    },
  },
  {
    name: 'paging under concurrent writes returns every key present throughout exactly once, in order',
    async run(store, more) {
      const other = await more();
      const stable = Array.from({ length: 60 }, (_, i) => `p/${String(i * 10).padStart(4, '0')}`);
      for (const key of stable) await written(store, key);
      let round = 0;
      // Between pages: new keys land before and after the cursor, stable ones are rewritten,
      // transient ones come and go.
      const churn = async () => {
        round++;
        await Promise.all([
          set(other, `p/${String(round * 37 % 600).padStart(4, '0')}x`, 'new'),
          set(other, stable[(round * 7) % stable.length], `rewrite ${round}`),
          set(other, `p/0000-transient-${round}`, 't').then(() => other.delete(b(`p/0000-transient-${round}`))),
        ]);
      };
      const seen = (await scanAll(store, b('p/'), 7, churn)).map(String);
      for (let i = 1; i < seen.length; i++) assert.ok(Buffer.compare(b(seen[i - 1]), b(seen[i])) < 0, `order at ${i}: ${seen[i - 1]} then ${seen[i]}`);
      for (const key of stable) assert.equal(seen.filter((k) => k === key).length, 1, `${key} once`);
      assert.ok(round > 5);
    },
  },
  {
    name: 'a watch delivers the changes under its prefix in version order, values and deletions included',
    async run(store) {
      const watch = await watching(store, 'w/');
      const expected: [string, string, string][] = [];
      for (let i = 0; i < 30; i++) {
        const key = `w/${i % 4}`;
        if (i % 5 === 4) {
          const outcome = await store.delete(b(key));
          if (outcome.status === 'deleted') expected.push(['DELETE', key, '']);
        } else {
          await written(store, key, ALL_BYTES.toString('latin1') + i);
          expected.push(['PUT', key, ALL_BYTES.toString('hex') + Buffer.from(String(i)).toString('hex')]);
        }
        await written(store, `x/${i}`);
      }
      await waitFor(() => watch.seen.length >= expected.length, { what: `${expected.length} changes`, detail: () => `saw ${watch.seen.length}` });
      watch.close();
      assert.deepEqual(
        watch.seen.map((c) => [c.kind, c.key.toString(), c.value.toString('hex')]),
        expected,
      );
      for (let i = 1; i < watch.seen.length; i++) assert.ok(watch.seen[i].version > watch.seen[i - 1].version);
      assert.equal(watch.failure(), undefined);
    },
  },
  {
    name: 'concurrent writers: every watcher sees every change once, in increasing version order',
    async run(store, more) {
      const other = await more();
      const [one, two] = [await watching(store, 'cw/'), await watching(other, 'cw/')];
      const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => set(i % 2 ? other : store, `cw/${i % 5}`, String(i))));
      const versions = outcomes.map((o) => (o.status === 'written' ? o.version : 0)).sort((x, y) => x - y);
      for (const watch of [one, two]) {
        await waitFor(() => watch.seen.length >= 40, { what: '40 changes', detail: () => `saw ${watch.seen.length}` });
        watch.close();
        assert.deepEqual(watch.seen.map((c) => c.version), versions);
      }
    },
  },
];
