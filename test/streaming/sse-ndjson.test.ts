/**
 * Server streaming as SSE and NDJSON (DESIGN.md §8) through a gateway compiled from a
 * definition, on a real socket, in front of the grpc-js fixture backend's `Stream` method:
 * the framings byte for byte, errors before and after the headers, heartbeats, Last-Event-ID as
 * a parameter, cancellation on client disconnect (seen at the backend), shutdown and hot reload
 * with streams open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSource } from 'eventsource';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait-for.js';

const DEFINITION = `name: streams
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params:
        - { from: query.count, to: f_int32 }
        - { from: query.interval, to: f_uint32 }
        - { from: query.fail, to: f_sint32 }
        - { from: query.hang, to: f_bool }
        - { from: query.after, to: f_int64 }
        - { from: header.last-event-id, to: f_int64 }
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream:
        sse: { event: { const: item }, id: { from: response.f_int64 }, retryMs: 2000, heartbeatMs: 100 }
    - id: plain
      method: GET
      path: /plain
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { produces: [application/x-ndjson, text/event-stream], sse: { heartbeatMs: 0 } }
`;

let fixture: FixtureServer;
let app: ReturnType<typeof createHttpServer>;
let base: string;
let upstream: ReturnType<typeof createGrpcUpstream>;
const compile = (text: string) => compileRouteTable(parseDefinitions(text, 'test.yaml', process.cwd()).map((l) => ({ loaded: l, upstream })));
let tables: ReturnType<typeof createTableHolder>;

before(async () => {
  fixture = await startFixtureServer();
  upstream = createGrpcUpstream(fixture.address);
  tables = createTableHolder(compile(DEFINITION));
  app = createHttpServer({ tables });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await app.close();
  upstream.close();
  await fixture.close();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(base + path, { headers });

describe('SSE', () => {
  test('each message is one event: event, id, data; retry first; a final event: end', async () => {
    const res = await get('/items?count=2&heartbeat=0', { accept: 'text/event-stream' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), 'retry: 2000\n\nevent: item\nid: 1\ndata: {"n":1}\n\nevent: item\nid: 2\ndata: {"n":2}\n\nevent: end\ndata: {}\n\n');
  });

  test('HEAD on a streaming route is refused (405, Allow: GET) without opening the backend stream', async () => {
    const res = await fetch(base + '/items?count=1', { method: 'HEAD' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
  });

  test('SSE is the default framing; NDJSON on request, and the route order decides the default', async () => {
    assert.equal((await get('/items?count=1')).headers.get('content-type'), 'text/event-stream');
    const nd = await get('/items?count=1', { accept: 'application/x-ndjson' });
    assert.equal(nd.headers.get('content-type'), 'application/x-ndjson');
    assert.equal(await nd.text(), '{"n":1}\n');
    assert.equal((await get('/plain?count=1')).headers.get('content-type'), 'application/x-ndjson');
    const none = await get('/plain?count=1', { accept: 'application/json' });
    assert.equal(none.status, 406);
  });

  test('an error before the headers is an ordinary HTTP error; after them, a last event: error', async () => {
    const early = await get('/items?fail=5', { accept: 'text/event-stream' });
    assert.equal(early.status, 404);
    assert.equal(early.headers.get('content-type'), 'application/json');
    assert.equal((await early.json() as { code: number }).code, 5);
    const late = await get('/items?count=1&fail=5', { accept: 'text/event-stream' });
    assert.equal(late.status, 200);
    const text = await late.text();
    assert.match(text, /^retry: 2000\n\nevent: item\nid: 1\ndata: \{"n":1\}\n\nevent: error\ndata: \{"code":5,"message":"stream failed after 1","details":\[\]\}\n\n$/);
  });

  test('NDJSON: an error after the headers is a last {"error": …} line', async () => {
    const res = await get('/items?count=2&fail=9', { accept: 'application/x-ndjson' });
    assert.equal(await res.text(), '{"n":1}\n{"n":2}\n{"error":{"code":9,"message":"stream failed after 2","details":[]}}\n');
  });

  test('heartbeat comments keep an idle stream alive', async () => {
    const controller = new AbortController();
    const res = await get('/items?hang=true', { accept: 'text/event-stream' });
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 2000;
    while (!text.includes(': heartbeat\n\n: heartbeat\n\n') && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    assert.equal(text.startsWith('retry: 2000\n\n: heartbeat\n\n'), true, text);
    await reader.cancel();
    controller.abort();
  });

  test('Last-Event-ID resumes after the id (header.last-event-id as a parameter), with EventSource', async () => {
    const res = await get('/items?count=2', { accept: 'text/event-stream', 'last-event-id': '40' });
    assert.match(await res.text(), /id: 41\ndata: \{"n":41\}\n\nevent: item\nid: 42\n/);
    const es = new EventSource(base + '/items?count=3');
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      es.addEventListener('item', (e) => seen.push(`${e.lastEventId}:${e.data}`));
      es.addEventListener('end', () => resolve());
      es.onerror = (e) => reject(new Error(String(e.message)));
    });
    es.close();
    assert.deepEqual(seen, ['1:{"n":1}', '2:{"n":2}', '3:{"n":3}']);
  });

  test('a client that goes away cancels the backend stream', async () => {
    const before = fixture.streamsCancelled;
    const controller = new AbortController();
    const res = await fetch(base + '/items?hang=true&count=1', { headers: { accept: 'text/event-stream' }, signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await waitFor(() => fixture.streamsCancelled > before, { timeoutMs: 5000 });
  });

  test('a reader that does not read bounds what the backend writes', async () => {
    const start = fixture.streamWritten;
    const controller = new AbortController();
    const res = await fetch(base + '/plain?count=1000000', { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 1500));
    const written = fixture.streamWritten - start;
    assert.ok(written < 200_000, `the backend wrote ${written} messages to a reader that read none`);
    controller.abort();
    void res.body?.cancel().catch(() => {});
  });

  test('a hot reload leaves an open stream on its route; new requests see the new table', async () => {
    const res = await get('/items?count=3&interval=150', { accept: 'application/x-ndjson' });
    tables.swap(compile(DEFINITION.replace('path: /items', 'path: /items2')));
    assert.equal(await res.text(), '{"n":1}\n{"n":2}\n{"n":3}\n');
    assert.equal((await get('/items?count=1')).status, 404);
    tables.swap(compile(DEFINITION));
  });
});

describe('shutdown', () => {
  test('SSE ends with retry then event: shutdown; NDJSON with an UNAVAILABLE line', async () => {
    const own = createHttpServer({ tables: createTableHolder(compile(DEFINITION)) });
    const url = await own.listen({ host: '127.0.0.1', port: 0 });
    const sse = await fetch(url + '/plain?hang=true&count=1', { headers: { accept: 'text/event-stream' } });
    const nd = await fetch(url + '/plain?hang=true&count=1', { headers: { accept: 'application/x-ndjson' } });
    const texts = Promise.all([sse.text(), nd.text()]);
    await new Promise((r) => setTimeout(r, 100));
    await own.close();
    const [s, n] = await texts;
    assert.equal(s, 'data: {"n":1}\n\nretry: 1000\nevent: shutdown\ndata: {}\n\n');
    assert.match(n, /^\{"n":1\}\n\{"error":\{"code":14,"message":"the gateway is shutting down","details":\[\{"@type":"type.googleapis.com\/google.rpc.ErrorInfo","reason":"SHUTTING_DOWN"/);
  });
});
