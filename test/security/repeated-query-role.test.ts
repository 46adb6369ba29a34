/**
 * Regression: `DELETE /subjects/S?permanent=true&permanent=false` with write credentials used
 * to delete permanently. The role check read the joined value "true, false" (not true, so no
 * admin needed) while the request mapper read the first value (true). Both now read what
 * DESIGN.md §8 settles for a scalar target: the first value.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { as, call, schema, startSecureStack, type SecureStack } from './support.js';
import { useStarted } from '../support/use-suite.js';

const stack = useStarted(() => startSecureStack());

/** Registers S and soft-deletes its version 1, as an admin. */
async function softDeleted(subject: string): Promise<void> {
  const r = await call(`${stack.url}/subjects/${subject}/versions`, { method: 'POST', body: { schema: schema(subject.replace(/-/g, "_")) }, authorization: as('admin') });
  assert.equal(r.status, 200, r.text);
  const d = await call(`${stack.url}/subjects/${subject}`, { method: 'DELETE', authorization: as('admin') });
  assert.equal(d.status, 200, d.text);
}

const CASES: { query: string; elevated: boolean }[] = [
  { query: 'permanent=true&permanent=false', elevated: true },
  { query: 'permanent=TRUE&permanent=false&permanent=false', elevated: true },
  { query: 'permanent=false&permanent=true', elevated: false },
  { query: 'permanent=true&permanent=true', elevated: true },
];

describe('a repeated elevating query parameter is read as the mapper reads it (the first value)', () => {
  for (const [i, { query, elevated }] of CASES.entries()) {
    test(`DELETE /subjects/S?${query} with write credentials: ${elevated ? '403, nothing deleted' : 'a soft delete'}`, async () => {
      const subject = `repeated-${i}`;
      await softDeleted(subject);
      const d = await call(`${stack.url}/subjects/${subject}?${query}`, { method: 'DELETE', authorization: as('writer') });
      if (elevated) {
        assert.equal(d.status, 403, d.text);
        // Still there, soft-deleted: the refused permanent delete did nothing.
        const still = await call(`${stack.url}/subjects/${subject}/versions/1?deleted=true`, { authorization: as('reader') });
        assert.equal(still.status, 200, still.text);
      } else {
        // The mapper reads `false`: a soft delete of an already soft-deleted subject (40404).
        assert.equal(d.status, 404, d.text);
        assert.equal((d.json() as { error_code: number }).error_code, 40404);
      }
    });
  }
});
