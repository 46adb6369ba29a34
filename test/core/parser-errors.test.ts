/**
 * Requests Node's HTTP parser refuses never reach a route: the listener writes the answer to
 * the socket itself, with status, headers and body from renderError in the shape of the
 * frontend mounted at the root, and node's own status text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { createHttpServer } from '../../src/routing/fastify-adapter.js';
import { createTableHolder } from '../../src/routing/table-holder.js';

const MAPPED = `name: root
type: REST
rest:
  produces: [{ type: application/vnd.test.v1+json, quality: 1 }]
  errors:
    - { match: { reason: BAD_REQUEST }, status: 400, body: { object: { error_code: 400, message: { from: error.message } } } }
    - { match: { reason: HEADERS_TOO_LARGE }, body: { object: { error_code: 431, reason: { from: error.reason } } } }
  routes:
    - { id: hello, method: GET, path: /hello, response: { body: { const: { hi: true } } } }
`;

const PLAIN = `name: plain
type: REST
rest:
  routes:
    - { id: hello, method: GET, path: /hello, response: { body: { const: { hi: true } } } }
`;

function startApp(definition: string): FastifyInstance {
  const table = compileRouteTable(parseDefinitions(definition, 'root.yaml', process.cwd()).map((loaded) => ({ loaded })));
  return createHttpServer({ tables: createTableHolder(table) });
}

/** Sends raw bytes and reads everything until the server closes the connection. */
function exchange(app: FastifyInstance, bytes: string): Promise<{ head: string[]; body: string }> {
  const { port } = app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const at = text.indexOf('\r\n\r\n');
      resolve({ head: text.slice(0, at).split('\r\n'), body: text.slice(at + 4) });
    });
    socket.end(bytes);
  });
}

describe('parser errors in the root frontend’s error mapping', () => {
  let app: FastifyInstance;
  before(async () => {
    app = startApp(MAPPED);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  test('a malformed request line: 400 with the mapped body, in the produced type, and the connection closed', async () => {
    const { head, body } = await exchange(app, 'NOT HTTP AT ALL\r\n\r\n');
    assert.deepEqual(head, ['HTTP/1.1 400 Bad Request', 'content-type: application/vnd.test.v1+json', `content-length: ${Buffer.byteLength(body)}`, 'connection: close']);
    assert.deepEqual(JSON.parse(body), { error_code: 400, message: 'malformed HTTP request' });
  });

  test('a header block over the limit: 431, the status from the table', async () => {
    const { head, body } = await exchange(app, `GET /hello HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(70_000)}\r\n\r\n`);
    assert.equal(head[0], 'HTTP/1.1 431 Request Header Fields Too Large');
    assert.deepEqual(JSON.parse(body), { error_code: 431, reason: 'HEADERS_TOO_LARGE' });
  });

  test('the listener keeps serving', async () => {
    const { head, body } = await exchange(app, 'GET /hello HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    assert.equal(head[0], 'HTTP/1.1 200 OK');
    assert.deepEqual(JSON.parse(body), { hi: true });
  });
});

describe('parser errors without an error mapping', () => {
  let app: FastifyInstance;
  before(async () => {
    app = startApp(PLAIN);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(() => app.close());

  test('the default body, as every other error without a mapping', async () => {
    const { head, body } = await exchange(app, 'GET /hello HTTP/1.1\r\nbroken header line\r\n\r\n');
    assert.equal(head[0], 'HTTP/1.1 400 Bad Request');
    assert.ok(head.includes('content-type: application/json'), head.join('\n'));
    assert.deepEqual(JSON.parse(body), {
      code: 3,
      message: 'malformed HTTP request',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'BAD_REQUEST', domain: 'gateway.prism.io', metadata: {} }],
    });
  });
});
