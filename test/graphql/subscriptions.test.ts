/**
 * Subscriptions on the fixture's server stream, over a real socket with real clients: each
 * message an event, a backend error ending the subscription with a last result whose errors
 * carry it, and the client stopping a subscription (graphql-ws `complete`, an SSE connection
 * dropped) cancelling the upstream stream.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createClient as createWsClient, type Client } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { startFixtureServer } from '../support/fixture-server.js';
import { startHarness } from '../support/gateway-harness.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';
import { FIXTURE_GRAPHQL } from './fixture-definition.js';

// A listening socket: WebSocket and SSE clients need one (inject cannot upgrade).
const gw = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const harness = scope.own(await startHarness(FIXTURE_GRAPHQL, fixture.address));
  const url = `${await harness.app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  return { fixture, url };
});

function wsClient(): Client {
  return createWsClient({ url: gw.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
}

type Tick = { numbers: { n: number; big: string } | null };

describe('GraphQL subscriptions over graphql-ws', () => {
  test('each message is an event; the stream ending completes the subscription', async () => {
    const ws = wsClient();
    try {
      const seen: unknown[] = [];
      for await (const result of ws.iterate<Tick>({ query: 'subscription { numbers(count: 3, after: "100") { n big } }' })) seen.push(result);
      assert.deepEqual(seen, [
        { data: { numbers: { n: 101, big: '101' } } },
        { data: { numbers: { n: 102, big: '102' } } },
        { data: { numbers: { n: 103, big: '103' } } },
      ]);
    } finally {
      await ws.dispose();
    }
  });

  test('a backend error ends the subscription with a result whose errors carry it', async () => {
    const ws = wsClient();
    try {
      const seen: { data?: Tick | null; errors?: readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[] }[] = [];
      for await (const result of ws.iterate<Tick>({ query: 'subscription { numbers(count: 2, failWith: 9) { n } }' })) seen.push(result as never);
      assert.equal(seen.length, 3);
      assert.deepEqual(seen[0].data, { numbers: { n: 1 } });
      assert.deepEqual(seen[2].data, { numbers: null });
      assert.equal(seen[2].errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
      assert.deepEqual(seen[2].errors?.[0].path, ['numbers']);
    } finally {
      await ws.dispose();
    }
  });

  test('the client completing a subscription cancels the upstream stream', async () => {
    const ws = wsClient();
    try {
      const before = gw.fixture.streamsCancelled;
      const subscription = ws.iterate<Tick>({ query: 'subscription { numbers(count: 1, hang: true) { n } }' });
      const first = await subscription.next();
      assert.deepEqual(first.value?.data, { numbers: { n: 1 } });
      await subscription.return?.();
      await waitFor(() => gw.fixture.streamsCancelled === before + 1, { what: 'the upstream stream to be cancelled', detail: () => `cancelled ${gw.fixture.streamsCancelled}` });
    } finally {
      await ws.dispose();
    }
  });

  test('closing the socket cancels every upstream stream of the session', async () => {
    const ws = wsClient();
    const before = gw.fixture.streamsCancelled;
    const a = ws.iterate<Tick>({ query: 'subscription { numbers(count: 1, hang: true) { n } }' });
    const b = ws.iterate<Tick>({ query: 'subscription { numbers(count: 1, hang: true) { n } }' });
    await Promise.all([a.next(), b.next()]);
    ws.terminate();
    await waitFor(() => gw.fixture.streamsCancelled === before + 2, { what: 'both upstream streams to be cancelled', detail: () => `cancelled ${gw.fixture.streamsCancelled - before}` });
  });

  test('an operation over the limits is refused with an error message, no call made', async () => {
    const ws = wsClient();
    try {
      const calls = gw.fixture.received.length;
      const results: unknown[] = [];
      const err = await (async () => {
        for await (const r of ws.iterate({ query: '{ __schema { types { fields { type { fields { name } } } } } }' })) results.push(r);
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(Array.isArray(err), 'graphql-ws rejects with the error message\'s errors');
      assert.equal((err as { extensions?: { reason?: string } }[])[0].extensions?.reason, 'QUERY_TOO_DEEP');
      assert.equal(gw.fixture.received.length, calls);
    } finally {
      await ws.dispose();
    }
  });
});

describe('GraphQL subscriptions over SSE', () => {
  test('events as graphql-sse reads them', async () => {
    const sse = createSseClient({ url: gw.url, retryAttempts: 0 });
    try {
      const seen: unknown[] = [];
      for await (const result of sse.iterate({ query: 'subscription { numbers(count: 2) { n } }' })) seen.push(result);
      assert.deepEqual(seen, [{ data: { numbers: { n: 1 } } }, { data: { numbers: { n: 2 } } }]);
    } finally {
      sse.dispose();
    }
  });

  test('a query over SSE is one event', async () => {
    const sse = createSseClient({ url: gw.url, retryAttempts: 0 });
    try {
      const seen: unknown[] = [];
      for await (const result of sse.iterate({ query: '{ version(v: "latest") }' })) seen.push(result);
      assert.deepEqual(seen, [{ data: { version: -1 } }]);
    } finally {
      sse.dispose();
    }
  });

  test('the client dropping the connection cancels the upstream stream', async () => {
    const before = gw.fixture.streamsCancelled;
    const sse = createSseClient({ url: gw.url, retryAttempts: 0 });
    const subscription = sse.iterate<Tick>({ query: 'subscription { numbers(count: 1, hang: true) { n } }' });
    const first = await subscription.next();
    assert.deepEqual(first.value?.data, { numbers: { n: 1 } });
    await subscription.return?.();
    sse.dispose();
    await waitFor(() => gw.fixture.streamsCancelled === before + 1, { what: 'the upstream stream to be cancelled', detail: () => `cancelled ${gw.fixture.streamsCancelled - before}` });
  });
});
