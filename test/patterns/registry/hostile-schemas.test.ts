/**
 * Hostile schemas against a real registry over loopback gRPC (issue 13, items 6–8): each
 * row registers what it needs, sends one more request, and states the outcome (accepted,
 * or refused with a reason and a message naming the limit or the pattern). For every row,
 * the event loop of this process, which runs the registry, is never held longer than
 * LAG_BOUND_MS and every call answers within CALL_DEADLINE_MS: both are liveness bounds,
 * ten times or more what the rows take (the times are measured in RELIABILITY.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import type { RegistryLimits } from '../../../patterns/registry/registry-service.js';
import { createCachedStorage } from '../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../patterns/registry/storage/memory-storage.js';
import type { RegistryStorage } from '../../../patterns/registry/storage/registry-storage.js';
import { assertRegistryError, startTestRegistry, type Reply } from './registry-test-client.js';
import { waitFor } from '../../support/wait-for.js';

const LAG_BOUND_MS = 2_000;
const CALL_DEADLINE_MS = 20_000;

type Call = (method: string, request?: Record<string, unknown>) => Promise<Reply>;

interface Expected {
  /** Accepted: RegisterSchema answers an id (or CheckCompatibility answers is_compatible). */
  readonly accepted?: true;
  readonly isCompatible?: boolean;
  /** Refused with this ErrorInfo reason, a message matching `message`, and `metadata`. */
  readonly reason?: string;
  readonly code?: status;
  readonly message?: RegExp;
  readonly metadata?: Record<string, string>;
}

interface HostileCase {
  readonly name: string;
  readonly limits?: Partial<RegistryLimits>;
  /** What the registry holds before the request (within the same liveness bounds). */
  readonly setup?: (call: Call) => Promise<void>;
  readonly method: 'RegisterSchema' | 'CheckCompatibility';
  readonly request: Record<string, unknown>;
  readonly expected: Expected;
}

// --- schema builders ------------------------------------------------------------------

const json = (value: unknown) => JSON.stringify(value);

/** A JSON schema whose properties p0…pN are `$ref`s to the given reference names. */
function jsonReferring(names: readonly string[]): string {
  return json({ type: 'object', properties: Object.fromEntries(names.map((n, i) => [`p${i}`, { $ref: n }])) });
}

/**
 * Registers a diamond: `levels` levels of `width` JSON schemas, each referring to every
 * schema of the level below; subjects `d-<level>-<i>`, reference names `d-<level>-<i>.json`.
 * Returns the references to the top level.
 */
async function registerDiamond(call: Call, width: number, levels: number, prefix = 'd'): Promise<Array<Record<string, unknown>>> {
  let below: Array<Record<string, unknown>> = [];
  for (let level = levels; level >= 1; level--) {
    const current: Array<Record<string, unknown>> = [];
    for (let i = 0; i < width; i++) {
      const subject = `${prefix}-${level}-${i}`;
      const schema = below.length === 0 ? json({ type: 'string', title: subject }) : jsonReferring(below.map((r) => r.name as string));
      await call('RegisterSchema', { subject, schema_type: 'JSON', schema, references: below });
      current.push({ name: `${subject}.json`, subject, version: 1 });
    }
    below = current;
  }
  return below;
}

/** A chain of `length` JSON schemas, each referring to the next; returns the reference to the first. */
async function registerChain(call: Call, length: number): Promise<Record<string, unknown>> {
  let below: Array<Record<string, unknown>> = [];
  for (let i = length; i >= 1; i--) {
    const subject = `chain-${i}`;
    const schema = below.length === 0 ? json({ type: 'string' }) : jsonReferring(below.map((r) => r.name as string));
    await call('RegisterSchema', { subject, schema_type: 'JSON', schema, references: below });
    below = [{ name: `${subject}.json`, subject, version: 1 }];
  }
  return below[0]!;
}

const A30 = `${'a'.repeat(30)}!`;
const nestedPlus = { type: 'object', patternProperties: { '^(a+)+$': { type: 'string' } } };
const anyOfOf = (members: unknown[]) => json({ anyOf: members });
const members = (n: number, offset = 0): Array<Record<string, unknown>> => Array.from({ length: n }, (_, i) => ({ type: 'string', maxLength: i + 1 + offset }));
const avroEnum = (symbols: number) => json({ type: 'enum', name: 'E', symbols: Array.from({ length: symbols }, (_, i) => `S${i}`) });
const avroRecord = (fields: number) =>
  json({ type: 'record', name: 'R', fields: Array.from({ length: fields }, (_, i) => ({ name: `f${i}`, type: 'int', default: 0 })) });
const protoMessage = (fields: number) =>
  `syntax = "proto3";\nmessage M {\n${Array.from({ length: fields }, (_, i) => `  int32 f${i} = ${i + 1};`).join('\n')}\n}\n`;

const cases: HostileCase[] = [
  // --- item 7: patterns from schemas run on RE2 ---------------------------------------
  {
    name: 'ReDoS: patternProperties "^(a+)+$" and a new property named 30 a + "!" (5 s, doubling per char, before)',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'redos', schema_type: 'JSON', schema: json(nestedPlus) });
    },
    method: 'RegisterSchema',
    request: { subject: 'redos', schema_type: 'JSON', schema: json({ ...nestedPlus, properties: { [A30]: { type: 'string' } } }) },
    expected: { accepted: true },
  },
  {
    name: 'ReDoS: the same check through CheckCompatibility',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'redos-check', schema_type: 'JSON', schema: json(nestedPlus) });
    },
    method: 'CheckCompatibility',
    request: { subject: 'redos-check', version: 'latest', schema_type: 'JSON', schema: json({ ...nestedPlus, properties: { [`${'a'.repeat(5000)}!`]: { type: 'string' } } }) },
    expected: { isCompatible: true },
  },
  {
    name: 'a patternProperties key outside RE2 (lookahead) is refused, naming the pattern',
    method: 'RegisterSchema',
    request: { subject: 'lookahead', schema_type: 'JSON', schema: json({ type: 'object', patternProperties: { '^(?=a)a+$': {} } }) },
    expected: { reason: 'INVALID_SCHEMA', code: status.INVALID_ARGUMENT, message: /#\/patternProperties: pattern "\^\(\?=a\)a\+\$" is not supported: patterns from schemas run on a linear-time engine/ },
  },
  {
    name: 'a patternProperties key with a backreference is refused, naming the pattern',
    method: 'RegisterSchema',
    request: { subject: 'backref', schema_type: 'JSON', schema: json({ type: 'object', patternProperties: { '^(a)\\1$': {} } }) },
    expected: { reason: 'INVALID_SCHEMA', message: /pattern "\^\(a\)\\\\1\$" is not supported/ },
  },
  {
    name: 'ECMA-262 escapes RE2 spells differently (\\u0041, \\cJ) are accepted',
    method: 'RegisterSchema',
    request: { subject: 'escapes', schema_type: 'JSON', schema: json({ type: 'object', patternProperties: { '^\\u0041[\\u0061-\\u007A]*\\cJ?$': {} } }) },
    expected: { accepted: true },
  },

  // --- item 8: combined schemas and work budgets --------------------------------------
  {
    name: 'anyOf with 2,000 members, kept and reordered (10 s before: every pair compared)',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'anyof', schema_type: 'JSON', schema: anyOfOf(members(2000)) });
    },
    method: 'RegisterSchema',
    request: { subject: 'anyof', schema_type: 'JSON', schema: anyOfOf([...members(2000)].reverse().concat([{ type: 'null' }])) },
    expected: { accepted: true },
  },
  {
    name: 'anyOf with 2,000 members, every one widened (compatible, none identical)',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'anyof-widened', schema_type: 'JSON', schema: anyOfOf(members(2000)) });
    },
    method: 'RegisterSchema',
    request: { subject: 'anyof-widened', schema_type: 'JSON', schema: anyOfOf(members(2000, 5000)) },
    expected: { accepted: true },
  },
  {
    name: 'anyOf with 2,000 members, every one changed: the bounded search gives up with 42201',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'anyof-changed', schema_type: 'JSON', schema: anyOfOf(members(2000)) });
    },
    method: 'RegisterSchema',
    request: { subject: 'anyof-changed', schema_type: 'JSON', schema: anyOfOf(members(2000, 5000).map((m) => ({ ...m, minLength: 1 }))) },
    expected: { reason: 'INVALID_SCHEMA', code: status.INVALID_ARGUMENT, message: /^Invalid schema: the compatibility check exceeded the registry's work budget/ },
  },
  {
    name: 'a work budget of 500 steps refuses an ordinary 600-property schema with 42201 naming the limit',
    limits: { work: { maxSteps: 500, maxMillis: 60_000 } },
    method: 'RegisterSchema',
    request: {
      subject: 'budget',
      schema_type: 'JSON',
      schema: json({ type: 'object', properties: Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`p${i}`, { type: 'string' }])) }),
    },
    expected: { reason: 'INVALID_SCHEMA', message: /^Invalid schema: parsing the schema exceeded the registry's work budget \(the work budget of 500 steps is used up\)/, metadata: { limit: 'work.maxSteps' } },
  },
  {
    name: 'AVRO enum of 50,000 symbols against itself plus one',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'avro-enum', schema: avroEnum(50_000) });
    },
    method: 'RegisterSchema',
    request: { subject: 'avro-enum', schema: avroEnum(50_001) },
    expected: { accepted: true },
  },
  {
    name: 'AVRO record of 2,000 fields against itself plus one',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'avro-record', schema: avroRecord(2_000) });
    },
    method: 'RegisterSchema',
    request: { subject: 'avro-record', schema: avroRecord(2_001) },
    expected: { accepted: true },
  },
  {
    name: 'PROTOBUF message of 1,000 fields against itself plus one',
    setup: async (call) => {
      await call('RegisterSchema', { subject: 'proto-wide', schema_type: 'PROTOBUF', schema: protoMessage(1_000) });
    },
    method: 'RegisterSchema',
    request: { subject: 'proto-wide', schema_type: 'PROTOBUF', schema: protoMessage(1_001) },
    expected: { accepted: true },
  },
  {
    name: 'PROTOBUF message of 10,000 fields (protobufjs is quadratic in fields: 35 s before) is refused by its estimated cost',
    method: 'RegisterSchema',
    request: { subject: 'proto-huge', schema_type: 'PROTOBUF', schema: protoMessage(10_000) },
    expected: { reason: 'INVALID_SCHEMA', message: /^Invalid schema: parsing the schema exceeded the registry's work budget \(the work budget of 200000 steps is used up\)/ },
  },

  // --- item 6: references -------------------------------------------------------------
  {
    name: 'a diamond of JSON references, 4 per level, 12 levels (77 s and a false 50002 before)',
    method: 'RegisterSchema',
    setup: async (call) => {
      await registerDiamond(call, 4, 12);
    },
    request: {
      subject: 'diamond-root',
      schema_type: 'JSON',
      schema: jsonReferring(['d-1-0.json', 'd-1-1.json', 'd-1-2.json', 'd-1-3.json']),
      references: [0, 1, 2, 3].map((i) => ({ name: `d-1-${i}.json`, subject: `d-1-${i}`, version: 1 })),
    },
    expected: { accepted: true },
  },
  {
    name: 'a diamond of JSON references, 40 per level, 5 levels (167 s and out of memory before)',
    method: 'RegisterSchema',
    setup: async (call) => {
      await registerDiamond(call, 40, 4, 'w');
    },
    request: {
      subject: 'wide-root',
      schema_type: 'JSON',
      schema: jsonReferring(Array.from({ length: 40 }, (_, i) => `w-1-${i}.json`)),
      references: Array.from({ length: 40 }, (_, i) => ({ name: `w-1-${i}.json`, subject: `w-1-${i}`, version: 1 })),
    },
    expected: { accepted: true },
  },
  {
    name: 'references nested 33 deep are refused (maxReferenceDepth 32)',
    method: 'RegisterSchema',
    setup: async (call) => {
      await registerChain(call, 33);
    },
    request: { subject: 'deep', schema_type: 'JSON', schema: jsonReferring(['chain-1.json']), references: [{ name: 'chain-1.json', subject: 'chain-1', version: 1 }] },
    expected: { reason: 'INVALID_SCHEMA', message: /^Invalid reference: references nested deeper than 32$/, metadata: { limit: 'maxReferenceDepth' } },
  },
  {
    name: 'references nested 32 deep are accepted',
    method: 'RegisterSchema',
    setup: async (call) => {
      await registerChain(call, 32);
    },
    request: { subject: 'deep', schema_type: 'JSON', schema: jsonReferring(['chain-1.json']), references: [{ name: 'chain-1.json', subject: 'chain-1', version: 1 }] },
    expected: { accepted: true },
  },
  {
    name: 'more distinct referenced schemas than maxReferencedSchemas are refused, naming the limit',
    limits: { maxReferencedSchemas: 10 },
    method: 'RegisterSchema',
    setup: async (call) => {
      // 3 + 4 + 4 distinct references from the root: one more than the limit.
      await registerDiamond(call, 4, 3);
    },
    request: {
      subject: 'many',
      schema_type: 'JSON',
      schema: jsonReferring(['d-1-0.json', 'd-1-1.json', 'd-1-2.json']),
      references: [0, 1, 2].map((i) => ({ name: `d-1-${i}.json`, subject: `d-1-${i}`, version: 1 })),
    },
    expected: { reason: 'INVALID_SCHEMA', message: /^Invalid reference: the references resolve to more than 10 schemas$/, metadata: { limit: 'maxReferencedSchemas' } },
  },
  {
    name: 'referenced schemas larger than maxResolvedBytes in total are refused, naming the limit',
    limits: { maxResolvedBytes: 2_000 },
    method: 'RegisterSchema',
    setup: async (call) => {
      for (let i = 0; i < 3; i++) {
        await call('RegisterSchema', { subject: `big-${i}`, schema_type: 'JSON', schema: json({ type: 'string', description: 'x'.repeat(900) }) });
      }
    },
    request: {
      subject: 'big-root',
      schema_type: 'JSON',
      schema: jsonReferring(['big-0.json', 'big-1.json', 'big-2.json']),
      references: [0, 1, 2].map((i) => ({ name: `big-${i}.json`, subject: `big-${i}`, version: 1 })),
    },
    expected: { reason: 'INVALID_SCHEMA', message: /^Invalid reference: the referenced schemas add up to more than 2000 bytes$/, metadata: { limit: 'maxResolvedBytes' } },
  },
];

/** The longest time the event loop was held while `fn` ran (a 5 ms interval probe). */
async function withLagProbe<T>(fn: () => Promise<T>): Promise<{ value: T | undefined; error: unknown; maxLagMs: number }> {
  let maxLagMs = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    maxLagMs = Math.max(maxLagMs, now - last - 5);
    last = now;
  }, 5);
  let value: T | undefined;
  let error: unknown;
  try {
    value = await fn();
  } catch (err) {
    error = err;
  }
  clearInterval(probe);
  // The stretch since the last tick counts too: a stall at the very end delays no tick before
  // `fn` settles. Measured before the result is built, so that it is part of it.
  maxLagMs = Math.max(maxLagMs, performance.now() - last - 5);
  return { value, error, maxLagMs };
}

for (const c of cases) {
  test(`hostile schema: ${c.name}`, async () => {
    const registry = await startTestRegistry(createCachedStorage(createMemoryStorage()), { limits: c.limits });
    const call: Call = (method, request = {}) => registry.client.call(method, request, { deadlineMs: CALL_DEADLINE_MS });
    try {
      const { value, error, maxLagMs } = await withLagProbe(async () => {
        await c.setup?.(call);
        return call(c.method, c.request);
      });
      assert.ok(maxLagMs < LAG_BOUND_MS, `the event loop was held ${Math.round(maxLagMs)} ms`);
      const e = c.expected;
      if (e.reason !== undefined) {
        await assertRegistryError(Promise.reject(error ?? new Error(`expected ${e.reason}, got ${JSON.stringify(value)}`)), e.reason, {
          code: e.code,
          message: e.message,
          metadata: e.metadata,
        });
        return;
      }
      if (error) throw error;
      if (e.accepted) assert.ok(value.id > 0, JSON.stringify(value));
      if (e.isCompatible !== undefined) assert.equal(value.is_compatible, e.isCompatible, JSON.stringify(value));
    } finally {
      await registry.close();
    }
  });
}

// --- item 6: a write never outlives its deadline --------------------------------------

/**
 * A store whose reads of one subject's versions take `delayMs`: a slow reference graph.
 * `slowReads()` counts the slow reads finished so far.
 */
function slowSubjectStorage(inner: RegistryStorage, slowSubject: string, delayMs: number): RegistryStorage & { slowReads(): number } {
  let finished = 0;
  return {
    ...inner,
    listVersions: async (subject) => {
      if (subject !== slowSubject) return inner.listVersions(subject);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const versions = await inner.listVersions(subject);
      finished++;
      return versions;
    },
    slowReads: () => finished,
  };
}

test('a registration whose caller timed out is not committed (no 50002 for a stored write)', async () => {
  // The memory storage is made of closures, so spreading it keeps every method working.
  const storage = slowSubjectStorage(createMemoryStorage(), 'slow-ref', 600);
  const registry = await startTestRegistry(storage);
  try {
    await registry.client.call('RegisterSchema', { subject: 'slow-ref', schema_type: 'JSON', schema: '{"type":"string"}' });
    const readsBefore = storage.slowReads();
    const request = {
      subject: 'late',
      schema_type: 'JSON',
      schema: jsonReferring(['slow.json']),
      references: [{ name: 'slow.json', subject: 'slow-ref', version: 1 }],
    };
    // Resolving the reference takes 600 ms (twice: once before and once inside the write
    // queue); the caller gives up after 300 ms.
    await assert.rejects(registry.client.call('RegisterSchema', request, { deadlineMs: 300 }), (err: { code: number }) => err.code === status.DEADLINE_EXCEEDED);
    // The registry goes on after the caller left: once its first read of the reference is done,
    // the write joins the write queue, and there it either commits or, as it should, is
    // dropped. A write sent after that read (the same schema under another subject: no new id)
    // queues behind it, so it is answered only after that decision.
    await waitFor(() => storage.slowReads() > readsBefore, { what: 'the first read of the slow reference' });
    assert.deepEqual(await registry.client.call('RegisterSchema', { subject: 'after', schema_type: 'JSON', schema: '{"type":"string"}' }), { id: 1, version: 1 });
    const subjects = await registry.client.call('ListSubjects', {});
    assert.deepEqual(subjects.subjects, ['after', 'slow-ref']);
    // With time enough, the same registration commits.
    assert.deepEqual(await registry.client.call('RegisterSchema', request, { deadlineMs: 10_000 }), { id: 2, version: 1 });
  } finally {
    await registry.close();
  }
});
