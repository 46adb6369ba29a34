/**
 * Property tests (fast-check) over path and query coercion: arbitrary text — unicode, stray
 * `%`, very long values, huge numbers — in path parameters and query values of routes bound to
 * int32, int64, bool, enum, bytes and double fields never yields a 5xx and never takes the
 * process down. Where the rule is simple (integers, booleans) an oracle also decides between
 * 200 with the exact upstream value and 400 with the right reason.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { useGateway } from '../support/use-gateway.js';
import { assertNoInternals, frontendHead, json, type HttpOut } from './round-trip.js';

// A counterexample is shrunk by running the property again and again; a long string can take
// millions of steps. Bounded, a failure is reported (with its seed and the counterexample so
// far) within a minute instead of holding the suite.
fc.configureGlobal({ interruptAfterTimeLimit: 60_000, markInterruptAsFailure: true });

const KINDS = { int32: 'f_int32', int64: 'f_int64', bool: 'f_bool', enum: 'color', bytes: 'f_bytes', double: 'f_double', repeated: 'r_int32' } as const;
type Kind = keyof typeof KINDS;

const DEFINITION = `${frontendHead('fuzz')}  routes:
${Object.entries(KINDS)
  .map(
    ([kind, field]) => `    - { id: path-${kind}, method: GET, path: '/p/${kind}/{v}', grpc: Echo, params: [{ from: path.v, to: ${field} }] }
    - { id: query-${kind}, method: GET, path: /q/${kind}, grpc: Echo, params: [{ from: query.v, to: ${field} }] }`,
  )
  .join('\n')}
    - { id: body, method: POST, path: /body, grpc: Echo, params: [{ from: body, to: '*' }] }
`;

/** Runs per property: enough to hit every special value many times, small enough for CI. */
const RUNS = 200;
/** The seven per-kind sanity properties share one budget of about a thousand requests. */
const KIND_RUNS = 150;

/** JSON bodies shaped like Everything, with every key spelled as proto and JSON names. */
const FIELD_KEYS = ['f_double', 'fFloat', 'f_int32', 'fInt64', 'f_uint64', 'fBool', 'f_string', 'fBytes', 'color', 'rInt32', 'r_string', 'rColor', 'r_nested', 'mCounts', 'm_nested', 'choiceText', 'choice_number', 'nested', 'wString', 'w_int64', 'ts', 'dur', 'attrs', 'optInt32'];

/** Percent-encodes every byte of the UTF-8 form except RFC 3986 unreserved characters. */
function encodeStrict(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Encodes only what would change the URL's structure; a `%` stays raw (often malformed). */
function encodeLoose(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte > 0x20 && byte < 0x7f && !'/?#&='.includes(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const SPECIAL = [
  'true', 'TRUE', 'False', 'NaN', 'Infinity', '-Infinity', '%', '%%', '%ZZ', '%E0%A4%A', '%C3', 'latest', 'RED', 'GREEN', '2', '7',
  '__proto__', 'toString', 'constructor', '', ' ', '+1', '-0', '007', '0x10', '1e400', '-1e-400', '9'.repeat(400),
  '.', '..', '2147483647', '2147483648', '-2147483649', '9223372036854775807', '9223372036854775808', '18446744073709551616',
  'aGk=', '-_8', 'A', '====', '\u0000', '\uFFFF', '\u{1F600}', 'é', '\\', '"', "'", '{}', '[]', 'null',
];

/** Text that looks like what clients send, and what they should not. */
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String) },
  { weight: 2, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 2000, maxLength: 6000 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[+-]?\d{1,25}$/) },
);

const input = fc.record({
  value: text,
  where: fc.constantFrom<'path' | 'query'>('path', 'query'),
  encoding: fc.constantFrom<'strict' | 'loose'>('strict', 'loose'),
});

function urlFor(kind: Kind, value: string, where: 'path' | 'query', encoding: 'strict' | 'loose'): string {
  const encoded = encoding === 'strict' ? encodeStrict(value) : encodeLoose(value);
  return where === 'path' ? `/p/${kind}/${encoded}` : `/q/${kind}?v=${encoded}`;
}

/** What any answer must be: a mapped client error or success, JSON, no internals. */
function assertSane(out: HttpOut): void {
  assert.ok(out.status < 500, `status ${out.status}: ${out.text}`);
  assert.ok([200, 400, 404].includes(out.status), `unexpected status ${out.status}: ${out.text}`);
  assertNoInternals(out.text);
  json(out);
  if (out.status !== 200) assert.equal(out.calls.length, 0, 'a rejected value must not reach the upstream');
}

function reasonOf(out: HttpOut): string | undefined {
  return (json(out) as { details?: { reason?: string }[] }).details?.[0]?.reason;
}

/**
 * The expected outcome of a strictly encoded value: 'absent' (no route matches: an empty or
 * dot path segment), a 400 reason, or the exact value the upstream must see.
 */
type Outcome = { kind: 'absent' } | { kind: 'reject'; reason: string } | { kind: 'accept'; value: unknown };

const INT = /^[+-]?\d+$/;
const ORACLES: Partial<Record<Kind, (v: string) => Outcome>> = {
  int32: (v) => {
    if (!INT.test(v)) return { kind: 'reject', reason: 'BINDING_TYPE' };
    const n = BigInt(v);
    return n < -(2n ** 31n) || n > 2n ** 31n - 1n ? { kind: 'reject', reason: 'BINDING_RANGE' } : { kind: 'accept', value: Number(n) };
  },
  int64: (v) => {
    if (!INT.test(v)) return { kind: 'reject', reason: 'BINDING_TYPE' };
    const n = BigInt(v);
    return n < -(2n ** 63n) || n > 2n ** 63n - 1n ? { kind: 'reject', reason: 'BINDING_RANGE' } : { kind: 'accept', value: n.toString() };
  },
  bool: (v) => (v.toLowerCase() === 'true' ? { kind: 'accept', value: true } : v.toLowerCase() === 'false' ? { kind: 'accept', value: false } : { kind: 'reject', reason: 'BINDING_TYPE' }),
};

const gateway = useGateway({ definition: DEFINITION });

describe('no input gives a 5xx', () => {
  for (const kind of Object.keys(KINDS) as Kind[]) {
    test(`${kind} (${KINDS[kind]}): arbitrary path and query text`, async () => {
      await fc.assert(
        fc.asyncProperty(input, async ({ value, where, encoding }) => {
          assertSane(await gateway.exchange({ url: urlFor(kind, value, where, encoding) }));
        }),
        { numRuns: KIND_RUNS },
      );
    });
  }

  test('repeated query values of arbitrary text into a repeated int32', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 5 }), async (values) => {
        assertSane(await gateway.exchange({ url: `/q/repeated?${values.map((v) => `v=${encodeStrict(v)}`).join('&')}` }));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('JSON bodies', () => {
  test('arbitrary JSON values under the field names never give a 5xx', async () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom(...FIELD_KEYS), value, { maxKeys: 6 }),
      fc.dictionary(fc.constantFrom(...FIELD_KEYS), fc.dictionary(fc.constantFrom(...FIELD_KEYS, 'name', 'count', 'tags', 'child'), value, { maxKeys: 3 }), { maxKeys: 3 }),
      value,
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        assertSane(await gateway.exchange({ method: 'POST', url: '/body', body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('integers and booleans follow their rule exactly', () => {
  for (const kind of Object.keys(ORACLES) as Kind[]) {
    const oracle = ORACLES[kind]!;
    test(`${kind}: 200 with the exact value, or 400 with the right reason`, async () => {
      await fc.assert(
        fc.asyncProperty(text, fc.constantFrom<'path' | 'query'>('path', 'query'), async (raw, where) => {
          // What the gateway sees after decoding: the well-formed UTF-8 reading of the value.
          const value = Buffer.from(raw, 'utf8').toString('utf8');
          const out = await gateway.exchange({ url: urlFor(kind, raw, where, 'strict') });
          assertSane(out);
          // An empty segment names no resource; `.` and `..` (even as %2E) are dot segments the
          // URL parser resolves (RFC 3986 §5.2.4) before any route is matched.
          const expected: Outcome = where === 'path' && ['', '.', '..'].includes(value) ? { kind: 'absent' } : oracle(value);
          if (expected.kind === 'absent') {
            assert.equal(out.status, 404);
          } else if (expected.kind === 'reject') {
            assert.equal(out.status, 400, out.text);
            assert.equal(reasonOf(out), expected.reason);
          } else {
            assert.equal(out.status, 200, out.text);
            assert.equal(out.calls.length, 1);
            assert.deepEqual(out.calls[0].request[KINDS[kind]], expected.value);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  test('the gateway still answers normally after every run', async () => {
    const out = await gateway.exchange({ url: '/p/int32/12' });
    assert.equal(out.status, 200);
    assert.deepEqual(json(out), { fInt32: 12 });
  });
});
