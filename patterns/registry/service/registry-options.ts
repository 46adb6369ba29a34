/**
 * What a registry is created with, and the bounds on what one request may cost it.
 * Kept apart from the service so that the shared context and the handlers read them
 * without importing the module that composes them.
 */
import type { RegistryStorage } from '../storage/registry-storage.js';
import { DEFAULT_WORK_LIMITS, type WorkLimits } from '../work-budget.js';

export interface RegistryOptions {
  readonly storage: RegistryStorage;
  /**
   * Largest schema text accepted by RegisterSchema, in UTF-8 bytes (SCHEMA_TOO_LARGE
   * beyond). Confluent's limit is the Kafka record size, about 1 MiB by default.
   */
  readonly maxSchemaBytes?: number;
  /** Bounds on what one request may make the registry resolve and compute. */
  readonly limits?: Partial<RegistryLimits>;
  /**
   * Changes WatchChanges reads from the store at a time (default 256): with the transport's
   * buffer, what one slow watcher can make the registry hold.
   */
  readonly changePageSize?: number;
}

/**
 * What one request may cost the registry (RELIABILITY.md lists these with their defaults).
 * A schema beyond a limit is refused as invalid (42201, INVALID_SCHEMA) with a message
 * naming the limit: the request cannot succeed by retrying, as with Confluent's own 42201.
 */
export interface RegistryLimits {
  /** Longest chain of references from a schema (Confluent has none; a cycle has no end). */
  readonly maxReferenceDepth: number;
  /** Distinct (name, subject, version) references one schema may resolve to, all levels. */
  readonly maxReferencedSchemas: number;
  /** Total UTF-8 size of the distinct referenced schema texts one schema resolves to. */
  readonly maxResolvedBytes: number;
  /** The budget of one synchronous slice of parsing or of one compatibility comparison. */
  readonly work: WorkLimits;
  /**
   * A write starts its commit only with at least this much of the caller's deadline left,
   * so that a write the caller saw time out was not committed.
   */
  readonly commitReserveMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxReferenceDepth: 32,
  maxReferencedSchemas: 10_000,
  maxResolvedBytes: 16 * 1024 * 1024,
  work: DEFAULT_WORK_LIMITS,
  commitReserveMs: 250,
};

/** Default of `maxSchemaBytes`: 1 MiB, Confluent's default Kafka record size. */
export const DEFAULT_MAX_SCHEMA_BYTES = 1024 * 1024;
