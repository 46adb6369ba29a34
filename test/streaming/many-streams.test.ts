/**
 * 1,000 idle SSE streams with heartbeats against one gateway: all stay open (each hears a
 * heartbeat after all of them are open) and the memory they cost together stays bounded. A
 * liveness and resource check, not a speed one (BENCHMARKS.md has the measured figure).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { waitFor } from '../support/wait-for.js';

const STREAMS = 1000;
/**
 * 64 KiB per end: gateway and client share this process, so both ends of each stream (two
 * sockets, the client's parser) are counted, and garbage not yet collected with them (measured
 * here about 55 KiB heap and 62 KiB RSS for both ends together).
 */
const MAX_BYTES_PER_STREAM = 2 * 64 * 1024;

const DEFINITION = `name: idle
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.hang, to: f_bool }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { sse: { heartbeatMs: 500 } }
`;

let fixture: FixtureServer;
let upstream: ReturnType<typeof createGrpcUpstream>;
let app: ReturnType<typeof createHttpServer>;
let port: number;

before(async () => {
  fixture = await startFixtureServer();
  upstream = createGrpcUpstream(fixture.address);
  const tables = createTableHolder(compileRouteTable(parseDefinitions(DEFINITION, 'test.yaml', process.cwd()).map((l) => ({ loaded: l, upstream }))));
  app = createHttpServer({ tables });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
after(async () => {
  await app.close();
  upstream.close();
  await fixture.close();
});

interface OpenStream {
  req: ClientRequest;
  heartbeats: number;
  closed: boolean;
}

function open(): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    // No agent: one socket per stream, as 1,000 separate EventSource clients would have.
    const req = request({ host: '127.0.0.1', port, path: '/items?hang=true', agent: false, headers: { accept: 'text/event-stream' } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
      const stream: OpenStream = { req, heartbeats: 0, closed: false };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (stream.heartbeats += chunk.split(': heartbeat').length - 1));
      res.on('close', () => (stream.closed = true));
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

function memory(): { heap: number; rss: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

test(`${STREAMS} idle SSE streams stay open with heartbeats and cost a bounded amount of memory each`, { timeout: 60_000 }, async (t) => {
  // Warm up: the first stream pays for compiled code and the upstream's connection.
  const warm = await open();
  const before = memory();
  const streams: OpenStream[] = [];
  for (let i = 0; i < STREAMS; i += 100) streams.push(...(await Promise.all(Array.from({ length: 100 }, open))));
  assert.equal(streams.length, STREAMS);
  // After all are open, each one hears a heartbeat (and none was closed).
  const marks = streams.map((s) => s.heartbeats);
  await waitFor(() => streams.every((s, i) => s.heartbeats > marks[i]!), { timeoutMs: 15_000, what: 'a heartbeat on every stream', detail: () => `${streams.filter((s, i) => s.heartbeats > marks[i]!).length} of ${STREAMS}` });
  assert.equal(streams.filter((s) => s.closed).length, 0);
  const afterOpen = memory();
  const heapEach = (afterOpen.heap - before.heap) / STREAMS;
  const rssEach = (afterOpen.rss - before.rss) / STREAMS;
  t.diagnostic(`per stream: heap ${Math.round(heapEach)} B, RSS ${Math.round(rssEach)} B`);
  assert.ok(heapEach < MAX_BYTES_PER_STREAM, `heap per stream ${Math.round(heapEach)} B`);
  assert.ok(rssEach < MAX_BYTES_PER_STREAM, `RSS per stream ${Math.round(rssEach)} B`);

  const cancelled = fixture.streamsCancelled;
  for (const s of [warm, ...streams]) s.req.destroy();
  // Closing the clients ends every backend stream too.
  await waitFor(() => fixture.streamsCancelled - cancelled >= STREAMS + 1, { timeoutMs: 15_000, what: 'every backend stream cancelled', detail: () => String(fixture.streamsCancelled - cancelled) });
});
