/**
 * An embedded pattern reports its store failures through the gateway's own logger (JSON lines
 * with the cause), not on stderr in another format: with the SQLite file made immutable
 * (`chattr +i`, which stops root too), a registration is 500/50001 and the log says why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { avro, CONFLUENT_FRONTEND, confluentError, request, tempDir, writeYaml } from './support.js';

function chattr(flag: '+i' | '-i', files: string[]): boolean {
  try {
    execFileSync('chattr', [flag, ...files.filter((f) => existsSync(f))], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('a store error in the embedded registry: 500/50001 and a JSON log line with its cause', { timeout: 60_000 }, async (t) => {
  const dir = tempDir('embedded-log');
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  const file = writeYaml(dir.path, 'gateway.yaml', {
    backends: [{ name: 'store', type: 'SQLITE', config: { path: 'registry.db' } }],
    namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
  });
  const gateway = await startGateway(loadGatewayConfig(file), { host: '127.0.0.1', port: 0, dataDir: join(dir.path, 'data'), logger: { level: 'error', stream } });
  const db = join(dir.path, 'data', 'registry.db');
  // Not the -shm file: SQLite maps it into memory, and an immutable mapping ends the process.
  const files = [db, `${db}-wal`];
  try {
    assert.equal((await request(`${gateway.url}/subjects/s/versions`, { method: 'POST', body: { schema: avro('A', 'a') } })).status, 200);
    if (!chattr('+i', files)) {
      t.skip('chattr +i is not available on this filesystem');
      return;
    }
    const refused = await request(`${gateway.url}/subjects/t/versions`, { method: 'POST', body: { schema: avro('B', 'b') } });
    assert.equal(refused.status, 500, refused.text);
    assert.equal(confluentError(refused)?.error_code, 50001);
    const line = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; err?: { message: string } }).find((l) => /^registry: RegisterSchema/.test(l.msg));
    assert.ok(line, `no registry line in the gateway's log: ${text}`);
    assert.ok(line.err?.message, 'the cause is logged');
  } finally {
    chattr('-i', files);
    await gateway.close();
    dir.remove();
  }
});
