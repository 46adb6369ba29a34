/**
 * Pins the contract the gateway maps against: the reason table documented in
 * registry.proto is the one the server uses, and every RPC of the proto is implemented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { loadProtoRoot } from '../../../src/grpc/proto-root.js';
import { reasonTable } from '../../../patterns/registry/registry-error.js';
import { REGISTRY_SERVICE_NAME, registryProtoFile } from '../../../patterns/registry/registry-server.js';
import { createRegistryService } from '../../../patterns/registry/registry-service.js';
import { createMemoryStorage } from '../../../patterns/registry/storage/memory-storage.js';

test('the reason table in registry.proto matches the server', () => {
  const documented = new Map<string, { code: string; errorCode: number }>();
  for (const line of readFileSync(registryProtoFile, 'utf8').split('\n')) {
    const m = /^\/\/\s+([A-Z_]+)\s+([A-Z_]+)\s+\((\d+)\)$/.exec(line.trim());
    if (m) documented.set(m[1], { code: m[2], errorCode: Number(m[3]) });
  }
  const actual = new Map(Object.entries(reasonTable).map(([reason, v]) => [reason, { code: status[v.code], errorCode: v.errorCode }]));
  assert.deepEqual(documented, actual);
  assert.equal(actual.size, 24);
});

test('every RPC of the Registry service is implemented, and nothing else', async () => {
  const service = loadProtoRoot([registryProtoFile]).lookupService(REGISTRY_SERVICE_NAME);
  const registry = createRegistryService({ storage: createMemoryStorage() });
  const implemented = Object.keys(registry).filter((k) => k !== 'close').sort();
  assert.deepEqual(implemented, service.methodsArray.map((m) => m.name).sort());
  await registry.close();
});
