/**
 * The registry's one error type and its closed table of reasons.
 *
 * Each reason is Confluent's error constant (confluent-sr-api.md §2); the message is
 * Confluent's exact text, because the gateway renders it verbatim as the `message` of
 * `{"error_code":…, "message":…}`. The gRPC code is ours (documented in registry.proto).
 */
import { status as GrpcStatus } from '@grpc/grpc-js';

export type RegistryErrorReason =
  | 'SUBJECT_NOT_FOUND'
  | 'VERSION_NOT_FOUND'
  | 'SCHEMA_NOT_FOUND'
  | 'SUBJECT_SOFT_DELETED'
  | 'SUBJECT_NOT_SOFT_DELETED'
  | 'SCHEMAVERSION_SOFT_DELETED'
  | 'SCHEMAVERSION_NOT_SOFT_DELETED'
  | 'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED'
  | 'SUBJECT_LEVEL_MODE_NOT_CONFIGURED'
  | 'INCOMPATIBLE_SCHEMA'
  | 'INVALID_SCHEMA'
  | 'INVALID_VERSION'
  | 'INVALID_COMPATIBILITY_LEVEL'
  | 'INVALID_MODE'
  | 'OPERATION_NOT_PERMITTED'
  | 'REFERENCE_EXISTS'
  | 'INVALID_SUBJECT'
  | 'SCHEMA_TOO_LARGE'
  | 'STORE_ERROR'
  | 'OPERATION_TIMEOUT'
  /** Prism's own: WatchChanges resumed before the oldest retained change. */
  | 'CHANGES_EXPIRED'
  /** Prism's own: WatchChanges `after` is neither empty, `latest` nor a sequence. */
  | 'INVALID_SEQUENCE'
  /** A rule set Confluent's RuleSet.validate refuses (confluent-data-contracts.md §3.6). */
  | 'INVALID_RULESET'
  /** A value Confluent maps to a Java enum and cannot (a rule kind or mode): Jackson's 400. */
  | 'INVALID_ENTITY';

/** The domain of every ErrorInfo the registry sends. */
export const ERROR_DOMAIN = 'registry.prism.io';

/** Reason → gRPC code and Confluent's numeric error_code. */
export const reasonTable: Readonly<Record<RegistryErrorReason, { code: GrpcStatus; errorCode: number }>> = {
  SUBJECT_NOT_FOUND: { code: GrpcStatus.NOT_FOUND, errorCode: 40401 },
  VERSION_NOT_FOUND: { code: GrpcStatus.NOT_FOUND, errorCode: 40402 },
  SCHEMA_NOT_FOUND: { code: GrpcStatus.NOT_FOUND, errorCode: 40403 },
  SUBJECT_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40404 },
  SUBJECT_NOT_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40405 },
  SCHEMAVERSION_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40406 },
  SCHEMAVERSION_NOT_SOFT_DELETED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 40407 },
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: { code: GrpcStatus.NOT_FOUND, errorCode: 40408 },
  SUBJECT_LEVEL_MODE_NOT_CONFIGURED: { code: GrpcStatus.NOT_FOUND, errorCode: 40409 },
  INCOMPATIBLE_SCHEMA: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 409 },
  INVALID_SCHEMA: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42201 },
  INVALID_VERSION: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42202 },
  INVALID_COMPATIBILITY_LEVEL: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42203 },
  INVALID_MODE: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42204 },
  OPERATION_NOT_PERMITTED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 42205 },
  REFERENCE_EXISTS: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 42206 },
  INVALID_SUBJECT: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42208 },
  SCHEMA_TOO_LARGE: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42209 },
  STORE_ERROR: { code: GrpcStatus.UNAVAILABLE, errorCode: 50001 },
  OPERATION_TIMEOUT: { code: GrpcStatus.DEADLINE_EXCEEDED, errorCode: 50002 },
  // Prism's own reasons have no Confluent code; like 409 above, the code is the HTTP status.
  CHANGES_EXPIRED: { code: GrpcStatus.FAILED_PRECONDITION, errorCode: 410 },
  INVALID_SEQUENCE: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 400 },
  INVALID_RULESET: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 42210 },
  INVALID_ENTITY: { code: GrpcStatus.INVALID_ARGUMENT, errorCode: 400 },
};

/** A failure the registry reports to its caller with a Confluent reason and message. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    readonly reason: RegistryErrorReason,
    message: string,
    /** Values the message names, sent as ErrorInfo metadata. */
    readonly metadata: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Constructors, one per message template of confluent-sr-api.md §2, so every text exists once.

export const subjectNotFound = (subject: string) =>
  new RegistryError('SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { subject });

/** `version` is the parsed selector: `latest` prints as -1, as in Confluent. */
export const versionNotFound = (version: number) =>
  new RegistryError('VERSION_NOT_FOUND', `Version ${version} not found.`, { version: String(version) });

/** Confluent says "Schema <id> not found" on by-id reads and "Schema not found" elsewhere. */
export const schemaNotFound = (id?: number) =>
  id === undefined
    ? new RegistryError('SCHEMA_NOT_FOUND', 'Schema not found')
    : new RegistryError('SCHEMA_NOT_FOUND', `Schema ${id} not found`, { id: String(id) });

// "deleted.Set" without a space is Confluent's text (Karapace differs), §2.
export const subjectSoftDeleted = (subject: string) =>
  new RegistryError('SUBJECT_SOFT_DELETED', `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`, { subject });

export const subjectNotSoftDeleted = (subject: string) =>
  new RegistryError('SUBJECT_NOT_SOFT_DELETED', `Subject '${subject}' was not deleted first before being permanently deleted`, { subject });

export const versionSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    'SCHEMAVERSION_SOFT_DELETED',
    `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    { subject, version: String(version) },
  );

export const versionNotSoftDeleted = (subject: string, version: number) =>
  new RegistryError(
    'SCHEMAVERSION_NOT_SOFT_DELETED',
    `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    { subject, version: String(version) },
  );

export const compatibilityNotConfigured = (subject: string) =>
  new RegistryError(
    'SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED',
    `Subject '${subject}' does not have subject-level compatibility configured`,
    { subject },
  );

export const modeNotConfigured = (subject: string) =>
  new RegistryError('SUBJECT_LEVEL_MODE_NOT_CONFIGURED', `Subject '${subject}' does not have subject-level mode configured`, { subject });

/** The 7.2+ form, with the verbose messages of the failed check as `details`. */
export const incompatibleSchema = (subject: string, details: readonly string[]) =>
  new RegistryError(
    'INCOMPATIBLE_SCHEMA',
    `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${details.join(', ')}]`,
    { subject },
  );

export const invalidSchema = (message: string, metadata: Record<string, string> = {}) =>
  new RegistryError('INVALID_SCHEMA', message, metadata);

export const invalidVersion = (version: string) =>
  new RegistryError(
    'INVALID_VERSION',
    `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    { version },
  );

export const invalidCompatibilityLevel = (level: string) =>
  new RegistryError(
    'INVALID_COMPATIBILITY_LEVEL',
    'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    { compatibility: level },
  );

// The ≤7.8 text: this registry has no FORWARD mode, which the v7.9.6+ text announces.
export const invalidMode = (mode: string) =>
  new RegistryError('INVALID_MODE', 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.', { mode });

export const operationNotPermitted = (message: string, metadata: Record<string, string> = {}) =>
  new RegistryError('OPERATION_NOT_PERMITTED', message, metadata);

export const referenceExists = (subject: string, version: number) =>
  new RegistryError(
    'REFERENCE_EXISTS',
    `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
    { subject, version: String(version) },
  );

// "is not a valid." is Confluent's text, typo included.
export const invalidSubject = (subject: string) =>
  new RegistryError('INVALID_SUBJECT', `The specified subject '${subject}' is not a valid.`, { subject });

export const schemaTooLarge = () =>
  new RegistryError('SCHEMA_TOO_LARGE', 'Register operation failed because schema is too large');

/** Confluent: "Register schema operation failed while writing to the Kafka store"; ours names our store. */
export const storeError = (message: string, cause: unknown) => new RegistryError('STORE_ERROR', message, {}, { cause });

export const operationTimeout = (operation: string, cause: unknown) =>
  new RegistryError('OPERATION_TIMEOUT', `${operation} operation timed out`, {}, { cause });

/**
 * The changes after `after` are no longer all retained (the feed keeps the newest
 * `changeRetention`); `oldest` is the oldest one still retained, if any.
 */
export const changesExpired = (after: number, oldest: number | undefined) =>
  new RegistryError(
    'CHANGES_EXPIRED',
    oldest === undefined
      ? `Changes after sequence ${after} are no longer retained`
      : `Changes after sequence ${after} are no longer retained; the oldest retained change is ${oldest}`,
    { after: String(after), ...(oldest === undefined ? {} : { oldest: String(oldest) }) },
  );

export const invalidSequence = (after: string) =>
  new RegistryError(
    'INVALID_SEQUENCE',
    `The specified sequence '${after}' is not valid. Allowed values are a sequence number, "latest" and empty (the oldest retained change)`,
    { after },
  );

/** One of the RuleException texts of confluent-data-contracts.md §3.6, verbatim. */
export const invalidRuleSet = (message: string) => new RegistryError('INVALID_RULESET', message);

/** A rule `kind` or `mode` that is not one of Confluent's enum names (Jackson's mapping error). */
export const invalidEntity = (message: string, metadata: Record<string, string> = {}) =>
  new RegistryError('INVALID_ENTITY', message, metadata);
