/**
 * The JSON Schema format: parse, canonical text, and Confluent's diff-based compatibility
 * (compatibility-rules.md §3).
 */
import type { ParsedSchema, ResolvedReference, SchemaFormat } from '../schema-format.js';
import { parseJsonSchemaText } from './validate-json-schema.js';

export const jsonSchemaFormat: SchemaFormat = {
  type: 'JSON',
  parse(text: string, _references: readonly ResolvedReference[]): ParsedSchema {
    const root = parseJsonSchemaText(text);
    // Confluent stores the JSON re-serialised compactly with key order preserved (§3.2 of
    // confluent-sr-api.md); JSON.stringify does exactly that.
    const canonical = JSON.stringify(root);
    return { type: 'JSON', canonical, normalized: canonical, model: root };
  },
  checkReads(): string[] {
    return [];
  },
};
