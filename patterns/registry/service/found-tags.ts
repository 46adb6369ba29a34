/**
 * `findTags` on version and id reads (confluent-data-contracts.md §3.8): the entities whose
 * inline tags include any of the requested ones (`*`: every tagged one). AVRO only.
 */
import { findAvroTags } from '../contract/avro-schema-tags.js';
import { schemaTagsToMessages } from '../contract/contract-messages.js';
import type { SchemaTagsMessage } from '../registry-messages.js';
import type { StoredSchema } from '../storage/registry-storage.js';

/** The answer's `schema_tags`: present only when tags were asked for. */
export function foundTags(stored: StoredSchema, wanted: readonly string[] | undefined): { schema_tags?: SchemaTagsMessage[] } {
  const asked = (wanted ?? []).filter((t) => t !== '');
  if (asked.length === 0) return {};
  return { schema_tags: stored.schemaType === 'AVRO' ? schemaTagsToMessages(findAvroTags(stored.schema, asked)) : [] };
}
