/**
 * examples/confluent-schema-registry/known-differences.json, checked in both directions:
 * every listed difference really behaves as listed (against the real stack), the list is
 * well-formed and has no duplicates, and every deviation a confluent test marks as todo is
 * either a listed difference or one of the open deviations named below.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startStack, type Reply, type Stack } from './support.js';

interface KnownDifference {
  id: string;
  endpoint: string;
  behaviour: string;
  reason: string;
}

const LIST_FILE = 'examples/confluent-schema-registry/known-differences.json';
const list = JSON.parse(readFileSync(LIST_FILE, 'utf8')) as KnownDifference[];

/**
 * Deviations from Confluent that the tests mark as todo (reason "deviation: …") and that are NOT
 * deliberate: they are reported to be fixed. Remove an entry when its todo is removed.
 */
const OPEN_DEVIATIONS: string[] = [];

let stack: Stack;
const req = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => call(stack.url, method, path, { body, headers });

function assertError(r: Reply, status: number, code: number, message?: string): void {
  assert.equal(r.status, status, r.text);
  const body = r.json() as { error_code: number; message: string };
  assert.equal(body.error_code, code, r.text);
  if (message !== undefined) assert.equal(body.message, message);
}

const FRAMEWORK_404 = (r: Reply) => assertError(r, 404, 404, 'HTTP 404 Not Found');
const INT_SCHEMA = JSON.stringify({ type: 'record', name: 'Kd', fields: [{ name: 'a', type: 'int' }] });
let kdId = 0;

/** One probe per listed difference: it passes only while the difference behaves as listed. */
const probes: Record<string, () => Promise<void>> = {
  'qualified-contexts': async () => {
    assert.equal((await req('POST', '/subjects/:.kd:x/versions', { schema: INT_SCHEMA })).status, 200);
    assert.equal((await req('GET', '/contexts')).text, '["."]', 'Confluent would list ".kd"');
    assert.equal((await req('GET', '/subjects?subjectPrefix=:.kd:')).text, '[]', 'Confluent would list ":.kd:x"');
    assert.ok(((await req('GET', '/subjects')).json() as string[]).includes(':.kd:x'));
    // The same text got the default context's id, not a fresh per-context sequence.
    const lookup = (await req('POST', '/subjects/:.kd:x', { schema: INT_SCHEMA })).json() as { id: number };
    assert.equal(lookup.id, kdId);
  },
  'context-url-prefix': async () => {
    FRAMEWORK_404(await req('GET', '/contexts/.kd/subjects'));
    FRAMEWORK_404(await req('GET', '/contexts/.kd/config'));
  },
  'schema-tags': async () => {
    const jsonSchema = JSON.stringify({ type: 'object', properties: { a: { type: 'string' } } });
    const tagged = await req('POST', '/subjects/kd-json-tags/versions', {
      schemaType: 'JSON',
      schema: jsonSchema,
      schemaTagsToAdd: [{ schemaEntity: { entityPath: 'a', entityType: 'sr_field' }, tags: ['PII'] }],
    });
    assertError(tagged, 422, 42201, 'Schema tags are supported for AVRO schemas only, not JSON');
    const inline = JSON.stringify({ type: 'object', properties: { a: { type: 'string', 'confluent:tags': ['PII'] } } });
    assert.equal((await req('POST', '/subjects/kd-json-tags/versions', { schemaType: 'JSON', schema: inline })).status, 200);
    assert.ok(!('schemaTags' in ((await req('GET', '/subjects/kd-json-tags/versions/1?findTags=PII')).json() as object)), 'Confluent would list the tagged property');
    assertError(await req('POST', '/subjects/kd-json-tags/versions/1/tags', { tagsToAdd: [] }), 422, 42201, 'Schema tags are supported for AVRO schemas only, not JSON');
  },
  'config-alias': async () => {
    assert.equal((await req('PUT', '/config/kd-alias', { alias: 'kd-a' })).text, '{"alias":"kd-a"}');
    assert.equal((await req('GET', '/config/kd-alias')).text, '{"alias":"kd-a","compatibilityLevel":"BACKWARD"}');
    // Confluent would answer kd-a's versions here.
    assertError(await req('GET', '/subjects/kd-alias/versions'), 404, 40401);
    const withAliases = (await req('GET', '/schemas?subjectPrefix=kd-a&aliases=true')).json() as object[];
    assert.ok(withAliases.length === 1 && !('aliases' in withAliases[0]));
    assert.equal((await req('DELETE', '/config/kd-alias')).status, 200);
  },
  'validate-fields-reserved': async () => {
    assert.equal((await req('PUT', '/config/kd-reserved', { validateFields: true })).status, 200);
    const reserved = { properties: { 'confluent:reserved': 'a' } };
    // Confluent would answer 409: the reserved name "a" is a field of the schema.
    const r = await req('POST', '/subjects/kd-reserved/versions', { schema: INT_SCHEMA, metadata: reserved });
    assert.equal(r.status, 200, r.text);
  },
  'confluent-version-property': async () => {
    const r = await req('POST', '/subjects/kd-cv/versions', { schema: INT_SCHEMA, version: 1 });
    assert.equal(r.text, `{"id":${kdId}}`, 'Confluent would add metadata {"properties":{"confluent:version":"1"}}, a new schema');
    assert.ok(!('metadata' in ((await req('GET', '/subjects/kd-cv/versions/1')).json() as object)));
  },
  'metadata-deployment': async () => {
    FRAMEWORK_404(await req('GET', '/v1/metadata/deployment'));
  },
  'forward-mode': async () => {
    assertError(await req('PUT', '/mode', { mode: 'FORWARD' }), 422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.');
    assert.equal((await req('GET', '/mode')).text, '{"mode":"READWRITE"}');
  },
  'mode-delete-recursive': async () => {
    assert.equal((await req('PUT', '/mode/kd-rec', { mode: 'READONLY' })).status, 200);
    assert.equal((await req('DELETE', '/mode?recursive=true')).status, 200);
    assert.equal((await req('GET', '/mode/kd-rec')).text, '{"mode":"READONLY"}', 'Confluent would have removed the subject mode');
    assert.equal((await req('DELETE', '/mode/kd-rec')).status, 200);
  },
  authentication: async () => {
    assert.equal((await req('GET', '/subjects/kd-a/versions', undefined, { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' })).status, 200);
    assert.equal((await req('GET', '/subjects/kd-a/versions', undefined, { Authorization: 'Bearer not-a-token', 'target-sr-cluster': 'lsrc-x' })).status, 200);
  },
  'cp8-endpoints': async () => {
    FRAMEWORK_404(await req('GET', '/schemas/guids/4f1b2c3d-0000-0000-0000-000000000000'));
    FRAMEWORK_404(await req('GET', '/associations?resourceName=t&resourceNamespace=n'));
  },
  'raw-schema-unknown-id': async () => {
    assertError(await req('GET', '/schemas/ids/987654/schema'), 404, 40403, 'Schema 987654 not found');
  },
  'schema-pattern-engine': async () => {
    const schema = JSON.stringify({ type: 'object', patternProperties: { '^(?=a)a+$': {} } });
    const r = await req('POST', '/subjects/kd-lookahead/versions', { schemaType: 'JSON', schema });
    assertError(r, 422, 42201);
    assert.match((r.json() as { message: string }).message, /pattern "\^\(\?=a\)a\+\$" is not supported/);
  },
  'schema-work-budget': async () => {
    const members = (offset: number) => Array.from({ length: 2000 }, (_, i) => ({ type: 'string', maxLength: i + 1 + offset, ...(offset > 0 ? { minLength: 1 } : {}) }));
    assert.equal((await req('POST', '/subjects/kd-anyof/versions', { schemaType: 'JSON', schema: JSON.stringify({ anyOf: members(0) }) })).status, 200);
    const r = await req('POST', '/subjects/kd-anyof/versions', { schemaType: 'JSON', schema: JSON.stringify({ anyOf: members(5000) }) });
    assertError(r, 422, 42201);
    assert.match((r.json() as { message: string }).message, /^Invalid schema: .*work budget/);
  },
  'reference-limits': async () => {
    let below: { name: string; subject: string; version: number }[] = [];
    for (let i = 33; i >= 0; i--) {
      const subject = `kd-chain-${i}`;
      const schema = JSON.stringify({ type: 'object', properties: Object.fromEntries(below.map((r, j) => [`p${j}`, { $ref: r.name }])) });
      const r = await req('POST', `/subjects/${subject}/versions`, { schemaType: 'JSON', schema, references: below });
      if (i > 0) assert.equal(r.status, 200, r.text);
      else assertError(r, 422, 42201, 'Invalid reference: references nested deeper than 32');
      below = [{ name: `${subject}.json`, subject, version: 1 }];
    }
  },
  'mode-body-without-mode': async () => {
    assertError(await req('PUT', '/mode/kd-a', {}), 422, 42204);
    assertError(await req('PUT', '/mode', {}), 422, 42204);
  },
};

/** The texts of string literals starting with deviation and a colon (todo reasons) in `source`. */
function deviationsIn(source: string): string[] {
  return [...source.matchAll(/'deviation: ((?:[^'\\]|\\.)*)'/g)].map((m) => m[1]);
}

/** Every todo deviation in the other confluent tests. */
function todoDeviations(): Array<{ file: string; text: string }> {
  const dir = 'test/confluent';
  const found: Array<{ file: string; text: string }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.ts') && f !== 'known-differences.test.ts')) {
    for (const text of deviationsIn(readFileSync(join(dir, file), 'utf8'))) found.push({ file, text });
  }
  return found;
}

describe('known-differences.json is well-formed', () => {
  test('every entry has exactly id, endpoint, behaviour and reason, all non-empty strings', () => {
    assert.ok(Array.isArray(list) && list.length > 0);
    for (const entry of list) {
      assert.deepEqual(Object.keys(entry).sort(), ['behaviour', 'endpoint', 'id', 'reason'], JSON.stringify(entry));
      for (const key of ['id', 'endpoint', 'behaviour', 'reason'] as const) {
        assert.equal(typeof entry[key], 'string', `${entry.id}.${key}`);
        assert.ok(entry[key].trim().length > 0, `${entry.id}.${key} is empty`);
      }
    }
  });

  test('no duplicates (ids, endpoints, reasons)', () => {
    for (const key of ['id', 'endpoint', 'reason'] as const) {
      const values = list.map((e) => e[key]);
      const dupes = values.filter((v, i) => values.indexOf(v) !== i);
      assert.deepEqual(dupes, [], `duplicate ${key}`);
    }
  });

  test('every entry has a probe, and every probe an entry', () => {
    assert.deepEqual(list.map((e) => e.id).sort(), Object.keys(probes).sort());
  });

  test('every todo-marked deviation is a known difference or an open, reported deviation', () => {
    const known = new Set([...list.map((e) => e.id), ...OPEN_DEVIATIONS]);
    // The scan itself works (there may be no marker to find).
    assert.deepEqual(deviationsIn(`{ todo: 'deviation: a 42201 where Confluent\\'s 7.5 says 200' }`), ["a 42201 where Confluent\\'s 7.5 says 200"]);
    const marked = todoDeviations();
    for (const { file, text } of marked) assert.ok(known.has(text), `${file}: deviation "${text}" is neither in ${LIST_FILE} nor in OPEN_DEVIATIONS`);
    // No stale open deviations: each is still marked somewhere.
    for (const open of OPEN_DEVIATIONS) assert.ok(marked.some((m) => m.text === open), `open deviation no longer marked: ${open}`);
    assert.equal(new Set(OPEN_DEVIATIONS).size, OPEN_DEVIATIONS.length);
  });
});

describe('every listed difference behaves as listed', () => {
  before(async () => {
    stack = await startStack();
    const r = await req('POST', '/subjects/kd-a/versions', { schema: INT_SCHEMA });
    assert.equal(r.status, 200, r.text);
    kdId = (r.json() as { id: number }).id;
  });

  after(async () => {
    await stack?.close();
  });

  for (const entry of list) {
    test(`${entry.id}: ${entry.endpoint}`, async () => {
      const probe = probes[entry.id];
      assert.ok(probe, `no probe for ${entry.id}`);
      await probe();
    });
  }
});
