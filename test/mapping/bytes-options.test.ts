/**
 * The bytes options of definitions: what loading refuses (`encoding` on a non-bytes field, a raw
 * body not read `from: body`, into `*`, or beside JSON body reads, `entityTag` on a source that
 * is not a header, `textBytes` paths that do not end at a bytes field), each with its pointer
 * and message; and how entity-tag header values are read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionError } from '../../src/frontends/definition-error.js';
import { parseDefinitions } from '../../src/frontends/load-definition.js';
import { compileRouteTable } from '../../src/routing/compile-route-table.js';
import { firstEntityTag } from '../../src/mapping/request-mapper.js';

const HEAD = `name: bytes
type: REST
protos: [prism/test/v1/everything.proto]
rest:
  service: prism.test.v1.EverythingService
  routes:
`;

/** One POST route calling Echo (Everything in and out) with these params and response. */
function definition(params: string[], response?: string, extra: readonly string[] = []): string {
  const lines = [`    - id: r`, `      method: POST`, `      path: /r`, `      grpc: Echo`, `      params:`, ...params.map((p) => `        - ${p}`)];
  if (response !== undefined) lines.push(`      response: ${response}`);
  for (const line of extra) lines.push(`      ${line}`);
  return HEAD + lines.join('\n') + '\n';
}

/** Loads and compiles; returns `pointer: message` of every problem (empty when it loads). */
function problemsOf(text: string): string[] {
  try {
    compileRouteTable(parseDefinitions(text, 'test.yaml', process.cwd()).map((loaded) => ({ loaded })));
    return [];
  } catch (err) {
    if (!(err instanceof DefinitionError)) throw err;
    return err.problems.map((p) => `${p.pointer}: ${p.message}`);
  }
}

interface Row {
  readonly name: string;
  readonly params: string[];
  readonly response?: string;
  /** More lines of the route (`key: value`). */
  readonly extra?: readonly string[];
  /** Each problem's pointer, and a piece of its message. */
  readonly problems: readonly (readonly [pointer: string, says: string])[];
}

const P = '/rest/routes/0/params';

const ROWS: readonly Row[] = [
  { name: 'the accepted forms load', params: ['{ from: body, to: f_bytes, encoding: raw }', '{ from: query.k, to: f_string }', '{ from: header.if-match, to: f_int64, entityTag: true }'], problems: [] },
  { name: 'utf8 text into a bytes field loads', params: ['{ from: query.x, to: f_bytes, encoding: utf8 }'], problems: [] },
  { name: 'utf8 into an int field', params: ['{ from: query.x, to: f_int32, encoding: utf8 }'], problems: [[`${P}/0/encoding`, "'encoding' applies to 'bytes' fields"]] },
  { name: 'encoding on a string field', params: ['{ from: query.k, to: f_string, encoding: utf8 }'], problems: [[`${P}/0/encoding`, "'encoding' applies to 'bytes' fields"]] },
  { name: 'raw into an int field', params: ['{ from: body, to: f_int32, encoding: raw }'], problems: [[`${P}/0/to`, "binds to a singular 'bytes' field"]] },
  { name: 'raw from a query parameter', params: ['{ from: query.v, to: f_bytes, encoding: raw }'], problems: [[`${P}/0/encoding`, "it needs 'from: body' (not 'query.v')"]] },
  { name: 'raw from a body field', params: ['{ from: body.v, to: f_bytes, encoding: raw }'], problems: [[`${P}/0/encoding`, "it needs 'from: body' (not 'body.v')"]] },
  { name: 'raw from a constant', params: ["{ const: 'x', to: f_bytes, encoding: raw }"], problems: [[`${P}/0/encoding`, "it needs 'from: body' (not a constant)"]] },
  { name: 'raw into the whole message', params: ['{ from: body, to: "*", encoding: raw }'], problems: [[`${P}/0/to`, "binds to one 'bytes' field, not to the whole request message"]] },
  { name: 'raw into a repeated field', params: ['{ from: body, to: r_string, encoding: raw }'], problems: [[`${P}/0/to`, "binds to a singular 'bytes' field"]] },
  {
    name: 'raw beside a JSON body read',
    params: ['{ from: body, to: f_bytes, encoding: raw }', '{ from: body.s, to: f_string }'],
    problems: [[`${P}/1/from`, 'cannot be read as JSON (params[1]) and as raw bytes (params[0])']],
  },
  {
    name: 'a bodySchema beside a raw body',
    params: ['{ from: body, to: f_bytes, encoding: raw }'],
    extra: ['bodySchema: { type: object }'],
    problems: [['/rest/routes/0/bodySchema', "reads the body raw ('encoding: raw'), so it would never be applied"]],
  },
  { name: 'entityTag on a query parameter', params: ['{ from: query.v, to: f_int64, entityTag: true }'], problems: [[`${P}/0/entityTag`, 'only a header holds entity tags']] },
  { name: 'entityTag on the body', params: ['{ from: body.v, to: f_int64, entityTag: true }'], problems: [[`${P}/0/entityTag`, 'only a header holds entity tags']] },
  { name: 'textBytes naming a string field', params: [], response: '{ textBytes: [f_string] }', problems: [['/rest/routes/0/response/textBytes/0', "'f_string' is not a bytes field"]] },
  { name: 'textBytes naming an unknown field', params: [], response: '{ textBytes: [nope] }', problems: [['/rest/routes/0/response/textBytes/0', "unknown field 'nope'"]] },
  { name: 'textBytes through a field that is not a message', params: [], response: '{ textBytes: [f_string.x] }', problems: [['/rest/routes/0/response/textBytes/0', "field 'f_string' of"]] },
];

describe('bytes options refused at load', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const params = row.params.length > 0 ? row.params : ['{ from: query.k, to: f_string }'];
      const found = problemsOf(definition(params, row.response, row.extra));
      assert.equal(found.length, row.problems.length, `problems: ${JSON.stringify(found)}`);
      row.problems.forEach(([pointer, says], i) => {
        assert.ok(found[i].startsWith(`${pointer}: `), `problem ${i} is at ${pointer}: ${found[i]}`);
        assert.ok(found[i].includes(says), `problem ${i} says "${says}": ${found[i]}`);
      });
    });
  }
});

// RFC 9110 §8.8.3 (entity-tag), §13.1.1 (If-Match lists).
const TAGS: readonly (readonly [header: unknown, read: unknown])[] = [
  ['"3"', '3'],
  ['W/"3"', '3'],
  ['"3", "4"', '3'],
  ['W/"3", "4"', '3'],
  ['  "17"  ', '17'],
  ['""', ''],
  ['*', '*'],
  ['* ', '*'],
  // Not a quoted tag: passed on for `pattern` to refuse or the coercion to fail on.
  ['3', '3'],
  ['abc', 'abc'],
  [undefined, undefined],
];

describe('entity-tag header values', () => {
  for (const [header, read] of TAGS) {
    test(`${JSON.stringify(header)} reads as ${JSON.stringify(read)}`, () => {
      assert.equal(firstEntityTag(header), read);
    });
  }
});
