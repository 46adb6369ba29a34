/**
 * The real stack keeps its registry in a SQLite file: what was registered survives a
 * restart on the same data directory, and concurrent registrations stay consistent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { call, startStack } from './support.js';
import { useSuite } from '../support/use-suite.js';


const V1 = '{"type":"record","name":"Kept","fields":[{"name":"a","type":"int"}]}';
const V2 = '{"type":"record","name":"Kept","fields":[{"name":"a","type":"int"},{"name":"b","type":"int","default":0}]}';

// The restart test swaps `suite.stack` for a stack on the same data directory; the suite
// closes whichever runs at the end, then removes the directory.
const suite = useSuite(async (scope) => {
  const stack = await startStack({ keepData: true });
  const dataDir = stack.dataDir;
  scope.onClose(() => rmSync(dataDir, { recursive: true, force: true }));
  const state = { stack, dataDir };
  scope.onClose(() => state.stack.close());
  return state;
});

test('concurrent registrations of one schema give one id and one version', async () => {
  const schema = '{"type":"record","name":"Burst","fields":[{"name":"n","type":"long"}]}';
  const replies = await Promise.all(
    Array.from({ length: 16 }, (_, i) => call(suite.stack.url, 'POST', `/subjects/burst-${i % 2}/versions`, { body: { schema } })),
  );
  for (const r of replies) assert.equal(r.status, 200, r.text);
  const ids = new Set(replies.map((r) => (r.json() as { id: number }).id));
  assert.equal(ids.size, 1, `ids ${[...ids].join(',')}`);
  for (const subject of ['burst-0', 'burst-1']) assert.equal((await call(suite.stack.url, 'GET', `/subjects/${subject}/versions`)).text, '[1]');
});

test('concurrent registrations of different schemas get distinct ids', async () => {
  const replies = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      call(suite.stack.url, 'POST', `/subjects/spread-${i}/versions`, { body: { schema: `{"type":"record","name":"Spread${i}","fields":[]}` } }),
    ),
  );
  const ids = replies.map((r) => (r.json() as { id: number }).id);
  assert.equal(new Set(ids).size, 12, `ids ${ids.join(',')}`);
});

test('schemas, versions, deletes, config and mode survive a restart on the same data directory', async () => {
  const id1 = (await call(suite.stack.url, 'POST', '/subjects/kept-value/versions', { body: { schema: V1 } })).json() as { id: number };
  const id2 = (await call(suite.stack.url, 'POST', '/subjects/kept-value/versions', { body: { schema: V2 } })).json() as { id: number };
  assert.equal((await call(suite.stack.url, 'DELETE', '/subjects/kept-value/versions/1')).text, '1');
  assert.equal((await call(suite.stack.url, 'PUT', '/config/kept-value', { body: { compatibility: 'FULL' } })).status, 200);
  assert.equal((await call(suite.stack.url, 'PUT', '/mode/kept-other', { body: { mode: 'READONLY' } })).status, 200);
  const maxBefore = (await call(suite.stack.url, 'GET', `/schemas/ids/${id1.id}?fetchMaxId=true`)).json() as { maxId: number };

  await suite.stack.close();
  suite.stack = await startStack({ dataDir: suite.dataDir, keepData: true });

  assert.equal((await call(suite.stack.url, 'GET', '/')).text, '{}');
  assert.equal((await call(suite.stack.url, 'GET', '/subjects/kept-value/versions')).text, '[2]');
  assert.equal((await call(suite.stack.url, 'GET', '/subjects/kept-value/versions?deleted=true')).text, '[1,2]');
  assert.equal(
    (await call(suite.stack.url, 'GET', '/subjects/kept-value/versions/latest')).text,
    `{"subject":"kept-value","version":2,"id":${id2.id},"schema":${JSON.stringify(V2)}}`,
  );
  assert.equal((await call(suite.stack.url, 'GET', `/schemas/ids/${id1.id}`)).text, `{"schema":${JSON.stringify(V1)}}`);
  assert.equal((await call(suite.stack.url, 'GET', '/config/kept-value')).text, '{"compatibilityLevel":"FULL"}');
  assert.equal((await call(suite.stack.url, 'GET', '/mode/kept-other')).text, '{"mode":"READONLY"}');
  // The id sequence continues after the restart.
  const next = (await call(suite.stack.url, 'POST', '/subjects/kept-new/versions', { body: { schema: '"string"' } })).json() as { id: number };
  assert.equal(next.id, maxBefore.maxId + 1);
});
