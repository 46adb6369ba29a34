/**
 * MEMSTORE: data kept in the pattern's memory, gone when it stops. For tests and demos; every
 * slot implementation of every pattern is expected to have one.
 */
import { Type } from '@sinclair/typebox';
import { ConfigObject, type BackendType } from './backend-type.js';

export const MEMSTORE_BACKEND: BackendType = {
  type: 'MEMSTORE',
  configSchema: ConfigObject({
    maxEntries: Type.Optional(Type.Integer({ minimum: 1, description: 'Entries kept at most; more are refused (default: no limit).' })),
    // The registry's change feed keeps this many changes whatever its store (registry-change.ts).
    changeRetention: Type.Optional(Type.Integer({ minimum: 1, description: "The registry pattern's change feed: changes kept (default 100000)." })),
  }),
  interfaces: ['keyvalue_basic', 'keyvalue_ttl', 'keyvalue_scan', 'keyvalue_watch', 'registry_store'],
};
