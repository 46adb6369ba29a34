/**
 * The registry's caches: the read cache over a storage (schemas by id, version lists,
 * settings) and the parsed stored schemas. Both drop the least recently used entry first,
 * are bounded in estimated bytes as well as in entries, and never let a read miss a write.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseProtobuf } from '../../../patterns/registry/formats/protobuf/parse-protobuf.js';
import { InvalidSchemaError } from '../../../patterns/registry/formats/schema-format.js';
import { createStoredSchemas } from '../../../patterns/registry/service/stored-schemas.js';
import type { ResolveReferences } from '../../../patterns/registry/service/reference-resolver.js';
import { createCachedStorage, type CachedStorageOptions } from '../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../patterns/registry/storage/memory-storage.js';
import type { RegistryStorage, SettingKind } from '../../../patterns/registry/storage/registry-storage.js';
import { DEFAULT_WORK_LIMITS } from '../../../patterns/registry/work-budget.js';

/** A storage that counts the reads reaching it, per schema id and per subject. */
function counting(inner: RegistryStorage) {
  const schemaReads = new Map<number, number>();
  const versionReads = new Map<string, number>();
  const storage: RegistryStorage = {
    ...inner,
    getSchema: (id) => (schemaReads.set(id, (schemaReads.get(id) ?? 0) + 1), inner.getSchema(id)),
    listVersions: (subject) => (versionReads.set(subject, (versionReads.get(subject) ?? 0) + 1), inner.listVersions(subject)),
  };
  return { storage, schemaReads, versionReads };
}

/** An Avro record whose text is about `length` characters long. */
function avroRecord(name: string, length = 0): string {
  const fields: { name: string; type: string }[] = [{ name: 'a', type: 'int' }];
  while (JSON.stringify({ type: 'record', name, fields }).length < length) fields.push({ name: `f${fields.length}`, type: 'string' });
  return JSON.stringify({ type: 'record', name, fields });
}

/** Stores each text under its own subject and returns the ids, in order. */
async function storeAll(storage: RegistryStorage, texts: readonly string[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [i, schema] of texts.entries()) {
    const { id } = await storage.insertVersion({ subject: `s${i}`, schemaType: 'AVRO', schema, references: [], hash: `h${i}` });
    ids.push(id);
  }
  return ids;
}

/** Reads `ids` through `cached` and returns how many of them reached the inner storage. */
async function readsReaching(cached: RegistryStorage, schemaReads: Map<number, number>, ids: readonly number[]): Promise<number> {
  const total = () => [...schemaReads.values()].reduce((a, b) => a + b, 0);
  const before = total();
  for (const id of ids) assert.ok(await cached.getSchema(id), `schema ${id} is found`);
  return total() - before;
}

const noReferences: ResolveReferences = async () => ({ resolved: [], concrete: [] });

test('read cache: a schema read again recently survives the eviction of older ones (least recently used out first)', async () => {
  const inner = createMemoryStorage();
  const [a, b, c, d] = await storeAll(inner, ['"string"', '"int"', '"long"', '"bytes"']);
  const { storage, schemaReads } = counting(inner);
  const cached = createCachedStorage(storage, { maxSchemas: 3 });
  assert.equal(await readsReaching(cached, schemaReads, [a, b, c]), 3);
  // a was stored first but read last: b is now the least recently used, and d pushes it out.
  assert.equal(await readsReaching(cached, schemaReads, [a, d]), 1);
  assert.equal(await readsReaching(cached, schemaReads, [a]), 0, 'the recently read schema stayed');
  assert.equal(await readsReaching(cached, schemaReads, [c, d]), 0);
  assert.equal(await readsReaching(cached, schemaReads, [b]), 1, 'the least recently used one went');
});

test('read cache: a subject whose versions were read recently keeps its list', async () => {
  const inner = createMemoryStorage();
  for (const subject of ['x', 'y', 'z']) await inner.insertVersion({ subject, schemaType: 'AVRO', schema: '"string"', references: [], hash: 'h' });
  const { storage, versionReads } = counting(inner);
  const cached = createCachedStorage(storage, { maxSubjects: 2 });
  await cached.listVersions('x');
  await cached.listVersions('y');
  await cached.listVersions('x');
  await cached.listVersions('z');
  await cached.listVersions('x');
  assert.deepEqual(Object.fromEntries(versionReads), { x: 1, y: 1, z: 1 });
  await cached.listVersions('y');
  assert.equal(versionReads.get('y'), 2, 'y was the least recently used');
});

test('read cache: one large schema gives way to many small ones, and a schema beyond the byte budget is never kept', async () => {
  const budget = 8192;
  const inner = createMemoryStorage();
  const small = Array.from({ length: 10 }, (_, i) => avroRecord(`Small${i}`, 300));
  const [large, tooLarge, ...smallIds] = await storeAll(inner, [avroRecord('Large', 6000), avroRecord('TooLarge', budget + 1), ...small]);
  const { storage, schemaReads } = counting(inner);
  const cached = createCachedStorage(storage, { maxSchemaCacheBytes: budget });

  assert.equal(await readsReaching(cached, schemaReads, [tooLarge, tooLarge, tooLarge]), 3, 'read through every time');
  assert.equal(await readsReaching(cached, schemaReads, [large, large]), 1, 'a large schema within the budget is kept');
  // Ten small ones do not fit beside it: it goes, they all stay, however many entries the
  // count bound (10,000 by default) would allow.
  assert.equal(await readsReaching(cached, schemaReads, smallIds), 10);
  assert.equal(await readsReaching(cached, schemaReads, smallIds), 0, 'every small schema stayed');
  assert.equal(await readsReaching(cached, schemaReads, [large]), 1, 'the large one gave way');
});

test('read cache: what is kept stays under the byte budget', async () => {
  const budget = 4096;
  const textLength = 300;
  const inner = createMemoryStorage();
  const ids = await storeAll(inner, Array.from({ length: 50 }, (_, i) => avroRecord(`R${i}`, textLength)));
  const { storage, schemaReads } = counting(inner);
  const cached = createCachedStorage(storage, { maxSchemaCacheBytes: budget });
  await readsReaching(cached, schemaReads, ids);
  // Newest first, the kept ones answer from memory until the first one that was dropped.
  let kept = 0;
  for (const id of [...ids].reverse()) {
    if ((await readsReaching(cached, schemaReads, [id])) > 0) break;
    kept++;
  }
  assert.ok(kept >= 1, 'the most recent schemas are kept');
  assert.ok(kept * textLength <= budget, `${kept} schemas of ${textLength} characters exceed ${budget} bytes`);
});

test('read cache: a subject whose version list is beyond the byte budget is read through, and still sees writes', async () => {
  const inner = createMemoryStorage();
  const { storage, versionReads } = counting(inner);
  const cached = createCachedStorage(storage, { maxSubjectCacheBytes: 4096 });
  for (let i = 1; i <= 1000; i++) await cached.insertVersion({ subject: 'big', schemaType: 'AVRO', schema: `"s${i}"`, references: [], hash: `h${i}` });
  await cached.insertVersion({ subject: 'small', schemaType: 'AVRO', schema: '"s1"', references: [], hash: 'h1' });
  versionReads.clear();
  for (let i = 0; i < 3; i++) {
    assert.equal((await cached.listVersions('big')).length, 1000);
    assert.equal((await cached.listVersions('small')).length, 1);
  }
  assert.deepEqual(Object.fromEntries(versionReads), { big: 3, small: 1 });
  await cached.softDeleteVersions('big', [1000]);
  assert.equal((await cached.listVersions('big')).at(-1)?.deleted, true);
});

test('parsed schemas: one used again recently survives eviction; a schema beyond the byte budget is parsed again each time', async () => {
  const inner = createMemoryStorage();
  const [a, b, c, huge] = await storeAll(inner, [avroRecord('A'), avroRecord('B'), avroRecord('C'), avroRecord('Huge', 40_000)]);
  const { storage, schemaReads } = counting(inner);
  const stored = createStoredSchemas(storage, noReferences, DEFAULT_WORK_LIMITS, { maxParsed: 2, maxParsedBytes: 32 * 1024 });
  for (const id of [a, b, a, c, a]) await stored.parseStored(id);
  assert.deepEqual(Object.fromEntries(schemaReads), { [a]: 1, [b]: 1, [c]: 1 }, 'a, used last before c came, stayed');
  await stored.parseStored(b);
  assert.equal(schemaReads.get(b), 2, 'b was the least recently used');

  assert.equal((await stored.parseStored(huge)).type, 'AVRO');
  await stored.parseStored(huge);
  assert.equal(schemaReads.get(huge), 2, 'not kept');
  await stored.parseStored(b);
  assert.equal(schemaReads.get(b), 2, 'and it pushed nothing out');
});

test('parsed schemas: a large one gives way to many small ones under the byte budget', async () => {
  const inner = createMemoryStorage();
  const small = Array.from({ length: 8 }, (_, i) => avroRecord(`Small${i}`, 500));
  const [large, ...smallIds] = await storeAll(inner, [avroRecord('Large', 20_000), ...small]);
  const { storage, schemaReads } = counting(inner);
  const stored = createStoredSchemas(storage, noReferences, DEFAULT_WORK_LIMITS, { maxParsedBytes: 32 * 1024 });
  await stored.parseStored(large);
  await stored.parseStored(large);
  assert.equal(schemaReads.get(large), 1, 'kept while it fits');
  for (const id of [...smallIds, ...smallIds]) await stored.parseStored(id);
  assert.ok(smallIds.every((id) => schemaReads.get(id) === 1), 'every small schema stayed');
  await stored.parseStored(large);
  assert.equal(schemaReads.get(large), 2, 'the large one gave way');
});

test('parsed schemas: after a hard delete is forgotten, an id given to another schema parses as that schema', async () => {
  const storage = createCachedStorage(createMemoryStorage(), { maxSchemas: 1 });
  const stored = createStoredSchemas(storage, noReferences, DEFAULT_WORK_LIMITS, { maxParsed: 1 });
  const { id } = await storage.insertVersion({ subject: 's', schemaType: 'AVRO', schema: avroRecord('Old'), references: [], hash: 'old' });
  assert.match((await stored.parseStored(id)).canonical, /"Old"/);
  await storage.softDeleteVersions('s', [1]);
  await storage.hardDeleteVersions('s', [1]);
  stored.forgetSchemas();
  await storage.insertVersion({ subject: 't', schemaType: 'AVRO', schema: avroRecord('New'), references: [], hash: 'new', id });
  assert.match((await stored.parseStored(id)).canonical, /"New"/);
});

// Every write, in any order, is seen by the next read, with bounds small enough that
// entries are evicted and refilled all the time.
const subjects = ['a', 'b', 'c'];
const kinds: readonly SettingKind[] = ['compatibility', 'mode'];
const read = fc.oneof(
  fc.record({ op: fc.constant('schema' as const), id: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('versions' as const), subject: fc.constantFrom(...subjects) }),
  fc.record({ op: fc.constant('setting' as const), kind: fc.constantFrom(...kinds), scope: fc.constantFrom('', ...subjects) }),
);
type Read = typeof read extends fc.Arbitrary<infer R> ? R : never;
const write = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), subject: fc.constantFrom(...subjects), schema: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ op: fc.constant('soft-delete' as const), subject: fc.constantFrom(...subjects), version: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('hard-delete' as const), subject: fc.constantFrom(...subjects), version: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    op: fc.constant('put-setting' as const),
    kind: fc.constantFrom(...kinds),
    scope: fc.constantFrom('', ...subjects),
    value: fc.constantFrom('BACKWARD', 'NONE', 'READONLY', undefined),
  }),
);
const bounds: CachedStorageOptions[] = [{ maxSchemas: 2, maxSubjects: 2 }, { maxSchemaCacheBytes: 400, maxSubjectCacheBytes: 300 }, {}];

test('read cache: reads after any sequence of writes see them, under tight bounds', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...bounds), fc.array(fc.tuple(write, fc.array(read, { maxLength: 4 })), { maxLength: 30 }), async (options, steps) => {
      const inner = createMemoryStorage();
      const cached = createCachedStorage(inner, options);
      const check = async (r: Read) => {
        if (r.op === 'schema') assert.deepEqual(await cached.getSchema(r.id), await inner.getSchema(r.id), `schema ${r.id}`);
        else if (r.op === 'versions') assert.deepEqual(await cached.listVersions(r.subject), await inner.listVersions(r.subject), `versions of ${r.subject}`);
        else assert.equal(await cached.getSetting(r.kind, r.scope), await inner.getSetting(r.kind, r.scope), `${r.kind} of '${r.scope}'`);
      };
      for (const [w, reads] of steps) {
        if (w.op === 'insert') await cached.insertVersion({ subject: w.subject, schemaType: 'AVRO', schema: `"s${w.schema}"`, references: [], hash: `h${w.schema}` });
        else if (w.op === 'soft-delete') await cached.softDeleteVersions(w.subject, [w.version]);
        else if (w.op === 'hard-delete') await cached.hardDeleteVersions(w.subject, [w.version]);
        else await cached.putSetting(w.kind, w.scope, w.value);
        for (const r of reads) await check(r);
      }
      for (let id = 1; id <= 5; id++) await check({ op: 'schema', id });
      for (const subject of subjects) await check({ op: 'versions', subject });
      for (const kind of kinds) for (const scope of ['', ...subjects]) await check({ op: 'setting', kind, scope });
    }),
    { numRuns: 200 },
  );
});

test('bundled protos: an import named like a member of every object is no bundled file', () => {
  for (const name of ['constructor', 'toString', '__proto__']) {
    assert.throws(
      () => parseProtobuf(`syntax = "proto3";\nimport "${name}";\nmessage A { int32 a = 1; }\n`, []),
      (err) => err instanceof InvalidSchemaError && err.message.includes(`import "${name}" is neither a reference nor a bundled file`),
    );
  }
});
