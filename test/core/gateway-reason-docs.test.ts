/**
 * The "Gateway reasons" table of docs/frontend-reference.md against the code: every reason of
 * src/core/gateway-reason.ts is listed once, with the gRPC codes REASON_CODES gives it and the
 * HTTP status http-status.ts answers for it (its own row, else its code's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { GatewayReason, GATEWAY_DOMAIN, REASON_CODES } from '../../src/core/gateway-reason.js';
import { Code } from '../../src/core/code.js';
import { httpStatusOf } from '../../src/core/http-status.js';

const doc = readFileSync(new URL('../../docs/frontend-reference.md', import.meta.url), 'utf8');
const table = doc.split('<!-- reasons -->\n')[1]?.split('\n\n')[0] ?? '';
const rows = table
  .split('\n')
  .slice(2)
  .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()))
  .map(([reason, codes, status, when]) => ({ reason: reason.replace(/`/g, ''), codes: codes.split(',').map((c) => c.trim()), status: Number(status), when }));

test('the table lists every gateway reason exactly once, in the order of gateway-reason.ts', () => {
  assert.ok(rows.length > 0, 'the <!-- reasons --> table is missing');
  assert.deepEqual(
    rows.map((r) => r.reason),
    Object.values(GatewayReason),
  );
});

for (const reason of Object.values(GatewayReason)) {
  test(`${reason}: code and status as the code has them`, () => {
    const row = rows.find((r) => r.reason === reason);
    assert.ok(row, `no row for ${reason}`);
    assert.deepEqual(row.codes, REASON_CODES[reason]);
    for (const name of row.codes) {
      const code = (Code as unknown as Record<string, Code>)[name];
      assert.equal(typeof code, 'number', `${name} is a gRPC code`);
      assert.equal(httpStatusOf(code, reason, GATEWAY_DOMAIN), row.status, `${reason} raised with ${name}`);
    }
    assert.ok(row.when.length > 10, 'says when');
  });
}
