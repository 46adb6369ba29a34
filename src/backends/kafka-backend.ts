/**
 * KAFKA: topics as retained, partitioned streams; consumer groups give queue semantics and
 * fan-out gives publish/subscribe. No key-value access (a compacted topic is not a store one
 * can read a key from).
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../frontends/definition.js';
import { BackendTlsSchema, ConfigObject, TimeoutsSchema, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

const Optional = Type.Optional;

export const KAFKA_BACKEND: BackendType = {
  type: 'KAFKA',
  configSchema: ConfigObject({
    brokers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Bootstrap brokers (`host:port`).' }),
    clientId: Optional(Type.String({ minLength: 1, description: 'Client id the brokers see (default `prism-gateway`).' })),
    sasl: Optional(
      ConfigObject(
        {
          mechanism: StringEnum(['plain', 'scram-sha-256', 'scram-sha-512'], { description: 'SASL mechanism.' }),
          username: Type.String({ minLength: 1, description: 'SASL user.' }),
          password: Secret({ description: "The SASL user's password." }),
        },
        { description: 'SASL authentication.' },
      ),
    ),
    timeouts: Optional(TimeoutsSchema),
    tls: Optional(BackendTlsSchema),
  }),
  interfaces: ['pubsub_basic', 'queue_basic', 'stream_basic'],
};
