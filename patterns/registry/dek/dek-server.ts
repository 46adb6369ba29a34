/**
 * `prism.patterns.registry.v1.DekRegistry` on the registry's gRPC server (DESIGN.md §8: a
 * second service in the registry pattern's process). Errors leave through `toDekServiceError`:
 * a DekRegistryError or RegistryError becomes a status with Confluent's message and a
 * `google.rpc.ErrorInfo` (domain registry.prism.io) in the `grpc-status-details-bin` trailer.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadProtoRoot, projectProtoDir } from '../../../src/grpc/proto-root.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../../src/grpc/service-definition.js';
import { ERROR_DOMAIN, reasonTable, RegistryError } from '../registry-error.js';
import { DekRegistryError, dekReasonTable } from './dek-error.js';
import type { DekRegistryApi } from './dek-messages.js';
import { createDekService, type DekServiceOptions } from './dek-service.js';
import { createMemoryDekStorage } from './storage/memory-dek-storage.js';
import type { DekStorage } from './storage/dek-storage.js';

export const DEK_REGISTRY_SERVICE_NAME = 'prism.patterns.registry.v1.DekRegistry';
export const dekRegistryProtoFile = join(projectProtoDir, 'prism/patterns/registry/v1/dek_registry.proto');

/** The gRPC error for a failure; anything unexpected is INTERNAL "Internal Server Error". */
export function toDekServiceError(err: unknown): Partial<grpc.ServiceError> {
  const known =
    err instanceof DekRegistryError ? dekReasonTable[err.reason] : err instanceof RegistryError ? reasonTable[err.reason] : undefined;
  if (!known) return { code: grpc.status.INTERNAL, details: 'Internal Server Error' };
  const { reason, message, metadata: values } = err as DekRegistryError | RegistryError;
  const metadata = new grpc.Metadata();
  metadata.set(
    STATUS_DETAILS_KEY,
    encodeStatusDetails(known.code, message, { reason, domain: ERROR_DOMAIN, metadata: { error_code: String(known.errorCode), ...values } }),
  );
  return { code: known.code, details: message, metadata };
}

export interface DekRegistryServiceOptions extends Omit<DekServiceOptions, 'storage'> {
  /** The DEK store (closed by `close`); an in-memory one when absent. */
  readonly storage?: DekStorage;
  readonly logError: (message: string, err: unknown) => void;
}

/**
 * Adds the DekRegistry service to `server`.
 * @returns `close`, which closes its storage (call it after the server has shut down).
 */
export function addDekRegistryService(server: grpc.Server, options: DekRegistryServiceOptions): { close(): Promise<void> } {
  const service = createDekService({ ...options, storage: options.storage ?? createMemoryDekStorage() });
  const definition = createServiceDefinition(loadProtoRoot([dekRegistryProtoFile]).lookupService(DEK_REGISTRY_SERVICE_NAME));
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const name of Object.keys(definition)) {
    const method = service[name as keyof DekRegistryApi] as (request: unknown) => Promise<unknown>;
    implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      method(call.request).then(
        (response) => callback(null, response),
        (err: unknown) => {
          if (!(err instanceof DekRegistryError) && !(err instanceof RegistryError)) options.logError(`registry: ${name} failed`, err);
          else if (err instanceof RegistryError && err.reason === 'STORE_ERROR') options.logError(`registry: ${name}: ${err.message}`, err.cause);
          callback(toDekServiceError(err) as grpc.ServiceError);
        },
      );
    };
  }
  server.addService(definition, implementation);
  return { close: () => service.close() };
}
