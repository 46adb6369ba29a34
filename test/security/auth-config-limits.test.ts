/**
 * The basic-auth limits are set in the gateway config (`auth.basic.limits`), checked at load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ConfigError, loadGatewayConfig } from '../../src/config/gateway-config.js';
import { hashPassword } from '../../src/security/password-hash.js';
import { startGateway } from '../../src/start-gateway.js';
import { basic, CONFLUENT_FRONTEND } from './support.js';
import { tempDir } from '../support/temp-dir.js';
import { useSuite } from '../support/use-suite.js';

/** A folder with a users file (ada, a read role); the tests write their configs beside it. */
const suite = useSuite(async (scope) => {
  const dir = scope.own(tempDir('auth-limits')).path;
  writeFileSync(join(dir, 'users.yaml'), stringify({ users: [{ name: 'ada', password: await hashPassword('right-password'), roles: 'read' }] }));
  return { dir, scope };
});

function writeConfig(limits: unknown): string {
  const file = join(suite.dir, 'gateway.yaml');
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

test('auth.basic.limits.failureBurst: 2 refuses the third wrong password from one address with 429', async () => {
  const gateway = suite.scope.own(await startGateway(loadGatewayConfig(writeConfig({ failureBurst: 2, failureRefillMs: 60_000 })), { port: 0, dataDir: join(suite.dir, 'data'), logger: false }));
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gateway.url}/subjects`, { headers: { authorization: basic('ada', 'wrong') } })).status);
  assert.deepEqual(statuses, [401, 401, 429]);
});

test('an unknown or out-of-range limit fails the load, naming it', () => {
  assert.throws(() => loadGatewayConfig(writeConfig({ failureBurts: 2 })), (err: unknown) => err instanceof ConfigError && /failureBurts/.test(err.message));
  assert.throws(() => loadGatewayConfig(writeConfig({ failureBurst: 0 })), (err: unknown) => err instanceof ConfigError && /failureBurst/.test(err.message));
});
