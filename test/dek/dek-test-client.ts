/**
 * Test helpers: a registry server (Registry and DekRegistry) on a loopback port over a given
 * DEK store, and a grpc-js client of its DekRegistry service built from the proto at run time.
 */
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../src/grpc/proto-root.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { createCachedStorage } from '../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../patterns/registry/storage/memory-storage.js';
import { startRegistryServer } from '../../patterns/registry/registry-server.js';
import { DEK_REGISTRY_SERVICE_NAME, dekRegistryProtoFile } from '../../patterns/registry/dek/dek-server.js';
import type { DekStorage } from '../../patterns/registry/dek/storage/dek-storage.js';
import { withTestClient, type TestServer } from '../patterns/registry/registry-test-client.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reply = any;

export interface DekClient {
  call(method: string, request?: Record<string, unknown>): Promise<Reply>;
  close(): void;
}

/** protobufjs adds a virtual `_field` for each proto3 `optional`; replies are compared without them. */
const withoutVirtualOneofs = (reply: Reply): Reply =>
  reply && typeof reply === 'object' ? Object.fromEntries(Object.entries(reply).filter(([key]) => !key.startsWith('_'))) : reply;

export function createDekClient(address: string): DekClient {
  const service = loadProtoRoot([dekRegistryProtoFile]).lookupService(DEK_REGISTRY_SERVICE_NAME);
  const Client = grpc.makeGenericClientConstructor(createServiceDefinition(service), 'DekRegistry');
  const client = new Client(address, grpc.credentials.createInsecure()) as unknown as Record<string, Function> & grpc.Client;
  return {
    call: (method, request = {}) =>
      new Promise<Reply>((resolve, reject) => {
        if (typeof client[method] !== 'function') throw new Error(`no method ${method}`);
        client[method](request, (err: grpc.ServiceError | null, reply: Reply) => (err ? reject(err) : resolve(withoutVirtualOneofs(reply))));
      }),
    close: () => client.close(),
  };
}

export type TestDekRegistry = TestServer<DekClient>;

/** A registry server whose DEK registry uses `dekStorage` (in memory when absent). */
export async function startTestDekRegistry(dekStorage?: DekStorage): Promise<TestDekRegistry> {
  const server = await startRegistryServer({ listen: '127.0.0.1:0', storage: createCachedStorage(createMemoryStorage()), dekStorage, logError: () => {} });
  return withTestClient(server, createDekClient(server.address));
}
