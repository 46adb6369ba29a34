/**
 * Serializes and deserializes a record with Confluent's JavaScript client
 * (@confluentinc/schemaregistry), auto-registering the schema, against Prism.
 *   npm start            (in one terminal)
 *   npx tsx examples/confluent-schema-registry/clients/confluent-js-demo.ts [registry URL]
 */
import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';

const url = process.argv[2] ?? process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const client = new SchemaRegistryClient({ baseURLs: [url] });
const topic = 'demo-orders';

const schema = {
  type: 'record',
  name: 'Order',
  namespace: 'demo.prism',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};

// Register explicitly so the serializer finds the schema; autoRegisterSchemas would too.
await client.register(`${topic}-value`, { schemaType: 'AVRO', schema: JSON.stringify(schema) });
const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});

const bytes = await serializer.serialize(topic, { id: 'o-1', amount: 12.5 });
const record = await deserializer.deserialize(topic, bytes);
const latest = await client.getLatestSchemaMetadata(`${topic}-value`);
console.log(JSON.stringify({ id: latest.id, version: latest.version, bytes: bytes.length, record }));
