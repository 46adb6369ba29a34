/**
 * Sensitive metadata at rest (confluent-data-contracts.md §3.12): the encoder on its own, and
 * a gateway whose registry storage backend names `metadataEncoderSecret` as `{ env: … }`: the
 * API answers the plain values, the SQLite file holds none of them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { stringify } from 'yaml';
import { writeFileSync } from 'node:fs';
import { createMetadataEncoder } from '../../patterns/registry/dek/metadata-encoder.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { call } from '../confluent/support.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('metadata-encoder');
after(() => dir.remove());

test('the encoder encrypts only sensitive properties, and only another secret cannot read them', () => {
  const encoder = createMetadataEncoder('one secret');
  const metadata = { properties: { owner: 'alice', apiKey: 'k-123' }, sensitive: ['apiKey', 'absent'] };
  const encoded = encoder.encode(metadata);
  assert.equal(encoded.properties.owner, 'alice');
  assert.match(encoded.properties.apiKey, /^prism-enc:v1:/);
  assert.notEqual(encoder.encode(metadata).properties.apiKey, encoded.properties.apiKey, 'a fresh IV each time');
  assert.deepEqual(encoder.decode(encoded), metadata);
  assert.equal(encoder.encode(encoded), encoded, 'never encrypted twice');
  const plain = { properties: { a: 'b' } };
  assert.equal(encoder.encode(plain), plain, 'nothing sensitive: the same object');
  assert.equal(encoder.decode(metadata), metadata, 'plain values (stored before a secret was set) read as they are');
  assert.throws(() => createMetadataEncoder('another secret').decode(encoded), /another metadata encoder secret/);
});

test('a registry with metadataEncoderSecret stores sensitive values encrypted and answers them plain', async () => {
  process.env.PRISM_TEST_METADATA_SECRET = 'not-in-any-file';
  const examples = resolve('examples/confluent-schema-registry');
  const configFile = join(dir.path, 'gateway.yaml');
  writeFileSync(
    configFile,
    stringify({
      http: { host: '127.0.0.1', port: 0 },
      backends: [{ name: 'registry-store', type: 'SQLITE', config: { path: 'registry.db', metadataEncoderSecret: { env: 'PRISM_TEST_METADATA_SECRET' } } }],
      namespaces: [
        {
          name: 'default',
          pattern: { embedded: resolve('patterns/registry'), slots: { storage: 'registry-store' } },
          frontends: [{ file: join(examples, 'frontend.yaml') }],
        },
      ],
    }),
  );
  const gateway = await startGateway(loadGatewayConfig(configFile), { host: '127.0.0.1', port: 0, dataDir: dir.path, logger: false });
  try {
    const schema = JSON.stringify({ type: 'record', name: 'Account', fields: [{ name: 'id', type: 'int' }] });
    const metadata = { properties: { owner: 'team-a', apiKey: 'very-secret-api-key' }, sensitive: ['apiKey'] };
    const registered = await call(gateway.url, 'POST', '/subjects/accounts-value/versions', { body: { schema, metadata } });
    assert.equal(registered.status, 200, registered.text);
    const read = await call(gateway.url, 'GET', '/subjects/accounts-value/versions/1');
    assert.deepEqual((read.json() as { metadata: unknown }).metadata, metadata, 'the API sees the plain values');
    // The same schema and metadata again is the same version (the identity hash is of the plain values).
    const again = await call(gateway.url, 'POST', '/subjects/accounts-value', { body: { schema, metadata } });
    assert.equal((again.json() as { version: number }).version, 1, again.text);

    const db = new Database(join(dir.path, 'registry.db'), { readonly: true });
    try {
      const rows = JSON.stringify(db.prepare('SELECT * FROM schemas').all());
      assert.ok(rows.includes('team-a'), 'plain properties are stored as they are');
      assert.ok(!rows.includes('very-secret-api-key'), 'the sensitive value is not in the file');
      assert.ok(rows.includes('prism-enc:v1:'));
    } finally {
      db.close();
    }
  } finally {
    await gateway.close();
  }
});
