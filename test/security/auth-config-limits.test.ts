/**
 * The basic-auth limits are set in the gateway config (`auth.basic.limits`), checked at load.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { basic, CONFLUENT_FRONTEND } from './support.js';

let dir: string;
let gateway: RunningGateway | undefined;

function writeConfig(limits: unknown): string {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    stringify({
      auth: { basic: { usersFile: 'users.yaml', limits } },
      backends: [{ name: 'store', type: 'MEMSTORE' }],
      namespaces: [{ name: 'default', pattern: { embedded: 'patterns/registry', slots: { storage: 'store' } }, frontends: [{ file: CONFLUENT_FRONTEND }] }],
    }),
  );
  return file;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'prism-auth-limits-'));
  writeFileSync(join(dir, 'users.yaml'), stringify({ users: [{ name: 'ada', password: await hashPassword('right-password'), roles: 'read' }] }));
});
after(async () => {
  await gateway?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('auth.basic.limits.failureBurst: 2 refuses the third wrong password from one address with 429', async () => {
  gateway = await startGateway(loadGatewayConfig(writeConfig({ failureBurst: 2, failureRefillMs: 60_000 })), { port: 0, dataDir: join(dir, 'data'), logger: false });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gateway.url}/subjects`, { headers: { authorization: basic('ada', 'wrong') } })).status);
  assert.deepEqual(statuses, [401, 401, 429]);
});

test('an unknown or out-of-range limit fails the load, naming it', () => {
  assert.throws(() => loadGatewayConfig(writeConfig({ failureBurts: 2 })), (err: unknown) => err instanceof ConfigError && /failureBurts/.test(err.message));
  assert.throws(() => loadGatewayConfig(writeConfig({ failureBurst: 0 })), (err: unknown) => err instanceof ConfigError && /failureBurst/.test(err.message));
});
