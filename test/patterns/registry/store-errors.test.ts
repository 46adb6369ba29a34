/**
 * STORE_ERROR and OPERATION_TIMEOUT come from real SQLite failures: a store whose
 * connection is gone, and a write lock held by another connection past the busy timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { createSqliteStorage } from '../../../patterns/registry/storage/sqlite-storage.js';
import { assertRegistryError, startTestRegistry } from './registry-test-client.js';

const SCHEMA = '{"type":"record","name":"A","fields":[{"name":"id","type":"int"}]}';

test('a store that fails answers STORE_ERROR (UNAVAILABLE)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-store-error-'));
  const storage = createSqliteStorage({ path: join(dir, 'r.db') });
  const registry = await startTestRegistry(storage);
  try {
    assert.deepEqual(await registry.client.call('RegisterSchema', { subject: 's', schema: SCHEMA }), { id: 1, version: 1 });
    await storage.close(); // the connection disappears under the running registry
    await assertRegistryError(registry.client.call('GetSchemaVersion', { subject: 's', version: '1' }), 'STORE_ERROR', {
      code: status.UNAVAILABLE,
      message: 'Read operation failed while reading from the store',
      metadata: { error_code: '50001' },
    });
  } finally {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write lock held elsewhere past the busy timeout answers OPERATION_TIMEOUT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'registry-timeout-'));
  const path = join(dir, 'r.db');
  const registry = await startTestRegistry(createSqliteStorage({ path, busyTimeoutMs: 50 }));
  const other = new Database(path);
  try {
    other.exec('BEGIN IMMEDIATE');
    await assertRegistryError(registry.client.call('RegisterSchema', { subject: 's', schema: SCHEMA }), 'OPERATION_TIMEOUT', {
      code: status.DEADLINE_EXCEEDED,
      metadata: { error_code: '50002' },
    });
    other.exec('ROLLBACK');
    // Nothing was half-written: the registration goes through once the lock is released.
    assert.deepEqual(await registry.client.call('RegisterSchema', { subject: 's', schema: SCHEMA }), { id: 1, version: 1 });
  } finally {
    other.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
