/**
 * CORS through a real gateway started from a config (`http.cors` on the listener, `cors:` on one
 * frontend binding), over sockets: preflights answered before the route table and the backend,
 * the headers of every kind of answer (routes, routing errors, upstream errors, a body too large,
 * a URL the router refuses, a request Node's parser refuses, an SSE stream written raw), a
 * binding's override replacing the listener's policy for its paths only, and a frontend applied
 * through the admin API at run time changing nothing for the others. A listener without `cors:`
 * is as before: no CORS headers, OPTIONS answered by the route table.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';
import { startGateway } from '../../src/start-gateway.js';
import { echoFrontend, fixtureNamespace, putFrontend, tempDir, useConfiguredGateway, writeConfig } from '../operations/support.js';
import { useGateway } from '../support/use-gateway.js';

const APP = 'https://app.example.com';
const PARTNER = 'https://partner.example.net';
const EVIL = 'https://evil.example.net';
const BODY_LIMIT = 1024;

const DEFAULT_ALLOW_HEADERS =
  'content-type, connect-protocol-version, connect-timeout-ms, connect-accept-encoding, connect-content-encoding, grpc-timeout, x-grpc-web, x-user-agent, authorization, x-request-id, x-prism-namespace, last-event-id';
const PREFLIGHT_VARY = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';

const MAIN = echoFrontend(
  'main',
  [{ id: 'echo', path: '/echo', marker: 'main' }],
  `    - { id: echo-post, method: POST, path: /echo, grpc: Echo, params: [{ from: body, to: '*' }] }
    - { id: fail, method: GET, path: /fail, grpc: Fail, params: [{ const: 5, to: code }, { const: gone, to: message }] }
    - { id: varies, method: GET, path: /varies, response: { headers: { Vary: Accept }, body: { const: { ok: true } } } }
    - id: items
      method: GET
      path: /items
      grpc: Stream
      params: [{ from: query.count, to: f_int32 }]
      response: { body: { object: { n: { from: response.f_int32 } } } }
      stream: { sse: { heartbeatMs: 0 } }
`,
);
const PARTNER_FRONTEND = echoFrontend('partner', [{ id: 'partner-echo', path: '/echo', marker: 'partner' }]);
const LATE_FRONTEND = echoFrontend('late', [{ id: 'late-echo', path: '/echo', marker: 'late' }]);

const stack = useConfiguredGateway('cors', (fixture, dir) => {
  writeFileSync(join(dir, 'main.yaml'), MAIN);
  writeFileSync(join(dir, 'partner.yaml'), PARTNER_FRONTEND);
  return {
    bodyLimit: BODY_LIMIT,
    http: { cors: { allowOrigins: [APP, 'https://*.example.org'], exposeHeaders: ['X-Request-Id'] } },
    namespaces: [
      fixtureNamespace('fx', fixture.address, [
        { file: join(dir, 'main.yaml') },
        {
          file: join(dir, 'partner.yaml'),
          pathPrefix: '/partner',
          cors: { allowOrigins: [PARTNER], allowMethods: ['GET', 'POST'], allowHeaders: ['X-Partner-Key'], exposeHeaders: ['ETag'], allowCredentials: true, maxAgeSeconds: 600 },
        } as { file: string; pathPrefix: string },
      ]),
    ],
  };
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a socket; a stream's body is read until `until` appears in it (then cut). */
function send(method: string, path: string, headers: Record<string, string> = {}, options: { body?: string | Buffer; base?: string; until?: string } = {}): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = request(new URL(path, options.base ?? stack.gateway.url), { method, headers, timeout: 30_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (options.until && body.includes(options.until)) {
          req.destroy();
          done({ status: res.statusCode!, headers: res.headers, body });
        }
      });
      res.on('end', () => done({ status: res.statusCode!, headers: res.headers, body }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(options.body);
  });
}

const preflight = (path: string, origin: string, method: string, extra: Record<string, string> = {}) =>
  send('OPTIONS', path, { origin, 'access-control-request-method': method, ...extra });

/** The CORS part of an answer's headers, to compare whole. */
function corsOf(answer: Answer): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (name.startsWith('access-control-') || name === 'vary') out[name] = String(value);
  }
  return out;
}

const listenerAllowed = (origin: string) => ({
  vary: 'Origin',
  'access-control-allow-origin': origin,
  'access-control-expose-headers': 'grpc-status, grpc-message, grpc-status-details-bin, x-request-id',
});
const partnerAllowed = {
  vary: 'Origin',
  'access-control-allow-origin': PARTNER,
  'access-control-allow-credentials': 'true',
  'access-control-expose-headers': 'grpc-status, grpc-message, grpc-status-details-bin, etag',
};

describe('preflights', () => {
  const listenerPreflight = (origin: string) => ({
    vary: PREFLIGHT_VARY,
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
    'access-control-allow-headers': DEFAULT_ALLOW_HEADERS,
  });
  const refused = { vary: PREFLIGHT_VARY };
  const cases: [name: string, path: string, origin: string, method: string, expected: Record<string, string>][] = [
    ['an exact origin', '/echo', APP, 'POST', listenerPreflight(APP)],
    ['an exact origin, as another client may spell it', '/echo', 'https://APP.example.com:443', 'PUT', listenerPreflight('https://APP.example.com:443')],
    ['a wildcard subdomain', '/echo', 'https://a.b.example.org', 'DELETE', listenerPreflight('https://a.b.example.org')],
    ['the domain of a wildcard', '/echo', 'https://example.org', 'GET', refused],
    ['a look-alike of a wildcard domain', '/echo', 'https://evilexample.org', 'GET', refused],
    ['another scheme', '/echo', 'http://app.example.com', 'GET', refused],
    ['an origin not listed', '/echo', EVIL, 'GET', refused],
    ['a path without a route (answered all the same)', '/nothing/here', APP, 'GET', listenerPreflight(APP)],
    [
      "the binding's own policy",
      '/partner/echo',
      PARTNER,
      'POST',
      {
        vary: PREFLIGHT_VARY,
        'access-control-allow-origin': PARTNER,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': `${DEFAULT_ALLOW_HEADERS}, x-partner-key`,
        'access-control-max-age': '600',
      },
    ],
    ["a method the binding's policy does not allow", '/partner/echo', PARTNER, 'DELETE', refused],
    ["the listener's origin on the binding's paths (an override replaces)", '/partner/echo', APP, 'GET', refused],
    ["the binding's origin outside its paths", '/echo', PARTNER, 'GET', refused],
  ];
  for (const [name, path, origin, method, expected] of cases) {
    test(`${name}: OPTIONS ${path} from ${origin} for ${method}`, async () => {
      const callsBefore = stack.fixture.received.length;
      const answer = await preflight(path, origin, method, { 'access-control-request-headers': 'content-type, x-partner-key' });
      // 204 from the hook: not the route table's OPTIONS answer (200 with Allow), not a 404.
      assert.equal(answer.status, 204, answer.body);
      assert.equal(answer.body, '');
      assert.equal(answer.headers.allow, undefined);
      assert.deepEqual(corsOf(answer), expected);
      assert.equal(stack.fixture.received.length, callsBefore, 'the backend was called');
    });
  }

  test('OPTIONS without Access-Control-Request-Method is no preflight: the route table answers, with the CORS headers', async () => {
    const answer = await send('OPTIONS', '/echo', { origin: APP });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers.allow, 'GET, POST, HEAD, OPTIONS');
    assert.deepEqual(corsOf(answer), listenerAllowed(APP));
  });
});

describe('every answer on a path with a policy', () => {
  test('a route: allowed, not allowed, no Origin', async () => {
    const allowed = await send('GET', '/echo', { origin: APP });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.body, '{"fString":"main"}');
    assert.deepEqual(corsOf(allowed), listenerAllowed(APP));
    // Served (the browser is the one that refuses it to the page), but allowing nothing.
    const other = await send('GET', '/echo', { origin: EVIL });
    assert.equal(other.status, 200);
    assert.deepEqual(corsOf(other), { vary: 'Origin' });
    const none = await send('GET', '/echo');
    assert.deepEqual(corsOf(none), { vary: 'Origin' });
  });

  test("the binding's policy on its paths, with credentials and its exposed headers", async () => {
    const answer = await send('GET', '/partner/echo', { origin: PARTNER });
    assert.equal(answer.body, '{"fString":"partner"}');
    assert.deepEqual(corsOf(answer), partnerAllowed);
    assert.deepEqual(corsOf(await send('GET', '/partner/echo', { origin: APP })), { vary: 'Origin' });
  });

  const errorCases: [name: string, method: string, path: string, status: number, options?: { body?: string | Buffer; headers?: Record<string, string> }][] = [
    ['no route (404)', 'GET', '/nothing/here', 404],
    ['a method not allowed (405)', 'DELETE', '/echo', 405],
    ['an upstream error', 'GET', '/fail', 404],
    ['a body too large (413)', 'POST', '/echo', 413, { body: Buffer.alloc(BODY_LIMIT * 4, 0x61), headers: { 'content-type': 'application/json' } }],
    ['malformed JSON (400)', 'POST', '/echo', 400, { body: '{', headers: { 'content-type': 'application/json' } }],
    ['a URL the router refuses', 'GET', '/%E0%A4%A', 404],
  ];
  for (const [name, method, path, status, options] of errorCases) {
    test(`an error: ${name}`, async () => {
      const answer = await send(method, path, { origin: APP, ...options?.headers }, { body: options?.body });
      assert.equal(answer.status, status, answer.body);
      assert.deepEqual(corsOf(answer), listenerAllowed(APP));
    });
  }

  test("a request Node's parser refuses (headers too large, 431): Origin is read from the bytes it saw", async () => {
    const { port, hostname } = new URL(stack.gateway.url);
    const head = await new Promise<string>((done, fail) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(`GET /echo HTTP/1.1\r\nHost: ${hostname}\r\nOrigin: ${APP}\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`);
      });
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => done(text));
      socket.on('error', (err) => (text ? done(text) : fail(err)));
      socket.setTimeout(30_000, () => socket.destroy(new Error('no answer')));
    });
    assert.match(head, /^HTTP\/1\.1 431 /);
    assert.match(head, new RegExp(`\r\naccess-control-allow-origin: ${APP}\r\n`, 'i'));
    assert.match(head, /\r\nvary: Origin\r\n/i);
  });

  test('a route that sets its own Vary keeps Origin in it', async () => {
    const answer = await send('GET', '/varies', { origin: APP });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(answer.headers.vary, 'Accept, Origin');
    assert.equal(answer.headers['access-control-allow-origin'], APP);
  });

  test('an SSE stream written raw carries them on its head', async () => {
    const answer = await send('GET', '/items?count=2', { origin: APP, accept: 'text/event-stream' }, { until: 'event: end' });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^text\/event-stream/);
    assert.deepEqual(corsOf(answer), listenerAllowed(APP));
    assert.match(answer.body, /data: \{"n":2\}/);
  });
});

describe('hot reload', () => {
  test('a frontend applied through the admin API at a prefix takes the listener’s policy and changes nothing for the others', async () => {
    const before = await Promise.all([send('GET', '/echo', { origin: APP }), send('GET', '/partner/echo', { origin: PARTNER }), preflight('/partner/echo', PARTNER, 'POST')]);
    const put = await putFrontend(stack.gateway.adminUrl!, 'late', LATE_FRONTEND, { namespace: 'fx', pathPrefix: '/late' });
    assert.equal(put.status, 200, put.text);

    const late = await send('GET', '/late/echo', { origin: APP });
    assert.equal(late.body, '{"fString":"late"}');
    assert.deepEqual(corsOf(late), listenerAllowed(APP));
    assert.deepEqual(corsOf(await send('GET', '/late/echo', { origin: PARTNER })), { vary: 'Origin' });

    const after = await Promise.all([send('GET', '/echo', { origin: APP }), send('GET', '/partner/echo', { origin: PARTNER }), preflight('/partner/echo', PARTNER, 'POST')]);
    for (const [i, answer] of after.entries()) {
      assert.equal(answer.status, before[i].status);
      assert.deepEqual(corsOf(answer), corsOf(before[i]));
    }
    assert.deepEqual(corsOf(after[1]), partnerAllowed);
  });
});

describe('a listener without cors', () => {
  const plain = useGateway({
    definition: `name: plain
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: echo, method: GET, path: /echo, grpc: Echo }
`,
  });

  test('answers carry no CORS headers and a preflight reaches the route table', async () => {
    const get = await plain.app.inject({ method: 'GET', url: '/echo', headers: { origin: APP } });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers.vary, undefined);
    assert.equal(get.headers['access-control-allow-origin'], undefined);
    const options = await plain.app.inject({ method: 'OPTIONS', url: '/echo', headers: { origin: APP, 'access-control-request-method': 'GET' } });
    assert.equal(options.statusCode, 200);
    assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal(options.headers['access-control-allow-origin'], undefined);
  });
});

describe('configs that cannot be used', () => {
  const cases: [name: string, cors: Record<string, unknown>, pointer: RegExp][] = [
    ['* with credentials', { allowOrigins: ['*'], allowCredentials: true }, /allowOrigins\/0/],
    ['an origin that is not one', { allowOrigins: [APP, 'app.example.com'] }, /allowOrigins\/1/],
  ];
  for (const [name, cors, pointer] of cases) {
    test(`${name}: the gateway does not start, and says where`, async () => {
      const dir = tempDir('cors-bad');
      try {
        writeFileSync(join(dir.path, 'main.yaml'), PARTNER_FRONTEND);
        const file = writeConfig(dir.path, { http: { cors }, namespaces: [fixtureNamespace('fx', '127.0.0.1:1', [{ file: join(dir.path, 'main.yaml') }])] });
        await assert.rejects(
          async () => {
            const gateway = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: false });
            await gateway.close();
          },
          (err: unknown) => err instanceof ConfigError && pointer.test(err.message),
        );
      } finally {
        dir.remove();
      }
    });
  }

  test("a frontend binding's cors that cannot be used: the config does not load, and says which binding", () => {
    const dir = tempDir('cors-bad-binding');
    try {
      writeFileSync(join(dir.path, 'main.yaml'), PARTNER_FRONTEND);
      const namespace = fixtureNamespace('fx', '127.0.0.1:1', [{ file: join(dir.path, 'main.yaml') }]);
      namespace.frontends[0] = { ...namespace.frontends[0], cors: { allowOrigins: ['*'], allowCredentials: true } } as (typeof namespace.frontends)[0];
      const file = writeConfig(dir.path, { namespaces: [namespace] });
      assert.throws(
        () => loadGatewayConfig(file),
        (err: unknown) => err instanceof ConfigError && /namespaces\/0\/frontends\/0\/cors\/allowOrigins\/0/.test(err.message),
      );
    } finally {
      dir.remove();
    }
  });

  const staticFrontend = `name: lone
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
    - { id: lone, method: GET, path: /lone, response: { body: { const: { ok: true } } } }
`;
  const tableWith = (cors: { allowOrigins: string[]; allowCredentials?: boolean }) =>
    compileRouteTable(parseDefinitions(staticFrontend, 'lone.yaml', process.cwd()).map((loaded) => ({ loaded, pathPrefix: '/lone', cors })));

  test("a binding's cors in a table given at start: the app is not made", () => {
    assert.throws(
      () => createHttpServer({ tables: createTableHolder(tableWith({ allowOrigins: ['*'], allowCredentials: true })) }),
      (err: unknown) => err instanceof ConfigError && /cors\/allowOrigins\/0/.test(err.message),
    );
  });

  test("a binding's cors that got past the checks into a swapped table: no CORS on its paths, the request still served", async () => {
    const tables = createTableHolder(tableWith({ allowOrigins: [APP] }));
    const app = createHttpServer({ tables, cors: { allowOrigins: [APP] } });
    try {
      tables.swap(tableWith({ allowOrigins: ['*'], allowCredentials: true }));
      const answer = await app.inject({ method: 'GET', url: '/lone/lone', headers: { origin: APP } });
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
      // Elsewhere the listener's policy still holds.
      const elsewhere = await app.inject({ method: 'GET', url: '/nothing', headers: { origin: APP } });
      assert.equal(elsewhere.headers['access-control-allow-origin'], APP);
    } finally {
      await app.close();
    }
  });
});
