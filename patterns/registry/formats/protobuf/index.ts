/**
 * The PROTOBUF format: parse `.proto` text (proto2 and proto3, imports resolved from
 * references by name, bundled google/confluent files), Confluent's canonical text, and
 * Confluent's diff-based compatibility (compatibility-rules.md §4).
 */
import { WorkBudgetExceededError } from '../../work-budget.js';
import { InvalidSchemaError, type CheckRoles, type ParsedSchema, type ResolvedReference, type SchemaFormat } from '../schema-format.js';
import { parseProtobuf, type ProtobufModel } from './parse-protobuf.js';
import { formatProtoDifference, isCompatibleProtoDifference } from './proto-difference.js';
import { diffProtobuf } from './proto-schema-diff.js';
import { renderNormalizedProto, renderProto } from './render-proto.js';
import { protoModelToDescriptorBase64 } from './file-descriptor.js';

export { diffProtobuf } from './proto-schema-diff.js';

/**
 * The schema as a base64 `FileDescriptorProto`: Confluent's `format=serialized`, which its
 * JavaScript serdes request. `fileName` is the descriptor's file name (the import path when
 * the schema is served as a reference).
 * @throws Error when `parsed` is not a PROTOBUF schema from `protobufFormat.parse`.
 */
export function protobufSerialized(parsed: ParsedSchema, fileName?: string): string {
  if (parsed.type !== 'PROTOBUF') throw new Error(`not a PROTOBUF schema: ${parsed.type}`);
  return protoModelToDescriptorBase64(parsed.model as ProtobufModel, fileName);
}
export type { ProtoDifference, ProtoDifferenceType } from './proto-difference.js';

function modelOf(schema: ParsedSchema): ProtobufModel {
  return schema.model as ProtobufModel;
}

export const protobufFormat: SchemaFormat = {
  type: 'PROTOBUF',

  parse(text: string, references: readonly ResolvedReference[]): ParsedSchema {
    try {
      const model = parseProtobuf(text, references);
      return { type: 'PROTOBUF', canonical: renderProto(model), normalized: renderNormalizedProto(model), model };
    } catch (err) {
      // Only InvalidSchemaError (and a used-up work budget) may leave `parse`.
      if (err instanceof InvalidSchemaError || err instanceof WorkBudgetExceededError) throw err;
      throw new InvalidSchemaError(`Invalid schema ${text}, details: ${(err as Error).message}`);
    }
  },

  checkReads(reader: ParsedSchema, writer: ParsedSchema, roles: CheckRoles): string[] {
    if (reader.type !== writer.type) return ['Incompatible because of different schema type'];
    try {
      // "reader reads writer" is SchemaDiff.compare(original = writer, update = reader).
      return diffProtobuf(modelOf(writer), modelOf(reader))
        .filter((d) => !isCompatibleProtoDifference(d.type))
        .map((d) => formatProtoDifference(d, roles.reader, roles.writer));
    } catch (err) {
      // A used-up budget is not an incompatibility: the registry reports it as such.
      if (err instanceof WorkBudgetExceededError) throw err;
      return [`Unexpected exception during compatibility check: ${(err as Error).message}`];
    }
  },
};
