/**
 * Fault 7, overload: with `http.maxConcurrent: 4`, requests beyond four in flight are refused
 * at once with 503 and Retry-After (in the frontend's error shape) instead of queueing, the
 * admitted ones complete, and the heap stays bounded over many overloaded rounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, settledHeap, useFixtureGateway } from './support.js';

const LIMIT = 4;
const BURST = 100;
const ROUNDS = 10;

const stack = useFixtureGateway('overload', { http: { maxConcurrent: LIMIT } });

async function burst(): Promise<{ ok: number; refused: number; refusedSlowestMs: number; other: string[] }> {
  const out = { ok: 0, refused: 0, refusedSlowestMs: 0, other: [] as string[] };
  await Promise.all(
    Array.from({ length: BURST }, async () => {
      const started = Date.now();
      const a = await request(`${stack.gateway.url}/slow?ms=1500`, { timeoutMs: 20_000 });
      const ms = Date.now() - started;
      if (a.status === 200) out.ok++;
      else if (a.status === 503 && a.headers.get('retry-after') === '1' && (a.json() as { message?: string }).message === 'too many requests in flight; retry later') {
        out.refused++;
        out.refusedSlowestMs = Math.max(out.refusedSlowestMs, ms);
      } else out.other.push(`${a.status} ${a.text}`);
    }),
  );
  return out;
}

test(`maxConcurrent ${LIMIT}: the excess of ${BURST} concurrent requests is refused at once with 503, memory bounded`, { timeout: 120_000 }, async (t) => {
  await burst(); // warm-up
  const heapBefore = await settledHeap();
  const totals = { ok: 0, refused: 0, slowestRefusal: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const r = await burst();
    assert.deepEqual(r.other, []);
    assert.ok(r.ok >= 1 && r.ok <= LIMIT, `round ${round}: ${r.ok} admitted (limit ${LIMIT})`);
    assert.equal(r.ok + r.refused, BURST);
    // Refusals come back long before the admitted calls' 1.5 s.
    assert.ok(r.refusedSlowestMs < 1500, `round ${round}: slowest refusal ${r.refusedSlowestMs} ms`);
    totals.ok += r.ok;
    totals.refused += r.refused;
    totals.slowestRefusal = Math.max(totals.slowestRefusal, r.refusedSlowestMs);
  }
  const heapAfter = await settledHeap();
  t.diagnostic(`${ROUNDS * BURST} requests: ${totals.ok} admitted, ${totals.refused} refused with 503 (slowest refusal ${totals.slowestRefusal} ms); heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`);
  assert.ok(heapAfter - heapBefore < 16e6, `heap grew by ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB`);
  // Below the limit nothing is refused.
  const calm = await Promise.all(Array.from({ length: LIMIT }, () => request(`${stack.gateway.url}/slow?ms=50`)));
  assert.deepEqual(calm.map((a) => a.status), Array(LIMIT).fill(200));
});
