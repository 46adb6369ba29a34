/**
 * Registers an Avro schema, encodes a record and decodes it again with kafkajs'
 * @kafkajs/confluent-schema-registry, unchanged, against Prism.
 *   npm start            (in one terminal)
 *   npx tsx examples/confluent-schema-registry/clients/kafkajs-demo.ts [registry URL]
 */
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

const url = process.argv[2] ?? process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const registry = new SchemaRegistry({ host: url });

const schema = {
  type: 'record',
  name: 'User',
  namespace: 'demo.prism',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
};

const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'demo-users-value' });
const encoded = await registry.encode(id, { name: 'Ada', age: 36 });
const decoded = await registry.decode(encoded);
console.log(JSON.stringify({ id, bytes: encoded.length, decoded }));
