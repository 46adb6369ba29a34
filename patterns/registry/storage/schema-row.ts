/** The `schemas` table row shared by the SQL storages, and its conversion to StoredSchema. */
import type { DataContract } from '../contract/data-contract.js';
import type { SchemaReference, SchemaType } from '../formats/schema-format.js';
import type { StoredSchema } from './registry-storage.js';

export interface SchemaRow {
  id: number;
  schema_type: string;
  schema: string;
  /** References as JSON text. */
  refs: string;
  hash: string;
  /** The data contract as JSON text (`{"metadata":…,"ruleSet":…}`), null when none. */
  contract: string | null;
}

export const toSchema = (row: SchemaRow): StoredSchema => ({
  id: row.id,
  schemaType: row.schema_type as SchemaType,
  schema: row.schema,
  references: JSON.parse(row.refs) as SchemaReference[],
  hash: row.hash,
  ...(row.contract === null || row.contract === undefined ? {} : (JSON.parse(row.contract) as DataContract)),
});

/** The `contract` column of a schema about to be stored: null when it has none. */
export function contractColumn(input: DataContract): string | null {
  if (input.metadata === undefined && input.ruleSet === undefined) return null;
  return JSON.stringify({ ...(input.metadata ? { metadata: input.metadata } : {}), ...(input.ruleSet ? { ruleSet: input.ruleSet } : {}) });
}
