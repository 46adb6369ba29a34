/**
 * Fault 6, clients that go away mid-request: 10,000 requests to a slow backend call, each
 * aborted by the client once the backend has it. Every upstream call is cancelled (the
 * fixture's Slow counts them), and afterwards the process holds no more handles than before
 * and its heap is where it was (generous bounds: the point is "not growing per request").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'node:net';
import { eventually, request, settledHeap, useFixtureGateway } from './support.js';

const TOTAL = 10_000;
const BATCH = 200;

const stack = useFixtureGateway('disconnects');

/**
 * Handles keeping this process alive, without the fixture server's own accepted sockets: the
 * fixture plays the backend and lives in this process, but the backend's sockets are not the
 * gateway's. (Seen here: the backend's grpc-js server keeps connections the gateway already
 * closed in CLOSE_WAIT — see RELIABILITY.md.)
 */
function gatewayHandles(): number {
  const port = Number(stack.fixture.address.split(':')[1]);
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.filter((h) => !(h instanceof Socket && h.localPort === port)).length;
}

/** `count` requests that reach the backend and are then aborted; resolves once the backend saw them all cancelled. */
async function abortedBatch(count: number): Promise<{ rejected: number }> {
  stack.fixture.received.length = 0;
  const cancelledBefore = stack.fixture.cancelled;
  const controllers = Array.from({ length: count }, () => new AbortController());
  const pending = controllers.map((c) => fetch(`${stack.gateway.url}/slow?ms=60000`, { signal: c.signal }).then(() => 'answered', (err: Error) => err.name));
  assert.ok(await eventually(() => stack.fixture.received.length >= count, 20_000, 2), `the backend received ${stack.fixture.received.length} of ${count}`);
  for (const c of controllers) c.abort();
  const outcomes = await Promise.all(pending);
  assert.ok(await eventually(() => stack.fixture.cancelled - cancelledBefore >= count, 20_000, 2), `the backend saw ${stack.fixture.cancelled - cancelledBefore} of ${count} cancelled`);
  stack.fixture.received.length = 0;
  return { rejected: outcomes.filter((o) => o === 'AbortError').length };
}

test(`${TOTAL} aborted requests: every upstream call cancelled, handles and heap flat`, { timeout: 150_000 }, async (t) => {
  // Warm-up: pools, JIT and lazily created structures exist before the baseline is taken.
  await abortedBatch(BATCH);
  await eventually(() => gatewayHandles() < 20, 2000);
  const handlesBefore = gatewayHandles();
  const heapBefore = await settledHeap();
  const cancelledBefore = stack.fixture.cancelled;

  let rejected = 0;
  for (let sent = 0; sent < TOTAL; sent += BATCH) rejected += (await abortedBatch(BATCH)).rejected;
  const cancelled = stack.fixture.cancelled - cancelledBefore;
  assert.equal(rejected, TOTAL, 'every request was aborted by its client');
  assert.equal(cancelled, TOTAL, 'every upstream call was cancelled');

  // Closed sockets leave the handle list when their close callbacks ran.
  const settled = await eventually(() => gatewayHandles() <= handlesBefore + 2, 5000);
  const handlesAfter = gatewayHandles();
  const heapAfter = await settledHeap();
  t.diagnostic(`${TOTAL} requests aborted, ${cancelled} upstream calls cancelled; gateway handles before ${handlesBefore}, after ${handlesAfter}; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`);
  assert.ok(settled, `handles before ${handlesBefore}, after ${handlesAfter}`);
  assert.ok(heapAfter - heapBefore < 16e6, `heap grew by ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB over ${TOTAL} aborted requests`);

  // The gateway still serves, and its in-flight count went back to zero (a slow call is admitted).
  const a = await request(`${stack.gateway.url}/slow?ms=1`);
  assert.equal(a.status, 200, a.text);
});
