/**
 * The keyvalue service over a real socket, started as the gateway starts it (`startPattern`)
 * on each store: round trips of binary keys and values, every error reason with its code and
 * ErrorInfo, paging with page tokens, Watch as a stream, a store bound without optional
 * interfaces, refused bindings, and a shutdown ending open watches.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { startPattern } from '../../../patterns/keyvalue/index.js';
import { KEYVALUE_SERVICE_NAME } from '../../../patterns/keyvalue/keyvalue-server.js';
import type { BackendConfig, RunningPattern } from '../../../src/upstream/pattern-module.js';
import { useSuite } from '../../support/use-suite.js';
import { tempDir } from '../../support/temp-dir.js';
import { waitFor } from '../../support/wait-for.js';
import { createTestDatabase } from '../registry/postgres-test-db.js';
import { createKeyValueClient, keyValueRoot } from './keyvalue-client.js';
import { deleteRedisKeys, REDIS_TEST_URL } from './redis-test-keys.js';

const runPrefix = `prism-test:kv-rpc:${process.pid}-${Date.now().toString(36)}:`;
const b = (text: string) => Buffer.from(text, 'latin1');
const DOMAIN = 'keyvalue.prism.io';

const backends: [string, (dataDir: string) => Promise<{ backend: BackendConfig; cleanup(): Promise<void> }>][] = [
  ['MEMSTORE', async () => ({ backend: { name: 'mem', type: 'MEMSTORE', config: {} }, cleanup: async () => {} })],
  ['SQLITE', async () => ({ backend: { name: 'file', type: 'SQLITE', config: { path: 'kv.db' } }, cleanup: async () => {} })],
  [
    'POSTGRES',
    async () => {
      const db = await createTestDatabase('kv_rpc');
      return { backend: { name: 'pg', type: 'POSTGRES', config: { url: db.url, tablePrefix: 'rpc_' } }, cleanup: db.drop };
    },
  ],
  [
    'REDIS',
    async () => ({
      backend: { name: 'cache', type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: `${runPrefix}main:` } },
      cleanup: () => deleteRedisKeys(`${runPrefix}main:`),
    }),
  ],
];

for (const [type, open] of backends) {
  describe(`over gRPC on ${type}`, () => {
    const suite = useSuite(async (scope) => {
      const dir = scope.own(tempDir('kv-rpc'));
      const { backend, cleanup } = await open(dir.path);
      scope.onClose(cleanup);
      const pattern = scope.own(await startPattern({ listen: '127.0.0.1:0', slots: { store: backend }, dataDir: dir.path, log: { error: () => {} } }));
      const client = createKeyValueClient(pattern.address);
      scope.onClose(() => client.close());
      return { client, pattern };
    });

    test('binary keys and values round trip with their content type and version', async () => {
      const { client } = suite;
      const key = b('\x00bin\xff/ключ');
      const value = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
      const set = await client.call('Set', { key, value, content_type: 'application/octet-stream' });
      assert.equal(set.created, true);
      assert.match(String(set.version), /^[1-9]\d*$/);
      const got = await client.call('Get', { key });
      assert.deepEqual([got.key, got.value, got.content_type, got.version, got.expire_time], [key, value, 'application/octet-stream', set.version, null]);
      assert.deepEqual(await client.call('Exists', { key }), { exists: true, version: set.version });
      assert.deepEqual(await client.call('Delete', { key }), { version: set.version });
      assert.deepEqual(await client.call('Exists', { key }), { exists: false, version: '0' });
    });

    test('every refusal has its code, reason, domain and metadata', async () => {
      const { client } = suite;
      const v = (await client.call('Set', { key: b('cas'), value: b('1') })).version as string;
      const rows: [string, object, status, string, Record<string, string>?][] = [
        ['Get', { key: b('absent') }, status.NOT_FOUND, 'KEY_NOT_FOUND', { key: b('absent').toString('base64') }],
        ['Delete', { key: b('absent') }, status.NOT_FOUND, 'KEY_NOT_FOUND'],
        ['Set', { key: b(''), value: b('x') }, status.INVALID_ARGUMENT, 'INVALID_KEY'],
        ['Get', { key: Buffer.alloc(4097, 1) }, status.INVALID_ARGUMENT, 'INVALID_KEY', { key_bytes: '4097' }],
        ['Set', { key: b('big'), value: Buffer.alloc(1024 * 1024 + 1) }, status.INVALID_ARGUMENT, 'VALUE_TOO_LARGE', { value_bytes: '1048577', max_value_bytes: '1048576' }],
        ['Set', { key: b('cas'), value: b('2'), expected_version: Number(v) + 7 }, status.FAILED_PRECONDITION, 'VERSION_MISMATCH', { current_version: v, expected_version: String(Number(v) + 7) }],
        ['Set', { key: b('cas'), value: b('2'), expected_version: 0 }, status.FAILED_PRECONDITION, 'VERSION_MISMATCH', { current_version: v }],
        ['Delete', { key: b('cas'), expected_version: Number(v) + 1 }, status.FAILED_PRECONDITION, 'VERSION_MISMATCH', { current_version: v }],
        ['Set', { key: b('k'), value: b('x'), ttl_seconds: -1 }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'ttl_seconds' }],
        ['Set', { key: b('k'), value: b('x'), expected_version: -2 }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'expected_version' }],
        ['Set', { key: b('k'), value: b('x'), content_type: 'text/\nplain' }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'content_type' }],
        ['Scan', { limit: -1 }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'limit' }],
        ['Scan', { prefix: b('a/'), page_token: 'not a token' }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'page_token' }],
        ['Scan', { prefix: b('a/'), page_token: b('b/1').toString('base64url') }, status.INVALID_ARGUMENT, 'INVALID_ARGUMENT', { field: 'page_token' }],
      ];
      for (const [method, request, code, reason, metadata] of rows) {
        const failure = await suite.client.failure(method, request);
        const what = `${method} ${reason}`;
        assert.equal(failure.code, code, what);
        assert.equal(failure.info?.reason, reason, what);
        assert.equal(failure.info?.domain, DOMAIN, what);
        for (const [name, value] of Object.entries(metadata ?? {})) assert.equal(failure.info?.metadata[name], value, `${what}: ${name}`);
      }
    });

    test('Scan pages through keys with page tokens until the last page', async () => {
      const { client } = suite;
      const keys = Array.from({ length: 25 }, (_, i) => b(`s/${String(i).padStart(2, '0')}\xff`));
      for (const key of keys) await client.call('Set', { key, value: b('xyz'), content_type: 'text/plain' });
      await client.call('Set', { key: b('s0'), value: b('outside') });
      const seen: Buffer[] = [];
      let token = '';
      let pages = 0;
      do {
        const page = await client.call('Scan', { prefix: b('s/'), page_token: token, limit: 10 });
        const items = page.items as { key: Buffer; size: string; content_type: string }[];
        assert.ok(items.every((item) => item.size === '3' && item.content_type === 'text/plain'));
        seen.push(...items.map((item) => item.key));
        token = page.next_page_token as string;
        pages++;
      } while (token !== '');
      assert.equal(pages, 3);
      assert.deepEqual(seen, keys);
      const all = await client.call('Scan', { prefix: b('s/'), limit: 5000 });
      assert.equal((all.items as unknown[]).length, 25, 'a limit above 1000 reads as 1000');
    });

    test('an entry with a TTL says when it expires and then is gone', async () => {
      const { client } = suite;
      const set = await client.call('Set', { key: b('ttl'), value: b('x'), ttl_seconds: 0.3 });
      const expire = set.expire_time as { seconds: string; nanos: number };
      const expiresAt = Number(expire.seconds) * 1000 + expire.nanos / 1e6;
      assert.ok(expiresAt > Date.now() - 1000 && expiresAt < Date.now() + 5000, String(expiresAt));
      await waitFor(async () => ((await client.call('Exists', { key: b('ttl') })).exists === false), { what: 'the key to expire' });
    });

    test('Watch streams the changes under its prefix, in order, after its headers', async () => {
      const { client } = suite;
      const watch = client.watch('w/');
      await watch.headers;
      const v1 = (await client.call('Set', { key: b('w/a'), value: b('1'), content_type: 'text/plain' })).version;
      await client.call('Set', { key: b('elsewhere'), value: b('1') });
      const v2 = (await client.call('Set', { key: b('w/b'), value: b('\x00\xff') })).version;
      await client.call('Delete', { key: b('w/a') });
      await waitFor(() => watch.events.length >= 3, { what: '3 events', detail: () => JSON.stringify(watch.events) });
      watch.cancel();
      assert.deepEqual(
        watch.events.map((e) => [e.kind, (e.key as Buffer).toString('latin1'), (e.value as Buffer).toString('latin1'), e.content_type]),
        [
          ['PUT', 'w/a', '1', 'text/plain'],
          ['PUT', 'w/b', '\x00\xff', ''],
          ['DELETE', 'w/a', '', ''],
        ],
      );
      assert.deepEqual([watch.events[0].version, watch.events[1].version], [v1, v2]);
      assert.ok(Number(watch.events[2].version) > Number(v2));
      assert.equal((await watch.ended).code, status.CANCELLED);
    });
  });
}

describe('bindings and lifecycle', () => {
  const scope = useSuite(async (s) => ({ dir: s.own(tempDir('kv-bind')).path, own: <T extends RunningPattern>(p: T) => s.own(p) }));

  test('a store bound without the optional interfaces: Watch is WATCH_UNSUPPORTED, TTLs and Scan UNIMPLEMENTED, the rest serves', async () => {
    const pattern = scope.own(
      await startPattern({ listen: '127.0.0.1:0', slots: { store: { name: 'm', type: 'MEMSTORE', config: {} } }, slotInterfaces: { store: ['keyvalue_basic'] }, dataDir: scope.dir }),
    );
    const client = createKeyValueClient(pattern.address);
    try {
      const ended = await client.watch('').ended;
      assert.deepEqual([ended.code, ended.info?.reason, ended.info?.domain], [status.UNIMPLEMENTED, 'WATCH_UNSUPPORTED', DOMAIN]);
      const ttl = await client.failure('Set', { key: b('k'), value: b('v'), ttl_seconds: 5 });
      assert.deepEqual([ttl.code, ttl.info?.metadata.interface], [status.UNIMPLEMENTED, 'keyvalue_ttl']);
      const scan = await client.failure('Scan', {});
      assert.deepEqual([scan.code, scan.info?.metadata.interface], [status.UNIMPLEMENTED, 'keyvalue_scan']);
      await client.call('Set', { key: b('k'), value: b('v') });
      assert.equal(((await client.call('Get', { key: b('k') })).value as Buffer).toString(), 'v');
    } finally {
      client.close();
    }
  });

  test('a backend type without a keyvalue store, or one that cannot be reached, fails the start naming it', async () => {
    await assert.rejects(
      startPattern({ listen: '127.0.0.1:0', slots: { store: { name: 'events', type: 'KAFKA', config: {} } }, dataDir: scope.dir }),
      /no keyvalue slot implementation for KAFKA/,
    );
    await assert.rejects(
      startPattern({ listen: '127.0.0.1:0', slots: { store: { name: 'gone', type: 'REDIS', config: { url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 } } }, dataDir: scope.dir }),
      /backend gone \(REDIS\) does not answer/,
    );
    await assert.rejects(
      startPattern({ listen: '127.0.0.1:0', slots: { store: { name: 'bad', type: 'POSTGRES', config: { url: 'mysql://x' } } }, dataDir: scope.dir }),
      /POSTGRES backend: config\.url must be a postgres:\/\/ URL/,
    );
  });

  test('a shutdown ends an open Watch with UNAVAILABLE', async () => {
    const pattern = await startPattern({ listen: '127.0.0.1:0', slots: {}, dataDir: scope.dir });
    const client = createKeyValueClient(pattern.address);
    try {
      const watch = client.watch('');
      await watch.headers;
      await pattern.close();
      assert.equal((await watch.ended).code, status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });

  test('the reads are annotated NO_SIDE_EFFECTS and the writes are not', () => {
    const service = keyValueRoot.lookupService(KEYVALUE_SERVICE_NAME);
    const reads = service.methodsArray.filter((m) => m.options?.idempotency_level === 'NO_SIDE_EFFECTS').map((m) => m.name);
    assert.deepEqual(reads.sort(), ['Exists', 'Get', 'Scan', 'Watch']);
  });
});
