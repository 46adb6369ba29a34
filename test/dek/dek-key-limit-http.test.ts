/**
 * 40972 over HTTP: a registry started with `dekMaxKeys: 1` behind a gateway serving the DEK
 * frontend (dek-frontend.yaml) against it as a gRPC target. The second KEK, and the second
 * DEK, are refused with Confluent's status and body; an existing key is still a conflict.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { createCachedStorage } from '../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../patterns/registry/storage/memory-storage.js';
import { startRegistryServer } from '../../patterns/registry/registry-server.js';
import { dekRegistryProtoFile } from '../../patterns/registry/dek/dek-server.js';
import { loadGatewayConfig } from '../../src/config/gateway-config.js';
import { startGateway } from '../../src/start-gateway.js';
import { call } from '../confluent/support.js';
import { tempDir } from '../support/temp-dir.js';

const dir = tempDir('dek-limit');
after(() => dir.remove());

test('40972 once dek.registry.max.keys keys of a type exist', async () => {
  const registry = await startRegistryServer({ listen: '127.0.0.1:0', storage: createCachedStorage(createMemoryStorage()), dekMaxKeys: 1, logError: () => {} });
  const configFile = join(dir.path, 'gateway.yaml');
  writeFileSync(
    configFile,
    stringify({
      http: { host: '127.0.0.1', port: 0 },
      namespaces: [
        {
          name: 'default',
          pattern: { target: registry.address, protos: [dekRegistryProtoFile] },
          frontends: [{ file: resolve('examples/confluent-schema-registry/dek-frontend.yaml') }],
        },
      ],
    }),
  );
  const gateway = await startGateway(loadGatewayConfig(configFile), { host: '127.0.0.1', port: 0, dataDir: dir.path, logger: false });
  try {
    const K = '/dek-registry/v1/keks';
    assert.equal((await call(gateway.url, 'POST', K, { body: { name: 'a', kmsType: 'local-kms', kmsKeyId: 'a' } })).status, 200);
    const tooMany = await call(gateway.url, 'POST', K, { body: { name: 'b', kmsType: 'local-kms', kmsKeyId: 'b' } });
    assert.equal(tooMany.status, 409);
    assert.deepEqual(tooMany.json(), { error_code: 40972, message: 'A maximum of 1 keys already exist' });
    const again = await call(gateway.url, 'POST', K, { body: { name: 'a', kmsType: 'local-kms', kmsKeyId: 'a' } });
    assert.deepEqual(again.json(), { error_code: 40971, message: "Key 'a' already exists; use a different value" });
    // DEKs are counted apart from KEKs.
    assert.equal((await call(gateway.url, 'POST', `${K}/a/deks/s1`, { body: { encryptedKeyMaterial: 'AAAA' } })).status, 200);
    const tooManyDeks = await call(gateway.url, 'POST', `${K}/a/deks/s2`, { body: { encryptedKeyMaterial: 'AAAA' } });
    assert.equal(tooManyDeks.status, 409);
    assert.deepEqual(tooManyDeks.json(), { error_code: 40972, message: 'A maximum of 1 keys already exist' });
  } finally {
    await gateway.close();
    await registry.close(1000);
  }
});
