/**
 * S3: an S3-compatible object store (AWS S3, MinIO, Ceph RGW): whole objects in one bucket.
 */
import { Type } from '@sinclair/typebox';
import { BackendTlsSchema, ConfigObject, TimeoutsSchema, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

const Optional = Type.Optional;

export const S3_BACKEND: BackendType = {
  type: 'S3',
  configSchema: ConfigObject({
    bucket: Type.String({ minLength: 1, description: 'Bucket name.' }),
    region: Optional(Type.String({ minLength: 1, description: 'Region (default us-east-1).' })),
    endpoint: Optional(Type.String({ minLength: 1, description: 'Endpoint URL for an S3-compatible server (default: AWS).' })),
    forcePathStyle: Optional(Type.Boolean({ description: 'Address the bucket in the path, not the host name (MinIO).' })),
    prefix: Optional(Type.String({ description: 'Key prefix of every object the slot writes.' })),
    accessKeyId: Optional(Secret({ description: 'Access key id (default: the environment and instance role).' })),
    secretAccessKey: Optional(Secret({ description: 'Secret access key.' })),
    sessionToken: Optional(Secret({ description: 'Session token of temporary credentials.' })),
    timeouts: Optional(TimeoutsSchema),
    tls: Optional(BackendTlsSchema),
  }),
  interfaces: ['object_store_basic'],
};
