/**
 * `compatibilityGroup` (confluent-data-contracts.md §3.5): a config field naming a metadata
 * property; a new schema is checked only against the versions whose value of that property
 * equals its own (absent on both sides counts as equal), so a new value starts a new line of
 * compatibility, e.g. a major version with a migration rule.
 */
import type { SchemaMetadata } from '../contract/data-contract.js';
import type { RegistryStorage, StoredVersion } from '../storage/registry-storage.js';
import { requireSchema } from './require-schema.js';

/** The versions in the same group as `metadata` (all of them when no group is configured). */
export async function inCompatibilityGroup(
  storage: RegistryStorage,
  group: string | undefined,
  metadata: SchemaMetadata | undefined,
  versions: readonly StoredVersion[],
): Promise<StoredVersion[]> {
  if (group === undefined || group === '') return [...versions];
  const value = metadata?.properties?.[group];
  const out: StoredVersion[] = [];
  for (const v of versions) {
    const stored = await requireSchema(storage, v.id);
    if (stored.metadata?.properties?.[group] === value) out.push(v);
  }
  return out;
}
