/**
 * The state and helpers every handler of one registry shares: the guarded storage, the
 * limits, the write queue, settings in scope, reference resolution, request-schema parsing,
 * the memory of stored schemas and the compatibility check. One context per registry; the
 * handlers hold no state of their own.
 */
import { createGuardedStorage } from '../storage/guard-storage.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { createCandidateCompatibility, type CandidateCompatibility } from './candidate-compatibility.js';
import { createContractSettings, type ContractSettings } from './contract-settings.js';
import { createReferenceResolver } from './reference-resolver.js';
import { DEFAULT_MAX_SCHEMA_BYTES, DEFAULT_REGISTRY_LIMITS, type RegistryLimits, type RegistryOptions } from './registry-options.js';
import { createCandidateParser, type ParseCandidate } from './schema-candidate.js';
import { createSettingsInScope, type SettingsInScope } from './settings-in-scope.js';
import { createStoredSchemas, type StoredSchemas } from './stored-schemas.js';
import { createWriteQueue, type WriteQueue } from './write-queue.js';

export interface RegistryContext extends WriteQueue, SettingsInScope, StoredSchemas, CandidateCompatibility {
  /** The storage of the options, its failures turned into store errors (guard-storage.ts). */
  readonly storage: RegistryStorage;
  /** Largest schema text RegisterSchema stores, in UTF-8 bytes. */
  readonly maxSchemaBytes: number;
  readonly limits: RegistryLimits;
  readonly parseCandidate: ParseCandidate;
  /** Whether a live version of any schema references `subject` version `version`. */
  hasLiveReferrer(subject: string, version: number): Promise<boolean>;
  /** The data-contract config fields in scope for a subject (contract-settings.ts). */
  contractSettingsInScope(subject: string): Promise<ContractSettings>;
}

/** Creates the context of one registry over `options.storage`. */
export function createRegistryContext(options: RegistryOptions): RegistryContext {
  const storage = createGuardedStorage(options.storage);
  const limits: RegistryLimits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
  const resolveReferences = createReferenceResolver(storage, limits);
  const storedSchemas = createStoredSchemas(storage, resolveReferences, limits.work);

  async function hasLiveReferrer(subject: string, version: number): Promise<boolean> {
    for (const id of await storage.listReferrers(subject, version)) {
      if ((await storage.listVersionsOfSchema(id)).some((v) => !v.deleted)) return true;
    }
    return false;
  }

  return {
    storage,
    maxSchemaBytes: options.maxSchemaBytes ?? DEFAULT_MAX_SCHEMA_BYTES,
    limits,
    ...createWriteQueue(limits.commitReserveMs),
    ...createSettingsInScope(storage),
    ...storedSchemas,
    ...createCandidateCompatibility(storedSchemas.parseStored, limits.work),
    parseCandidate: createCandidateParser(resolveReferences, limits.work),
    hasLiveReferrer,
    contractSettingsInScope: createContractSettings(storage),
  };
}
