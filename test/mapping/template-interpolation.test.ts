/**
 * String interpolation in templates (`{ format: "…{response.id}…" }`): how a format string
 * parses (escapes, located problems), how each kind of value is written as text, which
 * references fail at load, and one round trip through a gateway (response header and body,
 * error mapping header and body).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type protobuf from 'protobufjs';
import { parseFormat, type FormatPiece } from '../../src/mapping/format-string.js';
import { compileTemplatePlan, planTemplate, type TemplateContext, type TemplateScope } from '../../src/mapping/template.js';
import { defaultJsonOptions } from '../../src/mapping/message-json.js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import type { Template } from '../../src/frontends/definition.js';
import { useGateway } from '../support/use-gateway.js';
import { frontendHead } from '../gateway/round-trip.js';

// ---- Parsing ------------------------------------------------------------------------------

const PARSED: [format: string, pieces: FormatPiece[]][] = [
  ['plain text', [{ text: 'plain text' }]],
  ['', []],
  ['/v1/todos/{response.id}', [{ text: '/v1/todos/' }, { path: 'response.id', column: 12 }]],
  ['{a.b}{c}', [{ path: 'a.b', column: 2 }, { path: 'c', column: 7 }]],
  ['{{literal}}', [{ text: '{literal}' }]],
  ['{{{x}}}', [{ text: '{' }, { path: 'x', column: 4 }, { text: '}' }]],
  ['a }} b {{', [{ text: 'a } b {' }]],
];

for (const [format, pieces] of PARSED) {
  test(`parse ${JSON.stringify(format)}`, () => {
    assert.deepEqual(parseFormat(format), { pieces, problems: [] });
  });
}

const MALFORMED: [format: string, columns: number[], message: RegExp][] = [
  ['a { b', [3], /never closed/],
  ['a } b', [3], /lone '}'/],
  ['x {} y', [3], /empty reference/],
  ['{a{b}', [3], /'\{' inside a reference/],
  ['} and {', [1, 7], /lone '}'/],
];

for (const [format, columns, message] of MALFORMED) {
  test(`parse ${JSON.stringify(format)} reports every problem with its column`, () => {
    const { problems } = parseFormat(format);
    assert.deepEqual(
      problems.map((p) => p.column),
      columns,
    );
    assert.match(problems[0].message, message);
  });
}

// ---- Rendering ----------------------------------------------------------------------------

const root: protobuf.Root = loadProtoRoot(['prism/test/v1/everything.proto']);
const Summary = root.lookupType('prism.test.v1.Summary');
const Everything = root.lookupType('prism.test.v1.Everything');
const scope: TemplateScope = { response: Summary, request: Everything, error: true, metadata: true, json: defaultJsonOptions };

function render(template: Template, ctx: TemplateContext, at: TemplateScope = scope): unknown {
  const plan = planTemplate(template, at, (code, pointer, message) => assert.fail(`${code} ${pointer}: ${message}`));
  return compileTemplatePlan(plan!, at)(ctx);
}

const decode = (type: protobuf.Type, fields: Record<string, unknown>) => type.decode(type.encode(type.fromObject(fields)).finish());

const reply = decode(Summary, {
  text: 'hello',
  big: '9223372036854775807',
  color: 'GREEN',
  numbers: [1, 2],
  received: { f_int32: -4, f_double: 1.5, f_bool: true, f_uint64: '18446744073709551615', f_bytes: Buffer.from([0, 1]), ts: { seconds: 1, nanos: 0 }, w_string: { value: 'w' } },
});
const request = decode(Everything, { f_string: 'asked', color: 'RED' });

const RENDERED: [name: string, template: Template, expected: unknown][] = [
  ['a string as it is', { format: '/v1/todos/{response.text}' }, '/v1/todos/hello'],
  ['several references and text', { format: '{response.text} ({response.color}, {request.f_string})' }, 'hello (GREEN, asked)'],
  ['an int64 in decimal, exact', { format: 'big={response.big}' }, 'big=9223372036854775807'],
  ['a uint64 in decimal, exact', { format: '{response.received.f_uint64}' }, '18446744073709551615'],
  ['an int32 and a double as JSON writes them', { format: '{response.received.f_int32}/{response.received.f_double}' }, '-4/1.5'],
  ['a bool as true/false', { format: 'done={response.received.f_bool}' }, 'done=true'],
  ['an enum by name', { format: '{request.color}' }, 'RED'],
  ['an unset enum by its zero name', { format: '[{response.received.color}]' }, '[COLOR_UNSPECIFIED]'],
  ['bytes as base64, as JSON writes them', { format: '{response.received.f_bytes}' }, 'AAE='],
  ['a timestamp as RFC 3339', { format: 'at {response.received.ts}' }, 'at 1970-01-01T00:00:01Z'],
  ['a wrapper as its value', { format: '{response.received.w_string}' }, 'w'],
  ['an unset message reference as nothing', { format: '<{response.received.w_int64}>' }, '<>'],
  ['escaped braces around a value', { format: '{{"text": "{response.text}"}}' }, '{"text": "hello"}'],
  ['only literal text', { format: 'no values' }, 'no values'],
  ['inside an object, beside other nodes', { object: { href: { format: '/s/{response.text}' }, n: { from: 'response.numbers' } } }, { href: '/s/hello', n: [1, 2] }],
  ['a value map applies to the whole string', { format: '{response.color}', map: { GREEN: 'go' } }, 'go'],
  ['a metadata value', { format: 'trace {metadata.x-trace}' }, 'trace abc'],
  ['a metadata value that is missing', { format: 'trace {metadata.nope}.' }, 'trace .'],
];

for (const [name, template, expected] of RENDERED) {
  test(`render: ${name}`, () => {
    assert.deepEqual(render(template, { response: reply, request, metadata: { 'x-trace': 'abc' } }), expected);
  });
}

test('render: each element inside `each` through `item`', () => {
  const items = decode(Summary, { items: [{ name: 'a', count: 1 }, { name: 'b', count: 2 }] });
  assert.deepEqual(render({ each: 'response.items', item: { format: '{item.name}#{item.count}' } }, { response: items }), ['a#1', 'b#2']);
  assert.deepEqual(render({ each: 'response.numbers', item: { format: 'n{item}' } }, { response: reply }), ['n1', 'n2']);
});

test('render: error fields in an error template, a metadata value sent twice as JSON text', () => {
  const errorScope: TemplateScope = { error: true, json: defaultJsonOptions };
  const error = { code: 5, codeName: 'NOT_FOUND', message: 'gone', metadata: { subject: 'orders', twice: ['a', 'b'] } };
  assert.equal(render({ format: '{error.metadata.subject} not found ({error.codeName}, {error.code})' }, { error }, errorScope), 'orders not found (NOT_FOUND, 5)');
  assert.equal(render({ format: '{error.metadata.twice}' }, { error }, errorScope), '["a","b"]');
});

// ---- Load-time errors ---------------------------------------------------------------------

const REFUSED: [name: string, template: Template, code: string, pointer: string, message: RegExp][] = [
  ['an unknown field', { format: '/x/{response.nope}' }, 'UNKNOWN_FIELD', '/format', /column 5: unknown field 'nope' in .*Summary/],
  ['an unknown root', { format: '{reply.id}' }, 'TEMPLATE', '/format', /column 2: unknown root 'reply'/],
  ['a root not available here', { format: 'x {item.name}' }, 'TEMPLATE', '/format', /'item' is only available inside 'each'/],
  ['a message', { format: '{response.received}' }, 'TYPE_MISMATCH', '/format', /'response.received' is a message \(\.prism\.test\.v1\.Everything\)/],
  ['a Struct', { format: '{response.received.attrs}' }, 'TYPE_MISMATCH', '/format', /is a message \(\.google\.protobuf\.Struct\)/],
  ['a repeated field', { format: '{response.numbers}' }, 'TYPE_MISMATCH', '/format', /'response.numbers' is a repeated field/],
  ['a map', { format: '{response.received.m_counts}' }, 'TYPE_MISMATCH', '/format', /is a map/],
  ['a misspelled error detail', { format: '{error.details.badRequest.field_violations}' }, 'UNKNOWN_FIELD', '/format', /the JSON name is 'fieldViolations'/],
  ['an error list', { format: '{error.details.badRequest.fieldViolations}' }, 'TYPE_MISMATCH', '/format', /is a list/],
  ['an error object', { format: '{error.details.errorInfo}' }, 'TYPE_MISMATCH', '/format', /is an object/],
  ['an unclosed brace', { format: '/v1/{response.text' }, 'TEMPLATE', '/format', /format '\/v1\/\{response.text', column 5: a '\{' that is never closed/],
  ['beside another node form', { format: 'x', from: 'response.text' }, 'TEMPLATE', '', /exactly one of from, const, object, each, format \(found format, from\)/],
  ['deep inside an object', { object: { a: { object: { 'b/c': { format: '{response.nope}' } } } } }, 'UNKNOWN_FIELD', '/object/a/object/b~1c/format', /unknown field 'nope'/],
];

for (const [name, template, code, pointer, message] of REFUSED) {
  test(`load: ${name} is refused where it is`, () => {
    const found: [string, string, string][] = [];
    const plan = planTemplate(template, scope, (c, p, m) => found.push([c, p, m]));
    assert.equal(plan, undefined);
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0][0], code);
    assert.equal(found[0][1], pointer);
    assert.match(found[0][2], message);
  });
}

test('load: every problem of one string is reported', () => {
  const found: string[] = [];
  planTemplate({ format: '} {response.nope} {request.f_string} {response.numbers} {' }, scope, (_c, _p, m) => found.push(m));
  assert.equal(found.length, 4, found.join('\n'));
});

// ---- Through a gateway --------------------------------------------------------------------

const gateway = useGateway({
  definition: `${frontendHead('interpolation')}  routes:
    - id: create
      method: POST
      path: /things
      grpc: Describe
      params: [{ from: body, to: '*' }]
      response:
        status: 201
        headers:
          Location: { format: '/things/{response.received.f_int32}' }
          X-Summary: { format: '{response.text}: {response.big} ({response.color})' }
        body: { object: { self: { format: '/things/{response.received.f_int32}' }, text: { from: response.text } } }
    - id: fail
      method: POST
      path: /fail
      grpc: Fail
      params: [{ from: body, to: '*' }]
      errors:
        - match: { code: NOT_FOUND }
          status: 404
          headers: { X-Missing: { format: '{error.metadata.subject}' } }
          body: { object: { message: { format: '{error.metadata.subject} not found ({error.codeName}, {{code {error.code}}})' } } }
`,
});

test('through a gateway: a Location header, another header and a body string built from the reply', async () => {
  const out = await gateway.exchange({ method: 'POST', url: '/things', body: { fInt32: 42, fString: 'made', fInt64: '9007199254740993', color: 'RED' } });
  assert.equal(out.status, 201, out.text);
  assert.equal(out.headers.location, '/things/42');
  assert.equal(out.headers['x-summary'], 'made: 9007199254740993 (RED)');
  assert.deepEqual(JSON.parse(out.text), { self: '/things/42', text: 'made' });
});

test('through a gateway: an error mapping header and message built from the error', async () => {
  const out = await gateway.exchange({ method: 'POST', url: '/fail', body: { code: 5, message: 'gone', reason: 'SUBJECT_NOT_FOUND', domain: 'd', metadata: { subject: 'orders' } } });
  assert.equal(out.status, 404, out.text);
  assert.equal(out.headers['x-missing'], 'orders');
  assert.deepEqual(JSON.parse(out.text), { message: 'orders not found (NOT_FOUND, {code 5})' });
});
