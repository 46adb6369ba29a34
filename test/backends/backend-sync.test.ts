/**
 * How a gateway takes on backend changes another replica committed to the shared admin store
 * (src/admin/backend-sync.ts), as a case table over a real registry: what is re-bound, what is
 * refused or kept, and what is left alone. The store's rows and the re-bind are given; the
 * replicas test (test/admin/backends-replicas.test.ts) runs the whole path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { followStoredBackends, sameConfig } from '../../src/admin/backend-sync.js';
import type { StoredBackend } from '../../src/admin/definition-store.js';
import { createBackendRegistry, type RegisteredBackend } from '../../src/backends/backend-registry.js';
import { slots as keyValueSlots } from '../../patterns/keyvalue/index.js';

const REDIS_A = { url: 'redis://127.0.0.1:6379', keyPrefix: 'a:' };

interface Case {
  readonly name: string;
  readonly stored: StoredBackend[];
  /** Whether the re-bind fails (with this reason). */
  readonly rebindFails?: string;
  /** The namespaces re-bound, in order. */
  readonly rebound: string[][];
  /** `name → type/keyPrefix` afterwards, or 'absent'. */
  readonly after: Record<string, string>;
  /** Log lines expected (their messages). */
  readonly logged: string[];
}

const cases: Case[] = [
  {
    name: 'the same config, its keys in another order (as jsonb gives them): nothing happens',
    stored: [{ name: 'kv', type: 'REDIS', config: { keyPrefix: 'a:', url: 'redis://127.0.0.1:6379' }, deleted: false }],
    rebound: [],
    after: { kv: 'REDIS/a:' },
    logged: [],
  },
  {
    name: 'a changed backend bound to a slot: re-bound, then current',
    stored: [{ name: 'kv', type: 'REDIS', config: { ...REDIS_A, keyPrefix: 'b:' }, deleted: false }],
    rebound: [['kv']],
    after: { kv: 'REDIS/b:' },
    logged: ['backend updated'],
  },
  {
    name: 'a re-bind that fails: the old binding stays, and the failure is logged',
    stored: [{ name: 'kv', type: 'REDIS', config: { ...REDIS_A, keyPrefix: 'b:' }, deleted: false }],
    rebindFails: 'connection refused',
    rebound: [['kv']],
    after: { kv: 'REDIS/a:' },
    logged: ['backend re-bind failed; the old binding keeps serving'],
  },
  {
    name: "a type this gateway's slot cannot use: refused here, nothing re-bound",
    stored: [{ name: 'kv', type: 'KAFKA', config: { brokers: ['127.0.0.1:9092'] }, deleted: false }],
    rebound: [],
    after: { kv: 'REDIS/a:' },
    logged: ['backend change from the store refused here; the old binding keeps serving'],
  },
  {
    name: 'a new backend: registered without a re-bind',
    stored: [{ name: 'extra', type: 'MEMSTORE', config: {}, deleted: false }],
    rebound: [],
    after: { kv: 'REDIS/a:', extra: 'MEMSTORE/' },
    logged: ['backend registered'],
  },
  {
    name: 'a deleted backend no slot uses: removed',
    stored: [{ name: 'spare', type: 'MEMSTORE', config: {}, deleted: true }],
    rebound: [],
    after: { spare: 'absent' },
    logged: ['backend deleted'],
  },
  {
    name: 'a deleted backend a slot here still uses: kept, and said so',
    stored: [{ name: 'kv', type: 'REDIS', config: REDIS_A, deleted: true }],
    rebound: [],
    after: { kv: 'REDIS/a:' },
    logged: ['backend deleted elsewhere is still bound here; kept'],
  },
  {
    name: "a stored change to a config file's backend: ignored (the file owns it)",
    stored: [{ name: 'mem', type: 'REDIS', config: REDIS_A, deleted: false }],
    rebound: [],
    after: { mem: 'MEMSTORE/' },
    logged: [],
  },
];

for (const c of cases) {
  test(`backend sync: ${c.name}`, async () => {
    const initial: RegisteredBackend[] = [
      { name: 'mem', type: 'MEMSTORE', config: {}, origin: 'file' },
      { name: 'kv', type: 'REDIS', config: REDIS_A, origin: 'admin' },
      { name: 'spare', type: 'MEMSTORE', config: {}, origin: 'admin' },
    ];
    const backends = createBackendRegistry(initial, [{ namespace: 'kv', pattern: 'keyvalue', slots: keyValueSlots, bindings: { store: 'kv' } }]);
    const rebound: string[][] = [];
    const logged: string[] = [];
    await followStoredBackends(
      {
        backends,
        async rebind(namespaces, lookup) {
          rebound.push([...namespaces]);
          assert.ok(lookup('kv'), 'the re-bind sees the backend it binds');
          if (c.rebindFails) throw new Error(c.rebindFails);
        },
        log: { info: (_d, message) => logged.push(message), warn: (_d, message) => logged.push(message) },
      },
      c.stored,
    );
    assert.deepEqual(rebound, c.rebound);
    for (const [name, expected] of Object.entries(c.after)) {
      const b = backends.get(name);
      assert.equal(b ? `${b.type}/${(b.config as { keyPrefix?: string }).keyPrefix ?? ''}` : 'absent', expected, name);
    }
    assert.deepEqual(logged, c.logged);
  });
}

test('sameConfig compares JSON values, not their text', () => {
  assert.ok(sameConfig({ a: 1, b: { c: [1, { d: 'x' }] } }, { b: { c: [1, { d: 'x' }] }, a: 1 }));
  assert.ok(!sameConfig({ a: [1, 2] }, { a: [2, 1] }));
  assert.ok(!sameConfig({ a: 1 }, { a: 1, b: undefined }));
  assert.ok(!sameConfig({ a: {} }, { a: [] }));
  assert.ok(!sameConfig({ a: null }, { a: {} }));
  assert.ok(sameConfig({ password: { env: 'X' } }, { password: { env: 'X' } }));
});
