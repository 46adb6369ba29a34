/**
 * One case per JSON Schema difference type of compatibility-rules.md §3.4 (and per verdict,
 * STRICT and, where it differs, LENIENT), checked at the format level as BACKWARD does it:
 * new reads old, i.e. SchemaDiff.compare(original = old, update = new).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffJsonSchemas, jsonSchemaFormat, JSON_COMPATIBLE_LENIENT, JSON_COMPATIBLE_STRICT, type JsonDifferenceType, type JsonSchemaModel } from '../../../../patterns/registry/formats/json-schema/index.js';

import { arr, cases, D2020, numb, obj, str } from './json-schema-cases.js';

function parse(json: unknown) {
  return jsonSchemaFormat.parse(JSON.stringify(json), []);
}

const roles = { reader: 'new', writer: 'old' } as const;

for (const c of cases) {
  const verdict = `${c.compatible ? 'C' : 'I'}${c.lenient === undefined ? '' : `, LENIENT ${c.lenient ? 'C' : 'I'}`}`;
  test(`JSON ${c.rule} (${verdict}): ${c.why}`, () => {
    const oldS = parse(c.old);
    const newS = parse(c.new);
    const diffs = diffJsonSchemas((oldS.model as JsonSchemaModel).root, (newS.model as JsonSchemaModel).root, JSON_COMPATIBLE_STRICT);
    const hit = diffs.find((d) => d.type === c.rule);
    assert.ok(hit, `expected ${c.rule} among ${JSON.stringify(diffs)}`);
    if (c.path !== undefined) assert.equal(hit.path, c.path);
    const strict = jsonSchemaFormat.checkReads(newS, oldS, roles);
    assert.equal(strict.length === 0, c.compatible, `STRICT: ${strict.join('\n')}`);
    if (!c.compatible && strict.length > 0) assert.ok(strict.some((m) => m.startsWith(`{errorType:"${c.rule}"`)) || diffs.some((d) => d.type !== c.rule), strict.join('\n'));
    const lenient = jsonSchemaFormat.checkReads(newS, oldS, roles, { policy: 'LENIENT' });
    assert.equal(lenient.length === 0, c.lenient ?? c.compatible, `LENIENT: ${lenient.join('\n')}`);
  });
}

// §3.2 step 5 and other "no difference at all" rules.
const noDifference: Array<[string, unknown, unknown]> = [
  ['false -> anything', false, str()],
  ['anything -> {}', str({ maxLength: 3 }), {}],
  ['anything -> true', obj({ properties: { a: str() } }), true],
  ['both connect.type bytes', { type: 'string', 'connect.type': 'bytes' }, { type: 'number', 'connect.type': 'bytes' }],
  ['$ref and an inline copy of its target', { definitions: { s: str({ maxLength: 3 }) }, $ref: '#/definitions/s' }, str({ maxLength: 3 })],
  ['unreached definitions are not compared', { definitions: { x: str() }, type: 'integer' }, { definitions: { x: numb() }, type: 'integer' }],
  ['explicit type matching the inferred one', { maxLength: 3 }, str({ maxLength: 3 })],
  ['format on a string is ignored', str(), str({ format: 'email' })],
  ['multipleOf 0.5 and 0.50 are equal', numb({ multipleOf: 0.5 }), JSON.parse('{"type":"number","multipleOf":0.50}')],
  ['readOnly, examples and $comment are ignored', str(), str({ readOnly: true, examples: ['x'], $comment: 'c' })],
  ['2019+: minContains 1 is the default that contains carries', { $schema: D2020, type: 'array', contains: str(), minContains: 1 }, { $schema: D2020, type: 'array', contains: str() }],
  ['type-array members stay distinct (object and array are two members)', { type: ['object', 'array'] }, { type: ['array', 'object'] }],
  ['anyOf member order does not matter', { anyOf: [str(), numb()] }, { anyOf: [numb(), str()] }],
];
for (const [name, oldJson, newJson] of noDifference) {
  test(`JSON no difference: ${name}`, () => {
    const diffs = diffJsonSchemas((parse(oldJson).model as JsonSchemaModel).root, (parse(newJson).model as JsonSchemaModel).root, JSON_COMPATIBLE_STRICT);
    assert.deepEqual(diffs, []);
  });
}

const messages: Array<[string, unknown, unknown, string]> = [
  ['open-model addition', obj({}), obj({ properties: { b: str() } }), `{errorType:"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:"The new schema has an open content model and has a property or item at path '#/properties/b' which is missing in the old schema'}`],
  ['value decreased', str({ maxLength: 5 }), str({ maxLength: 3 }), `{errorType:"MAX_LENGTH_DECREASED", description:"The value at path '#/maxLength' in the new schema is less than its value in the old schema'}`],
  ['keyword added', str(), str({ pattern: 'a' }), `{errorType:"PATTERN_ADDED", description:"The keyword at path '#/pattern' in the new schema is not present in the old schema'}`],
  ['closed-model removal', obj({ properties: { a: str() }, additionalProperties: false }), obj({ additionalProperties: false }), `{errorType:"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", description:"The new has a closed content model and is missing a property or item present at path '#/properties/a' in the old schema'}`],
  ['type changed in a nested property', obj({ properties: { a: str() } }), obj({ properties: { a: numb() } }), `{errorType:"TYPE_CHANGED", description:"A type at path '#/properties/a' is different between the new schema and the old schema'}`],
];
for (const [name, oldJson, newJson, expected] of messages) {
  test(`JSON message text: ${name}`, () => {
    assert.deepEqual(jsonSchemaFormat.checkReads(parse(newJson), parse(oldJson), roles), [expected]);
  });
}

test('JSON FORWARD swaps roles: an optional property added to an open object passes FORWARD', () => {
  const oldS = parse(obj({ properties: { a: str() } }));
  const newS = parse(obj({ properties: { a: str(), b: str() } }));
  assert.equal(jsonSchemaFormat.checkReads(newS, oldS, roles).length, 1);
  assert.deepEqual(jsonSchemaFormat.checkReads(oldS, newS, { reader: 'old', writer: 'new' }), []);
});

test('JSON recursive $ref schemas terminate and still find a nested change', () => {
  const node = (vType: string) => ({ definitions: { n: obj({ properties: { next: { $ref: '#/definitions/n' }, v: { type: vType } } }) }, $ref: '#/definitions/n' });
  assert.deepEqual(jsonSchemaFormat.checkReads(parse(node('integer')), parse(node('integer')), roles), []);
  const out = jsonSchemaFormat.checkReads(parse(node('string')), parse(node('integer')), roles);
  assert.ok(out.some((m) => m.includes("'#/properties/v'")), out.join('\n'));
});

test('JSON checkReads never throws on a foreign model', () => {
  const good = parse(str());
  const out = jsonSchemaFormat.checkReads(good, { type: 'JSON', canonical: '', normalized: '', model: { nonsense: true } }, roles);
  assert.equal(out.length, 1);
  assert.match(out[0]!, /^Unexpected exception during compatibility check/);
});

test('JSON 2020-12: $ref beside other keywords is an allOf of the reference and the siblings', () => {
  const schema = (nameType: string, extra: Record<string, unknown>) => ({
    $schema: D2020,
    $defs: { Base: obj({ properties: { name: { type: nameType } } }) },
    $ref: '#/$defs/Base',
    ...extra,
  });
  const oldS = parse(schema('string', { type: 'object', properties: { a: str() } }));
  // A change inside the referenced part is still seen (as an unmatched allOf member) …
  const viaRef = jsonSchemaFormat.checkReads(parse(schema('integer', { type: 'object', properties: { a: str() } })), oldS, roles);
  assert.deepEqual(viaRef.map((m) => /errorType:"(\w+)"/.exec(m)![1]), ['COMBINED_TYPE_SUBSCHEMAS_CHANGED']);
  // … and so is one in the sibling keywords, which draft-7 would ignore.
  const viaSibling = jsonSchemaFormat.checkReads(parse(schema('string', { type: 'object', properties: { a: numb() } })), oldS, roles);
  assert.ok(viaSibling.length > 0);
  const draft7 = (aType: unknown) => ({ definitions: { Base: obj({}) }, $ref: '#/definitions/Base', properties: { a: aType } });
  assert.deepEqual(jsonSchemaFormat.checkReads(parse(draft7(numb())), parse(draft7(str())), roles), []);
});

test('JSON recursive oneOf through $ref (2020-12) terminates and is self-compatible', () => {
  const defs: Record<string, unknown> = {
    Id: obj({ properties: { id: str() }, required: ['id'] }),
    Base: obj({ properties: { name: str() } }),
    ItemOrId: { oneOf: [{ $ref: '#/$defs/Id' }, { $ref: '#/$defs/Item' }] },
  };
  for (let i = 0; i < 6; i++) {
    defs[`Kind${i}`] = { $ref: '#/$defs/Base', type: 'object', properties: { next: { $ref: '#/$defs/ItemOrId' }, more: { $ref: '#/$defs/ItemOrId' }, tag: { const: `k${i}` } } };
  }
  defs['Item'] = { oneOf: Array.from({ length: 6 }, (_, i) => ({ $ref: `#/$defs/Kind${i}` })) };
  const text = JSON.stringify({ $schema: D2020, $defs: defs, $ref: '#/$defs/Item' });
  const a = jsonSchemaFormat.parse(text, []);
  assert.deepEqual(jsonSchemaFormat.checkReads(a, jsonSchemaFormat.parse(text, []), roles), []);
  const changed = jsonSchemaFormat.parse(text.replace('"k0"', '"kX"'), []);
  assert.ok(jsonSchemaFormat.checkReads(changed, a, roles).length > 0);
});

// Types the diff never emits keep their §3.4 verdicts in the compatible sets.
for (const type of ['PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'RESERVED_PROPERTY_REMOVED', 'RESERVED_PROPERTY_CONFLICTS_WITH_PROPERTY'] as const) {
  test(`JSON ${type} (I, not emitted by the diff) is incompatible under STRICT and LENIENT`, () => {
    assert.equal(JSON_COMPATIBLE_STRICT.has(type), false);
    assert.equal(JSON_COMPATIBLE_LENIENT.has(type), false);
  });
}
