/**
 * GraphQL SSE answers count against the listener's stream cap (`maxStreams`), shared with REST
 * streams and WebSocket sessions: past it a stream request is refused with 503 and the
 * OVERLOADED reason, and a slot freed by a finished stream serves the next one.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';
import { waitFor } from '../support/wait-for.js';
import { FIXTURE_GRAPHQL } from './fixture-definition.js';

const gw = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const upstream = createGrpcUpstream(fixture.address);
  scope.onClose(() => upstream.close());
  const table = compileRouteTable(parseDefinitions(FIXTURE_GRAPHQL, 'g.yaml', process.cwd()).map((loaded) => ({ loaded, upstream })));
  const app = createHttpServer({ tables: createTableHolder(table), maxStreams: 1 });
  scope.onClose(() => app.close());
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/graphql`;
  return { fixture, url };
});

const subscribe = (signal?: AbortSignal) =>
  fetch(gw.url, { method: 'POST', signal, headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { numbers(count: 1, hang: true) { n } }' }) });

test('a GraphQL SSE stream past the cap is refused with 503; a freed slot serves the next', async () => {
  const first = new AbortController();
  const open = await subscribe(first.signal);
  assert.equal(open.status, 200);
  const reader = open.body!.getReader();
  const { value } = await reader.read();
  assert.match(Buffer.from(value!).toString(), /event: next/);

  const refused = await subscribe();
  assert.equal(refused.status, 503);
  const body = (await refused.json()) as { errors: { extensions: { reason: string } }[] };
  assert.equal(body.errors[0].extensions.reason, 'OVERLOADED');

  const cancelled = gw.fixture.streamsCancelled;
  first.abort();
  await waitFor(() => gw.fixture.streamsCancelled > cancelled, { what: 'the first stream to end upstream' });
  const next = await waitFor(async () => {
    const res = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify({ query: 'subscription { numbers(count: 1) { n } }' }) });
    return res.status === 200 ? res : void (await res.body?.cancel());
  }, { what: 'the freed slot to serve a stream' });
  assert.match(await next.text(), /event: next\ndata: {"data":{"numbers":{"n":1}}}\n\nevent: complete/);
});
