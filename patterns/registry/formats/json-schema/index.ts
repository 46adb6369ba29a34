/**
 * The JSON Schema format: parse (draft-4 to 2020-12, `$ref`s resolved locally or from
 * references), Confluent's canonical text, and Confluent's diff-based compatibility with
 * the STRICT or LENIENT policy (compatibility-rules.md §3).
 */
import { InvalidSchemaError, type CheckOptions, type CheckRoles, type ParsedSchema, type ParseOptions, type ResolvedReference, type SchemaFormat } from '../schema-format.js';
import { WorkBudgetExceededError } from '../../work-budget.js';
import { compatibleSetFor, formatJsonDifference } from './json-difference.js';
import { diffJsonSchemas } from './json-schema-diff.js';
import { compactJson } from './canonical-json.js';
import { parseJsonSchema, type JsonSchemaModel } from './parse-json-schema.js';

export { diffJsonSchemas } from './json-schema-diff.js';
export { JSON_COMPATIBLE_LENIENT, JSON_COMPATIBLE_STRICT } from './json-difference.js';
export type { JsonDifference, JsonDifferenceType } from './json-difference.js';
export type { JsonSchemaModel } from './parse-json-schema.js';

/** Only InvalidSchemaError may leave `parse`: anything else (e.g. absurd nesting) becomes one. */
function guardParse<T>(text: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof InvalidSchemaError || err instanceof WorkBudgetExceededError) throw err;
    throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
  }
}

export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',

  parse(text: string, references: readonly ResolvedReference[], options: ParseOptions = {}): ParsedSchema {
    return guardParse(text, () => {
      const { model } = parseJsonSchema(text, references, { lenientPatterns: options.stored === true });
      return { type: 'JSON', canonical: compactJson(text, false), normalized: compactJson(text, true), model };
    });
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
      // A used-up budget is not an incompatibility: the registry reports it as such.
      if (err instanceof WorkBudgetExceededError) throw err;
      return [`Unexpected exception during compatibility check: ${(err as Error).message}`];
    }
  },
};
