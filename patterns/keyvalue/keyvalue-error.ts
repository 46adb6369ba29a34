/**
 * The keyvalue pattern's one error type and its closed table of reasons (DESIGN.md §8, "The
 * keyvalue pattern"; documented for clients in keyvalue.proto). The server turns it into a gRPC
 * status with a `google.rpc.ErrorInfo` in domain `keyvalue.prism.io`.
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export type KeyValueErrorReason = 'KEY_NOT_FOUND' | 'VERSION_MISMATCH' | 'INVALID_KEY' | 'VALUE_TOO_LARGE' | 'INVALID_ARGUMENT' | 'WATCH_UNSUPPORTED' | 'STORE_ERROR';

export const KEYVALUE_ERROR_DOMAIN = 'keyvalue.prism.io';

/** Reason → the gRPC code it is sent with (unless the error names another). */
export const keyValueReasonCodes: Readonly<Record<KeyValueErrorReason, GrpcStatus>> = {
  KEY_NOT_FOUND: GrpcStatus.NOT_FOUND,
  VERSION_MISMATCH: GrpcStatus.FAILED_PRECONDITION,
  INVALID_KEY: GrpcStatus.INVALID_ARGUMENT,
  VALUE_TOO_LARGE: GrpcStatus.INVALID_ARGUMENT,
  INVALID_ARGUMENT: GrpcStatus.INVALID_ARGUMENT,
  WATCH_UNSUPPORTED: GrpcStatus.UNIMPLEMENTED,
  STORE_ERROR: GrpcStatus.UNAVAILABLE,
};

export class KeyValueError extends Error {
  override readonly name = 'KeyValueError';
  readonly code: GrpcStatus;
  constructor(
    readonly reason: KeyValueErrorReason,
    message: string,
    /** Values the message names, sent as ErrorInfo metadata. */
    readonly metadata: Readonly<Record<string, string>> = {},
    options: { cause?: unknown; code?: GrpcStatus } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = options.code ?? keyValueReasonCodes[reason];
  }
}

/** Keys travel in messages and metadata as base64 (they are bytes). */
const shown = (key: Buffer) => key.toString('base64');

export const keyNotFound = (key: Buffer) => new KeyValueError('KEY_NOT_FOUND', 'key not found', { key: shown(key) });

export const versionMismatch = (key: Buffer, expected: number, current: number) =>
  new KeyValueError('VERSION_MISMATCH', current === 0 ? `expected version ${expected}, but the key is absent` : `expected version ${expected}, but the key is at version ${current}`, {
    key: shown(key),
    expected_version: String(expected),
    current_version: String(current),
  });

export const invalidKey = (why: string, key: Buffer) => new KeyValueError('INVALID_KEY', why, { key_bytes: String(key.length) });

export const invalidArgument = (field: string, why: string) => new KeyValueError('INVALID_ARGUMENT', `${field}: ${why}`, { field });

/** A call that needs an interface the store is not bound with (UNIMPLEMENTED). */
export const interfaceNotBound = (name: string) =>
  name === 'keyvalue_watch'
    ? new KeyValueError('WATCH_UNSUPPORTED', 'this keyvalue store is bound without keyvalue_watch: Watch is not available', { interface: name })
    : new KeyValueError('INVALID_ARGUMENT', `this keyvalue store is bound without ${name}`, { interface: name }, { code: GrpcStatus.UNIMPLEMENTED });

export const storeError = (cause: unknown) => new KeyValueError('STORE_ERROR', 'the keyvalue store failed or cannot be reached', {}, { cause });
