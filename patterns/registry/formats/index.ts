/**
 * The schema formats the registry understands, by Confluent `schemaType` name.
 */
import { avroFormat } from './avro/index.js';
import { jsonSchemaFormat } from './json-schema/index.js';
import { protobufFormat } from './protobuf/index.js';
import type { SchemaFormat, SchemaType } from './schema-format.js';

export const schemaFormats: Readonly<Record<SchemaType, SchemaFormat>> = {
  AVRO: avroFormat,
  JSON: jsonSchemaFormat,
  PROTOBUF: protobufFormat,
};

/** The format for a `schemaType` ("" means AVRO), or undefined for an unknown (or wrong-case) name. */
export function findSchemaFormat(schemaType: string): SchemaFormat | undefined {
  if (schemaType === '') return avroFormat;
  return Object.prototype.hasOwnProperty.call(schemaFormats, schemaType) ? schemaFormats[schemaType as SchemaType] : undefined;
}
