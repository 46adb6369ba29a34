/** The `schemas` table row shared by the SQL storages, and its conversion to StoredSchema. */
import type { SchemaReference, SchemaType } from '../formats/schema-format.js';
import type { StoredSchema } from './registry-storage.js';

export interface SchemaRow {
  id: number;
  schema_type: string;
  schema: string;
  /** References as JSON text. */
  refs: string;
  hash: string;
}

export const toSchema = (row: SchemaRow): StoredSchema => ({
  id: row.id,
  schemaType: row.schema_type as SchemaType,
  schema: row.schema,
  references: JSON.parse(row.refs) as SchemaReference[],
  hash: row.hash,
});
