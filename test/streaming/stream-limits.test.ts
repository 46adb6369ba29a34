/**
 * The listener's cap on open streams (`http.maxStreams`): SSE/NDJSON streams and WebSocket
 * sessions count together against it, beyond it an HTTP stream request is refused 503 +
 * Retry-After (OVERLOADED) and an upgrade gets an error frame and close 4008; an established
 * stream no longer holds one of the `maxConcurrent` request slots.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait-for.js';

const DEFINITION = `name: limits
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { produces: [text/event-stream, application/x-ndjson], sse: { heartbeatMs: 0 } }
    - id: socket
      method: GET
      path: /socket
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { websocket: true }
    - id: echo
      method: GET
      path: /echo
      grpc: Echo
      params: [{ from: query.s, to: f_string }]
`;

let fixture: FixtureServer;
let upstream: ReturnType<typeof createGrpcUpstream>;
let app: ReturnType<typeof createHttpServer>;
let base: string;
let refused = 0;

before(async () => {
  fixture = await startFixtureServer();
  upstream = createGrpcUpstream(fixture.address);
  const tables = createTableHolder(compileRouteTable(parseDefinitions(DEFINITION, 'test.yaml', process.cwd()).map((l) => ({ loaded: l, upstream }))));
  // One request slot: an established stream must not keep it.
  app = createHttpServer({ tables, maxConcurrent: 1, maxStreams: 2, onStreamRefused: () => refused++, websocket: { pingIntervalMs: 0 } });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  // Every stream of these tests is over by now; the close is prompt (stream-shutdown.test.ts).
  await app.close();
  upstream.close();
  await fixture.close();
});

/** Opens a hanging SSE stream and reads its first bytes (the headers left). */
async function openSse(): Promise<{ close: () => void; status: number }> {
  const controller = new AbortController();
  const res = await fetch(`${base}/items?hang=true`, { headers: { accept: 'text/event-stream' }, signal: controller.signal });
  return { status: res.status, close: () => controller.abort() };
}

interface WsOutcome {
  frames: string[];
  code: number;
  reason: string;
}

function runSocket(path: string): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`);
    const frames: string[] = [];
    ws.on('message', (data) => frames.push(String(data)));
    ws.on('close', (code, reason) => resolve({ frames, code, reason: String(reason) }));
    ws.on('error', reject);
  });
}

describe('stream cap per listener', () => {
  test('WebSocket sessions hold slots too: while two are open an SSE request is refused', async () => {
    // Sessions that fit are served.
    const served = await runSocket('/socket?count=2');
    assert.equal(served.code, 1000);
    assert.deepEqual(served.frames, ['{"n":1}', '{"n":2}']);
    const sockets = [0, 1].map(() => new WebSocket(`${base.replace('http', 'ws')}/socket?hang=true`));
    await Promise.all(sockets.map((ws) => new Promise((r) => ws.once('open', r))));
    // The sessions take their slots once open; poll until the refusal shows.
    const refusal = await waitFor(async () => {
      const res = await fetch(`${base}/items?count=1`, { headers: { accept: 'text/event-stream' } });
      await res.arrayBuffer();
      return res.status === 503 ? res : undefined;
    }, { timeoutMs: 5000, what: 'the refusal while two sockets are open' });
    assert.equal(refusal.headers.get('retry-after'), '1');
    for (const ws of sockets) ws.close();
    await waitFor(async () => (await fetch(`${base}/items?count=1`, { headers: { accept: 'application/x-ndjson' } })).status === 200, { timeoutMs: 5000, what: 'the slots freed by closed sockets' });
  });

  test('streams beyond maxStreams are refused (503 OVERLOADED, WebSocket 4008); requests still flow; a freed slot is reused', async () => {
    const refusedBefore = refused;
    const first = await openSse();
    assert.equal(first.status, 200);
    // maxConcurrent is 1 and a stream is open: a plain request still gets through.
    const echo = await fetch(`${base}/echo?s=hi`);
    assert.equal(echo.status, 200);
    const second = await openSse();
    assert.equal(second.status, 200);

    const third = await fetch(`${base}/items?hang=true`, { headers: { accept: 'text/event-stream' } });
    assert.equal(third.status, 503);
    assert.equal(third.headers.get('retry-after'), '1');
    const body = (await third.json()) as { code: number; details: { reason: string; metadata: Record<string, string> }[] };
    assert.equal(body.code, 8);
    assert.equal(body.details[0]!.reason, 'OVERLOADED');
    assert.equal(body.details[0]!.metadata.maxStreams, '2');
    // An NDJSON request counts against the same cap.
    assert.equal((await fetch(`${base}/items?count=1`, { headers: { accept: 'application/x-ndjson' } })).status, 503);

    const socket = await runSocket('/socket?count=1');
    assert.equal(socket.code, 4008);
    assert.equal(socket.frames.length, 1);
    const frame = JSON.parse(socket.frames[0]!) as { error: { code: number; details: { reason: string }[] } };
    assert.equal(frame.error.code, 8);
    assert.equal(frame.error.details[0]!.reason, 'OVERLOADED');
    assert.equal(refused - refusedBefore, 3);

    // A stream that ends gives its slot back.
    first.close();
    const text = await waitFor(async () => {
      const res = await fetch(`${base}/items?count=2`, { headers: { accept: 'application/x-ndjson' } });
      return res.status === 200 ? res.text() : (await res.arrayBuffer(), undefined);
    }, { timeoutMs: 5000, what: 'a freed stream slot' });
    assert.equal(text, '{"n":1}\n{"n":2}\n');
    second.close();
  });
});
