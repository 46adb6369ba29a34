/**
 * Reads JSON Schema text the way Confluent's provider does before loading it: the text must
 * be JSON and the root an object or a boolean. Keyword values are checked by the loader, as
 * everit checks them while loading (there is no meta-schema validation for draft-4 to 7).
 */
import { InvalidSchemaError } from '../schema-format.js';

export type Draft = 'draft-4' | 'draft-6' | 'draft-7' | '2019-09' | '2020-12';

/** The draft a document declares with `$schema`; none means draft-7 (Confluent's default). */
export function draftOf(root: unknown): Draft {
  const uri = typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as Record<string, unknown>)['$schema'] : undefined;
  if (typeof uri !== 'string') return 'draft-7';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('draft-04')) return 'draft-4';
  if (uri.includes('draft-06')) return 'draft-6';
  return 'draft-7';
}

/**
 * Parses JSON Schema text into its JSON value.
 * @throws InvalidSchemaError when the text is not JSON or the root is neither an object nor
 *   a boolean.
 */
export function parseJsonSchemaText(text: string): unknown {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
  }
  if (typeof root !== 'boolean' && (typeof root !== 'object' || root === null || Array.isArray(root))) {
    throw new InvalidSchemaError(`Invalid schema ${text}, details: Invalid JSON Schema: root must be an object or a boolean`);
  }
  return root;
}
