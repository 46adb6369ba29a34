/**
 * Syntax highlighting, written small by hand instead of a library (Prism.js or highlight.js
 * would outweigh the rest of the page): Avro and JSON Schema are JSON, so one JSON scanner
 * serves both, and Protobuf needs comments, strings, numbers and its keywords. The output is a
 * list of tokens; the page renders each as a span with a class (colours live in the CSS).
 */

export type TokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct' | 'keyword' | 'type' | 'comment' | 'plain';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
}

/** Pretty-printed text of a schema: JSON (Avro, JSON Schema) re-indented; Protobuf as written. */
export function prettySchema(schema: string, schemaType: string | undefined): string {
  if ((schemaType ?? 'AVRO') === 'PROTOBUF') return schema;
  try {
    return JSON.stringify(JSON.parse(schema), null, 2);
  } catch {
    return schema;
  }
}

/**
 * JSON with keys sorted at every level: two versions that differ only in key order compare
 * equal line for line (a structural diff for Avro and JSON Schema, where member order of an
 * object carries no meaning; arrays keep their order, which for Avro fields does matter).
 */
export function canonicalJson(schema: string): string | undefined {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v;
  try {
    return JSON.stringify(sort(JSON.parse(schema)), null, 2);
  } catch {
    return undefined;
  }
}

export function highlight(text: string, schemaType: string | undefined): Token[] {
  return (schemaType ?? 'AVRO') === 'PROTOBUF' ? protobufTokens(text) : jsonTokens(text);
}

// A string, then whether a colon follows (a key); numbers; the three literals; punctuation.
const JSON_TOKEN = /("(?:[^"\\\n]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b|([{}[\],:])/g;

export function jsonTokens(text: string): Token[] {
  return scan(text, JSON_TOKEN, (m) => {
    if (m[1] !== undefined) return m[2] !== undefined ? [{ kind: 'key', text: m[1] }, { kind: 'punct', text: m[2] }] : [{ kind: 'string', text: m[1] }];
    if (m[3] !== undefined) return [{ kind: 'number', text: m[3] }];
    if (m[4] !== undefined) return [{ kind: 'literal', text: m[4] }];
    return [{ kind: 'punct', text: m[5] }];
  });
}

const PROTO_KEYWORDS = new Set(
  'syntax edition package import public weak option message enum service rpc returns stream oneof map reserved extensions extend to max repeated optional required group true false'.split(' '),
);
const PROTO_TYPES = new Set('double float int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 sfixed64 bool string bytes'.split(' '));
// Comments (line and block), strings in either quote, numbers, words, punctuation.
const PROTO_TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|\b(\d+(?:\.\d+)?)\b|([A-Za-z_][\w.]*)|([{}()[\]<>;=,])/g;

export function protobufTokens(text: string): Token[] {
  return scan(text, PROTO_TOKEN, (m) => {
    if (m[1] !== undefined) return [{ kind: 'comment', text: m[1] }];
    if (m[2] !== undefined) return [{ kind: 'string', text: m[2] }];
    if (m[3] !== undefined) return [{ kind: 'number', text: m[3] }];
    if (m[4] !== undefined) return [{ kind: PROTO_KEYWORDS.has(m[4]) ? 'keyword' : PROTO_TYPES.has(m[4]) ? 'type' : 'plain', text: m[4] }];
    return [{ kind: 'punct', text: m[5] }];
  });
}

/** Runs a global regex over text; what no match covers is plain text. */
function scan(text: string, pattern: RegExp, tokensOf: (m: RegExpExecArray) => Token[]): Token[] {
  const out: Token[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    if (m.index > last) out.push({ kind: 'plain', text: text.slice(last, m.index) });
    out.push(...tokensOf(m));
    last = pattern.lastIndex;
  }
  if (last < text.length) out.push({ kind: 'plain', text: text.slice(last) });
  return out;
}
