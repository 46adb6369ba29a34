/**
 * A gRPC client for the keyvalue service built from its proto (no generated code), as any
 * client would reach it: unary calls resolving with the response or a status with its ErrorInfo,
 * and Watch as a stream of events.
 */
import * as grpc from '@grpc/grpc-js';
import { keyValueProtoFile, KEYVALUE_SERVICE_NAME } from '../../../patterns/keyvalue/keyvalue-server.js';
import { loadProtoRoot } from '../../../src/grpc/proto-root.js';
import { decodeErrorInfo, STATUS_DETAILS_KEY, type ErrorInfo } from '../../../src/grpc/rich-status.js';
import { createServiceDefinition, plainObjectOptions } from '../../../src/grpc/service-definition.js';

export const keyValueRoot = loadProtoRoot([keyValueProtoFile]);
const KeyValue = grpc.makeGenericClientConstructor(createServiceDefinition(keyValueRoot.lookupService(KEYVALUE_SERVICE_NAME), { ...plainObjectOptions, bytes: Buffer }), 'KeyValue');

export type Reply = Record<string, unknown>;
export interface Failure {
  readonly code: grpc.status;
  readonly message: string;
  readonly info: ErrorInfo | undefined;
}

export function createKeyValueClient(address: string, credentials = grpc.credentials.createInsecure()) {
  const client = new KeyValue(address, credentials) as unknown as grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  const call = (method: string, request: object): Promise<Reply> =>
    new Promise((resolve, reject) =>
      client[method](request, { deadline: Date.now() + 10_000 }, (err: grpc.ServiceError | null, value: Reply) => (err ? reject(err) : resolve(value))),
    );
  return {
    call,
    /** The failure a call ends with; throws when it succeeds. */
    async failure(method: string, request: object): Promise<Failure> {
      try {
        await call(method, request);
      } catch (err) {
        const e = err as grpc.ServiceError;
        return { code: e.code, message: e.details, info: decodeErrorInfo(e.metadata?.get(STATUS_DETAILS_KEY)[0] as Buffer | undefined) };
      }
      throw new Error(`${method} succeeded`);
    },
    /** Opens a Watch: events as they come, headers when they arrive, the status it ends with. */
    watch(prefix: Buffer | string) {
      const stream = client.Watch({ prefix: Buffer.from(prefix) }) as grpc.ClientReadableStream<Reply>;
      const events: Reply[] = [];
      stream.on('data', (event: Reply) => events.push(event));
      const headers = new Promise<void>((resolve) => stream.once('metadata', () => resolve()));
      const ended = new Promise<{ code: grpc.status; info: ErrorInfo | undefined }>((resolve) => {
        stream.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, info: decodeErrorInfo(err.metadata?.get(STATUS_DETAILS_KEY)[0] as Buffer | undefined) }));
        stream.on('end', () => resolve({ code: grpc.status.OK, info: undefined }));
      });
      return { events, headers, ended, cancel: () => stream.cancel() };
    },
    close: () => client.close(),
  };
}
