import { RegistryError } from '../registry-error.js';
import type { RegistryStorage, StoredSchema } from '../storage/registry-storage.js';

/**
 * The stored schema under an id the store itself handed out (a version's or a
 * reference's), so its absence is the store's fault, not the caller's.
 * @throws RegistryError STORE_ERROR when the id is missing.
 */
export async function requireSchema(storage: RegistryStorage, id: number): Promise<StoredSchema> {
  const schema = await storage.getSchema(id);
  if (!schema) throw new RegistryError('STORE_ERROR', `Schema ${id} is missing from the store`);
  return schema;
}
