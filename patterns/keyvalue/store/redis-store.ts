/**
 * The REDIS keyvalue store (ioredis 6, RESP2). Under a key prefix P (default `prism:kv:`):
 *   P e:<key>   a hash per entry: v (value), c (content type), n (version), x (expiry, ms),
 *               with the entry's TTL as the hash's own expiry;
 *   P version   the store's version counter;
 *   P keys      a sorted set of every key, all scored 0, so ZRANGEBYLEX walks keys in bytewise
 *               order (Redis compares members with memcmp) — Scan's order on every store;
 *   P changes   a stream of changes whose ids are `<version>-0`.
 * Every write is one Lua script (atomic in Redis): it checks the expected version, takes the
 * next version, writes the hash and appends to the stream, so the stream's order is the
 * versions' order. Expired hashes leave their index member behind; Scan skips and removes it.
 *
 * Watch: one blocking XREAD connection per process reads the stream from the counter's value
 * at the first watch and fans changes out to the process's watchers; it survives reconnection
 * by reading on from the last id it saw. The stream keeps about `changeRetention` changes.
 */
import { Redis } from 'ioredis';
import { KEYVALUE_INTERFACES, type KeyValueStore, type ScannedEntry } from './keyvalue-store.js';
import { createWatchHub } from './watch-hub.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] (rediss:// for TLS). */
  readonly url: string;
  readonly keyPrefix?: string;
  /** About how many changes the stream keeps (MAXLEN ~; default 10,000). */
  readonly changeRetention?: number;
  readonly connectTimeoutMs?: number;
}

const SET_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'n')
local curv = cur and tonumber(cur) or 0
if ARGV[5] ~= '' and tonumber(ARGV[5]) ~= curv then return {0, curv} end
local v = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'c', ARGV[3], 'n', v)
local exp = -1
if ARGV[4] ~= '' then
  local t = redis.call('TIME')
  exp = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[4])
  redis.call('HSET', KEYS[1], 'x', exp)
  redis.call('PEXPIREAT', KEYS[1], exp)
else
  redis.call('HDEL', KEYS[1], 'x')
  redis.call('PERSIST', KEYS[1])
end
redis.call('ZADD', KEYS[3], 0, ARGV[1])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[6], v .. '-0', 'k', 'PUT', 'key', ARGV[1], 'v', ARGV[2], 'c', ARGV[3])
if cur then return {1, v, exp, 0} end
return {1, v, exp, 1}
`;

const DELETE_SCRIPT = `
local cur = redis.call('HGET', KEYS[1], 'n')
if not cur then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return {0, 0}
end
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= tonumber(cur) then return {2, tonumber(cur)} end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
local v = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[3], v .. '-0', 'k', 'DELETE', 'key', ARGV[1], 'v', '', 'c', '')
return {1, tonumber(cur)}
`;

// Reads entry hashes named from the index (ARGV[1] .. member): fine on a single Redis, which
// is what this store supports (a cluster would need the hashes in one slot).
const SCAN_SCRIPT = `
local out = {}
local start = ARGV[2]
local prefix = ARGV[3]
local limit = tonumber(ARGV[4])
while true do
  local batch = redis.call('ZRANGEBYLEX', KEYS[1], start, '+', 'LIMIT', 0, limit)
  if #batch == 0 then return out end
  for _, member in ipairs(batch) do
    if string.sub(member, 1, #prefix) ~= prefix then return out end
    local entry = ARGV[1] .. member
    local f = redis.call('HMGET', entry, 'n', 'c', 'x')
    if f[1] then
      local x = -1
      if f[3] then x = tonumber(f[3]) end
      table.insert(out, {member, tonumber(f[1]), redis.call('HSTRLEN', entry, 'v'), f[2], x})
      if #out >= limit then return out end
    else
      redis.call('ZREM', KEYS[1], member)
    end
    start = '(' .. member
  end
end
`;

type ScriptCall = (...args: (string | Buffer | number)[]) => Promise<unknown>;

export function createRedisStore(options: RedisStoreOptions): KeyValueStore {
  const prefix = options.keyPrefix ?? 'prism:kv:';
  const retention = String(options.changeRetention ?? 10_000);
  const connection = {
    protocol: 2 as const,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A store that cannot be reached fails calls soon (STORE_ERROR), instead of queueing them.
    maxRetriesPerRequest: 2,
  };
  const redis = new Redis(options.url, connection);
  // Connection errors surface on the calls that need the connection; ioredis reconnects itself.
  redis.on('error', () => {});
  redis.defineCommand('kvSet', { numberOfKeys: 4, lua: SET_SCRIPT });
  redis.defineCommand('kvDelete', { numberOfKeys: 4, lua: DELETE_SCRIPT });
  redis.defineCommand('kvScan', { numberOfKeys: 1, lua: SCAN_SCRIPT });
  const scripts = redis as unknown as { kvSet: ScriptCall; kvDelete: ScriptCall; kvScanBuffer: ScriptCall };

  const entryPrefix = Buffer.from(`${prefix}e:`);
  const entryKey = (key: Buffer) => Buffer.concat([entryPrefix, key]);
  const counterKey = `${prefix}version`;
  const indexKey = `${prefix}keys`;
  const streamKey = `${prefix}changes`;
  const hub = createWatchHub();
  let closed = false;

  const checkOpen = () => {
    if (closed) throw new Error('the Redis store is closed');
  };
  const expiry = (value: number) => (value < 0 ? undefined : value);

  // The change reader: a connection of its own, since XREAD BLOCK holds it.
  let reader: Promise<void> | undefined;
  let readerConnection: Redis | undefined;
  async function readChanges(conn: Redis, fromVersion: number): Promise<void> {
    let lastId = `${fromVersion}-0`;
    while (!closed) {
      let reply;
      try {
        reply = await conn.xreadBuffer('COUNT', 500, 'BLOCK', 5000, 'STREAMS', streamKey, lastId);
      } catch {
        if (closed) return;
        // Disconnected: ioredis reconnects; read on from the last id once it has.
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      for (const [, items] of reply ?? []) {
        for (const [id, fields] of items) {
          lastId = id.toString();
          const field: Record<string, Buffer> = {};
          for (let i = 0; i + 1 < fields.length; i += 2) field[fields[i].toString()] = fields[i + 1];
          hub.publish({
            kind: field.k.toString() === 'DELETE' ? 'DELETE' : 'PUT',
            key: field.key,
            version: Number(lastId.slice(0, lastId.indexOf('-'))),
            value: field.v,
            contentType: field.c.toString(),
          });
        }
      }
    }
  }
  const startReader = () =>
    (reader ??= (async () => {
      // From the counter: every write after this read has a greater version, hence a later id.
      const from = Number((await redis.get(counterKey)) ?? 0);
      readerConnection = new Redis(options.url, { ...connection, maxRetriesPerRequest: null });
      readerConnection.on('error', () => {});
      void readChanges(readerConnection, from);
    })().catch((err: unknown) => {
      reader = undefined;
      throw err;
    }));

  return {
    interfaces: KEYVALUE_INTERFACES,
    async get(key) {
      checkOpen();
      const [version, value, contentType, expiresAt] = await redis.hmgetBuffer(entryKey(key), 'n', 'v', 'c', 'x');
      if (version === null || value === null) return undefined;
      return { key, value, contentType: contentType?.toString() ?? '', version: Number(version.toString()), expiresAt: expiresAt ? Number(expiresAt.toString()) : undefined };
    },
    async set(input) {
      checkOpen();
      const reply = (await scripts.kvSet(
        entryKey(input.key),
        counterKey,
        indexKey,
        streamKey,
        input.key,
        input.value,
        input.contentType,
        input.ttlMs === undefined ? '' : String(input.ttlMs),
        input.expectedVersion === undefined ? '' : String(input.expectedVersion),
        retention,
      )) as number[];
      if (reply[0] === 0) return { status: 'mismatch', current: reply[1] };
      return { status: 'written', version: reply[1], expiresAt: expiry(reply[2]), created: reply[3] === 1 };
    },
    async delete(key, expectedVersion) {
      checkOpen();
      const reply = (await scripts.kvDelete(entryKey(key), counterKey, indexKey, streamKey, key, expectedVersion === undefined ? '' : String(expectedVersion), retention)) as number[];
      if (reply[0] === 0) return { status: 'absent' };
      if (reply[0] === 2) return { status: 'mismatch', current: reply[1] };
      return { status: 'deleted', version: reply[1] };
    },
    async scan(keyPrefix, after, limit) {
      checkOpen();
      const start = after !== undefined && Buffer.compare(after, keyPrefix) >= 0 ? Buffer.concat([Buffer.from('('), after]) : Buffer.concat([Buffer.from('['), keyPrefix]);
      const rows = (await scripts.kvScanBuffer(indexKey, entryPrefix, start, keyPrefix, limit)) as [Buffer, number, number, Buffer, number][];
      return rows.map(([key, version, size, contentType, expiresAt]): ScannedEntry => ({ key, version, size, contentType: contentType.toString(), expiresAt: expiry(expiresAt) }));
    },
    async watch(keyPrefix, watcher) {
      checkOpen();
      await startReader();
      return hub.subscribe(keyPrefix, watcher);
    },
    async ping() {
      checkOpen();
      await redis.ping();
    },
    async close() {
      if (closed) return;
      closed = true;
      hub.failAll(new Error('the store is closing'));
      readerConnection?.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
