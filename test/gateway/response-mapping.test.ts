/**
 * Response mapping round trips: every ResponseMapping form. Each row sends one request, checks
 * the exact request the fixture received (Echo returns it, Describe wraps it in a Summary) and
 * the exact status, headers and body the gateway made of the reply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useGateway } from '../support/use-gateway.js';
import { assertNoInternals, assertOneCall, frontendHead, type HttpIn } from './round-trip.js';

const DEFINITION = `${frontendHead('responses')}  routes:
    - id: whole
      method: POST
      path: /whole
      grpc: Echo
      params: [{ from: body, to: '*' }]
    - id: whole-original
      method: POST
      path: /whole-original
      grpc: Echo
      params: [{ from: body, to: '*' }]
      response:
        json: { names: original }
    - id: summary
      method: POST
      path: /summary
      grpc: Describe
      params: [{ from: body, to: '*' }]
    - id: bare-array
      method: POST
      path: /numbers
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { from: response.numbers } }
    - id: bare-int64
      method: POST
      path: /big
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { from: response.big } }
    - id: bare-int64-number
      method: POST
      path: /big-number
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { from: response.big, int64: number } }
    - id: bare-string
      method: POST
      path: /text
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { from: response.text } }
    - id: bare-enum
      method: POST
      path: /color
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { from: response.color } }
    - id: raw
      method: POST
      path: /raw
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { raw: true, body: { from: response.text } }
    - id: constant
      method: POST
      path: /constant
      grpc: Echo
      params: [{ from: body, to: '*' }]
      response: { body: [1, { const: { a: null } }, x] }
    - id: template
      method: POST
      path: /template
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        body:
          object:
            id: { from: response.received.f_int32 }
            label: { from: response.text }
            kind: { from: response.color, map: { RED: red, GREEN: green } }
            constant: { const: { fixed: [1, 2] } }
            literal: 7
            meta:
              object:
                big: { from: response.big, int64: number }
                tags: { from: response.received.nested.tags }
                child: { from: response.received.nested.child }
            schemaType: { from: response.received.f_string, omitWhen: { equals: AVRO } }
            note: { from: response.received.w_string, default: none }
            name: { from: response.received.nested.name, omitWhen: empty }
            nested: { from: response.received.nested, omitWhen: 'null' }
            maybe: { from: response.received.w_int64, omitWhen: ['null', { equals: '0' }] }
            messages: { from: response.numbers, when: request.f_bool }
            echo: { from: request.f_uint32 }
    - id: each-messages
      method: POST
      path: /each-messages
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        body:
          each: response.items
          item:
            object:
              subject: { from: item.name }
              n: { from: item.count }
              tags: { each: item.tags, item: { object: { tag: { from: item } } } }
              child: { from: item.child.name, omitWhen: empty }
    - id: each-scalars
      method: POST
      path: /each-scalars
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        body: { object: { versions: { each: response.numbers }, doubled: { each: response.numbers, item: [{ from: item }, { from: item }] } } }
    - id: each-enums
      method: POST
      path: /each-enums
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { body: { object: { colors: { each: response.received.r_color, item: { from: item, map: { RED: red } } }, items: { each: response.items } } } }
    - id: header-from-text
      method: POST
      path: /header-from-text
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response: { headers: { Location: { from: response.text } }, body: { const: ok } }
    - id: status-headers
      method: POST
      path: /created
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        status: 201
        headers:
          Location: { from: response.text }
          X-Big: { from: response.big }
          X-Fixed: fixed
          X-Absent: { from: response.received.w_string }
        body: { object: { ok: true } }
---
${frontendHead('original', '  basePath: /orig\n  json: { names: original, emitDefaults: true, int64: number }\n')}  routes:
    - id: orig-whole
      method: POST
      path: /whole
      grpc: Echo
      params: [{ from: body, to: '*' }]
    - id: orig-template
      method: POST
      path: /template
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        json: { int64: string }
        body: { object: { received: { from: response.received }, big: { from: response.big } } }
`;

interface Row {
  name: string;
  req: HttpIn;
  /** What the upstream received: method and request. */
  grpc: [string, Record<string, unknown>];
  status?: number;
  /** Exact values of these response headers (undefined: must be absent). */
  headers?: Record<string, string | undefined>;
  /** The body: compared as JSON, or as exact text when `raw`. */
  text: string;
  raw?: boolean;
  todo?: string;
}

const post = (url: string, body: unknown): HttpIn => ({ method: 'POST', url, body });

/** Every field of Everything at its default, as `emitDefaults` renders it with original names. */
const ALL_DEFAULTS_ORIGINAL = {
  f_double: 0, f_float: 0, f_int32: 0, f_int64: 0, f_uint32: 0, f_uint64: 0, f_sint32: 0, f_sint64: 0,
  f_fixed32: 0, f_fixed64: 0, f_sfixed32: 0, f_sfixed64: 0, f_bool: false, f_string: '', f_bytes: '',
  color: 'COLOR_UNSPECIFIED', r_int32: [], r_string: [], r_color: [], r_nested: [], m_counts: {}, m_nested: {},
  nested: null, w_string: null, w_int64: null, w_bool: null, ts: null, dur: null, attrs: null,
};

const ROWS: Row[] = [
  // The whole message.
  {
    name: 'whole message: JSON names, defaults omitted, int64 as strings, enums by name, bytes base64',
    req: post('/whole', { f_int32: 3, f_int64: '12', fBytes: 'AAE=', color: 'RED', rString: ['a'], mCounts: { k: 1 }, nested: { name: 'n' }, fBool: false }),
    grpc: ['Echo', { f_int32: 3, f_int64: '12', f_bytes: 'AAE=', color: 'RED', r_string: ['a'], m_counts: { k: 1 }, nested: { name: 'n' }, f_bool: false }],
    text: JSON.stringify({ fInt32: 3, fInt64: '12', fBytes: 'AAE=', color: 'RED', rString: ['a'], mCounts: { k: 1 }, nested: { name: 'n' } }),
  },
  {
    name: 'whole message: original proto names declared on the route',
    req: post('/whole-original', { fInt32: 3, nested: { child: { count: 1 } }, wString: 'w' }),
    grpc: ['Echo', { f_int32: 3, nested: { child: { count: 1 } }, w_string: { value: 'w' } }],
    text: JSON.stringify({ f_int32: 3, nested: { child: { count: 1 } }, w_string: 'w' }),
  },
  {
    name: 'whole message: a nested Summary with repeated messages',
    req: post('/summary', { fString: 't', rInt32: [1, 2], fInt64: '-5', rNested: [{ name: 'a' }], color: 'GREEN' }),
    grpc: ['Describe', { f_string: 't', r_int32: [1, 2], f_int64: '-5', r_nested: [{ name: 'a' }], color: 'GREEN' }],
    text: JSON.stringify({
      received: { fInt64: '-5', fString: 't', color: 'GREEN', rInt32: [1, 2], rNested: [{ name: 'a' }] },
      text: 't', numbers: [1, 2], big: '-5', items: [{ name: 'a' }], color: 'GREEN',
    }),
  },
  {
    name: 'whole message: frontend json options (original names, emitDefaults, int64 as numbers)',
    req: post('/orig/whole', { fInt64: '42', fUint64: '9007199254740993' }),
    grpc: ['Echo', { f_int64: '42', f_uint64: '9007199254740993' }],
    text: JSON.stringify({ ...ALL_DEFAULTS_ORIGINAL, f_int64: 42, f_uint64: '9007199254740993' }),
  },
  {
    name: 'whole message: emitDefaults renders unset bytes as an empty base64 string',
    req: post('/orig/whole', {}),
    grpc: ['Echo', {}],
    text: JSON.stringify(ALL_DEFAULTS_ORIGINAL),
  },
  {
    name: 'whole message: emitDefaults renders an unset Struct as null like every other unset message',
    req: post('/orig/whole', { fBytes: 'AA==' }),
    grpc: ['Echo', { f_bytes: 'AA==' }],
    text: JSON.stringify({ ...ALL_DEFAULTS_ORIGINAL, f_bytes: 'AA==' }),
  },
  {
    name: 'whole message: emitDefaults keeps a set oneof member and a proto3 optional, omits unset ones',
    req: post('/orig/whole', { choiceNumber: 0, optInt32: 0 }),
    grpc: ['Echo', { choice_number: 0, choice: 'choice_number', opt_int32: 0, _opt_int32: 'opt_int32' }],
    text: JSON.stringify({ ...ALL_DEFAULTS_ORIGINAL, choice_number: 0, opt_int32: 0 }),
  },
  {
    name: 'template under frontend options: route int64 override, nested message with original names and defaults',
    req: post('/orig/template', { fInt64: '7', nested: { name: 'x' } }),
    grpc: ['Describe', { f_int64: '7', nested: { name: 'x' } }],
    text: JSON.stringify({ received: { ...ALL_DEFAULTS_ORIGINAL, f_uint64: '0', f_sint64: '0', f_fixed64: '0', f_sfixed64: '0', f_int64: '7', nested: { name: 'x', count: 0, tags: [], child: null } }, big: '7' }),
  },
  // One field.
  { name: 'one field: a repeated field is a bare array', req: post('/numbers', { rInt32: [3, 1, 2] }), grpc: ['Describe', { r_int32: [3, 1, 2] }], text: '[3,1,2]' },
  { name: 'one field: an unset repeated field is an empty array', req: post('/numbers', {}), grpc: ['Describe', {}], text: '[]' },
  { name: 'one field: int64 is a bare JSON string by default', req: post('/big', { fInt64: '9007199254740993' }), grpc: ['Describe', { f_int64: '9007199254740993' }], text: '"9007199254740993"' },
  { name: 'one field: int64 as a number when it fits 2^53', req: post('/big-number', { fInt64: '9007199254740991' }), grpc: ['Describe', { f_int64: '9007199254740991' }], text: '9007199254740991' },
  { name: 'one field: int64 stays a string beyond 2^53 even when numbers are asked for', req: post('/big-number', { fInt64: '-9007199254740993' }), grpc: ['Describe', { f_int64: '-9007199254740993' }], text: '"-9007199254740993"' },
  { name: 'one field: int64 zero as a number', req: post('/big-number', {}), grpc: ['Describe', {}], text: '0' },
  { name: 'one field: a string is a bare JSON string', req: post('/text', { fString: 'a "quoted" é' }), grpc: ['Describe', { f_string: 'a "quoted" é' }], text: '"a \\"quoted\\" é"' },
  { name: 'one field: an enum is its name', req: post('/color', { color: 'GREEN' }), grpc: ['Describe', { color: 'GREEN' }], text: '"GREEN"' },
  { name: 'one field: an unset enum is its zero name', req: post('/color', {}), grpc: ['Describe', {}], text: '"COLOR_UNSPECIFIED"' },
  // Raw.
  { name: 'raw: a string field is the body as is', req: post('/raw', { fString: '{"not":"re-encoded"}\n' }), grpc: ['Describe', { f_string: '{"not":"re-encoded"}\n' }], headers: { 'content-type': 'application/json' }, text: '{"not":"re-encoded"}\n', raw: true },
  { name: 'raw: an empty string is an empty body', req: post('/raw', {}), grpc: ['Describe', {}], text: '', raw: true },
  // Constants.
  { name: 'constants: arrays and scalars of a template are constants, const holds any JSON', req: post('/constant', {}), grpc: ['Echo', {}], text: '[1,{"a":null},"x"]' },
  // Object templates.
  {
    name: 'object template: renames, value map, constants, nested objects, omission rules, when, default, request values',
    req: post('/template', { fInt32: 9, fString: 'JSON', color: 'RED', fInt64: '5', nested: { name: 'n', tags: ['t'], child: { name: 'c' } }, fBool: true, fUint32: 4, wInt64: '3' }),
    grpc: ['Describe', { f_int32: 9, f_string: 'JSON', color: 'RED', f_int64: '5', nested: { name: 'n', tags: ['t'], child: { name: 'c' } }, f_bool: true, f_uint32: 4, w_int64: { value: '3' } }],
    text: JSON.stringify({
      id: 9, label: 'JSON', kind: 'red', constant: { fixed: [1, 2] }, literal: 7,
      meta: { big: 5, tags: ['t'], child: { name: 'c' } },
      schemaType: 'JSON', note: 'none', name: 'n', nested: { name: 'n', tags: ['t'], child: { name: 'c' } }, maybe: '3', messages: [], echo: 4,
    }),
  },
  {
    name: 'object template: omitWhen equals / empty / null drop fields, when is false, unmapped value passes through',
    req: post('/template', { fString: 'AVRO', color: 'GREEN', wString: 'given', wInt64: '0' }),
    grpc: ['Describe', { f_string: 'AVRO', color: 'GREEN', w_string: { value: 'given' }, w_int64: { value: '0' } }],
    text: JSON.stringify({ id: 0, label: 'AVRO', kind: 'green', constant: { fixed: [1, 2] }, literal: 7, meta: { big: 0, tags: [], child: null }, note: 'given', echo: 0 }),
  },
  {
    name: 'object template: omitWhen null drops an unset wrapper; an unmapped enum name passes through',
    req: post('/template', { color: 'COLOR_UNSPECIFIED', fBool: true, rInt32: [1] }),
    grpc: ['Describe', { color: 'COLOR_UNSPECIFIED', f_bool: true, r_int32: [1] }],
    text: JSON.stringify({ id: 0, label: '', kind: 'COLOR_UNSPECIFIED', constant: { fixed: [1, 2] }, literal: 7, meta: { big: 0, tags: [], child: null }, schemaType: '', note: 'none', messages: [1], echo: 0 }),
  },
  // each.
  {
    name: 'each over repeated messages, with a nested each over a repeated scalar',
    req: post('/each-messages', { rNested: [{ name: 'a', count: 1, tags: ['x', 'y'] }, { name: 'b', child: { name: 'c' } }] }),
    grpc: ['Describe', { r_nested: [{ name: 'a', count: 1, tags: ['x', 'y'] }, { name: 'b', child: { name: 'c' } }] }],
    text: JSON.stringify([
      { subject: 'a', n: 1, tags: [{ tag: 'x' }, { tag: 'y' }] },
      { subject: 'b', n: 0, tags: [], child: 'c' },
    ]),
  },
  { name: 'each over an empty repeated field is an empty array', req: post('/each-messages', {}), grpc: ['Describe', {}], text: '[]' },
  { name: 'each over repeated scalars, item defaulting to the element', req: post('/each-scalars', { rInt32: [5, -6] }), grpc: ['Describe', { r_int32: [5, -6] }], text: '{"versions":[5,-6],"doubled":[[5,5],[-6,-6]]}' },
  {
    name: 'each over repeated enums with a value map; each without item renders whole messages',
    req: post('/each-enums', { rColor: ['RED', 'GREEN', 'RED'], rNested: [{ name: 'a', tags: ['t'] }, { count: 2, child: { name: 'c' } }] }),
    grpc: ['Describe', { r_color: ['RED', 'GREEN', 'RED'], r_nested: [{ name: 'a', tags: ['t'] }, { count: 2, child: { name: 'c' } }] }],
    text: JSON.stringify({ colors: ['red', 'GREEN', 'red'], items: [{ name: 'a', tags: ['t'] }, { count: 2, child: { name: 'c' } }] }),
  },
  // Status and headers.
  {
    name: 'declared status and headers from response fields and constants; an unset header is left out',
    req: post('/created', { fString: '/things/1', fInt64: '9007199254740993' }),
    grpc: ['Describe', { f_string: '/things/1', f_int64: '9007199254740993' }],
    status: 201,
    headers: { location: '/things/1', 'x-big': '9007199254740993', 'x-fixed': 'fixed', 'x-absent': undefined, 'content-type': 'application/json' },
    text: '{"ok":true}',
  },
];

const gateway = useGateway({ definition: DEFINITION });

for (const row of ROWS) {
  test(row.name, row.todo ? { todo: row.todo } : {}, async () => {
    const out = await gateway.exchange(row.req);
    assertNoInternals(out.text);
    assertOneCall(out, row.grpc[0], row.grpc[1]);
    assert.equal(out.status, row.status ?? 200, out.text);
    assert.equal(out.headers['content-type'], 'application/json');
    for (const [name, value] of Object.entries(row.headers ?? {})) assert.equal(out.headers[name], value, `header ${name}`);
    if (row.raw) assert.equal(out.text, row.text);
    else assert.deepEqual(JSON.parse(out.text), JSON.parse(row.text));
  });
}

test('a header value that HTTP cannot carry (a newline) leaves through the gateway error mapping, not fastify', async () => {
  const out = await gateway.exchange(post('/header-from-text', { fString: 'a\nb' }));
  assertOneCall(out, 'Describe', { f_string: 'a\nb' });
  assert.equal(out.status, 500);
  assert.doesNotMatch(out.text, /ERR_INVALID_CHAR|statusCode/);
  const body = JSON.parse(out.text) as { code?: number; details?: unknown };
  assert.equal(body.code, 13);
  assert.ok(Array.isArray(body.details));
});

test('a header value with a Latin-1 character goes out', async () => {
  const out = await gateway.exchange(post('/header-from-text', { fString: '/s/é' }));
  assertOneCall(out, 'Describe', { f_string: '/s/é' });
  assert.equal(out.status, 200);
  assert.equal(out.headers.location, '/s/\u00e9');
  assert.equal(out.text, '"ok"');
});
