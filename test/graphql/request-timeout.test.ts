/**
 * `timeoutMs` bounds a GraphQL request: a call still running when it passes fails with
 * DEADLINE_EXCEEDED at its path (the backend's call is cancelled), the fields that finished keep
 * their values, and a field's own `deadlineMs` bounds its call below that.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useGateway } from '../support/use-gateway.js';
import { waitFor } from '../support/wait-for.js';

const gw = useGateway({
  definition: `name: timeouts
type: GRAPHQL
protos: [prism/test/v1/everything.proto]
graphql:
  service: prism.test.v1.EverythingService
  timeoutMs: 3000
  query:
    slow: { grpc: Slow, args: { delayMs: { to: delay_ms } }, result: { const: true } }
    capped: { grpc: Slow, args: { delayMs: { to: delay_ms } }, result: { const: true }, deadlineMs: 100 }
    echo: { grpc: Echo, args: { text: { to: f_string } }, result: { from: response.fString } }
`,
});

async function graphql(query: string) {
  const res = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ query }) });
  return res.json() as { data: Record<string, unknown>; errors?: { path: string[]; extensions: Record<string, unknown> }[] };
}

describe('GraphQL request timeout', () => {
  test('a call past the request timeout fails at its path; the others keep their values', async () => {
    const cancelled = gw.fixture.cancelled;
    const body = await graphql('{ slow(delayMs: 60000) echo(text: "quick") }');
    assert.deepEqual(body.data, { slow: null, echo: 'quick' }, JSON.stringify(body.errors));
    assert.deepEqual(body.errors!.map((e) => [e.path, e.extensions.code]), [[['slow'], 'DEADLINE_EXCEEDED']]);
    await waitFor(() => gw.fixture.cancelled > cancelled, { what: 'the slow call to be cancelled upstream' });
  });

  test("a field's own deadline bounds its call", async () => {
    const body = await graphql('{ capped(delayMs: 60000) }');
    assert.equal(body.data.capped, null);
    assert.equal(body.errors![0].extensions.code, 'DEADLINE_EXCEEDED');
  });
});
