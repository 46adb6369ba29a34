/**
 * Regression: a config-file frontend deleted (or re-applied) through the admin API stayed
 * deleted forever, invisibly, or became an admin-owned copy shadowing later edits of the
 * file. File frontends are now read-only through the admin API (admin-api.test.ts), and a
 * change the admin store still holds from before is ignored, with a warning at every start.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createSqliteDefinitionStore } from '../../src/admin/definition-store.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server.js';
import { echoFrontend, fixtureNamespace, http, tempDir, writeConfig } from './support.js';

let fixture: FixtureServer;
let dir: ReturnType<typeof tempDir>;
const running: RunningGateway[] = [];

before(async () => {
  fixture = await startFixtureServer();
  dir = tempDir('file-overrides');
});
after(async () => {
  for (const g of running) await g.close();
  await fixture?.close();
  dir?.remove();
});

async function startLogged(configFile: string, dataDir: string): Promise<{ gateway: RunningGateway; log: () => string }> {
  let text = '';
  const stream = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
  const gateway = await startGateway(loadGatewayConfig(configFile), { host: '127.0.0.1', port: 0, dataDir, logger: { level: 'warn', stream } });
  running.push(gateway);
  return { gateway, log: () => text };
}

test('stored deletes and copies of file frontends are ignored, the file is served, and every start says so', async () => {
  writeFileSync(join(dir.path, 'base.yaml'), echoFrontend('base', [{ id: 'base', path: '/base', marker: 'from-file' }]));
  writeFileSync(join(dir.path, 'other.yaml'), echoFrontend('other', [{ id: 'other', path: '/other', marker: 'other-file' }]));
  const configFile = writeConfig(dir.path, { namespaces: [fixtureNamespace('fx', fixture.address, [{ file: 'base.yaml' }, { file: 'other.yaml' }])] });
  const dataDir = join(dir.path, 'data');
  mkdirSync(dataDir, { recursive: true });
  // What an earlier version let the admin API write: a delete of one, a copy of the other.
  const store = createSqliteDefinitionStore(join(dataDir, 'gateway-admin.db'));
  await store.put({ name: 'base', namespace: 'fx', text: '', deleted: true });
  await store.put({ name: 'other', namespace: 'fx', text: echoFrontend('other', [{ id: 'other', path: '/other', marker: 'admin-copy' }]), deleted: false });
  await store.close();

  for (let start = 0; start < 2; start++) {
    const { gateway, log } = await startLogged(configFile, dataDir);
    assert.deepEqual((await http(`${gateway.url}/base`)).json(), { fString: 'from-file' });
    assert.deepEqual((await http(`${gateway.url}/other`)).json(), { fString: 'other-file' });
    assert.match(log(), /holds a change to frontend 'base' in namespace 'fx', which the config file defines/);
    assert.match(log(), /holds a change to frontend 'other' in namespace 'fx', which the config file defines/);
    const list = (await http(`${gateway.adminUrl}/admin/frontends`)).json() as { names: string[]; origin: string }[];
    assert.deepEqual(list.map((e) => `${e.names.join('+')}:${e.origin}`).sort(), ['base:file', 'other:file']);
    await gateway.close();
    running.pop();
  }
});
