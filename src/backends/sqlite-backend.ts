/**
 * SQLITE: one database file in the data dir (better-sqlite3), served by one gateway process at
 * a time (the file is locked). Watches are in-process, which is all one process needs.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../frontends/definition.js';
import { ConfigObject, type BackendType } from './backend-type.js';
import { Secret } from './secret-value.js';

export const SQLITE_BACKEND: BackendType = {
  type: 'SQLITE',
  configSchema: ConfigObject({
    path: Type.Optional(Type.String({ minLength: 1, description: "Database file, relative to the data dir (default: the pattern's own, e.g. `registry.db`), or `:memory:`." })),
    synchronous: Type.Optional(StringEnum(['NORMAL', 'FULL'], { description: '`NORMAL` survives a killed process; `FULL` also a power loss (default NORMAL).' })),
    busyTimeoutMs: Type.Optional(Type.Integer({ minimum: 0, description: 'Wait this long for a lock held by another connection (default 5000).' })),
    changeRetention: Type.Optional(Type.Integer({ minimum: 1, description: "The registry pattern's change feed: changes kept (default 100000)." })),
    metadataEncoderSecret: Type.Optional(Secret({ description: "The registry pattern: the values of schema metadata properties listed in `metadata.sensitive` are stored encrypted with a key derived from it." })),
  }),
  interfaces: ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch', 'registry_store'],
};
