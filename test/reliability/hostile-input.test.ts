/**
 * Hostile and malformed input against the real Confluent stack (embedded registry): every
 * answer is a 4xx in Confluent's error shape, never a 5xx or a crash; nothing pollutes
 * prototypes; a bounded fast-check fuzz over the API; and the router matches pathological
 * paths in linear work.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SegmentTrie } from '../../src/routing/segment-trie.js';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { parsePathTemplate } from '../../src/routing/path-template.js';
import { startStack } from '../confluent/support.js';
import { useSuite } from '../support/use-suite.js';
import { CONFLUENT_FRONTEND, confluentError, request, useFixtureGateway, V1_JSON } from './support.js';

const stack = useSuite(async (scope) => {
  const started = scope.own(await startStack());
  const a = await request(`${started.url}/subjects/base/versions`, { method: 'POST', body: { schema: JSON.stringify({ type: 'record', name: 'Base', fields: [{ name: 'f', type: 'int' }] }) } });
  assert.equal(a.status, 200, a.text);
  return started;
});
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/** A 4xx in Confluent's `{error_code, message}` shape. */
function assertClientError(a: { status: number; text: string }, status?: number) {
  if (status !== undefined) assert.equal(a.status, status, a.text);
  else assert.ok(a.status >= 400 && a.status < 500, `${a.status} ${a.text}`);
  assert.ok(confluentError(a as never), `Confluent error shape: ${a.text}`);
}

const register = (body: string | Uint8Array, headers: Record<string, string> = {}) => request(`${stack.url}/subjects/hostile/versions`, { method: 'POST', body, headers: { 'content-type': V1_JSON, ...headers } });

describe('malformed bodies', () => {
  test('a body over the limit: 413 in Confluent shape, and the gateway keeps serving', async () => {
    const huge = JSON.stringify({ schema: 'x'.repeat(17 * 1024 * 1024) });
    const a = await register(huge);
    assert.equal(a.status, 413, a.text.slice(0, 200));
    assert.deepEqual(a.json(), { error_code: 413, message: 'HTTP 413 Request Entity Too Large' });
    assert.equal((await request(`${stack.url}/subjects`)).status, 200);
  });

  test('a 900 KB schema passes the body limit and is registered', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => ({ name: `field_${i}`, type: 'int', default: 0, doc: 'd'.repeat(45_000) }));
    const big = JSON.stringify({ type: 'record', name: 'Big', fields });
    assert.ok(big.length > 900_000);
    const a = await request(`${stack.url}/subjects/big/versions`, { method: 'POST', body: { schema: big }, timeoutMs: 60_000 });
    assert.equal(a.status, 200, a.text.slice(0, 300));
  });

  test('deeply nested JSON: 400, not a crash', async () => {
    for (const depth of [65, 1000, 100_000]) assertClientError(await register('['.repeat(depth) + ']'.repeat(depth)), 400);
    assertClientError(await register(`{"schema":"x","references":${'['.repeat(5000)}${']'.repeat(5000)}}`), 400);
  });

  test('invalid UTF-8 and invalid JSON: 4xx', async () => {
    assertClientError(await register(new Uint8Array([0x7b, 0x22, 0x73, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])));
    assertClientError(await register(Buffer.concat([Buffer.from('{"schema":"'), Buffer.from([0xc3, 0x28, 0xa0, 0xa1]), Buffer.from('"}')])));
    for (const text of ['{', '{"schema":', 'nul', '{"schema":"a",}', '\u0000', '{"schema":"a"} trailing']) assertClientError(await register(text), 400);
  });

  test('duplicate keys: the last one wins consistently (as in Jackson) or the body is refused; never a 5xx', async () => {
    const a = await register('{"schema":"not json at all","schema":' + JSON.stringify(JSON.stringify({ type: 'string' })) + '}');
    assert.ok(a.status === 200 || (a.status >= 400 && a.status < 500), a.text);
    if (a.status === 200) {
      const latest = await request(`${stack.url}/subjects/hostile/versions/latest`);
      assert.equal((latest.json() as { schema: string }).schema, '"string"');
    }
  });

  test('__proto__ and constructor keys do not pollute prototypes', async () => {
    const bodies = [
      '{"__proto__":{"polluted":"yes"},"schema":"\\"int\\""}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"schema":"\\"int\\""}',
      '{"schema":"\\"long\\"","references":[{"__proto__":{"polluted":"yes"},"name":"x","subject":"base","version":1}]}',
    ];
    for (const body of bodies) {
      const a = await register(body);
      assert.ok(a.status < 500, a.text);
    }
    await request(`${stack.url}/config/hostile`, { method: 'PUT', body: '{"__proto__":{"polluted":"yes"},"compatibility":"NONE"}' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
    assert.equal((await request(`${stack.url}/subjects`)).status, 200);
  });

  test('huge numbers and wrong types in every body field: 4xx (or ignored), never 5xx', async () => {
    const values = [1e308, -1e308, 123456789012345678901234567890, 2 ** 53 + 1, -1, 1.5, true, null, [], {}, 'x', ''];
    const fields = ['schema', 'schemaType', 'references', 'metadata', 'ruleSet', 'version', 'id'];
    let answered = 0;
    for (const field of fields) {
      for (const value of values) {
        const body: Record<string, unknown> = { schema: JSON.stringify({ type: 'string' }) };
        body[field] = value;
        const a = await register(JSON.stringify(body));
        assert.ok(a.status < 500, `${field}=${JSON.stringify(value)}: ${a.status} ${a.text}`);
        if (a.status >= 400) assert.ok(confluentError(a), a.text);
        answered++;
      }
    }
    for (const value of values) {
      const a = await request(`${stack.url}/config`, { method: 'PUT', body: { compatibility: value } });
      assert.ok(a.status < 500, `compatibility=${JSON.stringify(value)}: ${a.text}`);
      const m = await request(`${stack.url}/mode/hostile`, { method: 'PUT', body: { mode: value } });
      assert.ok(m.status < 500, `mode=${JSON.stringify(value)}: ${m.text}`);
      answered += 2;
    }
    assert.equal(answered, fields.length * values.length + 2 * values.length);
    const big = await request(`${stack.url}/schemas/ids/99999999999999999999999`);
    assertClientError(big, 404);
    const neg = await request(`${stack.url}/subjects/base/versions/-5`);
    assertClientError(neg);
  });

  test('unknown content types: 415', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded']) {
      assertClientError(await register('{"schema":"\\"int\\""}', { 'content-type': type }), 415);
    }
  });
});

describe('lengths', () => {
  test('an oversized header block is refused by the HTTP parser (431) and the gateway keeps serving', async () => {
    const res = await fetch(`${stack.url}/subjects`, { headers: { 'x-filler': 'h'.repeat(64 * 1024) } }).catch((e: Error) => e);
    if (!(res instanceof Error)) assert.equal(res.status, 431);
    assert.equal((await request(`${stack.url}/subjects`)).status, 200);
  });

  test('a 100 KB URL is refused with a 4xx, not a 5xx, and the gateway keeps serving', async () => {
    const a = await request(`${stack.url}/subjects/${'s'.repeat(100 * 1024)}/versions`);
    assert.ok(a.status >= 400 && a.status < 500, `${a.status} ${a.text.slice(0, 200)}`);
    assert.equal((await request(`${stack.url}/subjects`)).status, 200);
  });

  test(
    "an oversized request head (URL or headers) is answered in Confluent's error shape",
    async () => {
      const longUrl = await request(`${stack.url}/subjects/${'s'.repeat(100 * 1024)}/versions`);
      assert.equal(longUrl.status, 431);
      assert.ok(confluentError(longUrl), longUrl.text.slice(0, 200));
      const longHeader = await request(`${stack.url}/subjects`, { headers: { 'x-filler': 'h'.repeat(64 * 1024) } });
      assert.equal(longHeader.status, 431);
      assert.ok(confluentError(longHeader), longHeader.text.slice(0, 200));
    },
  );
});

describe('paths', () => {
  test('path traversal and encoded slashes in subjects stay inside the route', async () => {
    const paths = ['/subjects/..%2F..%2Fetc%2Fpasswd/versions', '/subjects/%2e%2e/versions', '/subjects/a%2Fb/versions', '/subjects/../../config', '/subjects/%00/versions', '/subjects/%ZZ/versions', '/subjects/' + 'a'.repeat(10_000) + '/versions'];
    for (const p of paths) {
      const a = await request(stack.url + p);
      assert.ok(a.status < 500, `${p.slice(0, 60)}: ${a.status} ${a.text}`);
      assert.ok(a.status === 200 || confluentError(a), `${p.slice(0, 60)}: ${a.text}`);
    }
    // An encoded slash is part of the subject name, not a path separator.
    const reg = await request(`${stack.url}/subjects/a%2Fb/versions`, { method: 'POST', body: { schema: JSON.stringify({ type: 'string' }) } });
    assert.equal(reg.status, 200, reg.text);
    const subjects = (await request(`${stack.url}/subjects`)).json() as string[];
    assert.ok(subjects.includes('a/b'), JSON.stringify(subjects));
  });

  test('every Confluent path template indexes in the segment trie; matching hostile paths runs no regex and no more work as they grow', () => {
    const doc = parse(readFileSync(CONFLUENT_FRONTEND, 'utf8')) as { rest: { routes: { id: string; method: string; path: string }[] } };
    assert.ok(doc.rest.routes.length >= 30);
    const trie = new SegmentTrie<string>({ maxParamLength: 1_000_000 });
    for (const r of doc.rest.routes) {
      const template = parsePathTemplate(r.path, (_code, _pointer, message) => assert.fail(`route ${r.id}: ${message}`));
      trie.add(r.method, template!.segments, undefined, r.id);
    }
    // Count every regular-expression execution during the lookups (RegExp#test and friends go
    // through exec): the count must not grow with the length of the hostile input.
    const originalExec = RegExp.prototype.exec;
    let execs = 0;
    RegExp.prototype.exec = function (this: RegExp, input: string) {
      execs++;
      return originalExec.call(this, input);
    };
    const counts: number[] = [];
    try {
      for (const n of [10, 100, 1000, 10_000]) {
        execs = 0;
        const hostile = ['/subjects/' + 'a/'.repeat(n) + 'versions', '/subjects/' + '%2F'.repeat(n) + '/versions/1', '/' + '/'.repeat(n), '/config/' + 'x'.repeat(n), '/schemas/ids/' + '9'.repeat(n) + '/schema', '/subjects/' + 'a'.repeat(n) + '/versions/' + 'b'.repeat(n) + '/referencedby'];
        for (const path of hostile) trie.find('GET', path, undefined);
        counts.push(execs);
        const found = trie.find('GET', '/subjects/' + 'a'.repeat(n) + '/versions/' + 'b'.repeat(n) + '/referencedby', undefined);
        assert.deepEqual(found?.params, { subject: 'a'.repeat(n), version: 'b'.repeat(n) });
        // An encoded slash stays in its segment and comes back decoded.
        assert.deepEqual(trie.find('GET', '/subjects/' + '%2F'.repeat(n) + '/versions/1', undefined)?.params, { subject: '/'.repeat(n), version: '1' });
      }
    } finally {
      RegExp.prototype.exec = originalExec;
    }
    assert.ok(counts.every((c) => c === counts[0]), `regex executions per size: ${counts.join(', ')}`);
  });
});

describe('headers forwarded as metadata', () => {
  const fx = useFixtureGateway('hostile-headers', { frontend: { forwardHeaders: ['x-tenant'] } });

  test('values with control characters are refused (400) and never reach the backend', async () => {
    const before = fx.fixture.received.length;
    for (const value of ['a\u0001b', 'tab\there', 'del\u007f', 'é-latin1']) {
      const res = await fetch(`${fx.gateway.url}/echo?text=x`, { headers: { 'x-tenant': value } }).catch((e: Error) => e);
      if (res instanceof Error) continue; // the client itself refused to send it
      assert.equal(res.status, 400, `${JSON.stringify(value)}: ${await res.text()}`);
    }
    assert.equal(fx.fixture.received.length, before, 'nothing reached the backend');
    const ok = await fetch(`${fx.gateway.url}/echo?text=x`, { headers: { 'x-tenant': 'acme' } });
    assert.equal(ok.status, 200);
    assert.equal(fx.fixture.received.at(-1)?.metadata['x-tenant'], 'acme');
  });
});

describe('fuzz', () => {
  test(`random methods, paths, queries and bodies over the Confluent API (${FUZZ_RUNS} runs): no unmapped 5xx`, { timeout: 120_000 }, async () => {
    const segment = fc.oneof(fc.constantFrom('subjects', 'versions', 'schemas', 'ids', 'config', 'mode', 'compatibility', 'latest', '1', '-1', 'referencedby', 'schema', 'types', 'contexts', '%2F', '..', '%00', ''), fc.string({ maxLength: 8 }).map(encodeURIComponent));
    const query = fc.dictionary(fc.constantFrom('deleted', 'permanent', 'normalize', 'offset', 'limit', 'verbose', 'subject', 'x'), fc.oneof(fc.constantFrom('true', 'false', '-1', '1e99', ''), fc.string({ maxLength: 6 })), { maxKeys: 3 });
    const body = fc.oneof(fc.constant(undefined), fc.json({ maxDepth: 3 }), fc.record({ schema: fc.oneof(fc.string(), fc.constant('"int"')), schemaType: fc.constantFrom('AVRO', 'JSON', 'PROTOBUF', 'XML', '') }, { requiredKeys: [] }).map((o) => JSON.stringify(o)));
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), fc.array(segment, { minLength: 1, maxLength: 5 }), query, body, async (method, segments, q, b) => {
        const qs = new URLSearchParams(q).toString();
        const path = '/' + segments.join('/') + (qs ? `?${qs}` : '');
        const a = await request(stack.url + path, { method, body: method === 'GET' || method === 'DELETE' ? undefined : b ?? undefined });
        seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
        if (a.status >= 500) {
          // Only the mapped backend errors may be 5xx.
          assert.ok([50001, 50002, 50003].includes(confluentError(a)?.error_code ?? 0), `${method} ${path}: ${a.status} ${a.text}`);
        } else if (a.status >= 400) {
          assert.ok(confluentError(a), `${method} ${path}: ${a.text}`);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
    assert.ok([...seen.keys()].some((s) => s >= 400), 'the fuzz reached error paths');
    assert.equal((await request(`${stack.url}/subjects`)).status, 200, 'the gateway is alive');
  });
});
