/**
 * The JSON Schema format: parse (draft-4 to 2020-12, `$ref`s resolved locally or from
 * references), Confluent's canonical text, and Confluent's diff-based compatibility with
 * the STRICT or LENIENT policy (compatibility-rules.md §3).
 */
import type { CheckOptions, CheckRoles, ParsedSchema, ResolvedReference, SchemaFormat } from '../schema-format.js';
import { compatibleSetFor, formatJsonDifference } from './json-difference.js';
import { diffJsonSchemas } from './json-schema-diff.js';
import { normalizedJsonText, parseJsonSchema, type JsonSchemaModel } from './parse-json-schema.js';

export { diffJsonSchemas } from './json-schema-diff.js';
export { JSON_COMPATIBLE_LENIENT, JSON_COMPATIBLE_STRICT } from './json-difference.js';
export type { JsonDifference, JsonDifferenceType } from './json-difference.js';
export type { JsonSchemaModel } from './parse-json-schema.js';

export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',

  parse(text: string, references: readonly ResolvedReference[]): ParsedSchema {
    const { json, model } = parseJsonSchema(text, references);
    // Confluent stores the JSON re-serialised compactly with key order preserved
    // (confluent-sr-api.md §3.2); JSON.stringify does exactly that.
    return { type: 'JSON', canonical: JSON.stringify(json), normalized: normalizedJsonText(json), model };
  },

  checkReads(reader: ParsedSchema, writer: ParsedSchema, roles: CheckRoles, options?: CheckOptions): string[] {
    if (reader.type !== writer.type) return ['Incompatible because of different schema type'];
    try {
      const compatible = compatibleSetFor(options?.policy);
      // "reader reads writer" is SchemaDiff.compare(original = writer, update = reader).
      return diffJsonSchemas((writer.model as JsonSchemaModel).root, (reader.model as JsonSchemaModel).root, compatible)
        .filter((d) => !compatible.has(d.type))
        .map((d) => formatJsonDifference(d, roles.reader, roles.writer));
    } catch (err) {
      return [`Unexpected exception during compatibility check: ${(err as Error).message}`];
    }
  },
};
