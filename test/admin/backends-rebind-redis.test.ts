/**
 * A live re-bind under load (issue 18): the keyvalue pattern's `store` slot is bound to a REDIS
 * backend registered through the admin API, Connect JSON calls run through the gateway without
 * pause (writes of fresh keys, reads of keys both servers hold), and `PUT /admin/backends/{name}` moves the backend to a second Redis server. No call
 * fails, and the writes made after the answer land in the second server. A move to a port
 * nobody listens on is refused (503 BACKEND_REBIND_FAILED) while the calls keep succeeding on
 * the first one.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { createRedisStore } from '../../patterns/keyvalue/store/redis-store.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { http, tempDir, writeConfig } from '../operations/support.js';
import { deleteRedisKeys, REDIS_TEST_URL } from '../patterns/keyvalue/redis-test-keys.js';
import { waitFor } from '../support/wait-for.js';

const SERVICE = 'prism.patterns.keyvalue.v1.KeyValue';
/** Concurrent callers: enough that calls are in flight at every moment of the swap. */
const CALLERS = 8;

/** A loopback port free right now (the second Redis needs a fixed one). */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** A throwaway Redis on its own port: no snapshots, no append-only file. */
async function startRedis(port: number): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { protocol: 2, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      try {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        probe.disconnect();
        return false;
      }
    }, { timeoutMs: 20_000, what: `redis-server on port ${port}` });
  } finally {
    probe.disconnect();
  }
  return { url, process: child };
}

async function start(dir: string, slotBackend: string): Promise<RunningGateway> {
  const file = writeConfig(dir, {
    backends: [{ name: 'mem', type: 'MEMSTORE' }],
    namespaces: [{ name: 'kv', pattern: { embedded: 'patterns/keyvalue', slots: { store: slotBackend } }, frontends: [], grpcWeb: true }],
  });
  return startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), logger: false });
}

const putBackend = (g: RunningGateway, name: string, body: object) =>
  http(`${g.adminUrl}/admin/backends/${name}`, { method: 'PUT', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** One Connect JSON unary call; resolves with the parsed answer, rejects with what went wrong. */
async function connectCall(g: RunningGateway, method: string, request: object): Promise<Record<string, unknown>> {
  const res = await fetch(`${g.url}/${SERVICE}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * Writes the keys the callers read (`seed/<caller>`) into one server, through the keyvalue
 * pattern's own Redis store: both servers hold them, so every read succeeds whichever server
 * answers it. (A caller reading back its own write could rightly miss when the write went to
 * the old server and the read to the new one: a re-bind moves no data.)
 */
async function seed(url: string, prefix: string): Promise<void> {
  const store = createRedisStore({ url, keyPrefix: prefix });
  try {
    for (let id = 0; id < CALLERS; id++) await store.set({ key: Buffer.from(`seed/${id}`), value: Buffer.from(`seed ${id}`), contentType: 'text/plain' });
  } finally {
    await store.close();
  }
}

/**
 * Callers that each Set a fresh key then Get their seeded key, until stopped, counting
 * successes and keeping every failure. `mark(name)` names the keys written from then on, to
 * look them up in either server afterwards.
 */
function startLoad(g: RunningGateway) {
  let running = true;
  let ok = 0;
  let epoch = 'before';
  const failures: string[] = [];
  const written = new Map<string, string[]>();
  const caller = async (id: number) => {
    for (let i = 0; running; i++) {
      const mark = epoch;
      const key = `load/${mark}/${id}/${i}`;
      try {
        await connectCall(g, 'Set', { key: b64(key), value: b64(`value ${id} ${i}`), contentType: 'text/plain' });
        if (!written.has(mark)) written.set(mark, []);
        written.get(mark)!.push(key);
        ok += 1;
      } catch (err) {
        failures.push((err as Error).message);
      }
      try {
        const got = await connectCall(g, 'Get', { key: b64(`seed/${id}`) });
        if (got.value !== b64(`seed ${id}`)) throw new Error(`Get seed/${id}: ${JSON.stringify(got)}`);
        ok += 1;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const done = Promise.all(Array.from({ length: CALLERS }, (_, id) => caller(id)));
  return {
    get ok() {
      return ok;
    },
    failures,
    written,
    mark(name: string) {
      epoch = name;
    },
    /** Resolves once `n` more calls have succeeded (or one has failed). */
    async more(n: number) {
      const target = ok + n;
      await waitFor(() => ok >= target || failures.length > 0, { timeoutMs: 60_000, what: `${n} more successful calls`, detail: () => `${ok} so far` });
    },
    async stop() {
      running = false;
      await done;
    },
  };
}

test('a REDIS backend moved to another server under load: no call fails, writes land in the new server', async () => {
  const dir = tempDir('rebind-redis');
  const prefix = `prism:test:rebind:${randomUUID()}:`;
  const second = await startRedis(await freePort());
  const deadPort = await freePort();
  let gateway = await start(dir.path, 'mem');
  const firstRedis = new Redis(REDIS_TEST_URL, { protocol: 2 });
  const secondRedis = new Redis(second.url, { protocol: 2 });
  let load: ReturnType<typeof startLoad> | undefined;
  try {
    // REGISTER_BACKEND, then a start that binds the slot to it (a slot's backend is chosen at start).
    const created = await putBackend(gateway, 'kv-redis', { type: 'REDIS', config: { url: REDIS_TEST_URL, keyPrefix: prefix } });
    assert.equal(created.status, 201, created.text);
    await gateway.close();
    gateway = await start(dir.path, 'kv-redis');
    assert.deepEqual(((await http(`${gateway.adminUrl}/admin/backends/kv-redis`)).json() as { usedBy: unknown }).usedBy, [{ namespace: 'kv', slot: 'store' }]);

    await seed(REDIS_TEST_URL, prefix);
    await seed(second.url, prefix);
    load = startLoad(gateway);
    await load.more(200);
    assert.ok((await firstRedis.exists(`${prefix}e:load/before/0/0`)) === 1, 'the load writes to the first Redis');

    // A server nobody listens on: refused, the old binding keeps serving, the load goes on.
    const refused = await putBackend(gateway, 'kv-redis', { type: 'REDIS', config: { url: `redis://127.0.0.1:${deadPort}`, keyPrefix: prefix } });
    assert.equal(refused.status, 503, refused.text);
    assert.match(refused.text, /BACKEND_REBIND_FAILED/);
    assert.match(refused.text, /namespace 'kv'/);
    assert.equal(((await http(`${gateway.adminUrl}/admin/backends/kv-redis`)).json() as { config: { url: string } }).config.url, REDIS_TEST_URL);
    await load.more(200);
    assert.deepEqual(load.failures, []);

    // UPDATE_BACKEND to the second server while the calls run.
    const okBefore = load.ok;
    const moved = await putBackend(gateway, 'kv-redis', { type: 'REDIS', config: { url: second.url, keyPrefix: prefix } });
    assert.equal(moved.status, 200, moved.text);
    assert.deepEqual((moved.json() as { rebound: unknown }).rebound, [{ namespace: 'kv', slot: 'store' }]);
    assert.ok(load.ok > okBefore, 'calls succeeded while the re-bind ran');
    load.mark('after');
    await load.more(200);
    await load.stop();
    assert.deepEqual(load.failures, [], `${load.failures.length} of ${load.ok + load.failures.length} calls failed`);

    // Every key written after the answer is in the second server, none in the first.
    const after = load.written.get('after') ?? [];
    assert.ok(after.length >= 50, `only ${after.length} keys written after the re-bind`);
    assert.equal(await secondRedis.exists(...after.map((k) => `${prefix}e:${k}`)), after.length);
    assert.equal(await firstRedis.exists(...after.map((k) => `${prefix}e:${k}`)), 0);
    // And a key the gateway writes now is read back from the second server directly.
    await connectCall(gateway, 'Set', { key: b64('direct/check'), value: b64('landed'), contentType: 'text/plain' });
    assert.equal(await secondRedis.exists(`${prefix}e:direct/check`), 1);
  } finally {
    await load?.stop();
    await gateway.close();
    firstRedis.disconnect();
    secondRedis.disconnect();
    second.process.kill('SIGTERM');
    if (second.process.exitCode === null) await once(second.process, 'exit');
    await deleteRedisKeys(prefix);
    dir.remove();
  }
});
