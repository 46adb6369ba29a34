/**
 * CORS as a browser enforces it (headless Chromium): pages served from two other origins call
 * the gateway's REST routes with fetch() and EventSource. From the allowed origin a simple GET,
 * a JSON POST with a custom header (which needs a preflight), a credentialed call to a binding
 * that allows credentials and an SSE stream all work, and the page reads the exposed headers;
 * the same calls from an origin not allowed fail in the browser, and its preflighted POST never
 * reaches the backend.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { createGrpcUpstream } from '../../src/upstream/grpc-upstream.js';
import { launchBrowser } from '../support/browser.js';
import { startFixtureServer } from '../support/fixture-server.js';
import { useSuite } from '../support/use-suite.js';

const MAIN = `name: main
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: echo, method: GET, path: /echo, grpc: Echo, params: [{ const: hello, to: f_string }] }
    - { id: echo-post, method: POST, path: /echo, grpc: Echo, params: [{ from: body, to: '*' }] }
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { sse: { event: { const: item }, retryMs: 100, heartbeatMs: 0 } }
`;
const PARTNER = `name: partner
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: partner-echo, method: GET, path: /echo, grpc: Echo, params: [{ const: partner, to: f_string }] }
`;

/** What the page runs: each call's outcome as data (a failed fetch is a TypeError in the page). */
const PAGE = `<!doctype html><title>cors</title><script>
window.call = async (url, init) => {
  try {
    const res = await fetch(url, init);
    return { status: res.status, body: await res.text(), requestId: res.headers.get('x-request-id') };
  } catch (e) {
    return { failed: e.name };
  }
};
window.listen = (url) => new Promise((resolve) => {
  const es = new EventSource(url);
  const seen = [];
  es.addEventListener('item', (e) => seen.push(JSON.parse(e.data)));
  es.addEventListener('end', () => { es.close(); resolve({ seen }); });
  es.onerror = () => { es.close(); resolve({ seen, error: true }); };
});
</script>`;

/** A server of the one page, at an origin of its own. */
async function pageServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((done) => server.close(() => done())) };
}

const suite = useSuite(async (scope) => {
  const fixture = scope.own(await startFixtureServer());
  const upstream = createGrpcUpstream(fixture.address);
  scope.onClose(() => upstream.close());
  const allowedSite = scope.own(await pageServer());
  const otherSite = scope.own(await pageServer());
  const [main] = parseDefinitions(MAIN, 'main.yaml', process.cwd());
  const [partner] = parseDefinitions(PARTNER, 'partner.yaml', process.cwd());
  const table = compileRouteTable([
    { loaded: main, upstream },
    { loaded: partner, upstream, pathPrefix: '/partner', cors: { allowOrigins: [allowedSite.origin], allowCredentials: true } },
  ]);
  const app = createHttpServer({ tables: createTableHolder(table), cors: { allowOrigins: [allowedSite.origin], exposeHeaders: ['x-request-id'] } });
  const gateway = await app.listen({ host: '127.0.0.1', port: 0 });
  scope.onClose(() => app.close());
  const browser = await launchBrowser();
  scope.onClose(() => browser.close());
  return { fixture, gateway, allowedSite, otherSite, browser };
});

type Outcome = { status?: number; body?: string; requestId?: string | null; failed?: string };

async function openPage(origin: string): Promise<Page> {
  const page = await suite.browser.page();
  const loaded = await page.goto(`${origin}/`);
  assert.equal(loaded?.status(), 200);
  return page;
}

const call = (page: Page, path: string, init: Record<string, unknown> = {}) =>
  page.evaluate(([url, i]) => (window as unknown as { call: (u: string, i: unknown) => Promise<Outcome> }).call(url, i), [`${suite.gateway}${path}`, init] as const);

const postInit = (marker: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-request-id': `browser-${marker}` },
  body: JSON.stringify({ fString: marker }),
});

test('from the allowed origin: GET, a preflighted POST, a credentialed call and an SSE stream work, exposed headers are readable', { timeout: 60_000 }, async () => {
  const page = await openPage(suite.allowedSite.origin);
  const get = await call(page, '/echo');
  assert.equal(get.status, 200, JSON.stringify(get));
  assert.equal(get.body, '{"fString":"hello"}');
  // x-request-id is exposed by the listener's config; without it the browser hides it (null).
  assert.ok(get.requestId, 'x-request-id not readable');

  const post = await call(page, '/echo', postInit('allowed'));
  assert.deepEqual(post, { status: 200, body: '{"fString":"allowed"}', requestId: 'browser-allowed' });

  const credentialed = await call(page, '/partner/echo', { credentials: 'include' });
  assert.equal(credentialed.status, 200, JSON.stringify(credentialed));
  assert.equal(credentialed.body, '{"fString":"partner"}');
  // The listener's policy does not allow credentials: the browser refuses the answer.
  assert.deepEqual(await call(page, '/echo', { credentials: 'include' }), { failed: 'TypeError' });

  const stream = await page.evaluate((url) => (window as unknown as { listen: (u: string) => Promise<unknown> }).listen(url), `${suite.gateway}/items?count=2`);
  assert.deepEqual(stream, { seen: [{ n: 1 }, { n: 2 }] });
});

test('from an origin not allowed: the same calls fail in the browser and the preflighted POST never reaches the backend', { timeout: 60_000 }, async () => {
  const page = await openPage(suite.otherSite.origin);
  assert.deepEqual(await call(page, '/echo'), { failed: 'TypeError' });
  assert.deepEqual(await call(page, '/echo', postInit('refused')), { failed: 'TypeError' });
  assert.deepEqual(await call(page, '/partner/echo', { credentials: 'include' }), { failed: 'TypeError' });
  const stream = await page.evaluate((url) => (window as unknown as { listen: (u: string) => Promise<unknown> }).listen(url), `${suite.gateway}/items?count=2`);
  assert.deepEqual(stream, { seen: [], error: true });
  const posted = suite.fixture.received.filter((r) => r.method === 'Echo' && r.request.fString === 'refused');
  assert.deepEqual(posted, []);
});
