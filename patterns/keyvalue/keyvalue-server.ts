/**
 * The keyvalue pattern as a gRPC server: `prism.patterns.keyvalue.v1.KeyValue` plus the standard
 * `grpc.health.v1.Health`, on one socket. Errors leave through one function, `toServiceError`:
 * a KeyValueError becomes its code and message with a `google.rpc.ErrorInfo` in the
 * `grpc-status-details-bin` trailer; anything else is INTERNAL without details.
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createHealthService, healthProtoFile } from '../../src/grpc/health-service.js';
import { bindPatternServer, shutdownPatternServer } from '../../src/grpc/pattern-server.js';
import { loadProtoRoot, projectProtoDir } from '../../src/grpc/proto-root.js';
import { encodeStatusDetails, STATUS_DETAILS_KEY } from '../../src/grpc/rich-status.js';
import { createServiceDefinition, plainObjectOptions } from '../../src/grpc/service-definition.js';
import { KEYVALUE_ERROR_DOMAIN, KeyValueError } from './keyvalue-error.js';
import { createKeyValueService, type KeyValueLimits, type WatchSink } from './keyvalue-service.js';
import type { KeyValueInterface, KeyValueStore } from './store/keyvalue-store.js';

export const KEYVALUE_SERVICE_NAME = 'prism.patterns.keyvalue.v1.KeyValue';
export const keyValueProtoFile = join(projectProtoDir, 'prism/patterns/keyvalue/v1/keyvalue.proto');

/**
 * A watcher whose unsent events pass this many bytes is too slow to follow the store: its
 * stream ends (RESOURCE_EXHAUSTED) rather than holding the server's memory without bound.
 */
const MAX_WATCH_BUFFER_BYTES = 16 * 1024 * 1024;

export interface KeyValueServerOptions {
  /** `host:port` (port 0 picks an ephemeral port) or `unix:/path`. */
  readonly listen: string;
  /** The store to serve; the server closes it on `close`. */
  readonly store: KeyValueStore;
  /** The interfaces the store is bound with (default: all it implements). */
  readonly interfaces?: readonly KeyValueInterface[];
  readonly limits?: Partial<KeyValueLimits>;
  /** Where unexpected failures are reported (default: console.error). */
  readonly logError?: (message: string, err: unknown) => void;
  /** TLS (and client certificates) for the listener; plaintext when absent. */
  readonly credentials?: grpc.ServerCredentials;
}

export interface RunningKeyValueServer {
  readonly address: string;
  readonly protoFiles: readonly string[];
  /** Health turns NOT_SERVING, open watches end UNAVAILABLE, in-flight calls finish (up to `graceMs`), the store closes. */
  close(graceMs?: number): Promise<void>;
}

/** The gRPC error for a failure. */
export function toServiceError(err: unknown): Partial<grpc.ServiceError> {
  if (err instanceof KeyValueError) {
    const metadata = new grpc.Metadata();
    metadata.set(STATUS_DETAILS_KEY, encodeStatusDetails(err.code, err.message, { reason: err.reason, domain: KEYVALUE_ERROR_DOMAIN, metadata: { ...err.metadata } }));
    return { code: err.code, details: err.message, metadata };
  }
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

/**
 * Starts the keyvalue gRPC server.
 * @throws Error when the address cannot be bound.
 */
export async function startKeyValueServer(options: KeyValueServerOptions): Promise<RunningKeyValueServer> {
  const logError = options.logError ?? ((message, err) => console.error(message, err));
  const root = loadProtoRoot([keyValueProtoFile]);
  const service = root.lookupService(KEYVALUE_SERVICE_NAME);
  // Bytes as Buffers: keys and values are binary, and base64 round trips would cost for nothing.
  const definition = createServiceDefinition(service, { ...plainObjectOptions, bytes: Buffer });
  const keyValue = createKeyValueService({ store: options.store, interfaces: options.interfaces, limits: options.limits });
  const server = new grpc.Server();
  const watches = new Set<AbortController>();
  let shuttingDown = false;

  const report = (name: string, err: unknown) => {
    if (!(err instanceof KeyValueError)) logError(`keyvalue: ${name} failed`, err);
    else if (err.reason === 'STORE_ERROR') logError(`keyvalue: ${name}: ${err.message}`, err.cause);
  };

  // Requests arrive decoded per keyvalue.proto (bytes as Buffers); the service checks their values.
  const unary = (name: 'Get' | 'Set' | 'Delete' | 'Exists' | 'Scan') => (call: grpc.ServerUnaryCall<any, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    keyValue[name](call.request).then(
      (response) => callback(null, response),
      (err: unknown) => {
        report(name, err);
        callback(toServiceError(err) as grpc.ServiceError);
      },
    );
  };

  function watch(call: grpc.ServerWritableStream<any, unknown>): void {
    const controller = new AbortController();
    watches.add(controller);
    if (shuttingDown) controller.abort();
    call.once('cancelled', () => controller.abort());
    let tooSlow = false;
    let headersSent = false;
    const sink: WatchSink = {
      // grpc-js sends headers with the first message; a quiet prefix would leave the caller
      // (and an SSE client behind the gateway) without even a status until the next change.
      accepted: () => {
        if (headersSent || call.cancelled) return;
        headersSent = true;
        call.sendMetadata(new grpc.Metadata());
      },
      write: (event) => {
        if (controller.signal.aborted) return;
        call.write(event);
        if (call.writableLength > MAX_WATCH_BUFFER_BYTES) {
          tooSlow = true;
          controller.abort();
        }
      },
      signal: controller.signal,
    };
    const finish = (err?: unknown) => {
      watches.delete(controller);
      if (call.cancelled) return;
      if (err !== undefined) call.emit('error', toServiceError(err));
      else if (tooSlow) call.emit('error', { code: grpc.status.RESOURCE_EXHAUSTED, details: 'the watcher reads changes slower than they happen' });
      else if (shuttingDown) call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the keyvalue service is shutting down' });
      else call.end();
    };
    keyValue.Watch(call.request, sink).then(
      () => finish(),
      (err: unknown) => {
        report('Watch', err);
        finish(err);
      },
    );
  }

  server.addService(definition, {
    Get: unary('Get'),
    Set: unary('Set'),
    Delete: unary('Delete'),
    Exists: unary('Exists'),
    Scan: unary('Scan'),
    Watch: watch,
  });
  const health = createHealthService({ '': 'SERVING', [KEYVALUE_SERVICE_NAME]: 'SERVING' });
  server.addService(health.definition, health.implementation);

  const address = await bindPatternServer(server, options.listen, options.credentials);

  let closing: Promise<void> | undefined;
  return {
    address,
    protoFiles: [keyValueProtoFile, healthProtoFile],
    close(graceMs = 5000) {
      closing ??= (async () => {
        health.shutdown();
        // Open watches would hold a graceful shutdown open as long as their callers listen.
        shuttingDown = true;
        for (const controller of watches) controller.abort();
        await shutdownPatternServer(server, graceMs);
        await keyValue.close();
      })();
      return closing;
    },
  };
}
