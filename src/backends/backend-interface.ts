/**
 * The thin interfaces a backend type implements (MEMO-006: a few operations per data model,
 * declared as capability metadata). A pattern's slot names the interfaces it requires and those
 * it can use when present; the slot binder compares them with what the bound backend's type
 * declares. Names are snake_case, `<data model>_<facet>` (DESIGN.md §8, "Backends").
 */
export const BACKEND_INTERFACES = [
  // Key-value: get/set/delete/exists; expiry; ordered prefix scans; change notification.
  'keyvalue_basic',
  'keyvalue_ttl',
  'keyvalue_scan',
  'keyvalue_watch',
  // The registry pattern's storage (schemas, versions, configs, the change feed).
  'registry_store',
  // Publish/subscribe without retention; point-to-point queues; retained, replayable streams.
  'pubsub_basic',
  'queue_basic',
  'stream_basic',
  // Whole-object put/get/delete/list.
  'object_store_basic',
] as const;

/** One thin interface, e.g. `keyvalue_basic`. */
export type BackendInterface = (typeof BACKEND_INTERFACES)[number];

export function isBackendInterface(name: string): name is BackendInterface {
  return (BACKEND_INTERFACES as readonly string[]).includes(name);
}
