/**
 * Test helpers: a registry served over a real loopback socket, a grpc-js client built from
 * the proto at run time, and an assertion on the rich error status.
 */
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot } from '../../../src/grpc/proto-root.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY, type ErrorInfo } from '../../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../../src/grpc/service-definition.js';
import { createCachedStorage } from '../../../patterns/registry/storage/cached-storage.js';
import { createMemoryStorage } from '../../../patterns/registry/storage/memory-storage.js';
import type { RegistryStorage } from '../../../patterns/registry/storage/registry-storage.js';
import type { RegistryLimits } from '../../../patterns/registry/registry-service.js';
import { healthProtoFile, registryProtoFile, REGISTRY_SERVICE_NAME, startRegistryServer, type RunningRegistryServer } from '../../../patterns/registry/registry-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Reply = any;

export interface RegistryClient {
  /** Calls a Registry RPC by name; `deadlineMs` is a gRPC deadline from now. */
  call(method: string, request?: Record<string, unknown>, options?: { deadlineMs?: number }): Promise<Reply>;
  /** Calls grpc.health.v1.Health/Check. */
  health(service?: string): Promise<Reply>;
  close(): void;
}

let root: ReturnType<typeof loadProtoRoot> | undefined;
function protoRoot() {
  root ??= loadProtoRoot([registryProtoFile, healthProtoFile]);
  return root;
}

/** Data-contract fields of replies, null (unset) when a schema or config has none. */
const CONTRACT_FIELDS = new Set(['metadata', 'rule_set', 'fields']);
/** RegisterSchema's whole-schema fields, empty unless the registry changed what was sent. */
const REGISTER_ECHO_FIELDS = new Set(['schema', 'schema_type', 'references', 'metadata', 'rule_set']);

/**
 * protobufjs (`oneofs: true`) adds a virtual `_field` naming the set member of each proto3
 * `optional` field's synthetic oneof; tests compare replies without them, and without the
 * data-contract fields of a schema or config that has none (unset messages read as null), so
 * the replies of schemas without contracts read as before contracts existed.
 */
function withoutVirtualOneofs(reply: Reply): Reply {
  if (!reply || typeof reply !== 'object') return reply;
  const plainRegister = 'id' in reply && 'version' in reply && reply.schema === '' && !('subject' in reply);
  return Object.fromEntries(
    Object.entries(reply)
      .filter(([key, value]) => {
        if (key.startsWith('_')) return false;
        if (CONTRACT_FIELDS.has(key) && value === null) return false;
        // findTags answers: empty unless tags were asked for.
        if (key === 'schema_tags' && Array.isArray(value) && value.length === 0) return false;
        return !(plainRegister && REGISTER_ECHO_FIELDS.has(key));
      })
      // Lists of schemas (ListSchemas) hold Schema messages with the same fields.
      .map(([key, value]) => [key, Array.isArray(value) ? value.map((item) => (item && typeof item === 'object' && 'schema' in item ? withoutVirtualOneofs(item) : item)) : value]),
  );
}

/** A client of the Registry (and Health) service at `address`. */
export function createRegistryClient(address: string): RegistryClient {
  const Registry = grpc.makeGenericClientConstructor(createServiceDefinition(protoRoot().lookupService(REGISTRY_SERVICE_NAME)), 'Registry');
  const Health = grpc.makeGenericClientConstructor(createServiceDefinition(protoRoot().lookupService('grpc.health.v1.Health')), 'Health');
  const registry = new Registry(address, grpc.credentials.createInsecure()) as unknown as Record<string, Function> & grpc.Client;
  const health = new Health(address, grpc.credentials.createInsecure()) as unknown as Record<string, Function> & grpc.Client;
  const invoke = (client: Record<string, Function>, method: string, request: Record<string, unknown>, options: { deadlineMs?: number } = {}) =>
    new Promise<Reply>((resolve, reject) => {
      if (typeof client[method] !== 'function') throw new Error(`no method ${method}`);
      const callOptions: grpc.CallOptions = options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
      client[method](request, new grpc.Metadata(), callOptions, (err: grpc.ServiceError | null, reply: Reply) => (err ? reject(err) : resolve(withoutVirtualOneofs(reply))));
    });
  return {
    call: (method, request = {}, options) => invoke(registry, method, request, options),
    health: (service = '') => invoke(health, 'Check', { service }),
    close() {
      registry.close();
      health.close();
    },
  };
}

/** A registry server on a loopback port and a client of it. */
export interface TestServer<Client extends { close(): void }> {
  readonly client: Client;
  readonly address: string;
  /** Closes the client, then the server (giving its calls a second to finish). */
  close(): Promise<void>;
}

/** Pairs a started server with `client`, so that closing one closes both in the right order. */
export function withTestClient<Client extends { close(): void }>(server: RunningRegistryServer, client: Client): TestServer<Client> {
  return {
    client,
    address: server.address,
    async close() {
      client.close();
      await server.close(1000);
    },
  };
}

export type TestRegistry = TestServer<RegistryClient>;

/** Starts a registry on an ephemeral loopback port (memory storage unless given) with a client. */
export async function startTestRegistry(
  storage: RegistryStorage = createCachedStorage(createMemoryStorage()),
  options: { maxSchemaBytes?: number; limits?: Partial<RegistryLimits> } = {},
): Promise<TestRegistry> {
  const server = await startRegistryServer({ listen: '127.0.0.1:0', storage, logError: () => {}, maxSchemaBytes: options.maxSchemaBytes, limits: options.limits });
  return withTestClient(server, createRegistryClient(server.address));
}

/** The ErrorInfo of a failed call. */
export function errorInfoOf(err: unknown): ErrorInfo | undefined {
  const values = (err as grpc.ServiceError).metadata?.get(STATUS_DETAILS_KEY) ?? [];
  return decodeErrorInfo(values[0] as Buffer | undefined);
}

/**
 * Asserts that `promise` fails with a gRPC status carrying `reason` (domain
 * registry.prism.io) and, when given, the exact message and gRPC code.
 */
export async function assertRegistryError(
  promise: Promise<unknown>,
  reason: string,
  expected: { message?: string | RegExp; code?: grpc.status; metadata?: Record<string, string> } = {},
): Promise<grpc.ServiceError> {
  try {
    await promise;
  } catch (err) {
    const info = errorInfoOf(err);
    assert.ok(info, `expected an ErrorInfo with reason ${reason}, got ${(err as Error).message}`);
    assert.equal(info.reason, reason, `reason (message: ${(err as grpc.ServiceError).details})`);
    assert.equal(info.domain, 'registry.prism.io');
    const details = (err as grpc.ServiceError).details;
    if (typeof expected.message === 'string') assert.equal(details, expected.message);
    else if (expected.message) assert.match(details, expected.message);
    if (expected.code !== undefined) assert.equal((err as grpc.ServiceError).code, expected.code);
    for (const [key, value] of Object.entries(expected.metadata ?? {})) assert.equal(info.metadata[key], value, `metadata ${key}`);
    return err as grpc.ServiceError;
  }
  assert.fail(`expected ${reason}, but the call succeeded`);
}
