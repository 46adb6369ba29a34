/**
 * Fault 3, slow backend: a call past its route deadline answers the mapped timeout — 504 in
 * the gateway's default shape, 500/50002 in Confluent's — near the deadline, and the backend
 * sees its work cancelled (the server-side `cancelled` event fires for every such call).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import type { RunningGateway } from '../../src/start-gateway.js';
import { confluentError, eventually, FIXTURE_PROTO, request, startConfluentGateway, startFakeRegistry, startFromConfig, tempDir, writeFixtureFrontend, type FakeRegistry } from './support.js';

const CALLS = 20;
const DEADLINE_MS = 200;

let fixture: FixtureServer;
let fake: FakeRegistry;
let fixtureGateway: RunningGateway;
let confluentGateway: RunningGateway;
const dirs: ReturnType<typeof tempDir>[] = [];

before(async () => {
  fixture = await startFixtureServer();
  fake = await startFakeRegistry(10_000);
  const a = tempDir('slow-fixture');
  const b = tempDir('slow-confluent');
  dirs.push(a, b);
  const frontend = writeFixtureFrontend(a.path, { deadlineMs: DEADLINE_MS });
  fixtureGateway = await startFromConfig(a.path, { namespaces: [{ name: 'fx', pattern: { target: fixture.address, protos: [FIXTURE_PROTO] }, frontends: [{ file: frontend }] }] });
  confluentGateway = await startConfluentGateway(b.path, fake.address, { namespace: { deadlineMs: DEADLINE_MS } });
});

after(async () => {
  await fixtureGateway?.close();
  await confluentGateway?.close();
  await fixture?.close();
  await fake?.close();
  for (const d of dirs) d.remove();
});

test('past the route deadline: 504 in the default shape, and the backend call is cancelled', async (t) => {
  const cancelledBefore = fixture.cancelled;
  const answers = await Promise.all(
    Array.from({ length: CALLS }, async () => {
      const started = Date.now();
      const a = await request(`${fixtureGateway.url}/slow?ms=10000`);
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
  assert.ok(await eventually(() => fixture.cancelled - cancelledBefore === CALLS, 3000), `backend saw ${fixture.cancelled - cancelledBefore} of ${CALLS} calls cancelled`);
  t.diagnostic(`${CALLS} calls past a ${DEADLINE_MS} ms deadline: ${CALLS} × 504, ${fixture.cancelled - cancelledBefore} cancelled upstream; slowest answer ${Math.max(...answers.map((x) => x.ms))} ms`);

  // A call within the deadline still succeeds, and is not counted as cancelled.
  const cancelledNow = fixture.cancelled;
  assert.equal((await request(`${fixtureGateway.url}/slow?ms=1`)).status, 200);
  assert.equal(fixture.cancelled, cancelledNow);
});

test('past the route deadline on the Confluent frontend: 500 with error_code 50002, backend call cancelled', async (t) => {
  const before = { ...fake.counts };
  const answers = await Promise.all(Array.from({ length: CALLS }, () => request(`${confluentGateway.url}/subjects`)));
  for (const a of answers) {
    assert.equal(a.status, 500, a.text);
    const err = confluentError(a);
    assert.ok(err, a.text);
    assert.equal(err.error_code, 50002);
    assert.equal(err.message, 'The registry operation timed out');
  }
  assert.equal(fake.counts.received - before.received, CALLS);
  assert.ok(await eventually(() => fake.counts.cancelled - before.cancelled === CALLS, 3000), `backend saw ${fake.counts.cancelled - before.cancelled} of ${CALLS} cancelled`);
  assert.equal(fake.counts.answered, before.answered, 'no slow call ran to completion');
  t.diagnostic(`${CALLS} Confluent calls past the deadline: ${CALLS} × 500/50002, ${fake.counts.cancelled - before.cancelled} cancelled upstream`);

  // The same route answers normally when the backend is quick again.
  fake.delayMs = 0;
  try {
    const a = await request(`${confluentGateway.url}/subjects`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(a.json(), ['slow']);
  } finally {
    fake.delayMs = 10_000;
  }
});
