/**
 * Generic behaviours added for servers the gateway imitates: HEAD served by GET routes,
 * OPTIONS answered with Allow, lenient JSON strings as a frontend option, and proto3
 * `optional` fields left out of object templates when unset.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { useGateway } from '../support/use-gateway.js';

const definition = (lenient: boolean) => `
name: methods
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  lenientStrings: ${lenient}
  routes:
    - id: get
      method: GET
      path: /items/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }]
    - id: put
      method: PUT
      path: /items/{id}
      grpc: Echo
      params: [{ from: path.id, to: f_int32 }, { from: body, to: '*' }]
      response:
        body:
          object:
            text: { from: response.f_string }
            optional: { from: response.opt_int32 }
`;

// Each gateway has a fixture server of its own; the tests only read what the gateways answer.
const strict = useGateway({ definition: definition(false) });
const lenient = useGateway({ definition: definition(true) });

test('HEAD on a GET route answers like GET, without a body', async () => {
  const get = await strict.app.inject({ method: 'GET', url: '/items/4' });
  const head = await strict.app.inject({ method: 'HEAD', url: '/items/4' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-type'], get.headers['content-type']);
  assert.equal(head.body, '');
});

test('OPTIONS lists the methods of a path, HEAD included', async () => {
  const r = await strict.app.inject({ method: 'OPTIONS', url: '/items/4' });
  assert.equal(r.statusCode, 200);
  assert.deepEqual(r.headers.allow?.toString().split(', ').sort(), ['GET', 'HEAD', 'OPTIONS', 'PUT']);
  assert.equal((await strict.app.inject({ method: 'OPTIONS', url: '/nothing' })).statusCode, 404);
});

test('strict JSON refuses a number for a string field; lenientStrings takes its text', async () => {
  const body = { fString: 42 };
  const refused = await strict.app.inject({ method: 'PUT', url: '/items/1', payload: body });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.body, /expected a string, got 42/);
  const taken = await lenient.app.inject({ method: 'PUT', url: '/items/1', payload: { fString: 42 } });
  assert.equal(taken.statusCode, 200, taken.body);
  assert.deepEqual(JSON.parse(taken.body), { text: '42' });
  const flag = await lenient.app.inject({ method: 'PUT', url: '/items/1', payload: { fString: true } });
  assert.deepEqual(JSON.parse(flag.body), { text: 'true' });
});

test('a proto3 optional field appears when set, even to its default, and not otherwise', async () => {
  const unset = await strict.app.inject({ method: 'PUT', url: '/items/1', payload: { fString: 'a' } });
  assert.deepEqual(JSON.parse(unset.body), { text: 'a' });
  const zero = await strict.app.inject({ method: 'PUT', url: '/items/1', payload: { fString: 'a', optInt32: 0 } });
  assert.deepEqual(JSON.parse(zero.body), { text: 'a', optional: 0 });
});
