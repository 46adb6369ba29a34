/**
 * POSTGRES: a PostgreSQL database that several gateway replicas (and standalone patterns) may
 * share; watches and cache coherence ride on LISTEN/NOTIFY. Connect with `url`, or with the
 * parts (`host`, `port`, `database`, `user`, `password`).
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../frontends/definition.js';
import { BackendTlsSchema, ConfigObject, PoolSchema, PortNumber, TimeoutsSchema, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

const Optional = Type.Optional;

export const POSTGRES_BACKEND: BackendType = {
  type: 'POSTGRES',
  configSchema: ConfigObject({
    url: Optional(Secret({ url: true, description: '`postgres://user:password@host:port/database?…`; a password in it makes it a secret (write `{ env: NAME }`).' })),
    host: Optional(Type.String({ minLength: 1, description: 'Server host (when no `url`).' })),
    port: Optional(PortNumber('Server port (default 5432).')),
    database: Optional(Type.String({ minLength: 1, description: 'Database name.' })),
    user: Optional(Type.String({ minLength: 1, description: 'Role to connect as.' })),
    password: Optional(Secret({ description: "The role's password." })),
    poolSize: Optional(Type.Integer({ minimum: 1, description: 'Connections in the pool (default 10).' })),
    pool: Optional(PoolSchema),
    statementTimeoutMs: Optional(Type.Integer({ minimum: 0, description: 'Longest a statement may run (0: no limit).' })),
    timeouts: Optional(TimeoutsSchema),
    ssl: Optional(
      Type.Union([Type.Boolean(), ConfigObject({ rejectUnauthorized: Optional(Type.Boolean()), ca: Optional(Type.String()), cert: Optional(Type.String()), key: Optional(Secret()) })], {
        description: '`true` verifies the server; or TLS options (PEM text).',
      }),
    ),
    tls: Optional(BackendTlsSchema),
    locking: Optional(StringEnum(['global', 'subject'], { description: "The registry pattern's write locking: one lock, or one per subject (default global)." })),
    changeRetention: Optional(Type.Integer({ minimum: 1, description: "The change feed (registry) or change log (keyvalue): changes kept (default 100000 for the registry, 10000 for keyvalue)." })),
    metadataEncoderSecret: Optional(Secret({ description: "The registry pattern: the values of schema metadata properties listed in `metadata.sensitive` are stored encrypted with a key derived from it." })),
    tablePrefix: Optional(Type.String({ pattern: '^[a-z_][a-z0-9_]{0,40}$', description: "The keyvalue pattern's table name prefix (default kv_): keeps several stores apart in one database." })),
  }),
  interfaces: ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch', 'registry_store'],
};
