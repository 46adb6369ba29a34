/**
 * A GraphQL frontend over the fixture service, driven in-process: arguments onto request
 * fields (whole messages, renames, value maps, constants), results through templates, the
 * derived scalars round-tripping, failed fields as errors with paths and extensions beside
 * fields that still resolve, identical calls made once per request, and the depth and
 * complexity refusals.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { useGateway } from '../support/use-gateway.js';
import { FIXTURE_GRAPHQL } from './fixture-definition.js';

const gw = useGateway({ definition: FIXTURE_GRAPHQL });

async function graphql(query: string, variables?: Record<string, unknown>, accept = 'application/graphql-response+json') {
  const res = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept }, payload: JSON.stringify({ query, variables }) });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as { data?: Record<string, any>; errors?: any[] } };
}

describe('GraphQL over the fixture service', () => {
  test('an input object bound to the whole request, and every derived scalar back', async () => {
    const input = {
      fInt32: -7,
      fInt64: '9007199254740993',
      fUint32: 4294967295,
      fUint64: '18446744073709551615',
      fBytes: 'AAEC',
      fBool: true,
      color: 'GREEN',
      rColor: ['RED', 'GREEN'],
      rNested: [{ name: 'a', tags: ['x'] }],
      mCounts: { a: 1 },
      choiceText: 'hi',
      wString: 'w',
      wInt64: '5',
      ts: '2026-12-03T07:00:00Z',
      dur: '1.500s',
      attrs: { k: [1, 'two'] },
      optInt32: 0,
    };
    const { status, body } = await graphql(
      `query($input: EverythingInput) { echo(input: $input) { fInt32 fInt64 fUint32 fUint64 fBytes fBool color rColor rNested { name tags count } mCounts
        choiceText choiceNumber choiceCase wString wInt64 wBool ts dur attrs optInt32 fString nested { name } } }`,
      { input },
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.errors, undefined);
    // Every value sent comes back as sent; what differs is what the reply adds: the nested
    // message's default count, the oneof's other member and case, unset wrappers and fields.
    assert.deepEqual(body.data!.echo, {
      ...input,
      rNested: [{ name: 'a', tags: ['x'], count: 0 }],
      choiceNumber: null,
      choiceCase: 'choiceText',
      wBool: null,
      fString: '',
      nested: null,
    });
    const sent = gw.fixture.received.at(-1)!;
    assert.equal(sent.method, 'Echo');
    assert.equal(sent.request.f_int64, '9007199254740993');
    assert.equal(sent.request.choice_text, 'hi');
  });

  test('renamed arguments, lists, enums and 64-bit integers reach their fields', async () => {
    const { body } = await graphql('{ describe(text: "hello", numbers: [1, 2], color: RED, big: "12345678901234567") { text numbers big color } }');
    assert.deepEqual(body.data, { describe: { text: 'hello', numbers: [1, 2], big: '12345678901234567', color: 'RED' } });
    assert.deepEqual(gw.fixture.received.at(-1)!.request, { f_string: 'hello', r_int32: [1, 2], color: 'RED', f_int64: '12345678901234567' });
  });

  test('a value map and a constant', async () => {
    const { body } = await graphql('{ latest: version(v: "latest") exact: version(v: "3") }');
    assert.deepEqual(body.data, { latest: -1, exact: 3 });
    const mutation = await graphql('mutation { setText(text: "x") { text flag } }');
    assert.deepEqual(mutation.body.data, { setText: { text: 'x', flag: true } });
  });

  test('a failed field is an error with its path and extensions; the other fields resolve', async () => {
    const { status, body } = await graphql('{ ok: describe(text: "still here") { text } fail(code: 5, message: "no such thing", reason: "GONE") }');
    assert.equal(status, 200);
    assert.deepEqual(body.data, { ok: { text: 'still here' }, fail: null });
    assert.equal(body.errors!.length, 1);
    const [error] = body.errors!;
    assert.equal(error.message, 'no such thing');
    assert.deepEqual(error.path, ['fail']);
    assert.deepEqual(error.extensions, { code: 'NOT_FOUND', reason: 'GONE', domain: 'test.prism.io' });
    assert.ok(Array.isArray(error.locations));
  });

  test('an error mapping renders the message and adds its keys to the extensions', async () => {
    const { body } = await graphql('{ fail(code: 9, message: "empty pot", reason: "TEAPOT") }');
    assert.equal(body.errors![0].message, 'short and stout: empty pot');
    assert.deepEqual(body.errors![0].extensions, { brewed: true, code: 'FAILED_PRECONDITION', reason: 'TEAPOT', domain: 'test.prism.io' });
  });

  test('a nested field fails alone, inside a list', async () => {
    const { body } = await graphql('{ nested(names: ["a", "b"]) { name shout } }');
    assert.deepEqual(body.data, { nested: [{ name: 'a', shout: 'a' }, { name: 'b', shout: 'b' }] });
  });

  test("a binding that does not fit is the field's INVALID_ARGUMENT error", async () => {
    const { body } = await graphql('{ version(v: "abc") }');
    assert.equal(body.data!.version, null);
    assert.equal(body.errors![0].extensions.code, 'INVALID_ARGUMENT');
    assert.match(body.errors![0].extensions.reason, /^BINDING_/);
    assert.deepEqual(body.errors![0].path, ['version']);
  });

  test('identical calls in one request are made once', async () => {
    const before = gw.fixture.received.length;
    const { body } = await graphql('{ a: describe(text: "same") { text } b: describe(text: "same") { numbers } c: describe(text: "other") { text } }');
    assert.deepEqual(body.data, { a: { text: 'same' }, b: { numbers: [] }, c: { text: 'other' } });
    const calls = gw.fixture.received.slice(before).map((r) => r.request.f_string);
    assert.deepEqual(calls.sort(), ['other', 'same']);
  });

  test('nested calls with the same arguments are shared too', async () => {
    const before = gw.fixture.received.length;
    const { body } = await graphql('{ nested(names: ["x", "x", "y"]) { shout } }');
    assert.deepEqual(body.data, { nested: [{ shout: 'x' }, { shout: 'x' }, { shout: 'y' }] });
    // One Echo, then one Describe per distinct name.
    assert.equal(gw.fixture.received.length - before, 3);
  });
});

describe('GraphQL request errors', () => {
  test('a query that does not validate is refused before any call (400 with graphql-response+json, 200 with JSON)', async () => {
    const before = gw.fixture.received.length;
    const strict = await graphql('{ nope }');
    assert.equal(strict.status, 400);
    assert.equal(strict.type, 'application/graphql-response+json');
    assert.deepEqual(strict.body.errors![0].extensions, { code: 'INVALID_ARGUMENT', reason: 'GRAPHQL_VALIDATION_FAILED' });
    const legacy = await graphql('{ nope }', undefined, 'application/json');
    assert.equal(legacy.status, 200);
    assert.match(String(legacy.type), /^application\/json/);
    const broken = await graphql('{ describe(');
    assert.equal(broken.status, 400);
    assert.equal(broken.body.errors![0].extensions.reason, 'GRAPHQL_PARSE_FAILED');
    assert.equal(gw.fixture.received.length, before);
  });

  test('too deep: refused with QUERY_TOO_DEEP', async () => {
    const before = gw.fixture.received.length;
    const { status, body } = await graphql('{ __schema { types { fields { type { fields { name } } } } } }');
    assert.equal(status, 400);
    assert.equal(body.errors![0].extensions.code, 'RESOURCE_EXHAUSTED');
    assert.equal(body.errors![0].extensions.reason, 'QUERY_TOO_DEEP');
    assert.match(body.errors![0].message, /nested 6 deep; at most 5/);
    assert.equal(gw.fixture.received.length, before);
  });

  test('too complex: refused with QUERY_TOO_COMPLEX before any call', async () => {
    const before = gw.fixture.received.length;
    // Each nested(...) { shout } costs 10 + 10 × (1 + 10) = 120; two of them exceed 200.
    const one = await graphql('{ nested(names: ["a"]) { name shout } }');
    assert.equal(one.status, 200);
    const { status, body } = await graphql('{ a: nested(names: ["a"]) { name shout } b: nested(names: ["b"]) { name shout } }');
    assert.equal(status, 400);
    assert.equal(body.errors![0].extensions.reason, 'QUERY_TOO_COMPLEX');
    assert.deepEqual(body.errors![0].extensions.metadata, { complexity: '240', maxComplexity: '200' });
    assert.equal(gw.fixture.received.length, before + 2);
  });

  test('GET serves queries only; a body that is not a GraphQL request is refused', async () => {
    const get = await gw.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ version(v: "4") }')}` });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { data: { version: 4 } });
    const mutation = await gw.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('mutation { setText(text: "x") { text } }')}` });
    assert.equal(mutation.statusCode, 405);
    assert.equal(mutation.headers.allow, 'POST');
    const notJson = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{"query":' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json().errors[0].extensions.reason, 'MALFORMED_BODY');
    const noQuery = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(noQuery.statusCode, 400);
    const text = await gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'text/plain' }, payload: '{ version }' });
    assert.equal(text.statusCode, 400);
    assert.equal(text.json().errors[0].extensions.reason, 'UNSUPPORTED_MEDIA_TYPE');
    const put = await gw.app.inject({ method: 'PUT', url: '/graphql', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.equal(put.statusCode, 405);
  });

  test('a subscription over plain JSON is refused: it streams over SSE or WebSocket', async () => {
    const { status, body } = await graphql('subscription { numbers(count: 1) { n } }');
    assert.equal(status, 406);
    assert.equal(body.errors![0].extensions.reason, 'NOT_ACCEPTABLE');
  });

  test('automatic persisted queries: a hash alone once the text was seen, a wrong hash refused', async () => {
    const query = '{ persisted: version(v: "7") }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const send = (payload: unknown) => gw.app.inject({ method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, payload: JSON.stringify(payload) });
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    const unknown = await send({ extensions });
    assert.equal(unknown.statusCode, 200);
    assert.deepEqual(unknown.json(), { errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }] });
    assert.deepEqual((await send({ query, extensions })).json(), { data: { persisted: 7 } });
    assert.deepEqual((await send({ extensions })).json(), { data: { persisted: 7 } });
    const get = await gw.app.inject({ method: 'GET', url: `/graphql?extensions=${encodeURIComponent(JSON.stringify(extensions))}` });
    assert.deepEqual(get.json(), { data: { persisted: 7 } });
    const wrong = await send({ query: '{ version(v: "8") }', extensions });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.json().errors[0].message, /hash does not match/);
  });

  test('GraphiQL is off unless the frontend switches it on', async () => {
    const page = await gw.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 400);
    assert.doesNotMatch(page.body, /<html/);
  });
});
