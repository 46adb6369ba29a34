/**
 * NATS: core NATS subjects (publish/subscribe, queue groups) and JetStream (retained streams,
 * and its key-value buckets with watches).
 */
import { Type } from '@sinclair/typebox';
import { BackendTlsSchema, ConfigObject, TimeoutsSchema, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

const Optional = Type.Optional;

export const NATS_BACKEND: BackendType = {
  type: 'NATS',
  configSchema: ConfigObject({
    servers: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Server URLs (`nats://host:4222`).' }),
    user: Optional(Type.String({ minLength: 1, description: 'User name.' })),
    password: Optional(Secret({ description: "The user's password." })),
    token: Optional(Secret({ description: 'An authentication token.' })),
    credentials: Optional(Secret({ description: 'A `.creds` file (JWT and NKey seed); write `{ file: PATH }`.' })),
    jetStream: Optional(ConfigObject({ domain: Optional(Type.String()), bucket: Optional(Type.String({ minLength: 1, description: 'Key-value bucket name.' })) }, { description: 'JetStream settings.' })),
    timeouts: Optional(TimeoutsSchema),
    tls: Optional(BackendTlsSchema),
  }),
  interfaces: ['pubsub_basic', 'queue_basic', 'stream_basic', 'keyvalue_basic', 'keyvalue_watch'],
};
