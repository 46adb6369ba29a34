/**
 * HTTP-level conformance of the Confluent frontend (confluent-sr-api.md), over real HTTP
 * against the real stack. Tests run in declaration order and share one registry; every
 * section uses its own subjects, and sections that change global state restore it.
 *
 * A case whose todo reason starts with "deviation:" asserts Confluent's behaviour where the gateway
 * currently differs; each such deviation is listed in known-differences.json or reported.
 */
import { before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { call, startStack, V1_JSON, type Reply, type Stack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const stack = useStarted(() => startStack());

// ---- helpers ----------------------------------------------------------------------------

interface Expect {
  status: number;
  /** The body, byte for byte. */
  text?: string;
  /** The body parsed as JSON, deep-equal. */
  json?: unknown;
  /** A Confluent error body: exactly {error_code, message}; message exact or matched. */
  error?: [code: number, message?: string | RegExp];
  /** The Content-Type header, exactly (default: the v1 type; null skips the check). */
  type?: string | null;
}

interface Case extends Expect {
  name: string;
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  todo?: string;
}

function expectReply(r: Reply, e: Expect, what = ''): void {
  const where = `${what} → ${r.status} ${r.type} ${r.text.slice(0, 400)}`;
  assert.equal(r.status, e.status, `status ${where}`);
  if (e.type !== null) assert.equal(r.type, e.type ?? V1_JSON, `content-type ${where}`);
  if (e.text !== undefined) assert.equal(r.text, e.text, `body ${where}`);
  if (e.json !== undefined) assert.deepEqual(r.json(), e.json, `body ${where}`);
  if (e.error) {
    const body = r.json() as Record<string, unknown> | undefined;
    assert.ok(body && typeof body === 'object', `error body is JSON ${where}`);
    assert.deepEqual(Object.keys(body), ['error_code', 'message'], `error body shape ${where}`);
    assert.equal(body.error_code, e.error[0], `error_code ${where}`);
    assert.equal(typeof body.message, 'string');
    assert.ok((body.message as string).length > 0, `non-empty message ${where}`);
    const [, message] = e.error;
    if (typeof message === 'string') assert.equal(body.message, message, `message ${where}`);
    else if (message) assert.match(body.message as string, message, `message ${where}`);
  }
}

async function req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply> {
  return call(stack.url, method, path, { body, headers });
}

/** Sends one request and checks it. */
async function check(c: Omit<Case, 'name'>): Promise<Reply> {
  const r = await req(c.method, c.path, c.body, c.headers);
  expectReply(r, c, `${c.method} ${c.path}`);
  return r;
}

/** Runs a case table as subtests, in order. */
async function table(t: TestContext, cases: Case[]): Promise<void> {
  for (const c of cases) {
    await t.test(c.name, c.todo ? { todo: c.todo } : {}, async () => {
      await check(c);
    });
  }
}

async function register(subject: string, schema: string, extra: Record<string, unknown> = {}): Promise<number> {
  const r = await req('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema, ...extra });
  assert.equal(r.status, 200, `register ${subject}: ${r.text}`);
  return (r.json() as { id: number }).id;
}

/** Avro record schema text, already in Avro's canonical form. */
function rec(name: string, fields: string): string {
  return `{"type":"record","name":"${name}","fields":[${fields}]}`;
}

const q = JSON.stringify;
const NOT_FOUND: [number, string] = [404, 'HTTP 404 Not Found'];
const INVALID_LEVEL = 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive';
const INVALID_MODE = /^Invalid mode\. Valid values are (READWRITE, READONLY, and IMPORT\.|READWRITE, READONLY, IMPORT and FORWARD\.)$/;
const invalidVersion = (v: string) =>
  `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`;

// ---- §3.16: the worked sequence (must run first: it expects a fresh registry) -------------

const R1 = q({ schema: rec('Order', '{"name":"id","type":"int"}') });
const R2 = q({ schema: rec('Order', '{"name":"id","type":"int"},{"name":"note","type":"string","default":""}') });
const R3 = q({ schema: rec('Order', '{"name":"id","type":"int"},{"name":"qty","type":"int"}') });

test('§3.16 worked sequence on a fresh registry', async () => {
  const order = rec('Order', '{"name":"id","type":"int"}');
  const v1Entity = `{"subject":"orders-value","version":1,"id":1,"schema":${q(order)}}`;
  await check({ method: 'POST', path: '/subjects/orders-value/versions', body: R1, status: 200, text: '{"id":1}' });
  const spaced = q({ schema: '{ "type": "record", "name": "Order",\n  "fields": [ { "name": "id", "type": "int" } ] }' });
  await check({ method: 'POST', path: '/subjects/orders-value/versions', body: spaced, status: 200, text: '{"id":1}' });
  await check({ method: 'GET', path: '/subjects/orders-value/versions', status: 200, text: '[1]' });
  await check({ method: 'POST', path: '/subjects/audit-value/versions', body: R1, status: 200, text: '{"id":1}' });
  await check({ method: 'GET', path: '/subjects', status: 200, text: '["audit-value","orders-value"]' });
  await check({ method: 'GET', path: '/subjects/orders-value/versions/1', status: 200, text: v1Entity });
  await check({ method: 'GET', path: '/schemas/ids/1', status: 200, text: `{"schema":${q(order)}}` });
  const uses = await check({ method: 'GET', path: '/schemas/ids/1/versions', status: 200 });
  const pairs = uses.json() as Array<{ subject: string; version: number }>;
  assert.deepEqual(
    [...pairs].sort((a, b) => a.subject.localeCompare(b.subject)),
    [
      { subject: 'audit-value', version: 1 },
      { subject: 'orders-value', version: 1 },
    ],
  );

  const verbose = await check({ method: 'POST', path: '/compatibility/subjects/orders-value/versions/latest?verbose=true', body: R3, status: 200 });
  const result = verbose.json() as { is_compatible: boolean; messages: string[] };
  assert.deepEqual(Object.keys(result), ['is_compatible', 'messages']);
  assert.equal(result.is_compatible, false);
  assert.match(result.messages[0], /^\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', /);
  assert.ok(result.messages.includes('{oldSchemaVersion: 1}'), q(result.messages));
  assert.ok(result.messages.includes(`{oldSchema: '${order}'}`), q(result.messages));
  assert.equal(result.messages.at(-1), "{validateFields: 'false', compatibility: 'BACKWARD'}");

  await check({
    method: 'POST',
    path: '/subjects/orders-value/versions',
    body: R3,
    status: 409,
    error: [409, /^Schema being registered is incompatible with an earlier schema for subject "orders-value", details: \[\{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'.*\]$/s],
  });
  await check({ method: 'POST', path: '/subjects/orders-value/versions', body: R2, status: 200, text: '{"id":2}' });
  await check({ method: 'POST', path: '/subjects/orders-value', body: R1, status: 200, text: v1Entity });
  await check({ method: 'GET', path: '/config/orders-value', status: 404, text: q({ error_code: 40408, message: "Subject 'orders-value' does not have subject-level compatibility configured" }) });
  await check({ method: 'GET', path: '/config/orders-value?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' });
  await check({ method: 'PUT', path: '/config/orders-value', body: '{"compatibility":"none"}', status: 200, text: '{"compatibility":"NONE"}' });
  await check({ method: 'DELETE', path: '/subjects/orders-value/versions/2?permanent=true', status: 404, text: q({ error_code: 40407, message: "Subject 'orders-value' Version 2 was not deleted first before being permanently deleted" }) });
  await check({ method: 'DELETE', path: '/subjects/orders-value/versions/2', status: 200, text: '2' });
  await check({ method: 'DELETE', path: '/subjects/orders-value/versions/2', status: 404, text: q({ error_code: 40406, message: "Subject 'orders-value' Version 2 was soft deleted.Set permanent=true to delete permanently" }) });
  await check({ method: 'GET', path: '/subjects/orders-value/versions/2', status: 404, text: '{"error_code":40402,"message":"Version 2 not found."}' });
  const v2 = rec('Order', '{"name":"id","type":"int"},{"name":"note","type":"string","default":""}');
  await check({ method: 'GET', path: '/subjects/orders-value/versions/2?deleted=true', status: 200, text: `{"subject":"orders-value","version":2,"id":2,"schema":${q(v2)}}` });
  await check({ method: 'GET', path: '/subjects/orders-value/versions?deleted=true', status: 200, text: '[1,2]' });
  await check({ method: 'GET', path: '/schemas/ids/2', status: 200, text: `{"schema":${q(v2)}}` });
  await check({ method: 'DELETE', path: '/subjects/orders-value/versions/2?permanent=true', status: 200, text: '2' });
  await check({ method: 'POST', path: '/subjects/orders-value/versions', body: R2, status: 200, text: '{"id":3}' });
  await check({ method: 'GET', path: '/subjects/orders-value/versions', status: 200, text: '[1,2]' });
  await check({ method: 'GET', path: '/subjects/orders-value/versions/zero', status: 422, text: q({ error_code: 42202, message: invalidVersion('zero') }) });
  await check({ method: 'GET', path: '/subjects/nope/versions', status: 404, text: `{"error_code":40401,"message":"Subject 'nope' not found."}` });
  await check({ method: 'GET', path: '/schemas/ids/99', status: 404, text: '{"error_code":40403,"message":"Schema 99 not found"}' });
  await check({ method: 'PUT', path: '/config', body: '{"compatibility":"SIDEWAYS"}', status: 422, error: [42203, INVALID_LEVEL] });
  await check({ method: 'PUT', path: '/mode', body: '{"mode":"IMPORT"}', status: 422, error: [42205, 'Cannot import since found existing subjects'] });
  await check({ method: 'POST', path: '/subjects/x/versions', body: q({ schema: '{"type":"strin"}' }), status: 422, error: [42201] });
  await check({
    method: 'POST',
    path: '/subjects/x/versions',
    body: R1,
    headers: { 'Content-Type': 'text/plain' },
    status: 415,
    text: '{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}',
  });
});

// ---- §0.3: content negotiation ----------------------------------------------------------

describe('§0.3 content negotiation', () => {
  const CONFIG = '{"compatibilityLevel":"BACKWARD"}';
  const NOT_ACCEPTABLE = '{"error_code":406,"message":"HTTP 406 Not Acceptable"}';
  const UNSUPPORTED = '{"error_code":415,"message":"HTTP 415 Unsupported Media Type"}';
  const accept = (value: string) => ({ Accept: value });

  test('Accept selects the response type; unproducible types are 406', async (t) => {
    await table(t, [
      { name: 'no Accept', method: 'GET', path: '/config', status: 200, text: CONFIG },
      { name: '*/*', method: 'GET', path: '/config', headers: accept('*/*'), status: 200, text: CONFIG },
      { name: '*', method: 'GET', path: '/config', headers: accept('*'), status: 200, text: CONFIG },
      { name: 'application/*', method: 'GET', path: '/config', headers: accept('application/*'), status: 200, text: CONFIG },
      {
        name: '*/anything',
        method: 'GET',
        path: '/config',
        headers: accept('*/anything'),
        status: 200,
        text: CONFIG,
      },
      { name: 'application/json', method: 'GET', path: '/config', headers: accept('application/json'), status: 200, type: 'application/json', text: CONFIG },
      {
        name: 'application/vnd.schemaregistry+json',
        method: 'GET',
        path: '/config',
        headers: accept('application/vnd.schemaregistry+json'),
        status: 200,
        type: 'application/vnd.schemaregistry+json',
        text: CONFIG,
      },
      { name: 'the v1 type itself', method: 'GET', path: '/config', headers: accept(V1_JSON), status: 200, text: CONFIG },
      {
        name: 'q-values pick the best acceptable match',
        method: 'GET',
        path: '/config',
        headers: accept('application/vnd.schemaregistry.v2+json;q=0.1, application/vnd.schemaregistry+json;q=0.9'),
        status: 200,
        type: 'application/vnd.schemaregistry+json',
        text: CONFIG,
      },
      {
        name: "Java HttpURLConnection's default",
        method: 'GET',
        path: '/config',
        headers: accept('text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2'),
        status: 200,
        text: CONFIG,
      },
      {
        name: "Python's bodiless Accept list",
        method: 'GET',
        path: '/config',
        headers: accept('application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json'),
        status: 200,
        text: CONFIG,
      },
      { name: 'text/* → 406', method: 'GET', path: '/config', headers: accept('text/*'), status: 406, type: null, text: NOT_ACCEPTABLE },
      { name: 'application/octet-stream → 406', method: 'GET', path: '/config', headers: accept('application/octet-stream'), status: 406, type: null, text: NOT_ACCEPTABLE },
      { name: 'v2+json → 406', method: 'GET', path: '/config', headers: accept('application/vnd.schemaregistry.v2+json'), status: 406, type: null, text: NOT_ACCEPTABLE },
      { name: 'text/html → 406', method: 'GET', path: '/config', headers: accept('text/html'), status: 406, type: null, text: NOT_ACCEPTABLE },
    ]);
  });

  test("axios's default Accept (application/json, text/plain, */*) is served with a producible JSON type", async () => {
    const r = await req('GET', '/config', undefined, accept('application/json, text/plain, */*'));
    assert.equal(r.status, 200);
    assert.ok(r.type === 'application/json' || r.type === V1_JSON, String(r.type));
    assert.equal(r.text, CONFIG);
  });

  test('error bodies use the negotiated type', async (t) => {
    await table(t, [
      {
        name: '40401 as application/json',
        method: 'GET',
        path: '/subjects/neg-none/versions',
        headers: accept('application/json'),
        status: 404,
        type: 'application/json',
        error: [40401, "Subject 'neg-none' not found."],
      },
      {
        name: '40401 as vnd.schemaregistry+json',
        method: 'GET',
        path: '/subjects/neg-none/versions',
        headers: accept('application/vnd.schemaregistry+json'),
        status: 404,
        type: 'application/vnd.schemaregistry+json',
        error: [40401, "Subject 'neg-none' not found."],
      },
      { name: 'unknown route as application/json', method: 'GET', path: '/nowhere', headers: accept('application/json'), status: 404, type: 'application/json', error: NOT_FOUND },
    ]);
  });

  test('request Content-Type: the four consumed types (parameters ignored), none at all, and 415 otherwise', async (t) => {
    const body = q({ schema: rec('Ct', '{"name":"a","type":"int"}') });
    const bytes = new TextEncoder().encode(body);
    const post = (name: string, contentType: string | undefined, e: Expect, todo?: string): Case => ({
      name,
      method: 'POST',
      path: '/subjects/neg-ct/versions',
      body: contentType === undefined ? bytes : body,
      headers: contentType === undefined ? {} : { 'Content-Type': contentType },
      ...e,
      todo,
    });
    const cases: Case[] = [
      post('application/vnd.schemaregistry.v1+json', V1_JSON, { status: 200 }),
      post('application/vnd.schemaregistry+json', 'application/vnd.schemaregistry+json', { status: 200 }),
      post('application/json', 'application/json', { status: 200 }),
      post('application/json; charset=utf-8', 'application/json; charset=utf-8', { status: 200 }),
      post('application/octet-stream (parsed as JSON)', 'application/octet-stream', { status: 200 }),
      post('no Content-Type (treated as octet-stream)', undefined, { status: 200 }),
      post('text/plain → 415', 'text/plain', { status: 415, text: UNSUPPORTED }),
      post('text/html → 415', 'text/html', { status: 415, text: UNSUPPORTED }),
      post('application/xml → 415', 'application/xml', { status: 415, text: UNSUPPORTED }),
      {
        name: 'PUT /config with text/plain → 415',
        method: 'PUT',
        path: '/config/neg-ct',
        body: '{"compatibility":"NONE"}',
        headers: { 'Content-Type': 'text/plain' },
        status: 415,
        text: UNSUPPORTED,
      },
    ];
    await table(t, cases);
    // Every accepted request registered the same schema: one version.
    await check({ method: 'GET', path: '/subjects/neg-ct/versions', status: 200, text: '[1]' });
  });

  test('GET and DELETE carrying the v1 Content-Type without a body (kafkajs, Confluent JS) are served', async (t) => {
    await table(t, [
      { name: 'GET /subjects', method: 'GET', path: '/subjects/neg-ct/versions', headers: { 'Content-Type': V1_JSON }, status: 200, text: '[1]' },
      { name: 'DELETE /config/neg-none', method: 'DELETE', path: '/config/neg-none', headers: { 'Content-Type': V1_JSON }, status: 404, error: [40401, "Subject 'neg-none' not found."] },
    ]);
  });
});

// ---- §0.4: request parsing ----------------------------------------------------------------

describe('§0.4 request parsing', () => {
  const P1 = rec('P', '{"name":"a","type":"int"}');
  const P2 = rec('P', '{"name":"a","type":"int"},{"name":"b","type":"int","default":1}');
  const P3 = rec('P', '{"name":"a","type":"int"},{"name":"c","type":"int"}');
  let slashId = 0;

  test('percent-encoded subjects (%2F, %3A) are decoded everywhere', async (t) => {
    slashId = await register('team/orders-value', P1);
    await register('ns:orders-value', P1);
    const subjects = (await req('GET', '/subjects')).json() as string[];
    assert.ok(subjects.includes('team/orders-value') && subjects.includes('ns:orders-value'), q(subjects));
    await table(t, [
      { name: '%2F version entity', method: 'GET', path: '/subjects/team%2Forders-value/versions/1', status: 200, text: `{"subject":"team/orders-value","version":1,"id":${slashId},"schema":${q(P1)}}` },
      { name: '%3A version entity', method: 'GET', path: '/subjects/ns%3Aorders-value/versions/latest', status: 200, text: `{"subject":"ns:orders-value","version":1,"id":${slashId},"schema":${q(P1)}}` },
      { name: '%3a lowercase escape', method: 'GET', path: '/subjects/ns%3aorders-value/versions', status: 200, text: '[1]' },
      { name: 'raw colon', method: 'GET', path: '/subjects/ns:orders-value/versions', status: 200, text: '[1]' },
      { name: '%2F lookup', method: 'POST', path: '/subjects/team%2Forders-value', body: q({ schema: P1 }), status: 200, text: `{"subject":"team/orders-value","version":1,"id":${slashId},"schema":${q(P1)}}` },
      { name: '%2F subject config PUT', method: 'PUT', path: '/config/team%2Forders-value', body: '{"compatibility":"FULL"}', status: 200, text: '{"compatibility":"FULL"}' },
      { name: '%2F subject config GET', method: 'GET', path: '/config/team%2Forders-value', status: 200, text: '{"compatibilityLevel":"FULL"}' },
      { name: '%2F compatibility', method: 'POST', path: '/compatibility/subjects/team%2Forders-value/versions/latest', body: q({ schema: P2 }), status: 200, text: '{"is_compatible":true}' },
      { name: '%2F ids/subjects', method: 'GET', path: `/schemas/ids/${slashId}/subjects`, status: 200, text: '["ns:orders-value","team/orders-value"]' },
      { name: '%2F error message names the decoded subject', method: 'GET', path: '/subjects/no%2Fsuch/versions', status: 404, error: [40401, "Subject 'no/such' not found."] },
      { name: '%20 and unicode', method: 'GET', path: '/subjects/a%20b%C3%A9/versions', status: 404, error: [40401, "Subject 'a bé' not found."] },
    ]);
  });

  test('boolean query params: "true" in any case is true, anything else false, never an error', async (t) => {
    await register('parse-bool', P1);
    await register('parse-bool', P2);
    await check({ method: 'DELETE', path: '/subjects/parse-bool/versions/2', status: 200, text: '2' });
    await table(t, [
      { name: 'deleted=True', method: 'GET', path: '/subjects/parse-bool/versions?deleted=True', status: 200, text: '[1,2]' },
      { name: 'deleted=TRUE', method: 'GET', path: '/subjects/parse-bool/versions?deleted=TRUE', status: 200, text: '[1,2]' },
      { name: 'deleted=False', method: 'GET', path: '/subjects/parse-bool/versions?deleted=False', status: 200, text: '[1]' },
      { name: 'deleted=yes', method: 'GET', path: '/subjects/parse-bool/versions?deleted=yes', status: 200, text: '[1]' },
      { name: 'deleted=1', method: 'GET', path: '/subjects/parse-bool/versions?deleted=1', status: 200, text: '[1]' },
      { name: 'deleted= (empty)', method: 'GET', path: '/subjects/parse-bool/versions?deleted=', status: 200, text: '[1]' },
      { name: 'deleted=True on a version', method: 'GET', path: '/subjects/parse-bool/versions/2?deleted=True', status: 200, json: { subject: 'parse-bool', version: 2, id: (await idOf('parse-bool', 2)), schema: P2 } },
      { name: 'deleted=False on a version', method: 'GET', path: '/subjects/parse-bool/versions/2?deleted=False', status: 404, error: [40402, 'Version 2 not found.'] },
      { name: 'verbose=True', method: 'POST', path: '/compatibility/subjects/parse-bool/versions/latest?verbose=True', body: q({ schema: P1 }), status: 200, text: '{"is_compatible":true,"messages":[]}' },
      { name: 'verbose=False', method: 'POST', path: '/compatibility/subjects/parse-bool/versions/latest?verbose=False', body: q({ schema: P1 }), status: 200, text: '{"is_compatible":true}' },
      { name: 'verbose=yes', method: 'POST', path: '/compatibility/subjects/parse-bool/versions/latest?verbose=yes', body: q({ schema: P3 }), status: 200, text: '{"is_compatible":false}' },
      { name: 'normalize=False on register', method: 'POST', path: '/subjects/parse-bool/versions?normalize=False', body: q({ schema: P1 }), status: 200, text: `{"id":${await idOf('parse-bool', 1)}}` },
      { name: 'defaultToGlobal=True', method: 'GET', path: '/config/parse-bool?defaultToGlobal=True', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'defaultToGlobal=yes', method: 'GET', path: '/config/parse-bool?defaultToGlobal=yes', status: 404, error: [40408] },
      { name: 'permanent=TRUE', method: 'DELETE', path: '/subjects/parse-bool/versions/2?permanent=TRUE', status: 200, text: '2' },
      { name: 'permanent=False on a soft-deleted version', method: 'DELETE', path: '/subjects/parse-bool/versions/1?permanent=False', status: 200, text: '1' },
      { name: 'permanent=nope is false', method: 'DELETE', path: '/subjects/parse-bool/versions/1?permanent=nope', status: 404, error: [40406] },
    ]);
  });

  test('unknown query parameters are ignored', async (t) => {
    await register('parse-unknown', P1);
    const id = await idOf('parse-unknown', 1);
    await table(t, [
      { name: 'kafkajs name= on a version', method: 'GET', path: '/subjects/parse-unknown/versions/1?name=com.example.Ref', status: 200, text: `{"subject":"parse-unknown","version":1,"id":${id},"schema":${q(P1)}}` },
      { name: "Python's deleted_only= and subject= on /subjects", method: 'GET', path: '/subjects?deleted_only=&subject=zzz', status: 200, json: undefined, type: V1_JSON },
      { name: 'foo=bar on register', method: 'POST', path: '/subjects/parse-unknown/versions?foo=bar', body: q({ schema: P1 }), status: 200, text: `{"id":${id}}` },
      { name: 'x=1 on GET /schemas/ids', method: 'GET', path: `/schemas/ids/${id}?x=1&fetchMaxId=false`, status: 200, text: `{"schema":${q(P1)}}` },
      { name: 'repeat= on /config', method: 'GET', path: '/config?repeat=1&repeat=2', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
    ]);
    const all = (await req('GET', '/subjects?deleted_only=&subject=zzz')).json() as string[];
    assert.ok(all.includes('parse-unknown'), 'subject= is not a filter');
  });

  test('one trailing slash is tolerated', async (t) => {
    const id = await idOf('parse-unknown', 1);
    await table(t, [
      { name: 'GET /subjects/', method: 'GET', path: '/subjects/', status: 200, json: undefined },
      { name: 'GET /subjects/S/versions/', method: 'GET', path: '/subjects/parse-unknown/versions/', status: 200, text: '[1]' },
      { name: 'GET /subjects/S/versions/1/', method: 'GET', path: '/subjects/parse-unknown/versions/1/', status: 200, text: `{"subject":"parse-unknown","version":1,"id":${id},"schema":${q(P1)}}` },
      { name: 'POST /compatibility/subjects/S/versions/ (the Java client)', method: 'POST', path: '/compatibility/subjects/parse-unknown/versions/', body: q({ schema: P2 }), status: 200, text: '{"is_compatible":true}' },
      { name: 'POST /subjects/S/versions/', method: 'POST', path: '/subjects/parse-unknown/versions/', body: q({ schema: P1 }), status: 200, text: `{"id":${id}}` },
      { name: 'GET /schemas/ids/N/', method: 'GET', path: `/schemas/ids/${id}/`, status: 200, text: `{"schema":${q(P1)}}` },
      { name: 'GET /schemas/types/', method: 'GET', path: '/schemas/types/', status: 200, json: undefined },
      { name: 'GET /config/', method: 'GET', path: '/config/', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'GET /mode/', method: 'GET', path: '/mode/', status: 200, text: '{"mode":"READWRITE"}' },
    ]);
  });

  test('integer path and query params that do not convert are 404/404', async (t) => {
    await table(t, [
      { name: '/schemas/ids/abc', method: 'GET', path: '/schemas/ids/abc', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/1.5', method: 'GET', path: '/schemas/ids/1.5', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/ (empty id)', method: 'GET', path: '/schemas/ids/%20', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/2147483648 (int overflow)', method: 'GET', path: '/schemas/ids/2147483648', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/abc/schema', method: 'GET', path: '/schemas/ids/abc/schema', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/abc/subjects', method: 'GET', path: '/schemas/ids/abc/subjects', status: 404, error: NOT_FOUND },
      { name: '/schemas/ids/abc/versions', method: 'GET', path: '/schemas/ids/abc/versions', status: 404, error: NOT_FOUND },
      { name: 'offset=x on /subjects', method: 'GET', path: '/subjects?offset=x', status: 404, error: NOT_FOUND },
      { name: 'limit=1.5 on /subjects/S/versions', method: 'GET', path: '/subjects/parse-unknown/versions?limit=1.5', status: 404, error: NOT_FOUND },
      { name: 'limit=ten on /schemas', method: 'GET', path: '/schemas?limit=ten', status: 404, error: NOT_FOUND },
    ]);
  });

  test('bodies: null/empty → 422/422, malformed JSON → 400/400, wrong types → 400/400, unknown fields ignored', async (t) => {
    const id = await idOf('parse-unknown', 1);
    const withBody = (name: string, method: string, path: string, body: unknown, e: Expect): Case => ({ name, method, path, body, ...e });
    await table(t, [
      withBody('register: null body', 'POST', '/subjects/parse-body/versions', 'null', { status: 422, error: [422] }),
      withBody('register: empty body', 'POST', '/subjects/parse-body/versions', '', { status: 422, error: [422] }),
      withBody('lookup: null body', 'POST', '/subjects/parse-unknown', 'null', { status: 422, error: [422] }),
      withBody('compatibility: null body', 'POST', '/compatibility/subjects/parse-unknown/versions/latest', 'null', { status: 422, error: [422] }),
      withBody('PUT /config: null body', 'PUT', '/config', 'null', { status: 422, error: [422] }),
      withBody('PUT /config/S: empty body', 'PUT', '/config/parse-body', '', { status: 422, error: [422] }),
      withBody('PUT /mode: null body', 'PUT', '/mode', 'null', { status: 422, error: [422] }),
      withBody('PUT /mode/S: empty body', 'PUT', '/mode/parse-body', '', { status: 422, error: [422] }),
      withBody('register: malformed JSON', 'POST', '/subjects/parse-body/versions', '{"schema": ', { status: 400, error: [400] }),
      withBody('register: not JSON at all', 'POST', '/subjects/parse-body/versions', 'schema=1', { status: 400, error: [400] }),
      withBody('PUT /config: malformed JSON', 'PUT', '/config', '{compatibility: NONE}', { status: 400, error: [400] }),
      withBody('register: schema is an object', 'POST', '/subjects/parse-body/versions', q({ schema: { type: 'string' } }), { status: 400, error: [400] }),
      withBody('register: references is a string', 'POST', '/subjects/parse-body/versions', q({ schema: P1, references: 'x' }), { status: 400, error: [400] }),
      withBody('register: unknown fields ignored', 'POST', '/subjects/parse-unknown/versions', q({ schema: P1, colour: 'red', metadataX: {} }), { status: 200, text: `{"id":${id}}` }),
      withBody('register: explicit AVRO and empty references', 'POST', '/subjects/parse-unknown/versions', q({ schema: P1, schemaType: 'AVRO', references: [] }), { status: 200, text: `{"id":${id}}` }),
      withBody('register: null references', 'POST', '/subjects/parse-unknown/versions', q({ schema: P1, references: null }), { status: 200, text: `{"id":${id}}` }),
      withBody('PUT /config: unknown fields ignored', 'PUT', '/config/parse-body', q({ compatibility: 'FULL', shade: 1 }), { status: 200, text: '{"compatibility":"FULL"}' }),
    ]);
  });

  test('unknown paths are 404/404 and known paths with another method 405/405', async (t) => {
    const NOT_ALLOWED: [number, string] = [405, 'HTTP 405 Method Not Allowed'];
    await table(t, [
      { name: 'GET /nowhere', method: 'GET', path: '/nowhere', status: 404, error: NOT_FOUND },
      { name: 'GET /subjects/S/versions/1/extra', method: 'GET', path: '/subjects/parse-unknown/versions/1/extra', status: 404, error: NOT_FOUND },
      { name: 'GET /schemas/ids', method: 'GET', path: '/schemas/ids', status: 404, error: NOT_FOUND },
      { name: 'PATCH /subjects', method: 'PATCH', path: '/subjects', status: 405, error: NOT_ALLOWED },
      { name: 'DELETE /schemas/types', method: 'DELETE', path: '/schemas/types', status: 405, error: NOT_ALLOWED },
      { name: 'PUT /subjects/S/versions', method: 'PUT', path: '/subjects/parse-unknown/versions', body: q({ schema: P1 }), status: 405, error: NOT_ALLOWED },
      { name: 'POST /config', method: 'POST', path: '/config', body: '{"compatibility":"NONE"}', status: 405, error: NOT_ALLOWED },
      { name: 'GET /compatibility/subjects/S/versions/latest', method: 'GET', path: '/compatibility/subjects/parse-unknown/versions/latest', status: 405, error: NOT_ALLOWED },
    ]);
  });

  test('HEAD and OPTIONS are answered automatically for every resource (JAX-RS §3.3.5)', async (t) => {
    await t.test('HEAD /subjects/S/versions → 200, the GET headers, no body', async () => {
      const r = await req('HEAD', '/subjects/parse-unknown/versions');
      assert.equal(r.status, 200);
      assert.equal(r.type, V1_JSON);
      assert.equal(r.text, '');
    });
    await t.test('HEAD / → 200', async () => {
      assert.equal((await req('HEAD', '/')).status, 200);
    });
    await t.test('OPTIONS /subjects/S/versions → 200 with Allow listing GET and POST', async () => {
      const r = await req('OPTIONS', '/subjects/parse-unknown/versions');
      assert.equal(r.status, 200);
      const allow = (r.headers.get('allow') ?? '').split(',').map((m) => m.trim());
      assert.ok(allow.includes('GET') && allow.includes('POST'), String(r.headers.get('allow')));
    });
  });

  test('JSON numbers for string fields are coerced to text (Jackson scalar coercion), so the value is validated', async (t) => {
    await table(t, [
      { name: '{"compatibility":5} → 42203', method: 'PUT', path: '/config/parse-coerce', body: '{"compatibility":5}', status: 422, error: [42203, INVALID_LEVEL] },
      { name: '{"schema":5} → 42201', method: 'POST', path: '/subjects/parse-coerce/versions', body: '{"schema":5}', status: 422, error: [42201] },
      { name: 'a numeric string for an int field is accepted', method: 'POST', path: '/subjects/parse-unknown/versions', body: q({ schema: P1, version: '1' }), status: 200 },
    ]);
  });
});

/** The id of a subject's version (deleted ones included). */
async function idOf(subject: string, version: number): Promise<number> {
  const r = await req('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}?deleted=true`);
  assert.equal(r.status, 200, r.text);
  return (r.json() as { id: number }).id;
}

// ---- §1.2–1.7: every endpoint's success body ---------------------------------------------

describe('§1 endpoints: success bodies', () => {
  const E1 = rec('Ep', '{"name":"a","type":"int"}');
  const E2 = rec('Ep', '{"name":"a","type":"int"},{"name":"b","type":"string","default":""}');
  const HOLDER = rec('Holder', '{"name":"e","type":"Ep"}');
  const JSON_SCHEMA = '{"type":"object","properties":{"n":{"type":"number"}},"additionalProperties":false}';
  const PROTO = 'syntax = "proto3";\npackage ep;\n\nmessage Ping {\n  string text = 1;\n}\n';
  const REFS = [{ name: 'Ep', subject: 'ep-avro', version: 1 }];
  const ids = { e1: 0, e2: 0, prim: 0, json: 0, proto: 0, holder: 0 };
  let protoText = '';

  before(async () => {
    ids.e1 = await register('ep-avro', E1);
    ids.e2 = await register('ep-avro', E2);
    ids.prim = await register('ep-prim', '{"type":"string"}');
    ids.json = await register('ep-json', JSON_SCHEMA, { schemaType: 'JSON' });
    ids.proto = await register('ep-proto', PROTO, { schemaType: 'PROTOBUF' });
    ids.holder = await register('ep-ref', HOLDER, { references: REFS });
    protoText = ((await req('GET', `/schemas/ids/${ids.proto}`)).json() as { schema: string }).schema;
  });

  test('S1–S9: subjects and versions', async (t) => {
    const entity = (subject: string, version: number, id: number, schema: string, extra = '') =>
      `{"subject":"${subject}","version":${version},"id":${id}${extra},"schema":${q(schema)}}`;
    await table(t, [
      { name: 'S1 GET /subjects?subjectPrefix=ep- (sorted)', method: 'GET', path: '/subjects?subjectPrefix=ep-', status: 200, text: '["ep-avro","ep-json","ep-prim","ep-proto","ep-ref"]' },
      { name: 'S1 offset/limit', method: 'GET', path: '/subjects?subjectPrefix=ep-&offset=1&limit=2', status: 200, text: '["ep-json","ep-prim"]' },
      { name: 'S1 no match → []', method: 'GET', path: '/subjects?subjectPrefix=zz-none', status: 200, text: '[]' },
      { name: 'S2 GET versions', method: 'GET', path: '/subjects/ep-avro/versions', status: 200, text: '[1,2]' },
      { name: 'S2 deletedOnly with nothing deleted → []', method: 'GET', path: '/subjects/ep-avro/versions?deletedOnly=true', status: 200, text: '[]' },
      { name: 'S3 register → {"id":N} only', method: 'POST', path: '/subjects/ep-avro/versions', body: q({ schema: E2 }), status: 200, text: `{"id":${ids.e2}}` },
      { name: 'S4 Avro entity (no schemaType)', method: 'GET', path: '/subjects/ep-avro/versions/1', status: 200, text: entity('ep-avro', 1, ids.e1, E1) },
      { name: 'S4 latest', method: 'GET', path: '/subjects/ep-avro/versions/latest', status: 200, text: entity('ep-avro', 2, ids.e2, E2) },
      { name: 'S4 LATEST (any case)', method: 'GET', path: '/subjects/ep-avro/versions/LATEST', status: 200, text: entity('ep-avro', 2, ids.e2, E2) },
      { name: 'S4 -1 is latest', method: 'GET', path: '/subjects/ep-avro/versions/-1', status: 200, text: entity('ep-avro', 2, ids.e2, E2) },
      { name: 'S4 Avro primitive canonicalised', method: 'GET', path: '/subjects/ep-prim/versions/1', status: 200, text: entity('ep-prim', 1, ids.prim, '"string"') },
      { name: 'S4 JSON entity with schemaType', method: 'GET', path: '/subjects/ep-json/versions/1', status: 200, text: entity('ep-json', 1, ids.json, JSON_SCHEMA, ',"schemaType":"JSON"') },
      { name: 'S4 PROTOBUF entity', method: 'GET', path: '/subjects/ep-proto/versions/1', status: 200, text: entity('ep-proto', 1, ids.proto, protoText, ',"schemaType":"PROTOBUF"') },
      { name: 'S4 references', method: 'GET', path: '/subjects/ep-ref/versions/1', status: 200, text: entity('ep-ref', 1, ids.holder, HOLDER, `,"references":${q(REFS)}`) },
      { name: 'S5 raw Avro record', method: 'GET', path: '/subjects/ep-avro/versions/1/schema', status: 200, text: E1 },
      { name: 'S5 raw Avro primitive keeps its quotes', method: 'GET', path: '/subjects/ep-prim/versions/latest/schema', status: 200, text: '"string"' },
      { name: 'S5 raw JSON Schema', method: 'GET', path: '/subjects/ep-json/versions/1/schema', status: 200, text: JSON_SCHEMA },
      { name: 'S5 raw Protobuf (not JSON) under the JSON type', method: 'GET', path: '/subjects/ep-proto/versions/1/schema', status: 200, text: protoText },
      { name: 'S6 referencedby', method: 'GET', path: '/subjects/ep-avro/versions/1/referencedby', status: 200, text: `[${ids.holder}]` },
      { name: 'S6 referencedby none → []', method: 'GET', path: '/subjects/ep-avro/versions/2/referencedby', status: 200, text: '[]' },
      { name: 'S8 lookup Avro', method: 'POST', path: '/subjects/ep-avro', body: q({ schema: E1 }), status: 200, text: entity('ep-avro', 1, ids.e1, E1) },
      { name: 'S8 lookup with whitespace answers the canonical text', method: 'POST', path: '/subjects/ep-avro', body: q({ schema: JSON.stringify(JSON.parse(E1), null, 2) }), status: 200, text: entity('ep-avro', 1, ids.e1, E1) },
      { name: 'S8 lookup JSON', method: 'POST', path: '/subjects/ep-json', body: q({ schema: JSON_SCHEMA, schemaType: 'JSON' }), status: 200, text: entity('ep-json', 1, ids.json, JSON_SCHEMA, ',"schemaType":"JSON"') },
      { name: 'S8 lookup with references', method: 'POST', path: '/subjects/ep-ref', body: q({ schema: HOLDER, references: REFS }), status: 200, text: entity('ep-ref', 1, ids.holder, HOLDER, `,"references":${q(REFS)}`) },
    ]);
    assert.notEqual(protoText, '');
    assert.match(protoText, /message Ping/);
  });

  test('S7/S9: deletes answer bare numbers and arrays', async (t) => {
    await register('ep-del', E1);
    await register('ep-del', E2);
    await register('ep-del', rec('Ep', '{"name":"a","type":"int"},{"name":"b","type":"string","default":""},{"name":"c","type":"int","default":0}'));
    await table(t, [
      { name: 'S7 DELETE version → 1', method: 'DELETE', path: '/subjects/ep-del/versions/1', status: 200, text: '1' },
      { name: 'S7 DELETE latest → the resolved number', method: 'DELETE', path: '/subjects/ep-del/versions/latest', status: 200, text: '3' },
      { name: 'S2 deletedOnly', method: 'GET', path: '/subjects/ep-del/versions?deletedOnly=true', status: 200, text: '[1,3]' },
      { name: 'S2 deletedOnly wins over deleted', method: 'GET', path: '/subjects/ep-del/versions?deleted=true&deletedOnly=true', status: 200, text: '[1,3]' },
      { name: 'S9 DELETE subject (soft) → live versions', method: 'DELETE', path: '/subjects/ep-del', status: 200, text: '[2]' },
      { name: 'S1 deleted=true includes it', method: 'GET', path: '/subjects?subjectPrefix=ep-del&deleted=true', status: 200, text: '["ep-del"]' },
      { name: 'S1 deletedOnly=true', method: 'GET', path: '/subjects?subjectPrefix=ep-&deletedOnly=true', status: 200, text: '["ep-del"]' },
      { name: 'S1 without deleted excludes it', method: 'GET', path: '/subjects?subjectPrefix=ep-del', status: 200, text: '[]' },
      { name: 'S9 DELETE subject permanent → every version', method: 'DELETE', path: '/subjects/ep-del?permanent=true', status: 200, text: '[1,2,3]' },
      { name: 'S1 deleted=true no longer lists it', method: 'GET', path: '/subjects?subjectPrefix=ep-del&deleted=true', status: 200, text: '[]' },
    ]);
  });

  test('I1–I6: schemas by id, types, listing', async (t) => {
    // Ids only grow: the newest registration holds the maximum id.
    const maxId = await register('ep-max', rec('Max', '{"name":"m","type":"int"}'));
    await table(t, [
      { name: 'I1 Avro by id: only schema', method: 'GET', path: `/schemas/ids/${ids.e1}`, status: 200, text: `{"schema":${q(E1)}}` },
      { name: 'I1 primitive', method: 'GET', path: `/schemas/ids/${ids.prim}`, status: 200, text: '{"schema":"\\"string\\""}' },
      { name: 'I1 JSON: schemaType first', method: 'GET', path: `/schemas/ids/${ids.json}`, status: 200, text: `{"schemaType":"JSON","schema":${q(JSON_SCHEMA)}}` },
      { name: 'I1 references after schema', method: 'GET', path: `/schemas/ids/${ids.holder}`, status: 200, text: `{"schema":${q(HOLDER)},"references":${q(REFS)}}` },
      { name: 'I1 subject= is not a filter', method: 'GET', path: `/schemas/ids/${ids.e1}?subject=not-a-subject`, status: 200, text: `{"schema":${q(E1)}}` },
      { name: 'I1 fetchMaxId=true', method: 'GET', path: `/schemas/ids/${ids.e1}?fetchMaxId=true`, status: 200, text: `{"schema":${q(E1)},"maxId":${maxId}}` },
      { name: 'I2 raw by id', method: 'GET', path: `/schemas/ids/${ids.e2}/schema`, status: 200, text: E2 },
      { name: 'I2 raw protobuf by id', method: 'GET', path: `/schemas/ids/${ids.proto}/schema`, status: 200, text: protoText },
      { name: 'I3 subjects of an id', method: 'GET', path: `/schemas/ids/${ids.e1}/subjects`, status: 200, text: '["ep-avro"]' },
      { name: 'I4 versions of an id', method: 'GET', path: `/schemas/ids/${ids.e1}/versions`, status: 200, text: '[{"subject":"ep-avro","version":1}]' },
      {
        name: 'I6 GET /schemas by prefix, sorted by subject then version',
        method: 'GET',
        path: '/schemas?subjectPrefix=ep-avro',
        status: 200,
        text: `[{"subject":"ep-avro","version":1,"id":${ids.e1},"schema":${q(E1)}},{"subject":"ep-avro","version":2,"id":${ids.e2},"schema":${q(E2)}}]`,
      },
      {
        name: 'I6 latestOnly',
        method: 'GET',
        path: '/schemas?subjectPrefix=ep-avro&latestOnly=true',
        status: 200,
        text: `[{"subject":"ep-avro","version":2,"id":${ids.e2},"schema":${q(E2)}}]`,
      },
      {
        name: 'I6 references and schemaType in the list',
        method: 'GET',
        path: '/schemas?subjectPrefix=ep-r',
        status: 200,
        text: `[{"subject":"ep-ref","version":1,"id":${ids.holder},"references":${q(REFS)},"schema":${q(HOLDER)}}]`,
      },
      { name: 'I6 offset/limit', method: 'GET', path: '/schemas?subjectPrefix=ep-avro&offset=1&limit=1', status: 200, text: `[{"subject":"ep-avro","version":2,"id":${ids.e2},"schema":${q(E2)}}]` },
    ]);
    const types = await check({ method: 'GET', path: '/schemas/types', status: 200 });
    assert.deepEqual([...(types.json() as string[])].sort(), ['AVRO', 'JSON', 'PROTOBUF']);
  });

  test('I3/I4 after a soft delete: [] unless deleted=true', async (t) => {
    const id = await register('ep-soft', rec('Soft', '{"name":"s","type":"int"}'));
    await check({ method: 'DELETE', path: '/subjects/ep-soft', status: 200, text: '[1]' });
    await table(t, [
      { name: 'I1 still resolvable', method: 'GET', path: `/schemas/ids/${id}`, status: 200, text: `{"schema":${q(rec('Soft', '{"name":"s","type":"int"}'))}}` },
      { name: 'I3 → []', method: 'GET', path: `/schemas/ids/${id}/subjects`, status: 200, text: '[]' },
      { name: 'I3 deleted=true', method: 'GET', path: `/schemas/ids/${id}/subjects?deleted=true`, status: 200, text: '["ep-soft"]' },
      { name: 'I4 → []', method: 'GET', path: `/schemas/ids/${id}/versions`, status: 200, text: '[]' },
      { name: 'I4 deleted=true', method: 'GET', path: `/schemas/ids/${id}/versions?deleted=true`, status: 200, text: '[{"subject":"ep-soft","version":1}]' },
      { name: 'S8 lookup deleted=true finds the soft-deleted version', method: 'POST', path: '/subjects/ep-soft?deleted=true', body: q({ schema: rec('Soft', '{"name":"s","type":"int"}') }), status: 200, text: `{"subject":"ep-soft","version":1,"id":${id},"schema":${q(rec('Soft', '{"name":"s","type":"int"}'))}}` },
    ]);
  });

  test('C1/C2: compatibility', async (t) => {
    const compatible = q({ schema: rec('Ep', '{"name":"a","type":"int"},{"name":"b","type":"string","default":""},{"name":"z","type":"int","default":0}') });
    const incompatible = q({ schema: rec('Ep', '{"name":"a","type":"string"}') });
    await table(t, [
      { name: 'C1 latest compatible', method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest', body: compatible, status: 200, text: '{"is_compatible":true}' },
      { name: 'C1 numeric version', method: 'POST', path: '/compatibility/subjects/ep-avro/versions/1', body: compatible, status: 200, text: '{"is_compatible":true}' },
      { name: 'C1 -1', method: 'POST', path: '/compatibility/subjects/ep-avro/versions/-1', body: incompatible, status: 200, text: '{"is_compatible":false}' },
      { name: 'C1 verbose compatible → messages []', method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest?verbose=true', body: compatible, status: 200, text: '{"is_compatible":true,"messages":[]}' },
      { name: 'C1 latest on an unknown subject → compatible', method: 'POST', path: '/compatibility/subjects/ep-nothing/versions/latest', body: compatible, status: 200, text: '{"is_compatible":true}' },
      { name: 'C2 all versions', method: 'POST', path: '/compatibility/subjects/ep-avro/versions', body: compatible, status: 200, text: '{"is_compatible":true}' },
      { name: 'C2 incompatible', method: 'POST', path: '/compatibility/subjects/ep-avro/versions', body: incompatible, status: 200, text: '{"is_compatible":false}' },
      { name: 'C2 unknown subject → compatible', method: 'POST', path: '/compatibility/subjects/ep-nothing/versions', body: incompatible, status: 200, text: '{"is_compatible":true}' },
      { name: 'C1 other schema type → incompatible', method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest', body: q({ schema: JSON_SCHEMA, schemaType: 'JSON' }), status: 200, text: '{"is_compatible":false}' },
    ]);
    const verbose = await check({ method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest?verbose=true', body: q({ schema: JSON_SCHEMA, schemaType: 'JSON' }), status: 200 });
    const typed = verbose.json() as { is_compatible: boolean; messages: string[] };
    assert.equal(typed.is_compatible, false);
    assert.equal(typed.messages[0], 'Incompatible because of different schema type');
    const invalid = await check({ method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest?verbose=true', body: q({ schema: '{"type":"nope"}' }), status: 200 });
    const body = invalid.json() as { is_compatible: boolean; messages: string[] };
    assert.equal(body.is_compatible, false);
    assert.equal(body.messages.length, 1);
    assert.match(body.messages[0], /^Invalid schema/);
  });

  test('G1–G6: config', async (t) => {
    await table(t, [
      { name: 'G1 GET /config default', method: 'GET', path: '/config', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'G1 defaultToGlobal has no effect globally', method: 'GET', path: '/config?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'G2 PUT /config lowercase → uppercase', method: 'PUT', path: '/config', body: '{"compatibility":"full_transitive"}', status: 200, text: '{"compatibility":"FULL_TRANSITIVE"}' },
      { name: 'G1 GET /config after PUT', method: 'GET', path: '/config', status: 200, text: '{"compatibilityLevel":"FULL_TRANSITIVE"}' },
      { name: 'G4 subject falls back with defaultToGlobal', method: 'GET', path: '/config/ep-avro?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"FULL_TRANSITIVE"}' },
      { name: 'G3 DELETE /config → previous', method: 'DELETE', path: '/config', status: 200, text: '{"compatibilityLevel":"FULL_TRANSITIVE"}' },
      { name: 'G1 reverted to the default', method: 'GET', path: '/config', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'G3 DELETE /config never set → the default', method: 'DELETE', path: '/config', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'G5 PUT /config/S (subject need not exist)', method: 'PUT', path: '/config/ep-cfg-none', body: '{"compatibility":"Forward"}', status: 200, text: '{"compatibility":"FORWARD"}' },
      { name: 'G4 GET /config/S', method: 'GET', path: '/config/ep-cfg-none', status: 200, text: '{"compatibilityLevel":"FORWARD"}' },
      { name: 'G4 subject level wins over defaultToGlobal', method: 'GET', path: '/config/ep-cfg-none?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"FORWARD"}' },
      { name: 'G6 DELETE /config/S → previous', method: 'DELETE', path: '/config/ep-cfg-none', status: 200, text: '{"compatibilityLevel":"FORWARD"}' },
      { name: 'G4 gone again', method: 'GET', path: '/config/ep-cfg-none', status: 404, error: [40408, "Subject 'ep-cfg-none' does not have subject-level compatibility configured"] },
      { name: 'G4 :.: addresses the global config', method: 'GET', path: '/config/:.:', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
    ]);
  });

  test('G5 with NONE lets an incompatible schema register; deleting the level restores the check', async () => {
    const incompatible = rec('Ep', '{"name":"a","type":"string"}');
    await check({ method: 'PUT', path: '/config/ep-avro', body: '{"compatibility":"NONE"}', status: 200, text: '{"compatibility":"NONE"}' });
    await check({ method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest', body: q({ schema: incompatible }), status: 200, text: '{"is_compatible":true}' });
    await check({ method: 'DELETE', path: '/config/ep-avro', status: 200, text: '{"compatibilityLevel":"NONE"}' });
    await check({ method: 'POST', path: '/compatibility/subjects/ep-avro/versions/latest', body: q({ schema: incompatible }), status: 200, text: '{"is_compatible":false}' });
  });

  test('M1–M6: mode', async (t) => {
    await table(t, [
      { name: 'M1 GET /mode default', method: 'GET', path: '/mode', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'M3 GET /mode/S unset', method: 'GET', path: '/mode/ep-mode', status: 404, error: [40409, "Subject 'ep-mode' does not have subject-level mode configured"] },
      { name: 'M3 defaultToGlobal', method: 'GET', path: '/mode/ep-mode?defaultToGlobal=true', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'M4 PUT /mode/S echoes as sent', method: 'PUT', path: '/mode/ep-mode', body: '{"mode":"readonly"}', status: 200, text: '{"mode":"readonly"}' },
      { name: 'M3 GET /mode/S uppercase', method: 'GET', path: '/mode/ep-mode', status: 200, text: '{"mode":"READONLY"}' },
      { name: 'M5 DELETE /mode/S → previous', method: 'DELETE', path: '/mode/ep-mode', status: 200, text: '{"mode":"READONLY"}' },
      { name: 'M5 DELETE /mode/S again → 40401', method: 'DELETE', path: '/mode/ep-mode', status: 404, error: [40401, "Subject 'ep-mode' not found."] },
      { name: 'M2 PUT /mode', method: 'PUT', path: '/mode', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'M4 READONLY_OVERRIDE', method: 'PUT', path: '/mode/ep-mode', body: '{"mode":"READONLY_OVERRIDE"}', status: 200, text: '{"mode":"READONLY_OVERRIDE"}' },
      { name: 'M4 {"mode":null} clears the subject mode → {}', method: 'PUT', path: '/mode/ep-mode', body: '{"mode":null}', status: 200, text: '{}' },
      { name: 'M3 cleared', method: 'GET', path: '/mode/ep-mode', status: 404, error: [40409, "Subject 'ep-mode' does not have subject-level mode configured"] },
      { name: 'M5 nothing left to delete', method: 'DELETE', path: '/mode/ep-mode', status: 404, error: [40401, "Subject 'ep-mode' not found."] },
      { name: 'M6 DELETE /mode → previous global', method: 'DELETE', path: '/mode', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'M1 :.: addresses the global mode', method: 'GET', path: '/mode/:.:', status: 200, text: '{"mode":"READWRITE"}' },
    ]);
  });

  test('M2 IMPORT with force, import with explicit ids, back to READWRITE', async (t) => {
    const imported = rec('Imported', '{"name":"i","type":"int"}');
    await table(t, [
      { name: 'PUT /mode/S IMPORT on a subject without schemas', method: 'PUT', path: '/mode/ep-import', body: '{"mode":"IMPORT"}', status: 200, text: '{"mode":"IMPORT"}' },
      { name: 'register with id and version', method: 'POST', path: '/subjects/ep-import/versions', body: q({ schema: imported, id: 5000, version: 7 }), status: 200, text: '{"id":5000}' },
      { name: 'the imported version', method: 'GET', path: '/subjects/ep-import/versions/7', status: 200, text: `{"subject":"ep-import","version":7,"id":5000,"schema":${q(imported)}}` },
      { name: 'the imported id', method: 'GET', path: '/schemas/ids/5000', status: 200, text: `{"schema":${q(imported)}}` },
      { name: 'IMPORT on a subject with schemas needs force', method: 'PUT', path: '/mode/ep-avro', body: '{"mode":"IMPORT"}', status: 422, error: [42205, 'Cannot import since found existing subjects'] },
      { name: 'force=true', method: 'PUT', path: '/mode/ep-avro?force=true', body: '{"mode":"IMPORT"}', status: 200, text: '{"mode":"IMPORT"}' },
      { name: 'back to READWRITE', method: 'DELETE', path: '/mode/ep-avro', status: 200, text: '{"mode":"IMPORT"}' },
      { name: 'ep-import back to READWRITE', method: 'PUT', path: '/mode/ep-import', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
    ]);
    // The id sequence moved past the imported id.
    const next = await register('ep-after-import', rec('AfterImport', '{"name":"x","type":"int"}'));
    assert.ok(next > 5000, `next id ${next}`);
  });

  test('X1–X5: contexts, root, server metadata', async (t) => {
    await table(t, [
      { name: 'X1 GET /contexts', method: 'GET', path: '/contexts', status: 200, text: '["."]' },
      { name: 'X2 GET /', method: 'GET', path: '/', status: 200, text: '{}' },
      { name: 'X3 POST /', method: 'POST', path: '/', body: '{"k":"v"}', status: 200, text: '{}' },
    ]);
    const id = await check({ method: 'GET', path: '/v1/metadata/id', status: 200 });
    const scope = id.json() as { scope: { path: unknown[]; clusters: Record<string, unknown> } };
    assert.deepEqual(Object.keys(scope), ['scope']);
    assert.deepEqual(scope.scope.path, []);
    assert.equal(typeof scope.scope.clusters['kafka-cluster'], 'string');
    assert.equal(scope.scope.clusters['schema-registry-cluster'], 'schema-registry');
    const version = await check({ method: 'GET', path: '/v1/metadata/version', status: 200 });
    const v = version.json() as { version: string; commitId: string };
    assert.deepEqual(Object.keys(v), ['version', 'commitId']);
    assert.match(v.version, /^7\.\d+\.\d+/);
    assert.ok(v.commitId.length > 0);
  });
});

// ---- §2: every error code; §2.1: which error wins ----------------------------------------

describe('§2 errors', () => {
  const A1 = rec('Er', '{"name":"a","type":"int"}');
  const A2 = rec('Er', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0}');
  const A3 = rec('Er', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0},{"name":"c","type":"int","default":0}');
  const INCOMPATIBLE = rec('Er', '{"name":"a","type":"string"}');
  const BASE = rec('Base', '{"name":"x","type":"int"}');
  const USER = rec('User', '{"name":"base","type":"Base"}');
  const BAD = '{"type":"record","name":"Bad","fields":[{"name":"x","type":"nosuchtype"}]}';
  const ids = { a1: 0, a2: 0, ro1: 0 };

  before(async () => {
    ids.a1 = await register('er-a', A1);
    ids.a2 = await register('er-a', A2);
    await register('er-base', BASE);
    await register('er-user', USER, { references: [{ name: 'Base', subject: 'er-base', version: 1 }] });
    await register('er-soft', A1);
    assert.equal((await req('DELETE', '/subjects/er-soft')).status, 200);
    await register('er-sv', A1);
    await register('er-sv', A2);
    assert.equal((await req('DELETE', '/subjects/er-sv/versions/1')).status, 200);
    ids.ro1 = await register('er-ro', A1);
    await register('er-ro', A2);
    assert.equal((await req('DELETE', '/subjects/er-ro/versions/2')).status, 200);
    assert.equal((await req('PUT', '/mode/er-ro', '{"mode":"READONLY"}')).status, 200);
  });

  test('every error code of §2 with its status and message', async (t) => {
    const reg = (subject: string, body: unknown) => ({ method: 'POST', path: `/subjects/${subject}/versions`, body: typeof body === 'string' ? body : q(body) });
    const subjectNotFound = (s: string): [number, string] => [40401, `Subject '${s}' not found.`];
    const bigDoc = 'x'.repeat(1024 * 1024 + 10);
    await table(t, [
      // 40401
      { name: '40401 GET versions of an unknown subject', method: 'GET', path: '/subjects/er-none/versions', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 GET version of an unknown subject', method: 'GET', path: '/subjects/er-none/versions/1', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 raw schema of an unknown subject', method: 'GET', path: '/subjects/er-none/versions/latest/schema', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 referencedby of an unknown subject', method: 'GET', path: '/subjects/er-none/versions/1/referencedby', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 DELETE version of an unknown subject', method: 'DELETE', path: '/subjects/er-none/versions/1', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 lookup in an unknown subject', method: 'POST', path: '/subjects/er-none', body: q({ schema: A1 }), status: 404, error: subjectNotFound('er-none') },
      { name: '40401 DELETE unknown subject', method: 'DELETE', path: '/subjects/er-none', status: 404, error: subjectNotFound('er-none') },
      { name: '40401 DELETE /config/S without subject config', method: 'DELETE', path: '/config/er-a', status: 404, error: subjectNotFound('er-a') },
      { name: '40401 DELETE /mode/S without subject mode', method: 'DELETE', path: '/mode/er-a', status: 404, error: subjectNotFound('er-a') },
      { name: '40401 versions of an all-soft-deleted subject', method: 'GET', path: '/subjects/er-soft/versions', status: 404, error: subjectNotFound('er-soft') },
      { name: '40401 GET version of an all-soft-deleted subject', method: 'GET', path: '/subjects/er-soft/versions/1', status: 404, error: subjectNotFound('er-soft') },
      { name: '40401 lookup in an all-soft-deleted subject', method: 'POST', path: '/subjects/er-soft', body: q({ schema: A1 }), status: 404, error: subjectNotFound('er-soft') },
      // 40402
      { name: '40402 missing version', method: 'GET', path: '/subjects/er-a/versions/9', status: 404, error: [40402, 'Version 9 not found.'] },
      { name: '40402 raw schema of a missing version', method: 'GET', path: '/subjects/er-a/versions/9/schema', status: 404, error: [40402, 'Version 9 not found.'] },
      { name: '40402 referencedby of a missing version', method: 'GET', path: '/subjects/er-a/versions/9/referencedby', status: 404, error: [40402, 'Version 9 not found.'] },
      { name: '40402 DELETE a missing version', method: 'DELETE', path: '/subjects/er-a/versions/9', status: 404, error: [40402, 'Version 9 not found.'] },
      { name: '40402 soft-deleted version without deleted=true', method: 'GET', path: '/subjects/er-sv/versions/1', status: 404, error: [40402, 'Version 1 not found.'] },
      { name: '40402 latest with deleted=true when only soft-deleted versions remain', method: 'GET', path: '/subjects/er-soft/versions/latest?deleted=true', status: 404, error: [40402, 'Version -1 not found.'] },
      { name: '40402 C1 with a missing numeric version', method: 'POST', path: '/compatibility/subjects/er-a/versions/9', body: q({ schema: A2 }), status: 404, error: [40402, 'Version 9 not found.'] },
      { name: '40402 C1 numeric version on an unknown subject (never 40401)', method: 'POST', path: '/compatibility/subjects/er-none/versions/1', body: q({ schema: A2 }), status: 404, error: [40402, 'Version 1 not found.'] },
      // 40403
      { name: '40403 unknown id', method: 'GET', path: '/schemas/ids/99999', status: 404, error: [40403, 'Schema 99999 not found'] },
      { name: '40403 raw schema of an unknown id (recommended over 500)', method: 'GET', path: '/schemas/ids/99999/schema', status: 404, error: [40403, 'Schema 99999 not found'] },
      { name: '40403 subjects of an unknown id', method: 'GET', path: '/schemas/ids/99999/subjects', status: 404, error: [40403, 'Schema not found'] },
      { name: '40403 versions of an unknown id', method: 'GET', path: '/schemas/ids/99999/versions', status: 404, error: [40403, 'Schema not found'] },
      { name: '40403 lookup without a match', method: 'POST', path: '/subjects/er-a', body: q({ schema: A3 }), status: 404, error: [40403, 'Schema not found'] },
      // 40404–40409
      { name: '40404 soft delete of a soft-deleted subject', method: 'DELETE', path: '/subjects/er-soft', status: 404, error: [40404, "Subject 'er-soft' was soft deleted.Set permanent=true to delete permanently"] },
      { name: '40405 permanent delete of a live subject', method: 'DELETE', path: '/subjects/er-a?permanent=true', status: 404, error: [40405, "Subject 'er-a' was not deleted first before being permanently deleted"] },
      { name: '40406 soft delete of a soft-deleted version', method: 'DELETE', path: '/subjects/er-sv/versions/1', status: 404, error: [40406, "Subject 'er-sv' Version 1 was soft deleted.Set permanent=true to delete permanently"] },
      { name: '40407 permanent delete of a live version', method: 'DELETE', path: '/subjects/er-a/versions/1?permanent=true', status: 404, error: [40407, "Subject 'er-a' Version 1 was not deleted first before being permanently deleted"] },
      { name: '40408 no subject-level compatibility', method: 'GET', path: '/config/er-a', status: 404, error: [40408, "Subject 'er-a' does not have subject-level compatibility configured"] },
      { name: '40408 also for an unknown subject', method: 'GET', path: '/config/er-none', status: 404, error: [40408, "Subject 'er-none' does not have subject-level compatibility configured"] },
      { name: '40409 no subject-level mode', method: 'GET', path: '/mode/er-a', status: 404, error: [40409, "Subject 'er-a' does not have subject-level mode configured"] },
      // 409
      { name: '409 incompatible schema', ...reg('er-a', { schema: INCOMPATIBLE }), status: 409, error: [409, /^Schema being registered is incompatible with an earlier schema for subject "er-a", details: \[\{errorType:'TYPE_MISMATCH'/] },
      // 42201
      { name: '42201 unparsable Avro', ...reg('er-new', { schema: BAD }), status: 422, error: [42201, /^Invalid schema/] },
      { name: '42201 not JSON at all', ...reg('er-new', { schema: 'not a schema' }), status: 422, error: [42201, /^Invalid schema/] },
      { name: '42201 lower-case schemaType', ...reg('er-new', { schema: A1, schemaType: 'avro' }), status: 422, error: [42201, 'Invalid schema type avro'] },
      { name: '42201 unknown schemaType', ...reg('er-new', { schema: A1, schemaType: 'XML' }), status: 422, error: [42201, 'Invalid schema type XML'] },
      { name: '42201 empty schema on a new subject', ...reg('er-new', { schema: '' }), status: 422, error: [42201, 'Empty schema'] },
      { name: '42201 absent schema on a new subject', ...reg('er-new', {}), status: 422, error: [42201, 'Empty schema'] },
      { name: '42201 invalid default', ...reg('er-new', { schema: rec('D', '{"name":"s","type":"string","default":null}') }), status: 422, error: [42201] },
      { name: '42201 unresolvable reference', ...reg('er-new', { schema: USER, references: [{ name: 'Base', subject: 'er-missing', version: 1 }] }), status: 422, error: [42201, /No schema reference found for subject "er-missing" and version 1/] },
      { name: '42201 incomplete reference', ...reg('er-new', { schema: USER, references: [{ name: 'Base', subject: 'er-base' }] }), status: 422, error: [42201, /^Invalid reference/] },
      { name: '42201 explicit version that is not the next one', ...reg('er-a', { schema: A3, version: 7 }), status: 422, error: [42201, 'Version is not one more than previous version'] },
      { name: '42201 invalid JSON Schema', ...reg('er-new', { schema: '{"type":5}', schemaType: 'JSON' }), status: 422, error: [42201] },
      { name: '42201 invalid Protobuf', ...reg('er-new', { schema: 'syntax = "proto3"; message {', schemaType: 'PROTOBUF' }), status: 422, error: [42201] },
      { name: '42201 C1 invalid schema', method: 'POST', path: '/compatibility/subjects/er-a/versions/latest', body: q({ schema: BAD }), status: 422, error: [42201, /^Invalid schema/] },
      { name: '42201 C2 invalid schema', method: 'POST', path: '/compatibility/subjects/er-a/versions', body: q({ schema: BAD }), status: 422, error: [42201, /^Invalid schema/] },
      { name: '42201 lookup of an unparsable schema', method: 'POST', path: '/subjects/er-a', body: q({ schema: BAD }), status: 422, error: [42201, /^Invalid schema/] },
      // 42202
      ...['0', '-2', 'earliest', '1.5', '2147483648'].map(
        (v): Case => ({ name: `42202 version '${v}'`, method: 'GET', path: `/subjects/er-a/versions/${v}`, status: 422, error: [42202, invalidVersion(v)] }),
      ),
      { name: '42202 on DELETE', method: 'DELETE', path: '/subjects/er-a/versions/0', status: 422, error: [42202, invalidVersion('0')] },
      { name: '42202 on C1', method: 'POST', path: '/compatibility/subjects/er-a/versions/first', body: q({ schema: A2 }), status: 422, error: [42202, invalidVersion('first')] },
      { name: '42202 on referencedby', method: 'GET', path: '/subjects/er-a/versions/x/referencedby', status: 422, error: [42202, invalidVersion('x')] },
      // 42203, 42204
      { name: '42203 PUT /config/S', method: 'PUT', path: '/config/er-a', body: '{"compatibility":"SIDEWAYS"}', status: 422, error: [42203, INVALID_LEVEL] },
      { name: '42204 PUT /mode', method: 'PUT', path: '/mode', body: '{"mode":"WRITEONLY"}', status: 422, error: [42204, INVALID_MODE] },
      { name: '42204 PUT /mode/S', method: 'PUT', path: '/mode/er-a', body: '{"mode":"sideways"}', status: 422, error: [42204, INVALID_MODE] },
      { name: '42204 PUT /mode/S without a mode key (recommended over 500)', method: 'PUT', path: '/mode/er-a', body: '{}', status: 422, error: [42204] },
      { name: '42204 FORWARD on a subject', method: 'PUT', path: '/mode/er-a', body: '{"mode":"FORWARD"}', status: 422, error: [42204] },
      // 42205
      { name: '42205 register a new schema in READONLY', ...reg('er-ro', { schema: A3 }), status: 422, error: [42205, /^Subject er-ro (in context \S+ )?is in read-only mode$/] },
      { name: '42205 DELETE a version in READONLY', method: 'DELETE', path: '/subjects/er-ro/versions/1', status: 422, error: [42205, /^Subject er-ro (in context \S+ )?is in read-only mode$/] },
      { name: '42205 DELETE the subject in READONLY', method: 'DELETE', path: '/subjects/er-ro', status: 422, error: [42205, /^Subject er-ro (in context \S+ )?is in read-only mode$/] },
      { name: '42205 PUT /config/S in READONLY', method: 'PUT', path: '/config/er-ro', body: '{"compatibility":"NONE"}', status: 422, error: [42205, /read-only mode/] },
      { name: '42205 register with an id outside IMPORT', ...reg('er-a', { schema: A3, id: 7777 }), status: 422, error: [42205, /^Subject er-a (in context \S+ )?is not in import( or forward)? mode$/] },
      { name: '42205 IMPORT switch with live schemas', method: 'PUT', path: '/mode/er-a', body: '{"mode":"IMPORT"}', status: 422, error: [42205, 'Cannot import since found existing subjects'] },
      // 42206
      { name: '42206 soft delete of a referenced version', method: 'DELETE', path: '/subjects/er-base/versions/1', status: 422, error: [42206, 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=er-base,version=1}.'] },
      { name: '42206 delete of a referenced subject', method: 'DELETE', path: '/subjects/er-base', status: 422, error: [42206, 'One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=er-base,version=1}.'] },
      // 42208
      { name: '42208 control character in the subject', ...reg('bad%01name', { schema: A1 }), status: 422, error: [42208, "The specified subject 'bad\u0001name' is not a valid."] },
      { name: '42208 DEL character', ...reg('bad%7F', { schema: A1 }), status: 422, error: [42208, "The specified subject 'bad\u007f' is not a valid."] },
      { name: '42208 reserved __GLOBAL', ...reg('__GLOBAL', { schema: A1 }), status: 422, error: [42208, "The specified subject '__GLOBAL' is not a valid."] },
      { name: '42208 reserved __EMPTY', ...reg('__EMPTY', { schema: A1 }), status: 422, error: [42208, "The specified subject '__EMPTY' is not a valid."] },
      { name: '42208 PUT /config/S', method: 'PUT', path: '/config/bad%01', body: '{"compatibility":"NONE"}', status: 422, error: [42208, "The specified subject 'bad\u0001' is not a valid."] },
      { name: '42208 PUT /mode/S', method: 'PUT', path: '/mode/bad%01', body: '{"mode":"READONLY"}', status: 422, error: [42208, "The specified subject 'bad\u0001' is not a valid."] },
      // 42209
      {
        name: '42209 schema larger than the store accepts',
        ...reg('er-big', { schema: JSON.stringify({ type: 'record', name: 'Big', doc: bigDoc, fields: [{ name: 'a', type: 'int' }] }) }),
        status: 422,
        error: [42209, 'Register operation failed because schema is too large'],
      },
      // framework errors
      { name: '400 malformed JSON', ...reg('er-new', '{"schema":'), status: 400, error: [400] },
      { name: '404 unknown path', method: 'GET', path: '/schemas/nowhere', status: 404, error: NOT_FOUND },
      { name: '405 wrong method', method: 'DELETE', path: '/contexts', status: 405, error: [405, 'HTTP 405 Method Not Allowed'] },
      { name: '406 not acceptable', method: 'GET', path: '/subjects', headers: { Accept: 'text/plain' }, status: 406, type: null, error: [406, 'HTTP 406 Not Acceptable'] },
      { name: '415 unsupported media type', ...reg('er-new', q({ schema: A1 })), headers: { 'Content-Type': 'text/html' }, status: 415, error: [415, 'HTTP 415 Unsupported Media Type'] },
      { name: '422 null body', ...reg('er-new', 'null'), status: 422, error: [422] },
    ]);
    // Nothing above registered anything.
    await check({ method: 'GET', path: '/subjects/er-new/versions', status: 404, error: [40401] });
    await check({ method: 'GET', path: '/subjects/er-a/versions', status: 200, text: '[1,2]' });
  });

  test('42205 in IMPORT: register without an id, and an id bound to another schema', async (t) => {
    await check({ method: 'PUT', path: '/mode/er-imp', body: '{"mode":"IMPORT"}', status: 200, text: '{"mode":"IMPORT"}' });
    await table(t, [
      { name: 'import id 6000', method: 'POST', path: '/subjects/er-imp/versions', body: q({ schema: A1, id: 6000, version: 1 }), status: 200, text: '{"id":6000}' },
      { name: 'register without id → 42205', method: 'POST', path: '/subjects/er-imp/versions', body: q({ schema: A2 }), status: 422, error: [42205, /^Subject er-imp (in context \S+ )?is not in read-write mode$/] },
      { name: 'the already-imported schema without id → its id', method: 'POST', path: '/subjects/er-imp/versions', body: q({ schema: A1 }), status: 200, text: '{"id":6000}' },
      { name: 'id 6000 for another schema → 42205', method: 'POST', path: '/subjects/er-imp/versions', body: q({ schema: A3, id: 6000, version: 2 }), status: 422, error: [42205, 'Overwrite new schema with id 6000 is not permitted.'] },
    ]);
    await check({ method: 'DELETE', path: '/mode/er-imp', status: 200, text: '{"mode":"IMPORT"}' });
  });

  test('§2.1 check order', async (t) => {
    const badBody = q({ schema: BAD });
    await table(t, [
      // S4/S5
      { name: 'S4: 42202 wins over an unknown subject', method: 'GET', path: '/subjects/er-none/versions/zero', status: 422, error: [42202, invalidVersion('zero')] },
      { name: 'S5: 42202 wins over an unknown subject', method: 'GET', path: '/subjects/er-none/versions/0/schema', status: 422, error: [42202, invalidVersion('0')] },
      { name: 'S4: deleted=true sees soft-deleted versions, so a missing one is 40402', method: 'GET', path: '/subjects/er-soft/versions/5?deleted=true', status: 404, error: [40402, 'Version 5 not found.'] },
      // S7
      { name: 'S7: 42202 first', method: 'DELETE', path: '/subjects/er-none/versions/abc', status: 422, error: [42202, invalidVersion('abc')] },
      { name: 'S7: 40406 before the READONLY check', method: 'DELETE', path: '/subjects/er-ro/versions/2', status: 404, error: [40406, "Subject 'er-ro' Version 2 was soft deleted.Set permanent=true to delete permanently"] },
      { name: 'S7: 40402 before the READONLY check', method: 'DELETE', path: '/subjects/er-ro/versions/9', status: 404, error: [40402, 'Version 9 not found.'] },
      { name: 'S7: 42205 before 40407', method: 'DELETE', path: '/subjects/er-ro/versions/1?permanent=true', status: 422, error: [42205, /read-only mode/] },
      { name: 'S7: 42206 before 40407', method: 'DELETE', path: '/subjects/er-base/versions/1?permanent=true', status: 422, error: [42206] },
      { name: 'S7: latest?permanent=true resolves to the newest live version → 40407', method: 'DELETE', path: '/subjects/er-a/versions/latest?permanent=true', status: 404, error: [40407, "Subject 'er-a' Version 2 was not deleted first before being permanently deleted"] },
      { name: 'S7: latest on a subject with only soft-deleted versions', method: 'DELETE', path: '/subjects/er-soft/versions/latest?permanent=true', status: 404, error: [40402] },
      // S9
      { name: 'S9: 40401 first', method: 'DELETE', path: '/subjects/er-none?permanent=true', status: 404, error: [40401, "Subject 'er-none' not found."] },
      { name: 'S9: 42205 before 40405', method: 'DELETE', path: '/subjects/er-ro?permanent=true', status: 422, error: [42205, /read-only mode/] },
      { name: 'S9: 42206 before 40405', method: 'DELETE', path: '/subjects/er-base?permanent=true', status: 422, error: [42206] },
      // S8
      { name: 'S8: 42201 even for an unknown subject', method: 'POST', path: '/subjects/er-none', body: badBody, status: 422, error: [42201, /^Invalid schema/] },
      { name: 'S8: empty schema is no match → 40401 (unknown subject)', method: 'POST', path: '/subjects/er-none', body: q({ schema: '' }), status: 404, error: [40401] },
      { name: 'S8: empty schema is no match → 40403 (known subject)', method: 'POST', path: '/subjects/er-a', body: q({ schema: '' }), status: 404, error: [40403, 'Schema not found'] },
      { name: 'S8: deleted=true makes an all-soft-deleted subject visible → 40403', method: 'POST', path: '/subjects/er-soft?deleted=true', body: q({ schema: A3 }), status: 404, error: [40403, 'Schema not found'] },
      // S3
      { name: 'S3: 42208 before 42201', method: 'POST', path: '/subjects/bad%02/versions', body: badBody, status: 422, error: [42208] },
      { name: 'S3: 42201 before the READONLY check', method: 'POST', path: '/subjects/er-ro/versions', body: badBody, status: 422, error: [42201] },
      { name: 'S3: an identical live schema answers its id even in READONLY', method: 'POST', path: '/subjects/er-ro/versions', body: q({ schema: A1 }), status: 200, text: `{"id":${ids.ro1}}` },
      { name: 'S3: 42205 before the compatibility check', method: 'POST', path: '/subjects/er-ro/versions', body: q({ schema: INCOMPATIBLE }), status: 422, error: [42205] },
      { name: 'S3: 409 before the explicit-version check', method: 'POST', path: '/subjects/er-a/versions', body: q({ schema: INCOMPATIBLE, version: 9 }), status: 409, error: [409] },
      // C1
      { name: 'C1: 42202 before the schema', method: 'POST', path: '/compatibility/subjects/er-a/versions/zero', body: badBody, status: 422, error: [42202] },
      { name: 'C1: 40402 before the schema', method: 'POST', path: '/compatibility/subjects/er-a/versions/9', body: badBody, status: 404, error: [40402, 'Version 9 not found.'] },
      { name: 'C1: 40402 on an unknown subject before the schema', method: 'POST', path: '/compatibility/subjects/er-none/versions/3', body: badBody, status: 404, error: [40402, 'Version 3 not found.'] },
      { name: 'C1: latest then the schema → 42201', method: 'POST', path: '/compatibility/subjects/er-a/versions/latest', body: badBody, status: 422, error: [42201] },
      // G5
      { name: 'G5: 42203 before 42208', method: 'PUT', path: '/config/bad%01', body: '{"compatibility":"SIDEWAYS"}', status: 422, error: [42203, INVALID_LEVEL] },
      { name: 'G5: 42203 before READONLY', method: 'PUT', path: '/config/er-ro', body: '{"compatibility":"SIDEWAYS"}', status: 422, error: [42203, INVALID_LEVEL] },
      // M4
      { name: 'M4: 42208 before 42204', method: 'PUT', path: '/mode/bad%01', body: '{"mode":"nope"}', status: 422, error: [42208] },
      { name: 'M4: mode changes are allowed in READONLY', method: 'PUT', path: '/mode/er-ro', body: '{"mode":"READONLY"}', status: 200, text: '{"mode":"READONLY"}' },
    ]);
  });

  test('READONLY still serves reads, lookups and compatibility checks', async (t) => {
    await table(t, [
      { name: 'GET version', method: 'GET', path: '/subjects/er-ro/versions/1', status: 200, text: `{"subject":"er-ro","version":1,"id":${ids.ro1},"schema":${q(A1)}}` },
      { name: 'lookup', method: 'POST', path: '/subjects/er-ro', body: q({ schema: A1 }), status: 200, text: `{"subject":"er-ro","version":1,"id":${ids.ro1},"schema":${q(A1)}}` },
      { name: 'compatibility', method: 'POST', path: '/compatibility/subjects/er-ro/versions/latest', body: q({ schema: A2 }), status: 200, text: '{"is_compatible":true}' },
      { name: 'global READONLY blocks another subject', method: 'PUT', path: '/mode', body: '{"mode":"READONLY"}', status: 200, text: '{"mode":"READONLY"}' },
      { name: 'register under global READONLY', method: 'POST', path: '/subjects/er-global-ro/versions', body: q({ schema: A1 }), status: 422, error: [42205, /read-only mode/] },
      { name: 'PUT /config under global READONLY', method: 'PUT', path: '/config', body: '{"compatibility":"NONE"}', status: 422, error: [42205] },
      { name: 'back to READWRITE', method: 'PUT', path: '/mode', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'er-ro back to READWRITE', method: 'DELETE', path: '/mode/er-ro', status: 200, text: '{"mode":"READONLY"}' },
    ]);
  });
});

// ---- §3: semantics the clients depend on ---------------------------------------------------

describe('§3 semantics', () => {
  const N = (fields: string) => rec('N', fields);
  const F_A = '{"name":"a","type":"int"}';
  const F_B = '{"name":"b","type":"int","default":1}';
  const F_C = '{"name":"c","type":"int","default":1}';

  test('§3.4 version numbering across soft and hard deletes', async (t) => {
    const id1 = await register('sem-num', N(F_A));
    await register('sem-num', N(`${F_A},${F_B}`));
    await check({ method: 'DELETE', path: '/subjects/sem-num', status: 200, text: '[1,2]' });
    const id3 = await register('sem-num', N(`${F_A},${F_C}`));
    await table(t, [
      { name: 'after soft-deleting [1,2] the next version is 3', method: 'GET', path: '/subjects/sem-num/versions', status: 200, text: '[3]' },
      { name: 'version 1 is not readable without deleted', method: 'GET', path: '/subjects/sem-num/versions/1', status: 404, error: [40402, 'Version 1 not found.'] },
      { name: 'and is with deleted=true', method: 'GET', path: '/subjects/sem-num/versions?deleted=true', status: 200, text: '[1,2,3]' },
      // Re-registering v1's schema gets version 4 and purges the soft-deleted version 1 with the same id.
      { name: 're-register the v1 schema', method: 'POST', path: '/subjects/sem-num/versions', body: q({ schema: N(F_A) }), status: 200, text: `{"id":${id1}}` },
      { name: 'the old soft-deleted version with that id is gone', method: 'GET', path: '/subjects/sem-num/versions?deleted=true', status: 200, text: '[2,3,4]' },
      { name: 'latest is version 4', method: 'GET', path: '/subjects/sem-num/versions/latest', status: 200, text: `{"subject":"sem-num","version":4,"id":${id1},"schema":${q(N(F_A))}}` },
      { name: 'version 3 kept its id', method: 'GET', path: '/subjects/sem-num/versions/3', status: 200, text: `{"subject":"sem-num","version":3,"id":${id3},"schema":${q(N(`${F_A},${F_C}`))}}` },
    ]);
    // After a permanent subject delete numbering restarts at 1.
    await check({ method: 'DELETE', path: '/subjects/sem-num', status: 200, text: '[3,4]' });
    await check({ method: 'DELETE', path: '/subjects/sem-num?permanent=true', status: 200, text: '[2,3,4]' });
    await register('sem-num', N(F_A));
    await check({ method: 'GET', path: '/subjects/sem-num/versions', status: 200, text: '[1]' });
  });

  test('§3.8 subject config survives a soft delete and goes with the last hard delete (7.9.3+ rule)', async (t) => {
    await register('sem-cfg', N(F_A));
    await table(t, [
      { name: 'set a subject level', method: 'PUT', path: '/config/sem-cfg', body: '{"compatibility":"NONE"}', status: 200, text: '{"compatibility":"NONE"}' },
      { name: 'soft delete', method: 'DELETE', path: '/subjects/sem-cfg', status: 200, text: '[1]' },
      { name: 'level still there', method: 'GET', path: '/config/sem-cfg', status: 200, text: '{"compatibilityLevel":"NONE"}' },
      { name: 'hard delete', method: 'DELETE', path: '/subjects/sem-cfg?permanent=true', status: 200, text: '[1]' },
      { name: 'level gone', method: 'GET', path: '/config/sem-cfg', status: 404, error: [40408] },
    ]);
  });

  test('§3.12 config updates: an empty update keeps the stored level; explicit null clears it', async (t) => {
    await table(t, [
      { name: 'PUT {} on a subject without config', method: 'PUT', path: '/config/sem-cfg-empty', body: '{}', status: 200, text: '{}' },
      { name: 'the global level still applies', method: 'GET', path: '/config/sem-cfg-empty?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' },
      { name: 'set FULL', method: 'PUT', path: '/config/sem-cfg-null', body: '{"compatibility":"FULL"}', status: 200, text: '{"compatibility":"FULL"}' },
      { name: 'PUT {} keeps FULL', method: 'PUT', path: '/config/sem-cfg-null', body: '{}', status: 200, text: '{"compatibility":"FULL"}' },
    ]);
    // 7.7+: an explicit null clears the field; the answer is the stored config in request shape.
    await check({ method: 'PUT', path: '/config/sem-cfg-null', body: '{"compatibility":null}', status: 200, text: '{}' });
    const cleared = await req('GET', '/config/sem-cfg-null');
    assert.notEqual(cleared.text, '{"compatibilityLevel":"FULL"}', cleared.text);
    await check({ method: 'GET', path: '/config/sem-cfg-null?defaultToGlobal=true', status: 200, text: '{"compatibilityLevel":"BACKWARD"}' });
  });

  test('§3.12 config normalize (7.4+): applied to registrations and rendered in config answers', async (t) => {
    const nested = '{"type":"record","name":"R","namespace":"x","fields":[{"name":"f","type":{"type":"record","name":"I","fields":[]}}]}';
    const normalised = '{"type":"record","name":"x.R","fields":[{"name":"f","type":{"type":"record","name":"x.I","fields":[]}}]}';
    await t.test('PUT /config/S {"normalize":true} answers the stored config', async () => {
      await check({ method: 'PUT', path: '/config/sem-nz', body: '{"normalize":true}', status: 200, text: '{"normalize":true}' });
    });
    await t.test('GET /config/S has no empty compatibilityLevel', async () => {
      const r = await req('GET', '/config/sem-nz');
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes('"compatibilityLevel":""'), r.text);
    });
    await t.test('GET /config/S renders normalize', async () => {
      // A subject config without a level reads the server default (confluent-data-contracts.md §1.4).
      await check({ method: 'GET', path: '/config/sem-nz', status: 200, text: '{"normalize":true,"compatibilityLevel":"BACKWARD"}' });
    });
    await t.test('registrations in scope are normalised', async () => {
      const id = await register('sem-nz', nested);
      await check({ method: 'GET', path: '/subjects/sem-nz/versions/1/schema', status: 200, text: normalised });
      await check({ method: 'POST', path: '/subjects/sem-nz', body: q({ schema: nested }), status: 200, text: `{"subject":"sem-nz","version":1,"id":${id},"schema":${q(normalised)}}` });
    });
    await t.test('with a level too, GET renders both', async () => {
      await check({ method: 'PUT', path: '/config/sem-nz', body: '{"compatibility":"FULL"}', status: 200, text: '{"normalize":true,"compatibility":"FULL"}' });
      await check({ method: 'GET', path: '/config/sem-nz', status: 200, text: '{"normalize":true,"compatibilityLevel":"FULL"}' });
    });
  });

  test('§3.2 identity: canonical text, normalize, references resolved inline, -1 reference version', async (t) => {
    const nested = '{"type":"record","name":"R","namespace":"x","fields":[{"name":"f","type":{"type":"record","name":"I","fields":[]}}]}';
    const normId = (await req('POST', '/subjects/sem-norm2/versions?normalize=true', q({ schema: nested }))).json() as { id: number };
    const baseId = await register('sem-base', rec('Base', '{"name":"x","type":"int"}'));
    const userId = await register('sem-user', rec('User', '{"name":"b","type":"Base"}'), { references: [{ name: 'Base', subject: 'sem-base', version: -1 }] });
    assert.notEqual(baseId, userId);
    await table(t, [
      { name: 'a normalised registration is not found by a plain lookup', method: 'POST', path: '/subjects/sem-norm2', body: q({ schema: nested }), status: 404, error: [40403, 'Schema not found'] },
      { name: 'but by a normalising lookup', method: 'POST', path: '/subjects/sem-norm2?normalize=true', body: q({ schema: nested }), status: 200, json: { subject: 'sem-norm2', version: 1, id: normId.id, schema: ((await req('GET', '/subjects/sem-norm2/versions/1')).json() as { schema: string }).schema } },
      {
        name: 'a reference to version -1 is stored resolved',
        method: 'GET',
        path: '/subjects/sem-user/versions/1',
        status: 200,
        text: `{"subject":"sem-user","version":1,"id":${userId},"references":[{"name":"Base","subject":"sem-base","version":1}],"schema":${q(rec('User', '{"name":"b","type":"Base"}'))}}`,
      },
      {
        name: 'lookup with the reference inlined matches the version',
        method: 'POST',
        path: '/subjects/sem-user',
        body: q({ schema: rec('User', `{"name":"b","type":${rec('Base', '{"name":"x","type":"int"}')}}`) }),
        status: 200,
        json: {
          subject: 'sem-user',
          version: 1,
          id: userId,
          references: [{ name: 'Base', subject: 'sem-base', version: 1 }],
          schema: rec('User', `{"name":"b","type":${rec('Base', '{"name":"x","type":"int"}')}}`),
        },
      },
      { name: 'schemaType is case-sensitive', method: 'POST', path: '/subjects/sem-type/versions', body: q({ schema: '{"type":"object"}', schemaType: 'Json' }), status: 422, error: [42201, 'Invalid schema type Json'] },
      { name: 'referencedby lists the referrer', method: 'GET', path: '/subjects/sem-base/versions/1/referencedby', status: 200, text: `[${userId}]` },
      { name: 'soft-deleting the referrer releases the reference', method: 'DELETE', path: '/subjects/sem-user', status: 200, text: '[1]' },
      { name: 'referencedby is then empty', method: 'GET', path: '/subjects/sem-base/versions/1/referencedby', status: 200, text: '[]' },
      { name: 'and the referenced version can be deleted', method: 'DELETE', path: '/subjects/sem-base/versions/1', status: 200, text: '1' },
    ]);
  });

  test('§3.11 C1 against one version, C2 and register against all (transitive levels)', async (t) => {
    await check({ method: 'PUT', path: '/config/sem-tr', body: '{"compatibility":"FORWARD_TRANSITIVE"}', status: 200, text: '{"compatibility":"FORWARD_TRANSITIVE"}' });
    await register('sem-tr', N(`${F_A},{"name":"b","type":"int"}`));
    await register('sem-tr', N(`${F_A},{"name":"b","type":"int","default":0}`));
    const dropped = q({ schema: N(F_A) });
    await table(t, [
      { name: 'C1 latest: compatible with the newest only', method: 'POST', path: '/compatibility/subjects/sem-tr/versions/latest', body: dropped, status: 200, text: '{"is_compatible":true}' },
      { name: 'C1 version 1: incompatible', method: 'POST', path: '/compatibility/subjects/sem-tr/versions/1', body: dropped, status: 200, text: '{"is_compatible":false}' },
      { name: 'C2: incompatible with the history', method: 'POST', path: '/compatibility/subjects/sem-tr/versions', body: dropped, status: 200, text: '{"is_compatible":false}' },
      { name: 'register: 409', method: 'POST', path: '/subjects/sem-tr/versions', body: dropped, status: 409, error: [409] },
      { name: 'soft-deleted versions are never compared', method: 'DELETE', path: '/subjects/sem-tr/versions/1', status: 200, text: '1' },
      { name: 'C2 after the delete: compatible', method: 'POST', path: '/compatibility/subjects/sem-tr/versions', body: dropped, status: 200, text: '{"is_compatible":true}' },
    ]);
  });

  test('§3.9 listing: Java String order, pagination edge values, Python-style parameters', async (t) => {
    for (const s of ['sem-sort-B', 'sem-sort-a', 'sem-sort-\uFB01', 'sem-sort-\u{1F600}']) await register(s, '"int"');
    await table(t, [
      // UTF-16 order: 'B' < 'a', and a surrogate pair (U+1F600) sorts before U+FB01.
      { name: 'subjects sorted by UTF-16 code units', method: 'GET', path: '/subjects?subjectPrefix=sem-sort-', status: 200, text: q(['sem-sort-B', 'sem-sort-a', 'sem-sort-\u{1F600}', 'sem-sort-\uFB01']) },
      { name: 'negative offset counts as 0, limit 0 as no limit', method: 'GET', path: '/subjects?subjectPrefix=sem-sort-&offset=-5&limit=0', status: 200, text: q(['sem-sort-B', 'sem-sort-a', 'sem-sort-\u{1F600}', 'sem-sort-\uFB01']) },
      { name: 'limit=-1 (Python) is no limit', method: 'GET', path: '/subjects?subjectPrefix=sem-sort-&deleted=False&deleted_only=False&offset=0&limit=-1', status: 200, text: q(['sem-sort-B', 'sem-sort-a', 'sem-sort-\u{1F600}', 'sem-sort-\uFB01']) },
      { name: 'offset past the end', method: 'GET', path: '/subjects?subjectPrefix=sem-sort-&offset=10', status: 200, text: '[]' },
      { name: 'versions offset/limit', method: 'GET', path: '/subjects/sem-sort-a/versions?offset=0&limit=1', status: 200, text: '[1]' },
      { name: 'ids/subjects offset/limit', method: 'GET', path: `/schemas/ids/${await idOf('sem-sort-a', 1)}/subjects?offset=1&limit=2`, status: 200, text: q(['sem-sort-a', 'sem-sort-\u{1F600}']) },
    ]);
  });

  test('§3.7 version selectors: trimmed integers and latest, -1; subjects with quotes and braces', async (t) => {
    const v1 = N(F_A);
    const v2 = N(`${F_A},${F_B}`);
    const id1 = await register('sem-sel', v1);
    const id2 = await register('sem-sel', v2);
    const entity = (version: number, id: number, schema: string) => `{"subject":"sem-sel","version":${version},"id":${id},"schema":${q(schema)}}`;
    await table(t, [
      { name: "' 1 ' (trimmed)", method: 'GET', path: '/subjects/sem-sel/versions/%201%20', status: 200, text: entity(1, id1, v1) },
      { name: "' latest ' (trimmed)", method: 'GET', path: '/subjects/sem-sel/versions/%20latest%20', status: 200, text: entity(2, id2, v2) },
      { name: '01', method: 'GET', path: '/subjects/sem-sel/versions/01', status: 200, text: entity(1, id1, v1) },
      { name: '+1', method: 'GET', path: '/subjects/sem-sel/versions/%2B1', status: 200, text: entity(1, id1, v1) },
      { name: '2147483647 is valid (and missing)', method: 'GET', path: '/subjects/sem-sel/versions/2147483647', status: 404, error: [40402, 'Version 2147483647 not found.'] },
      { name: '-0 is 0', method: 'GET', path: '/subjects/sem-sel/versions/-0', status: 422, error: [42202, invalidVersion('-0')] },
      { name: 'DELETE -1 deletes the latest', method: 'DELETE', path: '/subjects/sem-sel/versions/-1', status: 200, text: '2' },
      { name: 'latest?deleted=true is still the newest live version', method: 'GET', path: '/subjects/sem-sel/versions/latest?deleted=true', status: 200, text: entity(1, id1, v1) },
      { name: 'a subject with quotes and braces', method: 'POST', path: `/subjects/${encodeURIComponent('sem-"{q}\'')}/versions`, body: q({ schema: v1 }), status: 200, text: `{"id":${id1}}` },
      { name: 'is listed decoded', method: 'GET', path: '/subjects?subjectPrefix=sem-%22', status: 200, text: q(['sem-"{q}\'']) },
    ]);
  });

  test('§3.14 headers the SDKs send are accepted and ignored', async (t) => {
    const headers: Array<Record<string, string>> = [
      { Authorization: 'Basic dXNlcjpwYXNz' },
      { Authorization: 'Bearer token', 'target-sr-cluster': 'lsrc-1', 'Confluent-Identity-Pool-Id': 'pool-1' },
      { 'Confluent-Accept-Unknown-Properties': 'true', 'Confluent-Client-Version': 'javascript/1.10.1', 'X-Forward': 'true', 'User-Agent': '@kafkajs/confluent-schema-registry' },
    ];
    await table(
      t,
      headers.map((h, i) => ({ name: `header set ${i + 1}: ${Object.keys(h).join(', ')}`, method: 'GET', path: '/subjects/sem-sort-a/versions', headers: h, status: 200, text: '[1]' })),
    );
  });
});

describe('§3.2 canonical form and §3.13 modes', () => {
  test('Avro: the stored text is Avro\'s canonical string (attribute order, namespaces, primitives)', async (t) => {
    const cases: Array<[string, unknown, string]> = [
      [
        'record and field attribute order, full name split, custom props before aliases',
        { fields: [{ type: 'int', name: 'a', doc: 'd', default: 1, order: 'descending', aliases: ['aa'], custom: 'p' }], name: 'com.acme.User', type: 'record', doc: 'x', aliases: ['U'], extra: { k: 1 } },
        '{"type":"record","name":"User","namespace":"com.acme","doc":"x","fields":[{"name":"a","type":"int","doc":"d","default":1,"order":"descending","aliases":["aa"],"custom":"p"}],"extra":{"k":1},"aliases":["U"]}',
      ],
      [
        'inherited namespaces omitted, enum/fixed/array/map, logical types kept, ascending order dropped',
        {
          type: 'record',
          name: 'Outer',
          namespace: 'a.b',
          fields: [
            { name: 'i', type: { type: 'record', name: 'Inner', namespace: 'a.b', fields: [{ name: 'e', type: { symbols: ['X', 'Y'], type: 'enum', name: 'E', namespace: 'c', default: 'X', doc: 'e' } }] } },
            { name: 'f', type: { size: 4, type: 'fixed', name: 'F' } },
            { name: 'arr', type: { items: 'string', type: 'array' } },
            { name: 'm', type: { values: 'long', type: 'map' } },
            { name: 'u', type: { type: 'string', logicalType: 'uuid' } },
            { name: 'p', type: { type: 'long' } },
            { name: 'ord', type: 'int', order: 'ascending' },
          ],
        },
        '{"type":"record","name":"Outer","namespace":"a.b","fields":[{"name":"i","type":{"type":"record","name":"Inner","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"c","doc":"e","symbols":["X","Y"],"default":"X"}}]}},{"name":"f","type":{"type":"fixed","name":"F","size":4}},{"name":"arr","type":{"type":"array","items":"string"}},{"name":"m","type":{"type":"map","values":"long"}},{"name":"u","type":{"type":"string","logicalType":"uuid"}},{"name":"p","type":"long"},{"name":"ord","type":"int"}]}',
      ],
      ['a primitive object without properties is the bare name', { type: 'bytes' }, '"bytes"'],
    ];
    let n = 0;
    for (const [name, schema, canonical] of cases) {
      const subject = `canon-avro-${++n}`;
      await t.test(name, async () => {
        const id = await register(subject, JSON.stringify(schema, null, 2));
        await check({ method: 'GET', path: `/subjects/${subject}/versions/1/schema`, status: 200, text: canonical });
        // The canonical text itself is the same schema.
        await check({ method: 'POST', path: `/subjects/${subject}/versions`, body: q({ schema: canonical }), status: 200, text: `{"id":${id}}` });
        await check({ method: 'GET', path: `/subjects/${subject}/versions`, status: 200, text: '[1]' });
      });
    }
  });

  test('JSON Schema: compact, key order preserved; whitespace-only changes are the same schema', async () => {
    const spaced = '{ "type" : "object",\n  "properties" : { "b": {"type":"string"}, "a": {"type":"integer"} } }';
    const id = await register('canon-json', spaced, { schemaType: 'JSON' });
    const compact = '{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"}}}';
    await check({ method: 'GET', path: '/subjects/canon-json/versions/1/schema', status: 200, text: compact });
    await check({ method: 'POST', path: '/subjects/canon-json/versions', body: q({ schema: compact, schemaType: 'JSON' }), status: 200, text: `{"id":${id}}` });
    await check({ method: 'POST', path: '/subjects/canon-json', body: q({ schema: spaced, schemaType: 'JSON' }), status: 200, text: `{"subject":"canon-json","version":1,"id":${id},"schemaType":"JSON","schema":${q(compact)}}` });
  });

  test('explicit versions in a register body (7.4+): the next version is allowed, -1 means "as latest"', async (t) => {
    const v1 = rec('Ev', '{"name":"a","type":"int"}');
    const v2 = rec('Ev', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0}');
    await table(t, [
      { name: 'version 1 on a new subject', method: 'POST', path: '/subjects/canon-ver/versions', body: q({ schema: v1, version: 1 }), status: 200 },
      { name: 'version 2 next', method: 'POST', path: '/subjects/canon-ver/versions', body: q({ schema: v2, version: 2 }), status: 200 },
      { name: 'version 5 is not the next one', method: 'POST', path: '/subjects/canon-ver/versions', body: q({ schema: rec('Ev', '{"name":"a","type":"int"},{"name":"c","type":"int","default":0}'), version: 5 }), status: 422, error: [42201, 'Version is not one more than previous version'] },
      { name: 'versions', method: 'GET', path: '/subjects/canon-ver/versions', status: 200, text: '[1,2]' },
    ]);
  });

  test('a global READONLY_OVERRIDE overrides a subject READWRITE', async (t) => {
    await register('mode-ovr', rec('Ovr', '{"name":"a","type":"int"}'));
    await table(t, [
      { name: 'subject READWRITE', method: 'PUT', path: '/mode/mode-ovr', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'global READONLY_OVERRIDE', method: 'PUT', path: '/mode', body: '{"mode":"READONLY_OVERRIDE"}', status: 200, text: '{"mode":"READONLY_OVERRIDE"}' },
      { name: 'register is refused', method: 'POST', path: '/subjects/mode-ovr/versions', body: q({ schema: rec('Ovr', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0}') }), status: 422, error: [42205, /read-only mode/] },
      { name: 'delete is refused', method: 'DELETE', path: '/subjects/mode-ovr/versions/1', status: 422, error: [42205] },
      { name: 'reads still work', method: 'GET', path: '/subjects/mode-ovr/versions', status: 200, text: '[1]' },
      { name: 'global back to READWRITE', method: 'PUT', path: '/mode', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'subject mode removed', method: 'DELETE', path: '/mode/mode-ovr', status: 200, text: '{"mode":"READWRITE"}' },
    ]);
  });

  test('IMPORT: no compatibility check and (7.5+) no default validation', async (t) => {
    await check({ method: 'PUT', path: '/mode/mode-imp', body: '{"mode":"IMPORT"}', status: 200, text: '{"mode":"IMPORT"}' });
    await table(t, [
      { name: 'import v1', method: 'POST', path: '/subjects/mode-imp/versions', body: q({ schema: rec('Imp', '{"name":"a","type":"int"}'), id: 7001, version: 1 }), status: 200, text: '{"id":7001}' },
      { name: 'an incompatible v2 is imported', method: 'POST', path: '/subjects/mode-imp/versions', body: q({ schema: rec('Imp', '{"name":"a","type":"string"}'), id: 7002, version: 2 }), status: 200, text: '{"id":7002}' },
      {
        name: 'an invalid default is imported as is',
        method: 'POST',
        path: '/subjects/mode-imp/versions',
        body: q({ schema: rec('Imp', '{"name":"a","type":"string"},{"name":"s","type":"string","default":null}'), id: 7003, version: 3 }),
        status: 200,
        text: '{"id":7003}',
      },
    ]);
    await check({ method: 'DELETE', path: '/mode/mode-imp', status: 200, text: '{"mode":"IMPORT"}' });
    // Back in READWRITE the imported schema is found as it is; only new schemas get their defaults checked.
    const imported = rec('Imp', '{"name":"a","type":"string"},{"name":"s","type":"string","default":null}');
    await table(t, [
      { name: 're-registering the imported schema answers its id', method: 'POST', path: '/subjects/mode-imp/versions', body: q({ schema: imported }), status: 200, text: '{"id":7003}' },
      { name: 'looking it up finds version 3', method: 'POST', path: '/subjects/mode-imp', body: q({ schema: imported }), status: 200 },
      { name: 'a compatible new version is checked against it and registered', method: 'POST', path: '/subjects/mode-imp/versions', body: q({ schema: rec('Imp', '{"name":"a","type":"string"},{"name":"s","type":"string","default":""},{"name":"t","type":"int","default":0}') }), status: 200 },
      { name: 'a new schema with a bad default is still refused', method: 'POST', path: '/subjects/mode-imp/versions', body: q({ schema: rec('Imp', '{"name":"a","type":"string"},{"name":"u","type":"int","default":"x"}') }), status: 422, error: [42201] },
    ]);
  });

  test('switching the global mode to IMPORT (force) purges soft-deleted versions', async (t) => {
    await register('mode-purge', rec('Purge', '{"name":"a","type":"int"}'));
    await register('mode-purge', rec('Purge', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0}'));
    await check({ method: 'DELETE', path: '/subjects/mode-purge/versions/1', status: 200, text: '1' });
    await table(t, [
      { name: 'IMPORT without force is refused (live schemas exist)', method: 'PUT', path: '/mode', body: '{"mode":"IMPORT"}', status: 422, error: [42205, 'Cannot import since found existing subjects'] },
      { name: 'IMPORT with force', method: 'PUT', path: '/mode?force=true', body: '{"mode":"IMPORT"}', status: 200, text: '{"mode":"IMPORT"}' },
      { name: 'the soft-deleted version is gone', method: 'GET', path: '/subjects/mode-purge/versions?deleted=true', status: 200, text: '[2]' },
      { name: 'back to READWRITE', method: 'PUT', path: '/mode', body: '{"mode":"READWRITE"}', status: 200, text: '{"mode":"READWRITE"}' },
    ]);
  });
});

// ---- §4: request forms of confluent-kafka-python 2.x (its URLs, headers and bodies) ---------

describe('§4 confluent-kafka-python request forms', () => {
  const ACCEPT = { Accept: 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json', 'Confluent-Client-Version': 'python/2.6.0' };
  const WITH_BODY = { Accept: '*/*', 'Content-Type': 'application/vnd.schemaregistry.v1+json', 'Confluent-Client-Version': 'python/2.6.0', 'Confluent-Accept-Unknown-Properties': 'true' };
  const S1 = rec('Py', '{"name":"a","type":"int"}');
  const S2 = rec('Py', '{"name":"a","type":"int"},{"name":"b","type":"int","default":0}');

  test('every call answers as Confluent does', async (t) => {
    const registered = await req('POST', '/subjects/py-value/versions?normalize=False', q({ schema: S1, schemaType: 'AVRO', references: [] }), WITH_BODY);
    expectReply(registered, { status: 200 }, 'register_schema');
    const id = (registered.json() as { id: number }).id;
    const entity = `{"subject":"py-value","version":1,"id":${id},"schema":${q(S1)}}`;
    await table(t, [
      { name: 'register_schema again', method: 'POST', path: '/subjects/py-value/versions?normalize=False', body: q({ schema: S1, schemaType: 'AVRO', references: [] }), headers: WITH_BODY, status: 200, text: `{"id":${id}}` },
      { name: 'lookup_schema', method: 'POST', path: '/subjects/py-value?normalize=False&deleted=False', body: q({ schema: S1, schemaType: 'AVRO', references: [] }), headers: WITH_BODY, status: 200, text: entity },
      { name: 'get_latest_version', method: 'GET', path: '/subjects/py-value/versions/latest', headers: ACCEPT, status: 200, text: entity },
      { name: 'get_version', method: 'GET', path: '/subjects/py-value/versions/1?deleted=False', headers: ACCEPT, status: 200, text: entity },
      { name: 'get_versions', method: 'GET', path: '/subjects/py-value/versions?deleted=False&deleted_only=False&offset=0&limit=-1', headers: ACCEPT, status: 200, text: '[1]' },
      { name: 'get_subjects with a prefix sent as subject=', method: 'GET', path: '/subjects?deleted=False&deleted_only=False&offset=0&limit=-1&subject=py-', headers: ACCEPT, status: 200 },
      { name: 'get_schema', method: 'GET', path: `/schemas/ids/${id}?subject=py-value`, headers: ACCEPT, status: 200, text: `{"schema":${q(S1)}}` },
      { name: 'get_subjects_by_schema_id', method: 'GET', path: `/schemas/ids/${id}/subjects?offset=0&limit=-1&deleted=False`, headers: ACCEPT, status: 200, text: '["py-value"]' },
      { name: 'get_schema_versions', method: 'GET', path: `/schemas/ids/${id}/versions?offset=0&limit=-1`, headers: ACCEPT, status: 200, text: '[{"subject":"py-value","version":1}]' },
      { name: 'get_referenced_by', method: 'GET', path: '/subjects/py-value/versions/1/referencedby?offset=0&limit=-1', headers: ACCEPT, status: 200, text: '[]' },
      { name: 'test_compatibility', method: 'POST', path: '/compatibility/subjects/py-value/versions/latest?normalize=False&verbose=False', body: q({ schema: S2, schemaType: 'AVRO', references: [] }), headers: WITH_BODY, status: 200, text: '{"is_compatible":true}' },
      { name: 'test_compatibility_all_versions', method: 'POST', path: '/compatibility/subjects/py-value/versions?normalize=False&verbose=False', body: q({ schema: S2, schemaType: 'AVRO', references: [] }), headers: WITH_BODY, status: 200, text: '{"is_compatible":true}' },
      { name: 'get_schema_types', method: 'GET', path: '/schemas/types', headers: ACCEPT, status: 200 },
      { name: 'get_contexts', method: 'GET', path: '/contexts?offset=0&limit=-1', headers: ACCEPT, status: 200, text: '["."]' },
      { name: 'set_compatibility', method: 'PUT', path: '/config/py-value', body: '{"compatibility": "FULL"}', headers: WITH_BODY, status: 200, text: '{"compatibility":"FULL"}' },
      { name: 'get_compatibility', method: 'GET', path: '/config/py-value', headers: ACCEPT, status: 200, text: '{"compatibilityLevel":"FULL"}' },
      { name: 'delete_config', method: 'DELETE', path: '/config/py-value', headers: ACCEPT, status: 200, text: '{"compatibilityLevel":"FULL"}' },
      { name: 'update_mode', method: 'PUT', path: '/mode/py-value?force=False', body: '{"mode": "READONLY"}', headers: WITH_BODY, status: 200, text: '{"mode":"READONLY"}' },
      { name: 'get_mode', method: 'GET', path: '/mode/py-value', headers: ACCEPT, status: 200, text: '{"mode":"READONLY"}' },
      { name: 'delete_mode', method: 'DELETE', path: '/mode/py-value', headers: ACCEPT, status: 200, text: '{"mode":"READONLY"}' },
      { name: 'get_global_mode', method: 'GET', path: '/mode', headers: ACCEPT, status: 200, text: '{"mode":"READWRITE"}' },
      { name: 'delete_version', method: 'DELETE', path: '/subjects/py-value/versions/1', headers: ACCEPT, status: 200, text: '1' },
      { name: 'delete_version permanent', method: 'DELETE', path: '/subjects/py-value/versions/1?permanent=true', headers: ACCEPT, status: 200, text: '1' },
      { name: 'delete_subject of a now empty subject', method: 'DELETE', path: '/subjects/py-value', headers: ACCEPT, status: 404, error: [40401, "Subject 'py-value' not found."] },
    ]);
  });
});

// ---- last: a backend failure is a 5xx in Confluent's error shape ---------------------------

test('with the registry backend gone, requests fail with 500 and a 5000x error_code', async () => {
  for (const pattern of stack.gateway.patterns.values()) await pattern.close();
  const r = await req('GET', '/subjects');
  assert.equal(r.status, 500, r.text);
  const body = r.json() as { error_code: number; message: string };
  assert.deepEqual(Object.keys(body), ['error_code', 'message']);
  assert.ok([50001, 50002, 50003, 50004, 500].includes(body.error_code), `error_code ${body.error_code}`);
  assert.ok(body.message.length > 0);
  assert.equal(r.type, V1_JSON);
  // The liveness route reports the registry as not ready instead of {}.
  const root = await req('GET', '/');
  assert.notEqual(root.status, 200, `GET / → ${root.status} ${root.text}`);
});
