/**
 * Hostile schemas through the Confluent HTTP API of the real stack (issue 13, items 6–8):
 * what a Confluent client sees for each (200, or 422 with error_code 42201 and a message
 * naming the pattern or the limit), and that the registry keeps answering `GET /` while it
 * works. The registry-level case table, with every limit, is
 * test/patterns/registry/hostile-schemas.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, startStack, type Reply } from './support.js';
import { useStarted } from '../support/use-suite.js';

/** How many times its unloaded time a `GET /` may take when it cannot finish before the heavy request. */
const ROOT_FACTOR = 10;
/**
 * The pause between two probes: a hold shorter than this is below what the probing resolves,
 * so the unloaded time counts as at least this much.
 */
const PROBE_INTERVAL_MS = 50;

const stack = useStarted(() => startStack());

const post = (path: string, body: unknown) => call(stack.url, 'POST', path, { body });
const json = (value: unknown) => JSON.stringify(value);

/** Sends `GET /` and resolves with when it started and ended (performance.now()). */
async function timedRoot(): Promise<{ start: number; end: number }> {
  const start = performance.now();
  const root = await call(stack.url, 'GET', '/');
  assert.equal(root.status, 200);
  return { start, end: performance.now() };
}

/**
 * Sends `request` and, while it runs, `GET /` every PROBE_INTERVAL_MS: the registry's event
 * loop must not be held for the whole heavy request. Each `GET /` must finish before the heavy
 * request does, or else within ROOT_FACTOR times its unloaded time (the slowest of five sent
 * just before, and at least PROBE_INTERVAL_MS). Relative bounds, so a busy machine slows both
 * sides alike.
 */
async function whileProbing(request: () => Promise<Reply>): Promise<Reply> {
  let unloaded = PROBE_INTERVAL_MS;
  for (let i = 0; i < 5; i++) {
    const { start, end } = await timedRoot();
    unloaded = Math.max(unloaded, end - start);
  }
  let done = false;
  const probes: { start: number; end: number }[] = [];
  const probe = (async () => {
    while (!done) {
      probes.push(await timedRoot());
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  })();
  const started = performance.now();
  let finished = Infinity;
  try {
    const reply = await request();
    finished = performance.now();
    return reply;
  } finally {
    done = true;
    await probe;
    const late = probes.filter((p) => p.end > finished && p.end - p.start > ROOT_FACTOR * unloaded);
    const ms = (n: number) => Math.round(n);
    assert.deepEqual(
      late.map((p) => `GET / sent ${ms(p.start - started)} ms into the request took ${ms(p.end - p.start)} ms`),
      [],
      `the heavy request took ${ms(finished - started)} ms; GET / may take ${ms(ROOT_FACTOR * unloaded)} ms when it cannot finish first`,
    );
  }
}

function assert42201(r: Reply, message: RegExp): void {
  assert.equal(r.status, 422, r.text);
  const body = r.json() as { error_code: number; message: string };
  assert.equal(body.error_code, 42201, r.text);
  assert.match(body.message, message);
}

test('ReDoS: patternProperties "^(a+)+$" and a property named 30 a + "!" registers at once', async () => {
  const old = { type: 'object', patternProperties: { '^(a+)+$': { type: 'string' } } };
  assert.equal((await post('/subjects/redos/versions', { schemaType: 'JSON', schema: json(old) })).status, 200);
  const candidate = { ...old, properties: { [`${'a'.repeat(30)}!`]: { type: 'string' } } };
  const r = await whileProbing(() => post('/subjects/redos/versions', { schemaType: 'JSON', schema: json(candidate) }));
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json(), { id: 2 });
});

test('a patternProperties key outside RE2 is 422/42201 naming the pattern', async () => {
  const schema = json({ type: 'object', patternProperties: { '^(?!x)': {} } });
  const r = await post('/subjects/lookahead/versions', { schemaType: 'JSON', schema });
  assert42201(r, /#\/patternProperties: pattern "\^\(\?!x\)" is not supported: patterns from schemas run on a linear-time engine \(RE2 syntax\)/);
});

test('anyOf with 2,000 members, every one changed: 422/42201 naming the work budget, GET / still answered', async () => {
  // Each new member has a new minLength: no old member is readable by any new one.
  const members = (offset: number) => Array.from({ length: 2000 }, (_, i) => ({ type: 'string', maxLength: i + 1 + offset, ...(offset > 0 ? { minLength: 1 } : {}) }));
  assert.equal((await post('/subjects/anyof/versions', { schemaType: 'JSON', schema: json({ anyOf: members(0) }) })).status, 200);
  const r = await whileProbing(() => post('/subjects/anyof/versions', { schemaType: 'JSON', schema: json({ anyOf: members(5000) }) }));
  assert42201(r, /^Invalid schema: the compatibility check exceeded the registry's work budget \(the work budget of 200000 steps is used up\)/);
  // The verbose compatibility check answers the same text as its only message.
  const check = await post('/compatibility/subjects/anyof/versions/latest?verbose=true', { schemaType: 'JSON', schema: json({ anyOf: members(5000) }) });
  assert.equal(check.status, 200, check.text);
  const verdict = check.json() as { is_compatible: boolean; messages: string[] };
  assert.equal(verdict.is_compatible, false);
  assert.match(verdict.messages[0]!, /work budget/);
});

test('a diamond of references, 4 per level, 12 levels: 200 at once (77 s and a false 50002 before)', async () => {
  let below: Array<{ name: string; subject: string; version: number }> = [];
  for (let level = 12; level >= 0; level--) {
    const width = level === 0 ? 1 : 4;
    const current: typeof below = [];
    for (let i = 0; i < width; i++) {
      const subject = `diamond-${level}-${i}`;
      const schema = json({ type: 'object', properties: Object.fromEntries(below.map((r, j) => [`p${j}`, { $ref: r.name }])) });
      const r = await whileProbing(() => post(`/subjects/${subject}/versions`, { schemaType: 'JSON', schema, references: below }));
      assert.equal(r.status, 200, r.text);
      current.push({ name: `${subject}.json`, subject, version: 1 });
    }
    below = current;
  }
});

test('references nested 33 deep: 422/42201 naming the depth limit', async () => {
  let below: Array<{ name: string; subject: string; version: number }> = [];
  for (let i = 33; i >= 0; i--) {
    const subject = `chain-${i}`;
    const schema = json({ type: 'object', properties: Object.fromEntries(below.map((r, j) => [`p${j}`, { $ref: r.name }])) });
    const r = await post(`/subjects/${subject}/versions`, { schemaType: 'JSON', schema, references: below });
    if (i > 0) assert.equal(r.status, 200, r.text);
    else assert42201(r, /^Invalid reference: references nested deeper than 32$/);
    below = [{ name: `${subject}.json`, subject, version: 1 }];
  }
});
