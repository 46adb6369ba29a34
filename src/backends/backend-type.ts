/**
 * What a backend type is to the gateway: its name (RFC-039's BackendType), the schema of its
 * typed config, and the thin interfaces it implements. One file per type declares one of these
 * (memstore-backend.ts, sqlite-backend.ts, …); backend-types.ts lists them.
 *
 * Also the config pieces several types share (TLS, pooling, timeouts), so that a field means
 * the same in every type that has it.
 */
import { Type, type TObject, type TProperties, type SchemaOptions } from '@sinclair/typebox';
import type { BackendInterface } from './backend-interface.js';
import { Secret } from './secret-value.js';

export const BACKEND_TYPE_NAMES = ['MEMSTORE', 'SQLITE', 'POSTGRES', 'REDIS', 'NATS', 'KAFKA', 'S3'] as const;
/** RFC-039's BackendType. */
export type BackendTypeName = (typeof BACKEND_TYPE_NAMES)[number];

export interface BackendType {
  readonly type: BackendTypeName;
  /** The type's config; fields marked `secret` take `{ env }` / `{ file }` references. */
  readonly configSchema: TObject;
  /** The thin interfaces a backend of this type implements. */
  readonly interfaces: readonly BackendInterface[];
}

/** A typed config object: unknown fields are refused (a typo must not pass silently). */
export const ConfigObject = (properties: TProperties, options: SchemaOptions = {}) => Type.Object(properties, { additionalProperties: false, ...options });

const Optional = Type.Optional;

/** Client-side TLS to a backend server: verification, a private CA, a client certificate. */
export const BackendTlsSchema = ConfigObject(
  {
    enabled: Optional(Type.Boolean({ description: 'Connect with TLS (default false, or as the URL says).' })),
    rejectUnauthorized: Optional(Type.Boolean({ description: "Verify the server's certificate (default true)." })),
    caFile: Optional(Type.String({ minLength: 1, description: 'CA certificate(s) that sign the server certificate (PEM), relative to the config file.' })),
    certFile: Optional(Type.String({ minLength: 1, description: 'Client certificate (PEM), for servers that require one.' })),
    key: Optional(Secret({ description: "The client certificate's private key (PEM): `{ file: PATH }` or `{ env: NAME }`." })),
    serverName: Optional(Type.String({ minLength: 1, description: 'The name to verify the certificate against, when it differs from the host.' })),
  },
  { description: 'TLS to the backend server.' },
);

/** Connection pooling. */
export const PoolSchema = ConfigObject(
  {
    max: Optional(Type.Integer({ minimum: 1, description: 'Connections at most.' })),
    min: Optional(Type.Integer({ minimum: 0, description: 'Connections kept open when idle.' })),
    idleTimeoutMs: Optional(Type.Integer({ minimum: 0, description: 'An idle connection above `min` is closed after this long (0: never).' })),
  },
  { description: 'Connection pool.' },
);

/** Timeouts of a networked backend. */
export const TimeoutsSchema = ConfigObject(
  {
    connectMs: Optional(Type.Integer({ minimum: 1, description: 'Give up connecting after this long.' })),
    requestMs: Optional(Type.Integer({ minimum: 0, description: 'Give up on one operation after this long (0: never).' })),
  },
  { description: 'Timeouts.' },
);

/** A TCP port. */
export const PortNumber = (description: string) => Type.Integer({ minimum: 1, maximum: 65535, description });
