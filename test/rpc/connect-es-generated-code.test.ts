/**
 * The connect-es client code under test/rpc/gen/ is committed (so the RPC tests and their
 * browser bundle import plain files) and made by scripts/gen-rpc-clients.mjs: protoc-gen-es
 * 2.13 from node_modules, run by buf. Regenerating into a temporary folder must give the same
 * files byte for byte, so a changed proto or plugin cannot leave stale client code behind.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;
const committed = join(root, 'test/rpc/gen');

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
}

test('regenerating the client code gives the committed files', { timeout: 120_000 }, () => {
  const out = tempDir('rpc-gen');
  try {
    execFileSync(process.execPath, [join(root, 'scripts/gen-rpc-clients.mjs'), out.path], { cwd: root, stdio: 'pipe' });
    const fresh = join(out.path, 'gen');
    const names = (dir: string) => files(dir).map((f) => relative(dir, f));
    assert.deepEqual(names(fresh), names(committed));
    assert.deepEqual(names(committed), ['google/rpc/error_details_pb.ts', 'prism/patterns/registry/v1/registry_pb.ts']);
    for (const name of names(committed)) {
      assert.ok(readFileSync(join(fresh, name)).equals(readFileSync(join(committed, name))), `${name} differs from what the generator makes now: run node scripts/gen-rpc-clients.mjs`);
    }
  } finally {
    out.remove();
  }
});
