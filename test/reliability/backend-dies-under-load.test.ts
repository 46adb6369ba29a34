/**
 * Fault 2, backend dies under load: 64 concurrent request loops (reads and registrations)
 * through the gateway to the registry running as its own process; the registry is SIGKILLed
 * mid-load. The gateway does not crash, every request is answered (2xx or Confluent's mapped
 * 5xx) and none hangs; the heap stays bounded; after a restart on the same port and file the
 * gateway serves again and every acknowledged registration is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { waitFor } from '../support/wait-for.js';
import { avro, confluentError, preloadRegistry, request, settledHeap, spawnRegistry, startConfluentGateway, tempDir } from './support.js';

const LOOPS = 64;

test('SIGKILL of the registry under a 64-connection load: every request answered, no crash, recovery after restart', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('dies-under-load');
  const db = join(dir.path, 'registry.db');
  const first = spawnRegistry('127.0.0.1:0', db);
  const address = await first.serving;
  // The registry that replaces it preloads now and listens on the same port after go().
  const second = preloadRegistry(address, db);
  const gateway = await startConfluentGateway(dir.path, address, { namespace: { deadlineMs: 5000 } });
  const heapBefore = await settledHeap();
  const stats = { sent: 0, ok: 0, mapped5xx: 0, other: [] as string[], hung: 0 };
  const acked = new Map<string, number>(); // schema text → id
  let phase: 'up' | 'down' | 'restarted' = 'up';
  const okWhileDown = { count: 0 };
  const slowest = { up: 0, down: 0, restarted: 0 };
  /** Loops that got a 200 before the kill, and loops that met the dead backend (a mapped 5xx). */
  const servedLanes = new Set<number>();
  const failedLanes = new Set<number>();
  let stop = false;
  let n = 0;

  const loop = async (lane: number) => {
    while (!stop) {
      const write = lane % 2 === 0;
      const schema = avro('R', `f${n++}`);
      const started = Date.now();
      try {
        const a = write
          ? await request(`${gateway.url}/subjects/lane-${lane}/versions`, { method: 'POST', body: { schema }, timeoutMs: 10_000 })
          : await request(`${gateway.url}/subjects`, { timeoutMs: 10_000 });
        stats.sent++;
        const ms = Date.now() - started;
        if (ms > slowest[phase]) slowest[phase] = ms;
        if (a.status === 200) {
          stats.ok++;
          if (phase === 'up') servedLanes.add(lane);
          if (phase === 'down') okWhileDown.count++;
          if (write) acked.set(schema, (a.json() as { id: number }).id);
        } else if (a.status === 500 && [50001, 50002, 50003].includes(confluentError(a)?.error_code ?? 0)) {
          stats.mapped5xx++;
          if (phase === 'down') failedLanes.add(lane);
        } else {
          stats.other.push(`${a.status} ${a.text}`);
        }
      } catch (err) {
        stats.sent++;
        if ((err as Error).name === 'TimeoutError') stats.hung++;
        else stats.other.push(`${(err as Error).name}: ${(err as Error).message} after ${Date.now() - started} ms`);
      }
    }
  };

  try {
    const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));
    const progress = () => `sent ${stats.sent}, 2xx ${stats.ok}, mapped 5xx ${stats.mapped5xx}, other ${stats.other.length}, hung ${stats.hung}`;
    // The kill comes once every loop is under way (each got a 200), and the restart once every
    // loop has met the dead backend, so each one lives through the whole outage.
    await waitFor(() => servedLanes.size === LOOPS, { timeoutMs: 20_000, what: 'a 200 for every loop before the kill', detail: progress });
    const okBeforeKill = stats.ok;
    assert.ok(okBeforeKill > 0, 'requests succeed before the kill');
    await first.kill();
    phase = 'down';
    await waitFor(() => failedLanes.size === LOOPS, { timeoutMs: 20_000, what: 'a mapped 5xx for every loop after the kill', detail: progress });
    const sentWhileDown = stats.sent;
    await second.loaded;
    const restarted = second.go();
    await restarted.serving;
    phase = 'restarted';
    const restartedAt = Date.now();
    const okAtRestart = stats.ok;
    // Recovery: successes resume without restarting the gateway.
    await waitFor(() => stats.ok > okAtRestart, { timeoutMs: 15_000, intervalMs: 5, what: 'a success after the restart', detail: progress });
    const recoveredMs = Date.now() - restartedAt;
    await waitFor(() => stats.ok >= okAtRestart + 100, { timeoutMs: 15_000, what: '100 successes after the restart', detail: progress });
    stop = true;
    await Promise.all(loops);

    t.diagnostic(`slowest answer (ms) per phase: ${JSON.stringify(slowest)}`);
    t.diagnostic(`${progress()}; ${sentWhileDown} sent by the time the restart began; first success ${recoveredMs} ms after the restart; ${okBeforeKill} successes before the kill`);
    assert.deepEqual(stats.other, [], 'every answer is a 2xx or a mapped 5xx');
    assert.equal(stats.hung, 0, 'no request hung');
    assert.ok(stats.mapped5xx > 0, 'the kill was seen as mapped 5xx answers');
    assert.ok(stats.ok >= okAtRestart + 100, 'the gateway serves again after the restart');
    // A liveness bound (ten times grpc-js's first reconnect backoff), not a speed claim.
    assert.ok(recoveredMs < 10_000, `first success ${recoveredMs} ms after the restart`);
    assert.equal(stats.sent, stats.ok + stats.mapped5xx);

    // The gateway is alive and serves; every acknowledged registration is in the registry.
    assert.equal((await request(`${gateway.adminUrl}/readyz`)).status, 200);
    let lost = 0;
    for (const [schema, id] of acked) {
      const a = await request(`${gateway.url}/schemas/ids/${id}`);
      if (a.status !== 200 || (a.json() as { schema: string }).schema !== schema) lost++;
    }
    t.diagnostic(`acknowledged registrations ${acked.size}, lost ${lost}`);
    assert.equal(lost, 0);

    const heapAfter = await settledHeap();
    t.diagnostic(`heap before ${(heapBefore / 1e6).toFixed(1)} MB, after ${(heapAfter / 1e6).toFixed(1)} MB`);
    assert.ok(heapAfter < heapBefore + 64e6, `heap grew by ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB`);
  } finally {
    stop = true;
    await gateway.close();
    await first.kill();
    await second.kill();
    dir.remove();
  }
});
