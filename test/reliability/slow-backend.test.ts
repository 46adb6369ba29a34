/**
 * Fault 3, slow backend: a call past its route deadline answers the mapped timeout — 504 in
 * the gateway's default shape, 500/50002 in Confluent's — near the deadline, and the backend
 * sees its work cancelled (the server-side `cancelled` event fires for every such call).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useSuite } from '../support/use-suite.js';
import { confluentError, eventually, request, startConfluentGateway, startFakeRegistry, tempDir, useFixtureGateway } from './support.js';

const CALLS = 20;
const DEADLINE_MS = 200;

const fx = useFixtureGateway('slow-fixture', { frontend: { deadlineMs: DEADLINE_MS } });
const confluent = useSuite(async (scope) => {
  const fake = scope.own(await startFakeRegistry(10_000));
  const dir = scope.own(tempDir('slow-confluent'));
  return { fake, gateway: scope.own(await startConfluentGateway(dir.path, fake.address, { namespace: { deadlineMs: DEADLINE_MS } })) };
});

test('past the route deadline: 504 in the default shape, and the backend call is cancelled', async (t) => {
  const cancelledBefore = fx.fixture.cancelled;
  const answers = await Promise.all(
    Array.from({ length: CALLS }, async () => {
      const started = Date.now();
      const a = await request(`${fx.gateway.url}/slow?ms=10000`);
      return { a, ms: Date.now() - started };
    }),
  );
  for (const { a, ms } of answers) {
    assert.equal(a.status, 504, a.text);
    const body = a.json() as { code: number; message: string };
    assert.equal(body.code, 4, 'DEADLINE_EXCEEDED');
    assert.equal(body.message, 'upstream deadline exceeded');
    assert.ok(ms >= DEADLINE_MS - 20, `answered after ${ms} ms, not before the deadline`);
    assert.ok(ms < 5000, `answered after ${ms} ms, near the deadline, not after the backend's 10 s`);
  }
  assert.ok(await eventually(() => fx.fixture.cancelled - cancelledBefore === CALLS, 3000), `backend saw ${fx.fixture.cancelled - cancelledBefore} of ${CALLS} calls cancelled`);
  t.diagnostic(`${CALLS} calls past a ${DEADLINE_MS} ms deadline: ${CALLS} × 504, ${fx.fixture.cancelled - cancelledBefore} cancelled upstream; slowest answer ${Math.max(...answers.map((x) => x.ms))} ms`);

  // A call within the deadline still succeeds, and is not counted as cancelled.
  const cancelledNow = fx.fixture.cancelled;
  assert.equal((await request(`${fx.gateway.url}/slow?ms=1`)).status, 200);
  assert.equal(fx.fixture.cancelled, cancelledNow);
});

test('past the route deadline on the Confluent frontend: 500 with error_code 50002, backend call cancelled', async (t) => {
  const before = { ...confluent.fake.counts };
  const answers = await Promise.all(Array.from({ length: CALLS }, () => request(`${confluent.gateway.url}/subjects`)));
  for (const a of answers) {
    assert.equal(a.status, 500, a.text);
    const err = confluentError(a);
    assert.ok(err, a.text);
    assert.equal(err.error_code, 50002);
    assert.equal(err.message, 'The registry operation timed out');
  }
  assert.equal(confluent.fake.counts.received - before.received, CALLS);
  assert.ok(await eventually(() => confluent.fake.counts.cancelled - before.cancelled === CALLS, 3000), `backend saw ${confluent.fake.counts.cancelled - before.cancelled} of ${CALLS} cancelled`);
  assert.equal(confluent.fake.counts.answered, before.answered, 'no slow call ran to completion');
  t.diagnostic(`${CALLS} Confluent calls past the deadline: ${CALLS} × 500/50002, ${confluent.fake.counts.cancelled - before.cancelled} cancelled upstream`);

  // The same route answers normally when the backend is quick again.
  confluent.fake.delayMs = 0;
  try {
    const a = await request(`${confluent.gateway.url}/subjects`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json(), ['slow']);
  } finally {
    confluent.fake.delayMs = 10_000;
  }
});
