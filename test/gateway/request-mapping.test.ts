/**
 * Request mapping round trips: every ParamMapping source and every coercion. Each row sends
 * one HTTP request, asserts the exact request the fixture's Echo received and the exact HTTP
 * answer (Echo's reply rendered as proto3 JSON), or the exact 4xx when the value does not fit
 * (and then that no call was made at all).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useGateway } from '../support/use-gateway.js';
import { assertNoInternals, assertOneCall, defaultErrorBody, frontendHead, json, type HttpIn } from './round-trip.js';

/** Every singular scalar (and enum) field of prism.test.v1.Everything. */
const SCALARS = [
  'f_double', 'f_float', 'f_int32', 'f_int64', 'f_uint32', 'f_uint64', 'f_sint32', 'f_sint64',
  'f_fixed32', 'f_fixed64', 'f_sfixed32', 'f_sfixed64', 'f_bool', 'f_string', 'f_bytes', 'color',
];
const QUERY_FIELDS = [...SCALARS, 'r_int32', 'r_string', 'r_color', 'w_string', 'w_int64', 'w_bool', 'ts', 'dur', 'opt_int32'];

const DEFINITION = `${frontendHead('requests')}  routes:
${SCALARS.map((f) => `    - { id: path-${f}, method: GET, path: '/path/${f}/{v}', grpc: Echo, params: [{ from: path.v, to: ${f} }] }`).join('\n')}
    - id: query
      method: GET
      path: /query
      grpc: Echo
      params:
${QUERY_FIELDS.map((f) => `        - { from: query.${f}, to: ${f} }`).join('\n')}
        - { from: query.nested_name, to: nested.name }
        - { from: query.child_count, to: nested.child.count }
        - { from: query.text, to: choice_text }
        - { from: query.number, to: choice_number }
    - id: header
      method: GET
      path: /header
      grpc: Echo
      params:
        - { from: header.X-Text, to: f_string }
        - { from: header.x-big, to: f_int64 }
    - id: lenient
      method: GET
      path: /lenient
      grpc: Echo
      params:
        - { from: query.verbose, to: f_bool, coerce: lenient-bool }
    - id: body
      method: POST
      path: /body
      grpc: Echo
      params:
        - { from: body, to: '*' }
    - id: body-path
      method: POST
      path: /body-path
      grpc: Echo
      params:
        - { from: body.outer.text, to: f_string }
        - { from: body.outer.deeper.n, to: f_int32 }
        - { from: body.item, to: nested }
        - { from: body.list, to: r_int32 }
        - { from: body.when, to: ts }
    - id: body-field
      method: POST
      path: /body-field
      grpc: Echo
      params:
        - { from: body, to: r_string }
    - id: const
      method: GET
      path: /const
      grpc: Echo
      params:
        - { const: 42, to: f_int32 }
        - { const: RED, to: color }
        - { const: '9007199254740993', to: f_int64 }
        - { const: { name: fixed, tags: [a, b] }, to: nested }
        - { const: true, to: f_bool }
    - id: rename
      method: POST
      path: /rename
      grpc: Echo
      params:
        - { from: body, to: '*', rename: { label: f_string, kids: r_nested } }
    - id: rename-nested
      method: POST
      path: /rename-nested
      grpc: Echo
      params:
        - { from: body.item, to: nested, rename: { title: name, labels: tags } }
    - id: options
      method: GET
      path: /options
      grpc: Echo
      params:
        - { from: query.version, to: f_int32, map: { latest: -1 }, mapOptions: { caseInsensitive: true, trim: true } }
        - { from: query.strict, to: opt_int32, map: { latest: -1 } }
        - { from: query.n, to: f_int64, default: '7' }
        - { from: query.code, to: f_string, pattern: '^[A-Z]{3}$' }
        - { from: query.tone, to: color, map: { rouge: RED, vert: GREEN }, mapOptions: { caseInsensitive: true } }
        - { from: query.sel, to: f_sint32, map: { latest: '-1' }, pattern: '^(latest|[0-9]+)$' }
    - id: repeated-options
      method: GET
      path: /repeated-options
      grpc: Echo
      params:
        - { from: query.v, to: r_int32, map: { latest: -1 } }
        - { from: query.p, to: r_string, pattern: '^[a-z]+$' }
    - id: required
      method: GET
      path: /required
      grpc: Echo
      params:
        - { from: query.name, to: f_string, required: true }
    - id: required-body
      method: POST
      path: /required-body
      grpc: Echo
      params:
        - { from: body, to: '*', required: true }
    - id: precedence
      method: POST
      path: /prec/{id}
      grpc: Echo
      params:
        - { from: query.id, to: f_int32 }
        - { from: query.text, to: f_string }
        - { from: body, to: '*' }
        - { from: path.id, to: f_int32 }
---
${frontendHead('strict', '  basePath: /strict\n  unknownQuery: reject\n')}  routes:
    - id: strict-echo
      method: GET
      path: /echo
      grpc: Echo
      params:
        - { from: query.known, to: f_string }
        - { from: query.many, to: r_int32 }
`;

interface Failure {
  status?: number;
  reason: string;
  message: string;
  metadata: Record<string, string>;
}

interface Row {
  name: string;
  req: HttpIn;
  /** The exact request Echo must receive (64-bit as strings, enums by name, bytes base64). */
  grpc?: Record<string, unknown>;
  /** The exact HTTP body of the 200 answer. */
  reply?: unknown;
  error?: Failure;
  /** For rows whose exact message is not decided yet: status and reason only. */
  loose?: { status: number; reason: string };
  todo?: string;
}

const found = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : typeof v === 'object' && v !== null ? 'an object' : String(v));
const INT = (kind: string) => `an integer (${kind})`;
const RANGE: Record<string, string> = {
  int32: 'int32 in [-2147483648, 2147483647]',
  sint32: 'sint32 in [-2147483648, 2147483647]',
  sfixed32: 'sfixed32 in [-2147483648, 2147483647]',
  uint32: 'uint32 in [0, 4294967295]',
  fixed32: 'fixed32 in [0, 4294967295]',
  int64: 'int64 in [-9223372036854775808, 9223372036854775807]',
  uint64: 'uint64 in [0, 18446744073709551615]',
};
const COLOR = 'one of COLOR_UNSPECIFIED, RED, GREEN (prism.test.v1.Color)';

/** A failure binding a text source (path, query, header) to a named field. */
function textFailure(source: 'path' | 'query' | 'header', param: string, field: string, fieldType: string, expected: string, raw: unknown, opts: { range?: boolean; at?: string } = {}): Failure {
  const label = `${source === 'path' ? 'path parameter' : source === 'query' ? 'query parameter' : 'header'} '${param}'`;
  const at = opts.at ? ` at '${opts.at}'` : '';
  const shown = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  return {
    reason: opts.range ? 'BINDING_RANGE' : 'BINDING_TYPE',
    message: `cannot bind ${label} to field '${field}' (${fieldType})${at}: expected ${expected}, got ${found(shown)}`,
    metadata: { source, param, field, expected, value: typeof raw === 'string' ? raw : JSON.stringify(raw) },
  };
}

/** A failure binding the whole body to the request message (`to: '*'`). */
function bodyFailure(body: unknown, at: string, expected: string, value: unknown, range = false): Failure {
  return {
    reason: range ? 'BINDING_RANGE' : 'BINDING_TYPE',
    message: `cannot bind body to the request (prism.test.v1.Everything)${at ? ` at '${at}'` : ''}: expected ${expected}, got ${found(value)}`,
    metadata: { source: 'body', param: '', field: '*', expected, value: JSON.stringify(body) },
  };
}

const pathRow = (name: string, field: string, raw: string, grpc: Record<string, unknown>, reply: unknown, todo?: string): Row => ({ name, req: { url: `/path/${field}/${raw}` }, grpc, reply, todo });
const pathBad = (name: string, field: string, raw: string, decoded: string, fieldType: string, expected: string, range = false, todo?: string): Row => ({
  name,
  req: { url: `/path/${field}/${raw}` },
  error: textFailure('path', 'v', field, fieldType, expected, decoded, { range }),
  todo,
});

const COERCIONS: Row[] = [
  // 32-bit integers, each kind with its range.
  pathRow('int32 from a path segment', 'f_int32', '42', { f_int32: 42 }, { fInt32: 42 }),
  pathRow('int32 with a plus sign and leading zeros', 'f_int32', '%2B007', { f_int32: 7 }, { fInt32: 7 }),
  pathRow('int32 minimum', 'f_int32', '-2147483648', { f_int32: -2147483648 }, { fInt32: -2147483648 }),
  pathRow('int32 maximum', 'f_int32', '2147483647', { f_int32: 2147483647 }, { fInt32: 2147483647 }),
  pathRow('int32 zero is sent explicitly and rendered as the default (omitted)', 'f_int32', '0', { f_int32: 0 }, {}),
  pathBad('int32 one above the maximum is a range error', 'f_int32', '2147483648', '2147483648', 'int32', RANGE.int32, true),
  pathBad('int32 one below the minimum is a range error', 'f_int32', '-2147483649', '-2147483649', 'int32', RANGE.int32, true),
  pathBad('int32 given a fraction is a type error', 'f_int32', '1.5', '1.5', 'int32', INT('int32')),
  pathBad('int32 given an exponent is a type error', 'f_int32', '1e3', '1e3', 'int32', INT('int32')),
  pathBad('int32 given letters is a type error', 'f_int32', 'abc', 'abc', 'int32', INT('int32')),
  pathBad('int32 given a value with a space is a type error', 'f_int32', '%205', ' 5', 'int32', INT('int32')),
  pathRow('uint32 maximum', 'f_uint32', '4294967295', { f_uint32: 4294967295 }, { fUint32: 4294967295 }),
  pathBad('uint32 negative is a range error', 'f_uint32', '-1', '-1', 'uint32', RANGE.uint32, true),
  pathBad('uint32 above 2^32-1 is a range error', 'f_uint32', '4294967296', '4294967296', 'uint32', RANGE.uint32, true),
  pathRow('sint32 negative', 'f_sint32', '-17', { f_sint32: -17 }, { fSint32: -17 }),
  pathBad('sint32 above the maximum is a range error', 'f_sint32', '3000000000', '3000000000', 'sint32', RANGE.sint32, true),
  pathRow('fixed32 maximum', 'f_fixed32', '4294967295', { f_fixed32: 4294967295 }, { fFixed32: 4294967295 }),
  pathBad('fixed32 negative is a range error', 'f_fixed32', '-5', '-5', 'fixed32', RANGE.fixed32, true),
  pathRow('sfixed32 minimum', 'f_sfixed32', '-2147483648', { f_sfixed32: -2147483648 }, { fSfixed32: -2147483648 }),
  pathBad('sfixed32 above the maximum is a range error', 'f_sfixed32', '2147483648', '2147483648', 'sfixed32', RANGE.sfixed32, true),
  // 64-bit integers travel as decimal strings, exact beyond 2^53.
  pathRow('int64 beyond 2^53 stays exact', 'f_int64', '9007199254740993', { f_int64: '9007199254740993' }, { fInt64: '9007199254740993' }),
  pathRow('int64 maximum', 'f_int64', '9223372036854775807', { f_int64: '9223372036854775807' }, { fInt64: '9223372036854775807' }),
  pathRow('int64 minimum', 'f_int64', '-9223372036854775808', { f_int64: '-9223372036854775808' }, { fInt64: '-9223372036854775808' }),
  pathBad('int64 one above the maximum is a range error', 'f_int64', '9223372036854775808', '9223372036854775808', 'int64', RANGE.int64, true),
  pathBad('int64 given a fraction is a type error', 'f_int64', '1.0', '1.0', 'int64', INT('int64')),
  pathBad('int64 given a huge number of digits is a range error', 'f_int64', '9'.repeat(40), '9'.repeat(40), 'int64', RANGE.int64, true),
  pathRow('uint64 maximum', 'f_uint64', '18446744073709551615', { f_uint64: '18446744073709551615' }, { fUint64: '18446744073709551615' }),
  pathBad('uint64 above 2^64-1 is a range error', 'f_uint64', '18446744073709551616', '18446744073709551616', 'uint64', RANGE.uint64, true),
  pathBad('uint64 negative is a range error', 'f_uint64', '-1', '-1', 'uint64', RANGE.uint64, true),
  pathRow('sint64 minimum', 'f_sint64', '-9223372036854775808', { f_sint64: '-9223372036854775808' }, { fSint64: '-9223372036854775808' }),
  pathRow('fixed64 maximum', 'f_fixed64', '18446744073709551615', { f_fixed64: '18446744073709551615' }, { fFixed64: '18446744073709551615' }),
  pathRow('sfixed64 negative', 'f_sfixed64', '-9007199254740993', { f_sfixed64: '-9007199254740993' }, { fSfixed64: '-9007199254740993' }),
  // Booleans: true and false in any case; nothing else.
  pathRow('bool true', 'f_bool', 'true', { f_bool: true }, { fBool: true }),
  pathRow('bool TRUE in capitals', 'f_bool', 'TRUE', { f_bool: true }, { fBool: true }),
  pathRow('bool False in mixed case is false', 'f_bool', 'False', { f_bool: false }, {}),
  pathBad('bool given 1 is a type error', 'f_bool', '1', '1', 'bool', 'a boolean'),
  pathBad('bool given yes is a type error', 'f_bool', 'yes', 'yes', 'bool', 'a boolean'),
  // Floating point, with the proto3 JSON special values.
  pathRow('double with a fraction', 'f_double', '-0.25', { f_double: -0.25 }, { fDouble: -0.25 }),
  pathRow('double in exponent notation', 'f_double', '1e3', { f_double: 1000 }, { fDouble: 1000 }),
  pathRow('double NaN', 'f_double', 'NaN', { f_double: NaN }, { fDouble: 'NaN' }),
  pathRow('double Infinity', 'f_double', 'Infinity', { f_double: Infinity }, { fDouble: 'Infinity' }),
  pathRow('double -Infinity', 'f_double', '-Infinity', { f_double: -Infinity }, { fDouble: '-Infinity' }),
  pathBad('double given letters is a type error', 'f_double', 'abc', 'abc', 'double', 'a number (double)'),
  pathBad('double given lower-case nan is a type error', 'f_double', 'nan', 'nan', 'double', 'a number (double)'),
  pathBad('double given hexadecimal is a type error', 'f_double', '0x10', '0x10', 'double', 'a number (double)'),
  pathRow('float exact in 32 bits', 'f_float', '1.5', { f_float: 1.5 }, { fFloat: 1.5 }),
  pathRow('float rounds to 32-bit precision on the wire', 'f_float', '0.1', { f_float: 0.10000000149011612 }, { fFloat: 0.10000000149011612 }),
  pathBad('float beyond the 32-bit range is a range error', 'f_float', '1e39', '1e39', 'float', 'a float within ±3.4028234663852886e+38', true),
  // Strings and bytes.
  pathRow('string percent-decoded once', 'f_string', '%C3%A9t%C3%A9', { f_string: 'été' }, { fString: 'été' }),
  pathRow('bytes as base64 (percent-encoded + and /)', 'f_bytes', '%2B%2F8%3D', { f_bytes: '+/8=' }, { fBytes: '+/8=' }),
  pathRow('bytes as base64url', 'f_bytes', '-_8', { f_bytes: '+/8=' }, { fBytes: '+/8=' }),
  pathRow('bytes as unpadded base64', 'f_bytes', 'aGk', { f_bytes: 'aGk=' }, { fBytes: 'aGk=' }),
  pathBad('bytes given characters outside base64 is a type error', 'f_bytes', '!!', '!!', 'bytes', 'base64-encoded bytes'),
  pathBad('bytes of an impossible base64 length (1 mod 4) is a type error', 'f_bytes', 'A', 'A', 'bytes', 'base64-encoded bytes'),
  // Enums by name or number.
  pathRow('enum by name', 'color', 'RED', { color: 'RED' }, { color: 'RED' }),
  pathRow('enum by number', 'color', '2', { color: 'GREEN' }, { color: 'GREEN' }),
  pathRow('enum by number 1', 'color', '1', { color: 'RED' }, { color: 'RED' }),
  pathRow('enum by a number the proto does not name (open enum)', 'color', '7', { color: 7 }, { color: 7 }),
  pathBad('enum by a name in the wrong case is a type error', 'color', 'red', 'red', 'prism.test.v1.Color', COLOR),
  pathBad('enum by an unknown name is a type error', 'color', 'BLUE', 'BLUE', 'prism.test.v1.Color', COLOR),
  pathBad('enum by a fraction is a type error', 'color', '1.5', '1.5', 'prism.test.v1.Color', COLOR),
  pathBad('enum by an inherited property name (toString) is a type error', 'color', 'toString', 'toString', 'prism.test.v1.Color', COLOR),
  pathBad('enum by an inherited property name (__proto__) is a type error', 'color', '__proto__', '__proto__', 'prism.test.v1.Color', COLOR),
];

const q = (name: string, query: string, grpc: Record<string, unknown>, reply: unknown, todo?: string): Row => ({ name, req: { url: `/query?${query}` }, grpc, reply, todo });

const SOURCES: Row[] = [
  // Path values are percent-decoded exactly once.
  pathRow('path %2F is a slash inside the value, not a separator', 'f_string', 'a%2Fb', { f_string: 'a/b' }, { fString: 'a/b' }),
  pathRow('path %252F stays %2F (decoded once, not twice)', 'f_string', 'a%252Fb', { f_string: 'a%2Fb' }, { fString: 'a%2Fb' }),
  pathRow('path + is a plus, not a space', 'f_string', 'a+b', { f_string: 'a+b' }, { fString: 'a+b' }),
  // Query: single, repeated, nested targets, well-known types.
  q('query single value', 'f_uint32=9', { f_uint32: 9 }, { fUint32: 9 }),
  q('query value percent-decoded once', 'f_string=a%2Fb%252F', { f_string: 'a/b%2F' }, { fString: 'a/b%2F' }),
  q('query + is a space (form encoding)', 'f_string=a+b', { f_string: 'a b' }, { fString: 'a b' }),
  q('query repeated value into a singular field takes the first', 'f_int32=1&f_int32=2', { f_int32: 1 }, { fInt32: 1 }),
  q('query repeated values into a repeated field', 'r_int32=1&r_int32=-2&r_int32=3', { r_int32: [1, -2, 3] }, { rInt32: [1, -2, 3] }),
  q('query single value into a repeated field', 'r_string=only', { r_string: ['only'] }, { rString: ['only'] }),
  q('query repeated enums by name', 'r_color=GREEN&r_color=RED', { r_color: ['GREEN', 'RED'] }, { rColor: ['GREEN', 'RED'] }),
  q('query repeated enums by name and number', 'r_color=RED&r_color=2', { r_color: ['RED', 'GREEN'] }, { rColor: ['RED', 'GREEN'] }),
  q('query into a nested field path', 'nested_name=inner', { nested: { name: 'inner' } }, { nested: { name: 'inner' } }),
  q('query into a two-level nested field path', 'child_count=3', { nested: { child: { count: 3 } } }, { nested: { child: { count: 3 } } }),
  q('query into a StringValue wrapper', 'w_string=x', { w_string: { value: 'x' } }, { wString: 'x' }),
  q('query into an Int64Value wrapper beyond 2^53', 'w_int64=9007199254740993', { w_int64: { value: '9007199254740993' } }, { wInt64: '9007199254740993' }),
  q('query into a BoolValue wrapper in capitals', 'w_bool=TRUE', { w_bool: { value: true } }, { wBool: true }),
  q('query into a Timestamp', 'ts=2024-01-02T03:04:05.5Z', { ts: { seconds: '1704164645', nanos: 500000000 } }, { ts: '2024-01-02T03:04:05.500Z' }),
  q('query into a Duration', 'dur=3s', { dur: { seconds: '3', nanos: 0 } }, { dur: '3s' }),
  q('query zero into a proto3 optional field is present', 'opt_int32=0', { opt_int32: 0, _opt_int32: 'opt_int32' }, { optInt32: 0 }),
  q('query parameters no mapping binds are ignored by default', 'zzz=1&f_int32=3', { f_int32: 3 }, { fInt32: 3 }),
  q('query with no parameters sends an empty request', '', {}, {}),
  {
    name: 'two members of one oneof from two query parameters is a 400',
    req: { url: '/query?text=a&number=3' },
    error: {
      reason: 'BINDING_TYPE',
      message: "at most one field of oneof 'choice' can be set; got choice_text, choice_number",
      metadata: { source: 'params', param: 'choice_text,choice_number', field: 'choice', expected: 'at most one oneof member', value: '' },
    },
  },
  q('one member of a oneof from the query', 'number=3', { choice_number: 3, choice: 'choice_number' }, { choiceNumber: 3 }),
  // Headers.
  { name: 'header by a mixed-case name', req: { url: '/header', headers: { 'x-text': 'hello', 'X-Big': '-9007199254740993' } }, grpc: { f_string: 'hello', f_int64: '-9007199254740993' }, reply: { fString: 'hello', fInt64: '-9007199254740993' } },
  { name: 'header absent binds nothing', req: { url: '/header' }, grpc: {}, reply: {} },
  // Lenient booleans: true in any case, anything else false, never an error.
  { name: 'lenient-bool TRUE is true', req: { url: '/lenient?verbose=TRUE' }, grpc: { f_bool: true }, reply: { fBool: true } },
  { name: 'lenient-bool True is true', req: { url: '/lenient?verbose=True' }, grpc: { f_bool: true }, reply: { fBool: true } },
  { name: 'lenient-bool yes is false, not an error', req: { url: '/lenient?verbose=yes' }, grpc: { f_bool: false }, reply: {} },
  { name: 'lenient-bool 1 is false, not an error', req: { url: '/lenient?verbose=1' }, grpc: { f_bool: false }, reply: {} },
  { name: 'lenient-bool absent binds nothing', req: { url: '/lenient' }, grpc: {}, reply: {} },
  // Constants, coerced once at compile time.
  {
    name: 'constants of every kind',
    req: { url: '/const' },
    grpc: { f_int32: 42, color: 'RED', f_int64: '9007199254740993', nested: { name: 'fixed', tags: ['a', 'b'] }, f_bool: true },
    reply: { fInt32: 42, fInt64: '9007199254740993', fBool: true, color: 'RED', nested: { name: 'fixed', tags: ['a', 'b'] } },
  },
];

const body = (name: string, payload: unknown, grpc: Record<string, unknown>, reply: unknown, todo?: string): Row => ({ name, req: { method: 'POST', url: '/body', body: payload }, grpc, reply, todo });
const bodyBad = (name: string, payload: unknown, at: string, expected: string, value: unknown, range = false, todo?: string): Row => ({
  name,
  req: { method: 'POST', url: '/body', body: payload },
  error: bodyFailure(payload, at, expected, value, range),
  todo,
});

const BODIES: Row[] = [
  body('body with JSON names', { fInt32: 1, fString: 's', fBool: true, color: 'GREEN', fBytes: '+/8=', fDouble: 2.5 }, { f_int32: 1, f_string: 's', f_bool: true, color: 'GREEN', f_bytes: '+/8=', f_double: 2.5 }, { fDouble: 2.5, fInt32: 1, fBool: true, fString: 's', fBytes: '+/8=', color: 'GREEN' }),
  body('body with original proto names', { f_int32: 1, f_int64: '9007199254740993', f_uint64: '18446744073709551615' }, { f_int32: 1, f_int64: '9007199254740993', f_uint64: '18446744073709551615' }, { fInt32: 1, fInt64: '9007199254740993', fUint64: '18446744073709551615' }),
  body('body int64 as a JSON number', { fInt64: 12, fSint64: -3 }, { f_int64: '12', f_sint64: '-3' }, { fInt64: '12', fSint64: '-3' }),
  body('body int32 as a JSON string', { fInt32: '5' }, { f_int32: 5 }, { fInt32: 5 }),
  body('body enum by number', { color: 1 }, { color: 'RED' }, { color: 'RED' }),
  body('body bytes as base64url', { fBytes: '-_8' }, { f_bytes: '+/8=' }, { fBytes: '+/8=' }),
  body('body double special values as strings', { fDouble: 'NaN', fFloat: '-Infinity' }, { f_double: NaN, f_float: -Infinity }, { fDouble: 'NaN', fFloat: '-Infinity' }),
  body('body repeated fields from JSON arrays', { rInt32: [1, 2], rString: ['a'], rColor: ['RED', 2] }, { r_int32: [1, 2], r_string: ['a'], r_color: ['RED', 'GREEN'] }, { rInt32: [1, 2], rString: ['a'], rColor: ['RED', 'GREEN'] }),
  body('body nested message with JSON names, recursively', { nested: { name: 'n', count: 2, tags: ['t'], child: { name: 'c' } } }, { nested: { name: 'n', count: 2, tags: ['t'], child: { name: 'c' } } }, { nested: { name: 'n', count: 2, tags: ['t'], child: { name: 'c' } } }),
  body('body repeated messages with original names', { r_nested: [{ name: 'a' }, { name: 'b', count: 1 }] }, { r_nested: [{ name: 'a' }, { name: 'b', count: 1 }] }, { rNested: [{ name: 'a' }, { name: 'b', count: 1 }] }),
  body('body map with string keys', { mCounts: { a: 1, b: 2 } }, { m_counts: { a: 1, b: 2 } }, { mCounts: { a: 1, b: 2 } }),
  body('body map with int32 keys and message values', { mNested: { '7': { name: 'seven' }, '-1': { count: 1 } } }, { m_nested: { '7': { name: 'seven' }, '-1': { count: 1 } } }, { mNested: { '7': { name: 'seven' }, '-1': { count: 1 } } }),
  body('body one member of a oneof', { choiceNested: { name: 'c' } }, { choice_nested: { name: 'c' }, choice: 'choice_nested' }, { choiceNested: { name: 'c' } }),
  body('body wrappers, false included', { wString: 'w', wInt64: '9007199254740993', wBool: false }, { w_string: { value: 'w' }, w_int64: { value: '9007199254740993' }, w_bool: { value: false } }, { wString: 'w', wInt64: '9007199254740993', wBool: false }),
  body('body Timestamp with fraction', { ts: '2024-01-02T03:04:05.5Z' }, { ts: { seconds: '1704164645', nanos: 500000000 } }, { ts: '2024-01-02T03:04:05.500Z' }),
  body('body Timestamp with an offset is normalized to UTC', { ts: '2024-01-02T04:04:05+01:00' }, { ts: { seconds: '1704164645', nanos: 0 } }, { ts: '2024-01-02T03:04:05Z' }),
  body('body Duration renders with 3 fractional digits', { dur: '1.5s' }, { dur: { seconds: '1', nanos: 500000000 } }, { dur: '1.500s' }),
  body('body negative Duration', { dur: '-2s' }, { dur: { seconds: '-2', nanos: 0 } }, { dur: '-2s' }),
  body('body Struct with every JSON kind', { attrs: { n: 1, s: 'x', b: true, z: null, l: [1, 'y'], o: { k: 'v' } } }, {
    attrs: {
      fields: {
        n: { numberValue: 1, kind: 'numberValue' },
        s: { stringValue: 'x', kind: 'stringValue' },
        b: { boolValue: true, kind: 'boolValue' },
        z: { nullValue: 'NULL_VALUE', kind: 'nullValue' },
        l: { listValue: { values: [{ numberValue: 1, kind: 'numberValue' }, { stringValue: 'y', kind: 'stringValue' }] }, kind: 'listValue' },
        o: { structValue: { fields: { k: { stringValue: 'v', kind: 'stringValue' } } }, kind: 'structValue' },
      },
    },
  }, { attrs: { n: 1, s: 'x', b: true, z: null, l: [1, 'y'], o: { k: 'v' } } }),
  body('body proto3 optional set to zero is present', { optInt32: 0 }, { opt_int32: 0, _opt_int32: 'opt_int32' }, { optInt32: 0 }),
  body('body unknown keys are ignored', { nope: 1, fString: 'x' }, { f_string: 'x' }, { fString: 'x' }),
  body('body null means not set', { fString: null, nested: null }, {}, {}),
  bodyBad('body int32 given a fraction', { fInt32: 1.5 }, 'fInt32', INT('int32'), 1.5),
  bodyBad('body int32 above the range', { fInt32: 2147483648 }, 'fInt32', RANGE.int32, 2147483648, true),
  bodyBad('body bool given a string', { fBool: 'true' }, 'fBool', 'a boolean', 'true'),
  bodyBad('body string given a number', { fString: 5 }, 'fString', 'a string', 5),
  bodyBad('body enum by an unknown name', { color: 'PURPLE' }, 'color', COLOR, 'PURPLE'),
  bodyBad('body repeated field given a scalar', { rInt32: 5 }, 'rInt32', 'a JSON array', 5),
  bodyBad('body repeated field with one bad element', { rInt32: [1, 'x'] }, 'rInt32[1]', INT('int32'), 'x'),
  bodyBad('body bad field inside a nested message', { nested: { count: 'x' } }, 'nested.count', INT('int32'), 'x'),
  bodyBad('body bad field inside a repeated message', { rNested: [{}, { child: { count: true } }] }, 'rNested[1].child.count', INT('int32'), true),
  bodyBad('body map with an int32 key that is not an integer', { mNested: { x: {} } }, 'mNested.x', INT('int32'), 'x'),
  bodyBad('body map with a bad value', { mCounts: { a: 'x' } }, 'mCounts.a', INT('int32'), 'x'),
  {
    name: 'body two members of one oneof',
    req: { method: 'POST', url: '/body', body: { choiceText: 'x', choiceNumber: 3 } },
    error: {
      reason: 'BINDING_TYPE',
      message: "cannot bind body to the request (prism.test.v1.Everything) at 'choiceNumber': expected at most one field of oneof 'choice', got several",
      metadata: { source: 'body', param: '', field: '*', expected: "at most one field of oneof 'choice'", value: '{"choiceText":"x","choiceNumber":3}' },
    },
  },
  body('body enum by number as a JSON string', { color: '2' }, { color: 'GREEN' }, { color: 'GREEN' }),
  bodyBad('body Timestamp that is not RFC 3339', { ts: 'yesterday' }, 'ts', 'an RFC 3339 timestamp', 'yesterday'),
  bodyBad('body Timestamp on a day that does not exist', { ts: '2024-02-30T00:00:00Z' }, 'ts', 'an RFC 3339 timestamp', '2024-02-30T00:00:00Z'),
  bodyBad('body Timestamp at hour 24', { ts: '2024-01-01T24:00:00Z' }, 'ts', 'an RFC 3339 timestamp', '2024-01-01T24:00:00Z'),
  {
    name: 'body Duration beyond the range of google.protobuf.Duration is a range error',
    req: { method: 'POST', url: '/body', body: { dur: '999999999999999999999s' } },
    loose: { status: 400, reason: 'BINDING_RANGE' },
  },
  bodyBad('body Duration without its unit', { dur: '5' }, 'dur', "a duration such as '1.5s'", '5'),
  bodyBad('body Struct given an array', { attrs: [1] }, 'attrs', 'a JSON object', [1]),
  bodyBad('body that is an array, not an object', [1], '', 'a JSON object (prism.test.v1.Everything)', [1]),
  // Parts of the body.
  {
    name: 'body.a.b paths into scalars, a message, a list and a Timestamp',
    req: { method: 'POST', url: '/body-path', body: { outer: { text: 'hi', deeper: { n: 3 } }, item: { name: 'i', tags: ['a'] }, list: [1, 2], when: '1970-01-01T00:00:01Z' } },
    grpc: { f_string: 'hi', f_int32: 3, nested: { name: 'i', tags: ['a'] }, r_int32: [1, 2], ts: { seconds: '1', nanos: 0 } },
    reply: { fInt32: 3, fString: 'hi', rInt32: [1, 2], nested: { name: 'i', tags: ['a'] }, ts: '1970-01-01T00:00:01Z' },
  },
  { name: 'body.a.b through a value that is not an object binds nothing', req: { method: 'POST', url: '/body-path', body: { outer: 'flat' } }, grpc: {}, reply: {} },
  {
    name: 'body.a.b of the wrong type names the body field',
    req: { method: 'POST', url: '/body-path', body: { outer: { text: 5 } } },
    error: { reason: 'BINDING_TYPE', message: "cannot bind body field 'outer.text' to field 'f_string' (string): expected a string, got 5", metadata: { source: 'body', param: 'outer.text', field: 'f_string', expected: 'a string', value: '5' } },
  },
  { name: 'whole body (a JSON array) into a repeated field', req: { method: 'POST', url: '/body-field', body: ['a', 'b'] }, grpc: { r_string: ['a', 'b'] }, reply: { rString: ['a', 'b'] } },
  {
    name: 'whole body (a JSON string) into a repeated field is a type error',
    req: { method: 'POST', url: '/body-field', body: '"x"', headers: { 'content-type': 'application/json' } },
    error: { reason: 'BINDING_TYPE', message: 'cannot bind body to field \'r_string\' (repeated string): expected a JSON array, got "x"', metadata: { source: 'body', param: '', field: 'r_string', expected: 'a JSON array', value: 'x' } },
  },
  // Renames.
  { name: 'rename of top-level body keys', req: { method: 'POST', url: '/rename', body: { label: 'L', kids: [{ name: 'k' }], fInt32: 1 } }, grpc: { f_string: 'L', r_nested: [{ name: 'k' }], f_int32: 1 }, reply: { fInt32: 1, fString: 'L', rNested: [{ name: 'k' }] } },
  { name: 'rename keeps the proto names working', req: { method: 'POST', url: '/rename', body: { f_string: 'orig' } }, grpc: { f_string: 'orig' }, reply: { fString: 'orig' } },
  { name: 'rename inside a body part bound to a message', req: { method: 'POST', url: '/rename-nested', body: { item: { title: 'T', labels: ['x'], count: 2 } } }, grpc: { nested: { name: 'T', tags: ['x'], count: 2 } }, reply: { nested: { name: 'T', count: 2, tags: ['x'] } } },
];

const opt = (name: string, query: string, grpc: Record<string, unknown>, reply: unknown, todo?: string): Row => ({ name, req: { url: `/options${query}` }, grpc: { f_int64: '7', ...grpc }, reply: { fInt64: '7', ...(reply as object) }, todo });

const OPTIONS: Row[] = [
  opt('default applies when the parameter is absent', '', {}, {}),
  opt('a given value replaces the default', '?n=8', { f_int64: '8' }, { fInt64: '8' }),
  opt('value map: latest → -1', '?version=latest', { f_int32: -1 }, { fInt32: -1 }),
  opt('value map, case-insensitive and trimmed', '?version=%20LaTeSt%20', { f_int32: -1 }, { fInt32: -1 }),
  opt('value map leaves other values to the coercer', '?version=5', { f_int32: 5 }, { fInt32: 5 }),
  opt('value map without options is case-sensitive: exact key', '?strict=latest', { opt_int32: -1, _opt_int32: 'opt_int32' }, { optInt32: -1 }),
  opt('value map onto enum names, case-insensitive', '?tone=Rouge', { color: 'RED' }, { color: 'RED' }),
  opt('value map passes an unmapped enum name through', '?tone=GREEN', { color: 'GREEN' }, { color: 'GREEN' }),
  opt('pattern matches', '?code=ABC', { f_string: 'ABC' }, { fString: 'ABC' }),
  opt('pattern is checked on the raw value, before the value map', '?sel=latest', { f_sint32: -1 }, { fSint32: -1 }),
  { name: 'value map without options is case-sensitive: other case is a type error', req: { url: '/options?strict=LATEST' }, error: textFailure('query', 'strict', 'opt_int32', 'int32', INT('int32'), 'LATEST') },
  {
    name: 'pattern mismatch is BINDING_PATTERN',
    req: { url: '/options?code=abc' },
    error: { reason: 'BINDING_PATTERN', message: "cannot bind query parameter 'code' to field 'f_string' (string): 'abc' does not match ^[A-Z]{3}$", metadata: { source: 'query', param: 'code', field: 'f_string', expected: '^[A-Z]{3}$', value: 'abc' } },
  },
  { name: 'value map on a repeated field, one value', req: { url: '/repeated-options?v=latest' }, grpc: { r_int32: [-1] }, reply: { rInt32: [-1] } },
  { name: 'value map on a repeated field applies to each of several values', req: { url: '/repeated-options?v=latest&v=1' }, grpc: { r_int32: [-1, 1] }, reply: { rInt32: [-1, 1] } },
  { name: 'pattern on a repeated field, one matching value', req: { url: '/repeated-options?p=abc' }, grpc: { r_string: ['abc'] }, reply: { rString: ['abc'] } },
  {
    name: 'pattern on a repeated field, one value that does not match',
    req: { url: '/repeated-options?p=ABC' },
    error: { reason: 'BINDING_PATTERN', message: "cannot bind query parameter 'p' to field 'r_string' (repeated string): 'ABC' does not match ^[a-z]+$", metadata: { source: 'query', param: 'p', field: 'r_string', expected: '^[a-z]+$', value: 'ABC' } },
  },
  { name: 'pattern on a repeated field is checked on every value', req: { url: '/repeated-options?p=abc&p=ABC' }, loose: { status: 400, reason: 'BINDING_PATTERN' } },
  { name: 'required present', req: { url: '/required?name=x' }, grpc: { f_string: 'x' }, reply: { fString: 'x' } },
  {
    name: 'required missing is BINDING_MISSING',
    req: { url: '/required?other=1' },
    error: { reason: 'BINDING_MISSING', message: "query parameter 'name' is required", metadata: { source: 'query', param: 'name', field: 'f_string', expected: 'a value', value: '' } },
  },
  { name: 'required body present', req: { method: 'POST', url: '/required-body', body: { fString: 'b' } }, grpc: { f_string: 'b' }, reply: { fString: 'b' } },
  ...[
    ['required body absent is BINDING_MISSING', undefined, {}],
    ['an empty body with a JSON content type counts as no body', '', { 'content-type': 'application/json' }],
    ['a whitespace body counts as no body', '  \n', { 'content-type': 'application/json' }],
  ].map(([name, payload, headers]): Row => ({
    name: name as string,
    req: { method: 'POST', url: '/required-body', body: payload, headers: headers as Record<string, string> },
    error: { reason: 'BINDING_MISSING', message: 'body is required', metadata: { source: 'body', param: '', field: '*', expected: 'a value', value: '' } },
  })),
  // Precedence: path over body over query, whatever the order of the mappings.
  { name: 'path beats body beats query', req: { method: 'POST', url: '/prec/5?id=9&text=q', body: { fInt32: 7, fString: 'b' } }, grpc: { f_int32: 5, f_string: 'b' }, reply: { fInt32: 5, fString: 'b' } },
  { name: 'query applies when the body does not set the field', req: { method: 'POST', url: '/prec/5?id=9&text=q', body: { fBool: true } }, grpc: { f_int32: 5, f_string: 'q', f_bool: true }, reply: { fInt32: 5, fBool: true, fString: 'q' } },
  { name: 'query applies when there is no body', req: { method: 'POST', url: '/prec/6?text=q' }, grpc: { f_int32: 6, f_string: 'q' }, reply: { fInt32: 6, fString: 'q' } },
  // Unknown query parameters under `unknownQuery: reject`.
  { name: 'reject policy: bound parameters pass', req: { url: '/strict/echo?known=a&many=1&many=2' }, grpc: { f_string: 'a', r_int32: [1, 2] }, reply: { fString: 'a', rInt32: [1, 2] } },
  {
    name: 'reject policy: an unknown parameter is a 400 naming it',
    req: { url: '/strict/echo?known=a&extra=1' },
    error: { reason: 'UNKNOWN_PARAMETER', message: "unknown query parameter 'extra'", metadata: { source: 'query', param: 'extra' } },
  },
  {
    name: 'query repeated values with one bad element',
    req: { url: '/query?r_int32=1&r_int32=x' },
    error: textFailure('query', 'r_int32', 'r_int32', 'repeated int32', INT('int32'), ['1', 'x'], { at: '[1]' }),
  },
  { name: 'query int32 empty value is a type error', req: { url: '/query?f_int32=' }, error: textFailure('query', 'f_int32', 'f_int32', 'int32', INT('int32'), '') },
  { name: 'header int64 bad value names the header', req: { url: '/header', headers: { 'x-big': '12abc' } }, error: textFailure('header', 'x-big', 'f_int64', 'int64', INT('int64'), '12abc') },
  { name: 'query Timestamp that is not RFC 3339', req: { url: '/query?ts=2024-13-45' }, error: textFailure('query', 'ts', 'ts', 'google.protobuf.Timestamp', 'an RFC 3339 timestamp', '2024-13-45') },
];

const gateway = useGateway({ definition: DEFINITION });

function runRows(rows: Row[]) {
  for (const row of rows) {
    test(row.name, row.todo ? { todo: row.todo } : {}, async () => {
      const out = await gateway.exchange(row.req);
      assertNoInternals(out.text);
      if (row.loose) {
        assert.equal(out.calls.length, 0, 'a request that does not bind must not reach the upstream');
        assert.equal(out.status, row.loose.status);
        assert.equal((json(out) as { details: { reason: string }[] }).details[0]?.reason, row.loose.reason);
        return;
      }
      if (row.error) {
        assert.equal(out.calls.length, 0, 'a request that does not bind must not reach the upstream');
        assert.equal(out.status, row.error.status ?? 400);
        assert.equal(out.headers['content-type'], 'application/json');
        assert.deepEqual(json(out), defaultErrorBody(3, row.error.message, row.error.reason, row.error.metadata));
        return;
      }
      assertOneCall(out, 'Echo', row.grpc!);
      assert.equal(out.status, 200);
      assert.equal(out.headers['content-type'], 'application/json');
      assert.deepEqual(json(out), row.reply);
    });
  }
}

describe('coercion of text values by target field type', () => runRows(COERCIONS));
describe('sources: path, query, header, const', () => runRows(SOURCES));
describe('JSON bodies', () => runRows(BODIES));
describe('options: default, required, value map, pattern, precedence, unknown query', () => runRows(OPTIONS));
