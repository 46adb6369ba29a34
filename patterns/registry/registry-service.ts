/**
 * The registry: Confluent Schema Registry semantics (confluent-sr-api.md §3) over a
 * RegistryStorage, one method per RPC of `prism.patterns.registry.v1.Registry`.
 *
 * Every Confluent check happens in the handlers, in Confluent's order (§2.1); the storage
 * only makes writes atomic and assigns ids and versions. Writes are serialised in this
 * process (one at a time, from their first check to their commit), so what a write checked
 * is still true when it commits. Only the default context is implemented (§3.1).
 *
 * The RPCs are grouped by concern under service/ (subjects, schemas, compatibility,
 * config and mode, the change feed), each group an object of handlers over one shared RegistryContext;
 * this module only composes them.
 */
import type { RegistryApi, RegistryStreamingApi } from './registry-messages.js';
import { createChangeFeedHandlers } from './service/change-feed-handlers.js';
import { createCompatibilityHandlers } from './service/compatibility-handlers.js';
import { createConfigModeHandlers } from './service/config-mode-handlers.js';
import { createRegistryContext } from './service/registry-context.js';
import type { RegistryOptions } from './service/registry-options.js';
import { createSchemaHandlers } from './service/schema-handlers.js';
import { createSubjectHandlers } from './service/subject-handlers.js';
import { createTagSchemaHandler } from './service/tag-schema-handler.js';

export { DEFAULT_REGISTRY_LIMITS, type RegistryLimits, type RegistryOptions } from './service/registry-options.js';

/**
 * Creates the registry over `options.storage` (which it closes on `close`). Creating it
 * does not throw; each RPC rejects with a RegistryError carrying Confluent's reason.
 */
export function createRegistryService(options: RegistryOptions): RegistryApi & RegistryStreamingApi & { close(): Promise<void> } {
  const ctx = createRegistryContext(options);
  const subjects = createSubjectHandlers(ctx);
  const api: RegistryApi & RegistryStreamingApi = {
    ...subjects,
    ...createTagSchemaHandler(ctx, subjects.RegisterSchema),
    ...createSchemaHandlers(ctx),
    ...createCompatibilityHandlers(ctx),
    ...createConfigModeHandlers(ctx),
    ...createChangeFeedHandlers(ctx, options.changePageSize),
  };
  // Closing waits for the writes already queued, then closes the storage.
  return { ...api, close: () => ctx.serialized('Close', undefined, () => ctx.storage.close()) };
}
