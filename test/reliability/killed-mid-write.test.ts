/**
 * Fault 4, registry killed mid-write: concurrent registrations through the gateway, the
 * registry process SIGKILLed while they run, restarted on the same SQLite file — 20 rounds.
 * Afterwards every acknowledged registration is there with the id the client was given and a
 * version that resolves to it; no id was handed to two schemas; every subject's versions run
 * 1..n without holes and each resolves completely (nothing half-written).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { avro, preloadRegistry, request, startConfluentGateway, tempDir, unusedPort, type PreloadedRegistry } from './support.js';

const ROUNDS = 20;
const LANES = 8;
/** Registrations ahead of each kill: a few at least, so the kill lands amid writes. */
const ackTarget = (round: number) => 4 + ((round * 7) % 13);

/** Runs `fn` over `items`, 16 at a time. */
async function inParallel<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface Ack {
  subject: string;
  schema: string;
  id: number;
  round: number;
}

test(`SIGKILL during concurrent registrations, ${ROUNDS} rounds: every acknowledged registration survives, ids unique`, { timeout: 150_000 }, async (t) => {
  const dir = tempDir('killed-mid-write');
  const db = join(dir.path, 'registry.db');
  const listen = `127.0.0.1:${await unusedPort()}`;
  // A window of registries loading ahead: each round starts the next one with go().
  const pool: PreloadedRegistry[] = [];
  const spawned: PreloadedRegistry[] = [];
  const refill = () => {
    while (pool.length < 4 && spawned.length < ROUNDS + 1) {
      const p = preloadRegistry(listen, db);
      pool.push(p);
      spawned.push(p);
    }
  };
  refill();
  const gateway = await startConfluentGateway(dir.path, listen, { namespace: { deadlineMs: 5000 } });
  const acks: Ack[] = [];
  const rounds: { waitedForLoad: number; toServing: number; writing: number; afterKill: number }[] = [];
  let sent = 0;
  let failed = 0;
  let n = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const next = pool.shift()!;
      refill();
      const t0 = Date.now();
      await next.loaded;
      const t1 = Date.now();
      const registry = next.go();
      await registry.serving;
      const t2 = Date.now();
      const target = acks.length + ackTarget(round);
      let killing: Promise<void> | undefined;
      let tk = 0;
      const lane = async (k: number) => {
        // Each lane writes until its first failure after the kill.
        for (;;) {
          const schema = avro(`R${k}`, `f${n++}`);
          const subject = `lane-${k}`;
          sent++;
          let a;
          try {
            a = await request(`${gateway.url}/subjects/${subject}/versions`, { method: 'POST', body: { schema }, timeoutMs: 10_000 });
          } catch (err) {
            failed++;
            throw err;
          }
          if (a.status !== 200) {
            failed++;
            assert.equal(a.status, 500, a.text);
            if (killing) return;
            // Before the kill nothing fails.
            assert.fail(`registration failed before the kill: ${a.text}`);
          }
          acks.push({ subject, schema, id: (a.json() as { id: number }).id, round });
          if (!killing && acks.length >= target) {
            tk = Date.now();
            killing = registry.kill();
          }
        }
      };
      await Promise.all(Array.from({ length: LANES }, (_, k) => lane(k)));
      await killing;
      assert.equal(registry.child.signalCode, 'SIGKILL', `round ${round}: the registry was killed`);
      rounds.push({ waitedForLoad: t1 - t0, toServing: t2 - t1, writing: tk - t2, afterKill: Date.now() - tk });
    }

    // A last life of the registry on the same file, to read everything back.
    const last = pool.shift()!;
    await last.loaded;
    await last.go().serving;

    let lost = 0;
    const idOwner = new Map<number, string>();
    await inParallel(acks, async (ack) => {
      const found = await request(`${gateway.url}/subjects/${ack.subject}`, { method: 'POST', body: { schema: ack.schema } });
      if (found.status !== 200) {
        lost++;
        return;
      }
      const entity = found.json() as { subject: string; version: number; id: number; schema: string };
      assert.equal(entity.id, ack.id, `${ack.subject}: the acknowledged id (round ${ack.round})`);
      const byVersion = await request(`${gateway.url}/subjects/${ack.subject}/versions/${entity.version}`);
      assert.equal(byVersion.status, 200, byVersion.text);
      assert.equal((byVersion.json() as { id: number }).id, ack.id);
      assert.equal((byVersion.json() as { schema: string }).schema, ack.schema);
    });
    assert.equal(lost, 0, `${lost} acknowledged registrations lost`);

    // Every stored version — acknowledged or not — is whole, and ids are never shared.
    let versionsStored = 0;
    for (let k = 0; k < LANES; k++) {
      const list = await request(`${gateway.url}/subjects/lane-${k}/versions`);
      assert.equal(list.status, 200, list.text);
      const versions = list.json() as number[];
      assert.deepEqual(versions, versions.map((_, i) => i + 1), `lane-${k}: versions 1..n without holes`);
      versionsStored += versions.length;
      await inParallel(versions, async (v) => {
        const a = await request(`${gateway.url}/subjects/lane-${k}/versions/${v}`);
        assert.equal(a.status, 200, `lane-${k} v${v}: ${a.text}`);
        const e = a.json() as { id: number; schema: string };
        const owner = idOwner.get(e.id);
        assert.ok(owner === undefined || owner === e.schema, `id ${e.id} given to two schemas`);
        idOwner.set(e.id, e.schema);
        const byId = await request(`${gateway.url}/schemas/ids/${e.id}`);
        assert.equal(byId.status, 200, byId.text);
        assert.equal((byId.json() as { schema: string }).schema, e.schema);
      });
    }
    const ackedIds = new Set(acks.map((a) => a.id));
    assert.equal(ackedIds.size, acks.length, 'every acknowledged (distinct) schema has its own id');
    assert.ok(versionsStored >= acks.length);
    const median = (k: keyof (typeof rounds)[number]) => rounds.map((r) => r[k]).sort((a, b) => a - b)[rounds.length >> 1];
    t.diagnostic(`median per round: start to serving ${median('toServing')} ms, writing until the kill ${median('writing')} ms, kill until every lane answered ${median('afterKill')} ms`);
    t.diagnostic(`${ROUNDS} rounds: ${sent} registrations sent, ${acks.length} acknowledged, ${failed} failed by the kills, ${versionsStored} versions stored, lost 0, ids unique`);
  } finally {
    await gateway.close();
    for (const p of spawned) await p.kill();
    dir.remove();
  }
});
