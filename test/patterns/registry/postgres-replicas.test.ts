/**
 * Several registry replicas (separate `prism-registry serve` processes) on one PostgreSQL
 * database: 8 concurrent writers per replica registering overlapping schemas into
 * overlapping subjects, with and without one replica SIGKILLed mid-load, and the read cache
 * of one replica following the other's writes (by NOTIFY, well under a second; the bound is a
 * liveness bound of 10 s).
 *
 * Afterwards: ids are unique, each distinct schema has exactly one id, each subject's
 * versions are 1..n without duplicates, and nothing acknowledged is missing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRegistryClient, type RegistryClient } from './registry-test-client.js';
import { createTestDatabase, type TestDatabase } from './postgres-test-db.js';
import { startRegistryProcess } from './registry-process.js';
import { waitFor } from '../../support/wait-for.js';

const tsx = import.meta.resolve('tsx');
const cli = fileURLToPath(new URL('../../../patterns/registry/cli.ts', import.meta.url));

const databases: TestDatabase[] = [];
after(async () => {
  await Promise.all(databases.map((db) => db.drop()));
});

const SCHEMAS = 24;
const SUBJECTS = 6;
const PER_WRITER = 10;
const WRITERS = 8;
const schemaText = (n: number) => JSON.stringify({ type: 'record', name: `R${n}`, fields: [{ name: `f${n}`, type: 'int' }] });

interface Ack {
  subject: string;
  schema: number;
  id: number;
  version: number;
}

/**
 * Runs 8 writers against one replica. Writer w's i-th registration is schema
 * (7w + 5i + offset) mod 24 into subject (w + i) mod 6, so the replicas' writers overlap.
 */
async function load(address: string, offset: number, onAck: (ack: Ack) => void, onError: (err: unknown) => void): Promise<void> {
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const client = createRegistryClient(address);
      try {
        for (let i = 0; i < PER_WRITER; i++) {
          const schema = (7 * w + 5 * i + offset) % SCHEMAS;
          const subject = `subject-${(w + i) % SUBJECTS}`;
          try {
            const reply = await client.call('RegisterSchema', { subject, schema: schemaText(schema) });
            onAck({ subject, schema, id: reply.id, version: reply.version });
          } catch (err) {
            onError(err);
          }
        }
      } finally {
        client.close();
      }
    }),
  );
}

/** Reads everything back through `client` and checks the invariants against the acks. */
async function verify(client: RegistryClient, acks: readonly Ack[]): Promise<void> {
  const idOfSchema = new Map<number, number>();
  for (const ack of acks) {
    assert.equal(idOfSchema.get(ack.schema) ?? ack.id, ack.id, `schema ${ack.schema} has one id`);
    idOfSchema.set(ack.schema, ack.id);
  }
  const { subjects } = await client.call('ListSubjects', {});
  const stored: Ack[] = [];
  for (const subject of subjects as string[]) {
    const { versions } = await client.call('ListSchemaVersions', { subject });
    assert.deepEqual(versions, versions.map((_: number, i: number) => i + 1), `${subject}: versions 1..n`);
    for (const version of versions as number[]) {
      const v = await client.call('GetSchemaVersion', { subject, version: String(version) });
      const schema = Number(/"R(\d+)"/.exec(v.schema)![1]);
      stored.push({ subject, schema, id: v.id, version });
      assert.equal(idOfSchema.get(schema) ?? v.id, v.id, `schema ${schema}: one id, stored and acknowledged`);
      idOfSchema.set(schema, v.id);
    }
    const inSubject = stored.filter((s) => s.subject === subject);
    assert.equal(new Set(inSubject.map((s) => s.schema)).size, inSubject.length, `${subject}: each schema once`);
  }
  assert.equal(new Set(idOfSchema.values()).size, idOfSchema.size, 'distinct schemas have distinct ids');
  for (const ack of acks) {
    assert.ok(
      stored.some((s) => s.subject === ack.subject && s.version === ack.version && s.id === ack.id),
      `acknowledged ${ack.subject} v${ack.version} (id ${ack.id}) is stored`,
    );
  }
}

test('two registry replicas on one PostgreSQL: 8 writers each, overlapping schemas and subjects', { timeout: 60_000 }, async (t) => {
  const db = await createTestDatabase('replicas');
  databases.push(db);
  const [a, b] = await Promise.all([startRegistryProcess(db.url), startRegistryProcess(db.url)]);
  const [ca, cb] = [createRegistryClient(a.address), createRegistryClient(b.address)];
  try {
    await ca.call('UpdateConfig', { subject: '', compatibility: 'NONE' });
    const acks: Ack[] = [];
    const errors: unknown[] = [];
    const started = performance.now();
    await Promise.all([load(a.address, 0, (x) => acks.push(x), (e) => errors.push(e)), load(b.address, 3, (x) => acks.push(x), (e) => errors.push(e))]);
    const seconds = (performance.now() - started) / 1000;
    assert.deepEqual(errors, []);
    assert.equal(acks.length, 2 * WRITERS * PER_WRITER);
    t.diagnostic(`${acks.length} registrations through 2 replicas in ${seconds.toFixed(2)} s: ${(acks.length / seconds).toFixed(0)}/s`);
    await verify(ca, acks);
    await verify(cb, acks);

    // Cache coherence: what one replica writes, the other serves soon after (both have the
    // subject's versions and the schemas cached by now). A liveness bound, not a latency claim.
    const followed = (check: () => Promise<boolean>, what: string) => waitFor(check, { what });
    const latest = async (c: RegistryClient, subject: string) => (await c.call('GetSchemaVersion', { subject, version: 'latest' })).version as number;
    const before = await latest(cb, 'subject-0');
    const added = await ca.call('RegisterSchema', { subject: 'subject-0', schema: schemaText(100) });
    await followed(async () => (await latest(cb, 'subject-0')) === added.version, 'a registration on A is latest on B');
    assert.ok(added.version > before);
    await ca.call('DeleteSchemaVersion', { subject: 'subject-0', version: String(added.version) });
    await followed(async () => (await latest(cb, 'subject-0')) === before, 'a soft delete on A');
    await ca.call('DeleteSchemaVersion', { subject: 'subject-0', version: String(added.version), permanent: true });
    await followed(
      () => cb.call('GetSchema', { id: added.id }).then(() => false, (err: { code: number }) => err.code === 5),
      'a hard delete on A removes the schema on B',
    );
    await ca.call('UpdateConfig', { subject: 'subject-1', compatibility: 'FULL' });
    await followed(async () => (await cb.call('GetConfig', { subject: 'subject-1' })).compatibility_level === 'FULL', 'a config change on A');
    await ca.call('DeleteSubject', { subject: 'subject-2' });
    await followed(async () => !(await cb.call('ListSubjects', {})).subjects.includes('subject-2'), 'a subject deleted on A');
  } finally {
    ca.close();
    cb.close();
    await Promise.all([a.stop(), b.stop()]);
  }
});

test('a replica SIGKILLed during the load: the other keeps serving, nothing acknowledged is lost', { timeout: 60_000 }, async () => {
  const db = await createTestDatabase('replicas_kill');
  databases.push(db);
  const [a, b] = await Promise.all([startRegistryProcess(db.url), startRegistryProcess(db.url)]);
  const cb = createRegistryClient(b.address);
  try {
    await cb.call('UpdateConfig', { subject: '', compatibility: 'NONE' });
    const acks: Ack[] = [];
    const errorsOnB: unknown[] = [];
    let acksOnA = 0;
    const killed = new Promise<void>((resolve) => {
      const onAckA = (x: Ack) => {
        acks.push(x);
        // Killed mid-load, once a quarter of A's registrations are acknowledged.
        if (++acksOnA === (WRITERS * PER_WRITER) / 4) {
          a.child.kill('SIGKILL');
          resolve();
        }
      };
      void load(a.address, 0, onAckA, () => {});
    });
    await Promise.all([load(b.address, 3, (x) => acks.push(x), (e) => errorsOnB.push(e)), killed]);
    await a.exited;
    assert.equal(a.child.signalCode, 'SIGKILL');
    assert.deepEqual(errorsOnB, [], 'the surviving replica answered every call');
    assert.ok(acksOnA < WRITERS * PER_WRITER, 'the kill came mid-load');
    // B keeps serving, writes included.
    await cb.call('RegisterSchema', { subject: 'after-kill', schema: schemaText(200) });
    await verify(cb, acks);
  } finally {
    cb.close();
    await b.stop();
  }
});

test('prism-registry serve --backend postgres://… refuses to start when the database cannot be opened', () => {
  const run = spawnSync(process.execPath, ['--import', tsx, cli, 'serve', '--listen', '127.0.0.1:0', '--backend', 'postgres://u:secret@127.0.0.1:1/x'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr, /cannot open the PostgreSQL backend postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
  assert.doesNotMatch(run.stderr, /secret/);
});
