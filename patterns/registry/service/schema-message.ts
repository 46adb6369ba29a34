import { contractFields } from '../contract/contract-messages.js';
import type { SchemaType } from '../formats/schema-format.js';
import type { SchemaMessage } from '../registry-messages.js';
import type { StoredSchema } from '../storage/registry-storage.js';
import type { Candidate } from './schema-candidate.js';

/**
 * A version of a subject as answered: a stored schema's text, or a candidate's canonical (or
 * normalised) one, with the data contract it has.
 */
export function schemaMessage(subject: string, version: number, id: number, schema: StoredSchema | Candidate, type: SchemaType): SchemaMessage {
  const text = 'text' in schema ? schema.text : schema.schema;
  const contract = 'text' in schema ? schema.contract : schema;
  return { subject, version, id, schema_type: type, references: schema.references.map((r) => ({ ...r })), schema: text, ...contractFields(contract) };
}
