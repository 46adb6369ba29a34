/**
 * The README's client demos run as written against the real stack (gateway + embedded
 * registry + SQLite), and print what they registered, encoded and decoded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway, type RunningGateway } from '../../src/start-gateway.js';

const run = promisify(execFile);
let gateway: RunningGateway;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'prism-demos-'));
  gateway = await startGateway(loadGatewayConfig('examples/confluent-schema-registry/gateway.yaml'), { port: 0, dataDir, logger: false });
});

after(async () => {
  await gateway.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function demo(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', `examples/confluent-schema-registry/clients/${file}`, gateway.url], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

test('the kafkajs demo registers, encodes and decodes a record', async () => {
  const out = await demo('kafkajs-demo.ts');
  assert.deepEqual(out.decoded, { name: 'Ada', age: 36 });
  assert.equal(typeof out.id, 'number');
  const latest = await (await fetch(`${gateway.url}/subjects/demo-users-value/versions/latest`)).json();
  assert.equal(latest.id, out.id);
});

test('the @confluentinc/schemaregistry demo serializes and deserializes a record', async () => {
  const out = await demo('confluent-js-demo.ts');
  assert.deepEqual(out.record, { id: 'o-1', amount: 12.5 });
  assert.equal(out.version, 1);
  const byId = await (await fetch(`${gateway.url}/schemas/ids/${out.id}`)).json();
  assert.match(byId.schema, /"name":"Order"/);
});
