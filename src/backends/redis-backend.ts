/**
 * REDIS: a Redis server (or a Sentinel-managed primary). Keys with expiry and SCAN; watches,
 * publish/subscribe, lists as queues and streams.
 */
import { Type } from '@sinclair/typebox';
import { BackendTlsSchema, ConfigObject, PoolSchema, PortNumber, TimeoutsSchema, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

const Optional = Type.Optional;

export const REDIS_BACKEND: BackendType = {
  type: 'REDIS',
  configSchema: ConfigObject({
    url: Optional(Secret({ url: true, description: '`redis://[user:password@]host:port[/db]` (`rediss://` for TLS).' })),
    host: Optional(Type.String({ minLength: 1, description: 'Server host (when no `url`; default 127.0.0.1).' })),
    port: Optional(PortNumber('Server port (default 6379).')),
    db: Optional(Type.Integer({ minimum: 0, description: 'Database number (default 0).' })),
    username: Optional(Type.String({ minLength: 1, description: 'ACL user name.' })),
    password: Optional(Secret({ description: 'ACL or `requirepass` password.' })),
    keyPrefix: Optional(Type.String({ description: 'Prefix of every key the slot writes (keeps tenants apart on one server).' })),
    pool: Optional(PoolSchema),
    timeouts: Optional(TimeoutsSchema),
    tls: Optional(BackendTlsSchema),
    connectTimeoutMs: Optional(Type.Integer({ minimum: 1, description: "The keyvalue pattern's connect timeout (ms)." })),
    changeRetention: Optional(Type.Integer({ minimum: 1, description: "The keyvalue pattern's change log: changes kept for watchers (default 10000)." })),
  }),
  interfaces: ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch', 'pubsub_basic', 'queue_basic', 'stream_basic'],
};
