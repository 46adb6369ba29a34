/**
 * The registry as a gRPC server: `prism.patterns.registry.v1.Registry` plus the standard
 * `grpc.health.v1.Health`, on one socket. Errors leave through one function, `toServiceError`,
 * which turns a RegistryError into a status with Confluent's message and a
 * `google.rpc.ErrorInfo` in the `grpc-status-details-bin` trailer.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createHealthService, healthProtoFile } from '../../src/grpc/health-service.js';
import { bindPatternServer, shutdownPatternServer } from '../../src/grpc/pattern-server.js';
import { loadProtoRoot, projectProtoDir } from '../../src/grpc/proto-root.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import { createServiceDefinition } from '../../src/grpc/service-definition.js';
import { ERROR_DOMAIN, reasonTable, RegistryError } from './registry-error.js';
import type { CallContext, ChangeStream, RegistryApi, RegistryStreamingApi } from './registry-messages.js';
import { createRegistryService, type RegistryLimits } from './registry-service.js';
import type { RegistryStorage } from './storage/registry-storage.js';
import { addDekRegistryService, DEK_REGISTRY_SERVICE_NAME, dekRegistryProtoFile } from './dek/dek-server.js';
import type { DekStorage } from './dek/storage/dek-storage.js';

export const REGISTRY_SERVICE_NAME = 'prism.patterns.registry.v1.Registry';
export const registryProtoFile = join(projectProtoDir, 'prism/patterns/registry/v1/registry.proto');
// Served beside the registry's own proto (`protoFiles`); its clients load both.
export { healthProtoFile };

export interface RegistryServerOptions {
  /** `host:port`; port 0 picks an ephemeral port. */
  readonly listen: string;
  /** The storage to serve; the server closes it on `close`. */
  readonly storage: RegistryStorage;
  /** The DEK registry's store (dek/create-dek-storage.ts), closed on `close`; in memory when absent. */
  readonly dekStorage?: DekStorage;
  /** Confluent's `dek.registry.max.keys`: KEKs, and DEKs, at most (default 20,000 each). */
  readonly dekMaxKeys?: number;
  readonly maxSchemaBytes?: number;
  /** Bounds on what one request may cost (registry-service.ts DEFAULT_REGISTRY_LIMITS). */
  readonly limits?: Partial<RegistryLimits>;
  /** Changes WatchChanges reads from the store at a time (default 256). */
  readonly changePageSize?: number;
  /** Where unexpected failures are reported (default: console.error). */
  readonly logError?: (message: string, err: unknown) => void;
  /** TLS (and client certificates) for the listener; plaintext when absent. */
  readonly credentials?: grpc.ServerCredentials;
}

export interface RunningRegistryServer {
  /** The bound `host:port`. */
  readonly address: string;
  readonly protoFiles: readonly string[];
  /**
   * Marks the service NOT_SERVING, ends open WatchChanges streams with UNAVAILABLE, lets
   * in-flight calls finish (up to `graceMs`), closes storage.
   */
  close(graceMs?: number): Promise<void>;
}

/**
 * The gRPC error for a failure: a RegistryError keeps its reason, message and metadata;
 * anything else is INTERNAL "Internal Server Error" (Confluent's generic 500 text).
 */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof RegistryError) {
    const { code, errorCode } = reasonTable[err.reason];
    const metadata = new grpc.Metadata();
    const details = encodeStatusDetails(code, err.message, {
      reason: err.reason,
      domain: ERROR_DOMAIN,
      metadata: { error_code: String(errorCode), ...err.metadata },
    });
    metadata.set(STATUS_DETAILS_KEY, details);
    return { code, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: 'Internal Server Error' };
}

/**
 * Starts the registry gRPC server.
 * @throws Error when the address cannot be bound.
 */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RunningRegistryServer> {
  const logError = options.logError ?? ((message, err) => console.error(message, err));
  const root = loadProtoRoot([registryProtoFile]);
  const registry = createRegistryService({
    storage: options.storage,
    maxSchemaBytes: options.maxSchemaBytes,
    limits: options.limits,
    changePageSize: options.changePageSize,
  });
  const server = new grpc.Server();

  const implementation: grpc.UntypedServiceImplementation = {};
  const service = root.lookupService(REGISTRY_SERVICE_NAME);
  // Open streams, so that a shutdown can end them instead of waiting for their callers.
  const streams = new Set<AbortController>();
  let shuttingDown = false;
  const report = (name: string, err: unknown) => {
    if (!(err instanceof RegistryError)) logError(`registry: ${name} failed`, err);
    else if (err.reason === 'STORE_ERROR' || err.reason === 'OPERATION_TIMEOUT') logError(`registry: ${name}: ${err.message}`, err.cause);
  };
  for (const name of Object.keys(createServiceDefinition(service))) {
    if (service.methods[name].responseStream) {
      const method = registry[name as keyof RegistryStreamingApi] as (request: unknown, stream: ChangeStream) => Promise<void>;
      implementation[name] = (call: grpc.ServerWritableStream<unknown, unknown>) => serveStream(name, method, call);
      continue;
    }
    const method = registry[name as keyof RegistryApi] as (request: unknown, context: CallContext) => Promise<unknown>;
    implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      // The caller's deadline: a write that cannot commit before it is not committed.
      method(call.request, { deadline: call.getDeadline() }).then(
        (response) => callback(null, response),
        (err: unknown) => {
          report(name, err);
          callback(toServiceError(err) as grpc.ServiceError);
        },
      );
    };
  }
  server.addService(createServiceDefinition(service), implementation);
  const dekRegistry = addDekRegistryService(server, { storage: options.dekStorage, maxKeys: options.dekMaxKeys, logError });

  /**
   * Runs a server-streaming handler on a grpc-js call: `write` is the call's (false once its
   * buffer is full), the signal aborts when the caller cancels or the server shuts down, and
   * the call ends with OK when the handler returns, UNAVAILABLE when the server is shutting
   * down, or the handler's error.
   */
  function serveStream(name: string, method: (request: unknown, stream: ChangeStream) => Promise<void>, call: grpc.ServerWritableStream<unknown, unknown>): void {
    const controller = new AbortController();
    const { signal } = controller;
    streams.add(controller);
    if (shuttingDown) controller.abort();
    call.once('cancelled', () => controller.abort());
    // grpc-js sends response headers with the first message; a feed with nothing to replay
    // would leave the caller without even its headers (no HTTP status, no SSE heartbeats
    // through the gateway) until the next change. They go out once the request is accepted.
    let headersSent = false;
    const stream: ChangeStream = {
      accepted: () => {
        if (headersSent || call.cancelled) return;
        headersSent = true;
        call.sendMetadata(new grpc.Metadata());
      },
      write: (message) => call.write(message),
      drained: () =>
        new Promise<void>((resolve) => {
          const done = () => {
            call.off('drain', done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          if (signal.aborted) return resolve();
          call.on('drain', done);
          signal.addEventListener('abort', done, { once: true });
        }),
      signal,
    };
    const finish = (err?: unknown) => {
      streams.delete(controller);
      if (call.cancelled) return;
      if (err !== undefined) call.emit('error', toServiceError(err));
      else if (shuttingDown) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the registry is shutting down' });
      else call.end();
    };
    method(call.request, stream).then(
      () => finish(),
      (err: unknown) => {
        report(name, err);
        finish(err);
      },
    );
  }

  // grpc.health.v1: "" (the whole server) and the registry service are known.
  const health = createHealthService({ '': 'SERVING', [REGISTRY_SERVICE_NAME]: 'SERVING', [DEK_REGISTRY_SERVICE_NAME]: 'SERVING' });
  server.addService(health.definition, health.implementation);

  const address = await bindPatternServer(server, options.listen, options.credentials);

  let closing: Promise<void> | undefined;
  return {
    address,
    protoFiles: [registryProtoFile, healthProtoFile, dekRegistryProtoFile],
    close(graceMs = 5000) {
      closing ??= (async () => {
        health.shutdown();
        // Open streams would hold a graceful shutdown open for as long as their callers
        // listen: they end now, with UNAVAILABLE (their callers resume elsewhere or later).
        shuttingDown = true;
        for (const controller of streams) controller.abort();
        await shutdownPatternServer(server, graceMs);
        await Promise.all([registry.close(), dekRegistry.close()]);
      })();
      return closing;
    },
  };
}
