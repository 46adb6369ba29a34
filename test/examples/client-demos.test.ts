/**
 * The README's client demos run as written against the real stack (gateway + embedded
 * registry + SQLite), and print what they registered, encoded and decoded.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startStack } from '../confluent/support.js';
import { useStarted } from '../support/use-suite.js';

const run = promisify(execFile);
const gateway = useStarted(() => startStack());

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

/**
 * Confluent's Python client comes from Debian (python3-confluent-kafka 1.7, with
 * python3-requests and python3-jsonschema; .ci/run installs them): the Python package index is
 * not reachable here. Without them the demo cannot run, and the test says so.
 */
const PYTHON = '/usr/bin/python3';
async function pythonClientMissing(): Promise<string | false> {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  try {
    await run(PYTHON, ['-c', 'import confluent_kafka.schema_registry.json_schema, jsonschema']);
    return false;
  } catch {
    return 'python3-confluent-kafka, python3-requests and python3-jsonschema are not installed (apt-get install them)';
  }
}

test('the Python confluent_kafka demo registers, looks up, checks compatibility and round-trips a JSON record', { skip: await pythonClientMissing() }, async () => {
  const { stdout } = await run(PYTHON, ['examples/confluent-schema-registry/clients/python-demo.py', gateway.url], { timeout: 60_000 });
  const out = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(typeof out.id, 'number');
  assert.equal(out.lookupVersion, 1);
  assert.equal(out.latestVersion, 1);
  assert.equal(out.compatible, true);
  assert.equal(out.incompatible, false);
  assert.deepEqual(out.jsonRecord, { id: 'o-7', amount: 3.5 });
  const byId = await (await fetch(`${gateway.url}/schemas/ids/${String(out.jsonSchemaId)}`)).json();
  assert.equal(byId.schemaType, 'JSON');
});
