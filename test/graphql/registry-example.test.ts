/**
 * The registry example (examples/registry-graphql) over HTTP with real clients: graphql-request
 * for queries and mutations, graphql-ws and graphql-sse for the change feed, against a gateway
 * started from the example's own gateway.yaml (the registry embedded, on SQLite in a temporary
 * data dir).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ClientError, GraphQLClient, gql } from 'graphql-request';
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { resolve } from 'node:path';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { tempDir, type TempDir } from '../support/temp-dir.js';

const CONFIG = resolve(import.meta.dirname, '../../examples/registry-graphql/gateway.yaml');
const AVRO = (name: string, fields: string[] = []) => JSON.stringify({ type: 'record', name, fields: fields.map((f) => ({ name: f, type: 'string', default: '' })) });

let gateway: RunningGateway;
let dir: TempDir;
let client: GraphQLClient;
let url: string;

before(async () => {
  dir = tempDir('registry-graphql');
  gateway = await startGateway(loadGatewayConfig(CONFIG), { host: '127.0.0.1', port: 0, dataDir: dir.path, logger: false });
  url = `${gateway.url}/graphql`;
  client = new GraphQLClient(url);
});

after(async () => {
  await gateway?.close();
  dir?.remove();
});

const REGISTER = gql`
  mutation Register($subject: String!, $schema: String!) {
    register(subject: $subject, schema: $schema) { id version }
  }
`;

describe('the registry as GraphQL', () => {
  test('register as a mutation; subjects with their versions and schemas as one query', async () => {
    const first = await client.request<{ register: { id: number; version: number } }>(REGISTER, { subject: 'orders-value', schema: AVRO('Order') });
    assert.deepEqual(first.register, { id: 1, version: 1 });
    const second = await client.request<{ register: { id: number; version: number } }>(REGISTER, { subject: 'orders-value', schema: AVRO('Order', ['note']) });
    assert.equal(second.register.version, 2);
    await client.request(REGISTER, { subject: 'users-value', schema: AVRO('User') });

    const data = await client.request<{ subjects: { name: string; versions: { version: number; schema: { id: number; schemaType: string } }[] }[] }>(gql`
      {
        subjects {
          name
          versions { version schema { id schemaType } }
        }
      }
    `);
    assert.deepEqual(data.subjects, [
      { name: 'orders-value', versions: [{ version: 1, schema: { id: 1, schemaType: 'AVRO' } }, { version: 2, schema: { id: second.register.id, schemaType: 'AVRO' } }] },
      { name: 'users-value', versions: [{ version: 1, schema: { id: 3, schemaType: 'AVRO' } }] },
    ]);
  });

  test('a schema by id, the latest version by default, and the schema types', async () => {
    const data = await client.request<{ schema: { schema: string }; schemaVersion: { version: number; subject: string }; schemaTypes: string[] }>(gql`
      { schema(id: 1) { schema } schemaVersion(subject: "orders-value") { subject version } schemaTypes }
    `);
    assert.equal(JSON.parse(data.schema.schema).name, 'Order');
    assert.deepEqual(data.schemaVersion, { subject: 'orders-value', version: 2 });
    assert.deepEqual([...data.schemaTypes].sort(), ['AVRO', 'JSON', 'PROTOBUF']);
  });

  test('the compatibility check is a query', async () => {
    const query = gql`
      query Check($schema: String!) { compatibility(subject: "orders-value", schema: $schema, verbose: true) { isCompatible messages } }
    `;
    const ok = await client.request<{ compatibility: { isCompatible: boolean } }>(query, { schema: AVRO('Order', ['note', 'extra']) });
    assert.equal(ok.compatibility.isCompatible, true);
    const bad = await client.request<{ compatibility: { isCompatible: boolean; messages: string[] } }>(query, { schema: '"int"' });
    assert.equal(bad.compatibility.isCompatible, false);
    assert.ok(bad.compatibility.messages.length > 0);
  });

  test('a missing subject is an error with its path, the mapped message and extensions; the rest resolves', async () => {
    const err = await client.request(gql`{ schema(id: 1) { schemaType } missing: schemaVersion(subject: "nope") { id } }`).then(
      () => assert.fail('expected errors'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ClientError);
    assert.deepEqual(err.response.data, { schema: { schemaType: 'AVRO' }, missing: null });
    const [error] = err.response.errors!;
    assert.deepEqual(error.path, ['missing']);
    assert.match(error.message, /nope/);
    assert.equal(error.extensions?.code, 'NOT_FOUND');
    assert.equal(error.extensions?.reason, 'SUBJECT_NOT_FOUND');
    assert.equal(error.extensions?.domain, 'registry.prism.io');
    assert.equal(error.extensions?.error_code, 40401);
  });

  test('an invalid schema fails the mutation with the registry reason', async () => {
    const err = await client.request(REGISTER, { subject: 'broken', schema: '{"type": "nonsense"}' }).then(
      () => assert.fail('expected errors'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ClientError);
    assert.equal(err.response.errors![0].extensions?.reason, 'INVALID_SCHEMA');
    assert.equal(err.response.errors![0].extensions?.error_code, 42201);
    assert.deepEqual(err.response.errors![0].path, ['register']);
  });

  test('GraphQL requests are counted in the request metrics', async () => {
    const text = await gateway.metrics.exposition();
    assert.match(text, /frontend="registry-graphql"[^\n]*route="graphql"|route="graphql"[^\n]*frontend="registry-graphql"/);
  });

  test('the example switches GraphiQL on: a browser GET without a query gets the page', async () => {
    const res = await fetch(url, { headers: { accept: 'text/html' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await res.text(), /GraphiQL/);
  });

  test('the change feed as a subscription over graphql-ws', async () => {
    const ws = createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: true, retryAttempts: 0 });
    try {
      const events: { changes: { kind: string; subject: string; version: number; sequence: string } }[] = [];
      const subscription = ws.iterate<{ changes: { kind: string; subject: string; version: number; sequence: string } }>({
        query: 'subscription { changes(subjectPrefix: "ws-") { sequence kind subject version } }',
      });
      const first = subscription.next();
      await client.request(REGISTER, { subject: 'ws-value', schema: AVRO('Ws') });
      const got = await first;
      assert.equal(got.done, false);
      events.push(got.value!.data!);
      assert.equal(events[0].changes.kind, 'SCHEMA_REGISTERED');
      assert.equal(events[0].changes.subject, 'ws-value');
      assert.equal(events[0].changes.version, 1);
      assert.match(events[0].changes.sequence, /^\d+$/);
      await subscription.return?.();
    } finally {
      await ws.dispose();
    }
  });

  test('the change feed as a subscription over SSE (graphql-sse, distinct connections)', async () => {
    const sse = createSseClient({ url, retryAttempts: 0 });
    try {
      const subscription = sse.iterate<{ changes: { kind: string; subject: string } }>({ query: 'subscription { changes(subjectPrefix: "sse-") { kind subject } }' });
      const first = subscription.next();
      await client.request(REGISTER, { subject: 'sse-value', schema: AVRO('Sse') });
      const got = await first;
      assert.deepEqual(got.value?.data, { changes: { kind: 'SCHEMA_REGISTERED', subject: 'sse-value' } });
      await subscription.return?.();
    } finally {
      sse.dispose();
    }
  });
});
