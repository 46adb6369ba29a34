/**
 * A browser's own EventSource (headless Chromium) on a server-streaming route: it receives each
 * message under the route's event name with its id, then the final `event: end` (never an error,
 * which is what a stream ending without it looks like to EventSource). The page is a static route of the same definition, so
 * EventSource's request is same-origin and needs no CORS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';

const PAGE = `<!doctype html><title>sse</title><script>
window.listen = (url) => new Promise((resolve) => {
  const es = new EventSource(url);
  const seen = [];
  es.addEventListener('item', (e) => seen.push({ id: e.lastEventId, data: JSON.parse(e.data) }));
  // event: end is the stream's last word: the page closes, as the route's clients are told to.
  es.addEventListener('end', (e) => { es.close(); resolve({ seen, end: e.data }); });
  // An error (or the stream ending without event: end) would make EventSource reconnect.
  es.onerror = () => { es.close(); resolve({ seen, error: true }); };
});
</script>`;

const DEFINITION = `name: sse-browser
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  produces: [{ type: text/html }]
  routes:
    - id: page
      method: GET
      path: /page
      response: { raw: true, headers: { content-type: text/html }, body: { const: ${JSON.stringify(PAGE)} } }
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }, { from: query.interval, to: f_uint32 }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream:
        sse: { event: { const: item }, id: { from: response.f_int64 }, retryMs: 100, heartbeatMs: 0 }
`;

let fixture: FixtureServer;
let upstream: ReturnType<typeof createGrpcUpstream>;
let app: ReturnType<typeof createHttpServer>;
let base: string;
let browser: TestBrowser;

before(async () => {
  fixture = await startFixtureServer();
  upstream = createGrpcUpstream(fixture.address);
  const table = compileRouteTable(parseDefinitions(DEFINITION, 'test.yaml', process.cwd()).map((loaded) => ({ loaded, upstream })));
  app = createHttpServer({ tables: createTableHolder(table) });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.close();
  upstream?.close();
  await fixture?.close();
});

test('Chromium’s EventSource receives every event of a stream route, then event: end', { timeout: 60_000 }, async () => {
  const page = await browser.page();
  const loaded = await page.goto(`${base}/page`);
  assert.equal(loaded?.status(), 200);
  const result = await page.evaluate((url) => (window as unknown as { listen: (u: string) => Promise<unknown> }).listen(url), `${base}/items?count=3&interval=20`);
  assert.deepEqual(result, {
    seen: [
      { id: '1', data: { n: 1 } },
      { id: '2', data: { n: 2 } },
      { id: '3', data: { n: 3 } },
    ],
    end: '{}',
  });
});
