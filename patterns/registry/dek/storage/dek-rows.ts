/**
 * The rows of the DEK tables (`dek_keks`, `dek_deks`) as the SQL drivers return them, and
 * their conversion to the stored shapes.
 *
 * Both stores name the columns after the fields of the Kek and Dek messages (a DEK row has
 * no `key_material`: it is never stored). The drivers differ only in how a few column types
 * come back — PostgreSQL gives jsonb as an object, booleans as booleans and a bigint as a
 * string; SQLite gives JSON text, 0/1 integers and numbers — which each store states once
 * as its row type's overrides and a `ColumnReader`.
 */
import type { DekMessage, KekMessage } from '../dek-messages.js';
import type { StoredDek, StoredKek } from './dek-storage.js';

/** A `dek_keks` row whose columns in `Driver` come back in the driver's own types. */
export type KekRowOf<Driver extends Partial<Record<keyof KekMessage, unknown>>> = Omit<KekMessage, keyof Driver> & Driver;

/** A `dek_deks` row whose columns in `Driver` come back in the driver's own types. */
export type DekRowOf<Driver extends Partial<Record<keyof DekMessage, unknown>>> = Omit<DekMessage, 'key_material' | keyof Driver> & Driver;

/** How a driver's values of the columns that differ become the stored shapes' values. */
export interface ColumnReader<Props, Flag, Epoch> {
  /** `kms_props`. */
  props(value: Props): Record<string, string>;
  /** `shared`, `deleted`. */
  flag(value: Flag): boolean;
  /** `ts` (epoch ms). */
  epoch(value: Epoch): number;
}

type ReadableKek<Props, Flag, Epoch> = KekRowOf<{ kms_props: Props; shared: Flag; deleted: Flag; ts: Epoch }>;
type ReadableDek<Flag, Epoch> = DekRowOf<{ deleted: Flag; ts: Epoch }>;

export function kekFromRow<Props, Flag, Epoch>(row: ReadableKek<Props, Flag, Epoch>, read: ColumnReader<Props, Flag, Epoch>): StoredKek {
  return {
    name: row.name,
    kmsType: row.kms_type,
    kmsKeyId: row.kms_key_id,
    kmsProps: read.props(row.kms_props),
    doc: row.doc,
    shared: read.flag(row.shared),
    ts: read.epoch(row.ts),
    deleted: read.flag(row.deleted),
  };
}

export function dekFromRow<Props, Flag, Epoch>(row: ReadableDek<Flag, Epoch>, read: ColumnReader<Props, Flag, Epoch>): StoredDek {
  return {
    kekName: row.kek_name,
    subject: row.subject,
    algorithm: row.algorithm,
    version: row.version,
    encryptedKeyMaterial: row.encrypted_key_material,
    ts: read.epoch(row.ts),
    deleted: read.flag(row.deleted),
  };
}
