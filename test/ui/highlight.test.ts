/**
 * The page's hand-written highlighting (ui/src/highlight.ts): the tokens of JSON (Avro, JSON
 * Schema) and Protobuf, text kept exactly (the tokens put together give the input back), and
 * the pretty-printing and key-sorted form the schema and diff screens use.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson, highlight, prettySchema, type Token } from '../../ui/src/highlight.js';

const kinds = (tokens: Token[]) => tokens.filter((t) => t.kind !== 'plain').map((t) => `${t.kind}:${t.text}`);

test('JSON: keys, strings, numbers, literals and punctuation', () => {
  const tokens = highlight('{"name": "Order", "size": -1.5e3, "optional": true, "default": null, "list": ["a\\"b"]}', 'AVRO');
  assert.deepEqual(kinds(tokens), [
    'punct:{',
    'key:"name"', 'punct::', 'string:"Order"', 'punct:,',
    'key:"size"', 'punct::', 'number:-1.5e3', 'punct:,',
    'key:"optional"', 'punct::', 'literal:true', 'punct:,',
    'key:"default"', 'punct::', 'literal:null', 'punct:,',
    'key:"list"', 'punct::', 'punct:[', 'string:"a\\"b"', 'punct:]',
    'punct:}',
  ]);
});

test('Protobuf: keywords, scalar types, comments, strings, numbers', () => {
  const text = 'syntax = "proto3";\n// a comment\nmessage M { repeated int64 ids = 1; /* block */ map<string, Other> m = 2; }\n';
  assert.deepEqual(kinds(highlight(text, 'PROTOBUF')), [
    'keyword:syntax', 'punct:=', 'string:"proto3"', 'punct:;',
    'comment:// a comment',
    'keyword:message', 'plain:M', 'punct:{', 'keyword:repeated', 'type:int64', 'plain:ids', 'punct:=', 'number:1', 'punct:;', 'comment:/* block */',
    'keyword:map', 'punct:<', 'type:string', 'punct:,', 'plain:Other', 'punct:>', 'plain:m', 'punct:=', 'number:2', 'punct:;', 'punct:}',
  ].filter((k) => !k.startsWith('plain:')));
});

test('the tokens give the text back exactly, whatever it holds', () => {
  for (const [text, type] of [
    ['{"a": [1, 2, {"b": "c\\\\"}]}\n', 'JSON'],
    ['not json at all { "x" ', 'AVRO'],
    ['syntax = "proto3"; // x\nmessage A { string b = 1 [deprecated = true]; }', 'PROTOBUF'],
    ['', 'AVRO'],
  ]) {
    assert.equal(highlight(text, type).map((t) => t.text).join(''), text);
  }
});

test('pretty-printing: JSON re-indented, Protobuf and text that is not JSON as written', () => {
  assert.equal(prettySchema('{"type":"string"}', undefined), '{\n  "type": "string"\n}');
  assert.equal(prettySchema('{"type":"object"}', 'JSON'), '{\n  "type": "object"\n}');
  assert.equal(prettySchema('message A {}', 'PROTOBUF'), 'message A {}');
  assert.equal(prettySchema('{broken', 'AVRO'), '{broken');
});

test('the key-sorted form: object keys sorted at every level, arrays in order', () => {
  assert.equal(canonicalJson('{"b":1,"a":{"d":[{"z":1,"y":2}],"c":0}}'), JSON.stringify({ a: { c: 0, d: [{ y: 2, z: 1 }] }, b: 1 }, null, 2));
  assert.equal(canonicalJson('{"fields":[{"name":"b"},{"name":"a"}]}'), JSON.stringify({ fields: [{ name: 'b' }, { name: 'a' }] }, null, 2));
  assert.equal(canonicalJson('not json'), undefined);
});
