/**
 * The DEK registry: Confluent's KEK and DEK semantics (confluent-data-contracts.md §1.6,
 * §3.11) over a DekStorage, one method per RPC of `prism.patterns.registry.v1.DekRegistry`.
 *
 * Every check happens here, in Confluent's order (§2.2); a write's checks run inside
 * `storage.write`, so they hold when its rows commit, on every replica.
 */
import { paginate } from '../paginate.js';
import { invalidVersion, RegistryError, storeError } from '../registry-error.js';
import { LATEST, parseVersionSelector } from '../version-selector.js';
import { compareStrings } from '../storage/compare-strings.js';
import {
  DekRegistryError,
  dekGenerationFailed,
  invalidKey,
  keyAlreadyExists,
  keyNotFound,
  keyNotSoftDeleted,
  keyReferenceExists,
  keySoftDeleted,
  tooManyKeys,
} from './dek-error.js';
import { isValidDekSubject, isValidKekName, kmsKeyIdFits, normalizeKmsType, parseAlgorithm, type DekAlgorithm } from './dek-keys.js';
import type { DekMessage, DekRegistryApi, KekMessage, StructMessage } from './dek-messages.js';
import type { DekReads, DekStorage, DekWrite, StoredDek, StoredKek } from './storage/dek-storage.js';
import { generateKeyMaterial, kmsForKek, type Kms } from './local-kms.js';

export interface DekServiceOptions {
  readonly storage: DekStorage;
  /** Confluent's `dek.registry.max.keys`, counted per key type (default 20,000). */
  readonly maxKeys?: number;
  /** The KMS of a shared KEK (default: the local KMS, kmsProps.secret or LOCAL_SECRET). */
  readonly kmsFor?: (kek: StoredKek) => Kms;
  /** The clock `ts` is read from (default Date.now). */
  readonly now?: () => number;
}

export const DEFAULT_MAX_KEYS = 20_000;

/** Sorted copy of a string map (Confluent keeps kmsProps in a TreeMap). */
const sortedProps = (props: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(props).sort(([a], [b]) => compareStrings(a, b)));

const kekMessage = (kek: StoredKek): KekMessage => ({
  name: kek.name,
  kms_type: kek.kmsType,
  kms_key_id: kek.kmsKeyId,
  kms_props: sortedProps(kek.kmsProps),
  doc: kek.doc,
  shared: kek.shared,
  ts: kek.ts,
  deleted: kek.deleted,
});

const dekMessage = (dek: StoredDek, keyMaterial = ''): DekMessage => ({
  kek_name: dek.kekName,
  subject: dek.subject,
  version: dek.version,
  algorithm: dek.algorithm,
  encrypted_key_material: dek.encryptedKeyMaterial,
  key_material: keyMaterial,
  ts: dek.ts,
  deleted: dek.deleted,
});

/** Same KMS key and settings: creating over such a soft-deleted KEK undeletes it. */
const equivalentKeks = (a: Omit<StoredKek, 'ts' | 'deleted'>, b: StoredKek) =>
  a.kmsType === b.kmsType &&
  a.kmsKeyId === b.kmsKeyId &&
  a.doc === b.doc &&
  a.shared === b.shared &&
  JSON.stringify(sortedProps(a.kmsProps)) === JSON.stringify(sortedProps(b.kmsProps));

function checkName(name: string): void {
  if (!isValidKekName(name)) throw invalidKey('name');
}
function checkSubject(subject: string): void {
  if (!isValidDekSubject(subject)) throw invalidKey('subject');
}

/** An UpdateKekRequest's Struct as string properties (Jackson takes scalars as their text). */
function structProps(struct: StructMessage): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [key, value] of Object.entries(struct.fields ?? {})) {
    if (typeof value.stringValue === 'string') props[key] = value.stringValue;
    else if (typeof value.numberValue === 'number') props[key] = String(value.numberValue);
    else if (typeof value.boolValue === 'boolean') props[key] = String(value.boolValue);
    else if (value.structValue != null || value.listValue != null) throw invalidKey('kmsProps');
    // A null value is no value, as Jackson leaves it in a Map<String, String>.
  }
  return props;
}

/**
 * Creates the DEK registry over `options.storage` (closed by `close`). Each RPC rejects with
 * a DekRegistryError, or a RegistryError for version selectors and store failures.
 */
export function createDekService(options: DekServiceOptions): DekRegistryApi & { close(): Promise<void> } {
  const { storage } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const kmsFor = options.kmsFor ?? ((kek: StoredKek) => kmsForKek(kek));
  const now = options.now ?? Date.now;

  /** Store failures become STORE_ERROR with Confluent's generic text; our own errors pass. */
  const guarded = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof DekRegistryError || err instanceof RegistryError) throw err;
      throw storeError(`Error while ${what} key`, err);
    }
  };
  const read = <T>(run: (reads: DekReads) => Promise<T>) => guarded('retrieving', () => run(storage.reads));
  const write = <T>(what: string, work: (reads: DekReads) => Promise<{ result: T; writes: readonly DekWrite[] }>) => guarded(what, () => storage.write(work));

  /** The KEK, unless absent or soft-deleted without `deleted`. @throws KEY_NOT_FOUND */
  async function visibleKek(reads: DekReads, name: string, deleted: boolean): Promise<StoredKek> {
    const kek = await reads.kek(name);
    if (!kek || (kek.deleted && !deleted)) throw keyNotFound(name);
    return kek;
  }

  /** The raw key of a DEK under a shared KEK, base64. @throws DEK_GENERATION_FAILED */
  function unwrap(kek: StoredKek, dek: StoredDek): string {
    try {
      return kmsFor(kek).decrypt(Buffer.from(dek.encryptedKeyMaterial, 'base64')).toString('base64');
    } catch (err) {
      throw dekGenerationFailed('raw', dek.subject, err);
    }
  }
  const shown = (kek: StoredKek, dek: StoredDek) => dekMessage(dek, kek.shared ? unwrap(kek, dek) : '');

  /** The stored versions of (KEK, subject, algorithm), ascending. */
  const versionsOf = async (reads: DekReads, kekName: string, subject: string, algorithm: DekAlgorithm) =>
    (await reads.deks({ kekName, subject, algorithm })).sort((a, b) => a.version - b.version);

  /** The DEK versions a selector names among `deks`: all of them for an empty selector. */
  function selected(deks: readonly StoredDek[], selector: number | undefined): StoredDek[] {
    if (selector === undefined) return [...deks];
    const dek = selector === LATEST ? deks.at(-1) : deks.find((d) => d.version === selector);
    return dek ? [dek] : [];
  }
  const parseSelector = (text: string) => (text === '' ? undefined : parseVersionSelector(text));

  /** Tries a shared KEK's KMS with a throwaway key (K7, `testSharing`). */
  function testKms(kek: StoredKek): void {
    try {
      const kms = kmsFor(kek);
      const probe = generateKeyMaterial('AES256_GCM');
      if (!kms.decrypt(kms.encrypt(probe)).equals(probe)) throw new Error('the KMS did not give back what it encrypted');
    } catch (err) {
      throw dekGenerationFailed('encrypted', kek.name, err);
    }
  }

  const api: DekRegistryApi = {
    async CreateKek(request) {
      // K3 order (§2.2): name, kmsKeyId present, kmsType present, kmsKeyId fits the type.
      checkName(request.name);
      if (request.kms_key_id === '') throw invalidKey('kmsKeyId');
      if (request.kms_type === '') throw invalidKey('kmsType');
      if (!kmsKeyIdFits(request.kms_type, request.kms_key_id)) throw invalidKey('kmsKeyId');
      const fields = {
        name: request.name,
        kmsType: normalizeKmsType(request.kms_type),
        kmsKeyId: request.kms_key_id,
        kmsProps: sortedProps(request.kms_props ?? {}),
        doc: request.doc,
        shared: request.shared,
      };
      if (fields.shared && request.test_sharing) testKms({ ...fields, ts: 0, deleted: false });
      return write('creating', async (reads) => {
        const existing = await reads.kek(request.name);
        if (!existing && (await reads.counts()).keks >= maxKeys) throw tooManyKeys(maxKeys);
        if (existing) {
          // Creating (live) over a soft-deleted equivalent KEK brings it back; anything else conflicts.
          if (!(existing.deleted && !request.deleted && equivalentKeks(fields, existing))) throw keyAlreadyExists(request.name);
          const kek = { ...existing, deleted: false, ts: now() };
          return { result: kekMessage(kek), writes: [{ op: 'putKek', kek }] };
        }
        const kek: StoredKek = { ...fields, ts: now(), deleted: request.deleted };
        return { result: kekMessage(kek), writes: [{ op: 'putKek', kek }] };
      });
    },

    async GetKek(request) {
      checkName(request.name);
      return read(async (reads) => kekMessage(await visibleKek(reads, request.name, request.deleted)));
    },

    async ListKeks(request) {
      return read(async (reads) => {
        let keks = (await reads.keks()).filter((k) => request.deleted || !k.deleted);
        const prefixes = request.subject_prefix ?? [];
        if (prefixes.length > 0) {
          // KEKs with a DEK under one of the prefixes (deleted DEKs only when asked for).
          const deks = (await reads.deks({})).filter((d) => (request.deleted || !d.deleted) && prefixes.some((p) => d.subject.startsWith(p)));
          const withDeks = new Set(deks.map((d) => d.kekName));
          keks = keks.filter((k) => withDeks.has(k.name));
        }
        const names = keks.map((k) => k.name).sort(compareStrings);
        return { names: paginate(names, request.offset, request.limit) };
      });
    },

    async UpdateKek(request) {
      checkName(request.name);
      const kmsProps = request.kms_props == null ? undefined : structProps(request.kms_props);
      return write('updating', async (reads) => {
        // A soft-deleted KEK cannot change (40470), whatever the request says.
        const existing = await visibleKek(reads, request.name, false);
        const kek: StoredKek = {
          ...existing,
          kmsProps: kmsProps ?? existing.kmsProps,
          doc: request.doc ?? existing.doc,
          shared: request.shared ?? existing.shared,
          ts: now(),
        };
        if (kek.shared && request.test_sharing) testKms(kek);
        return { result: kekMessage(kek), writes: [{ op: 'putKek', kek }] };
      });
    },

    async DeleteKek(request) {
      checkName(request.name);
      return write('deleting', async (reads) => {
        // K5 (§2.2): absent (soft-deleted counts as present), then references, then not soft-deleted.
        const kek = await reads.kek(request.name);
        if (!kek) throw keyNotFound(request.name);
        const deks = await reads.deks({ kekName: request.name });
        if (request.permanent) {
          if (deks.length > 0) throw keyReferenceExists(request.name);
          if (!kek.deleted) throw keyNotSoftDeleted(request.name);
          return { result: {}, writes: [{ op: 'removeKek', name: kek.name }] };
        }
        if (deks.some((d) => !d.deleted)) throw keyReferenceExists(request.name);
        if (kek.deleted) return { result: {}, writes: [] };
        return { result: {}, writes: [{ op: 'putKek', kek: { ...kek, deleted: true, ts: now() } }] };
      });
    },

    async UndeleteKek(request) {
      checkName(request.name);
      return write('undeleting', async (reads) => {
        const kek = await reads.kek(request.name);
        if (!kek) throw keyNotFound(request.name);
        if (!kek.deleted) return { result: {}, writes: [] };
        return { result: {}, writes: [{ op: 'putKek', kek: { ...kek, deleted: false, ts: now() } }] };
      });
    },

    async TestKek(request) {
      checkName(request.name);
      const kek = await read((reads) => visibleKek(reads, request.name, false));
      if (!kek.shared) throw invalidKey('shared');
      testKms(kek);
      return kekMessage(kek);
    },

    async CreateDek(request) {
      // D2/D3 order (§2.2): name, subject, KEK, key count, conflict, material / KMS.
      checkName(request.kek_name);
      checkSubject(request.subject);
      const algorithm = parseAlgorithm(request.algorithm);
      const version = request.version ?? 1;
      if (version < 1) throw invalidVersion(String(version));
      return write('creating', async (reads) => {
        const kek = await reads.kek(request.kek_name);
        // Under a soft-deleted KEK only a DEK created soft-deleted itself.
        if (!kek || (kek.deleted && !request.deleted)) throw keyNotFound(request.kek_name);
        const existing = (await versionsOf(reads, kek.name, request.subject, algorithm)).find((d) => d.version === version);
        if (!existing && (await reads.counts()).deks >= maxKeys) throw tooManyKeys(maxKeys);
        const given = request.encrypted_key_material;
        if (existing && !request.rewrap) {
          // Re-creating a soft-deleted DEK with the same material undeletes it.
          const sameMaterial = given === '' ? kek.shared : given === existing.encryptedKeyMaterial;
          if (!(existing.deleted && !request.deleted && sameMaterial)) throw keyAlreadyExists(request.subject);
          const dek = { ...existing, deleted: false, ts: now() };
          return { result: shown(kek, dek), writes: [{ op: 'putDek', dek }] };
        }
        let material = given;
        if (kek.shared) {
          if (existing && given !== '') throw keyAlreadyExists(request.subject);
          if (given === '') {
            // The registry makes the key (or, re-wrapping, keeps the old one) and wraps it with the KMS.
            const raw = existing ? Buffer.from(unwrap(kek, existing), 'base64') : generateKeyMaterial(algorithm);
            try {
              material = kmsFor(kek).encrypt(raw).toString('base64');
            } catch (err) {
              throw dekGenerationFailed('encrypted', request.subject, err);
            }
          }
        } else if (given === '') {
          throw invalidKey('encryptedKeyMaterial');
        }
        const dek: StoredDek = { kekName: kek.name, subject: request.subject, version, algorithm, encryptedKeyMaterial: material, ts: now(), deleted: request.deleted };
        return { result: shown(kek, dek), writes: [{ op: 'putDek', dek }] };
      });
    },

    async GetDek(request) {
      checkName(request.kek_name);
      checkSubject(request.subject);
      const algorithm = parseAlgorithm(request.algorithm);
      const selector = request.version === '' ? 1 : parseVersionSelector(request.version);
      return read(async (reads) => {
        const kek = await visibleKek(reads, request.kek_name, request.deleted);
        const visible = (await versionsOf(reads, kek.name, request.subject, algorithm)).filter((d) => request.deleted || !d.deleted);
        const [dek] = selected(visible, selector);
        if (!dek) throw keyNotFound(request.subject);
        return shown(kek, dek);
      });
    },

    async ListDekSubjects(request) {
      checkName(request.kek_name);
      return read(async (reads) => {
        const kek = await visibleKek(reads, request.kek_name, request.deleted);
        const deks = (await reads.deks({ kekName: kek.name })).filter((d) => request.deleted || !d.deleted);
        const subjects = [...new Set(deks.map((d) => d.subject))].sort(compareStrings);
        return { subjects: paginate(subjects, request.offset, request.limit) };
      });
    },

    async ListDekVersions(request) {
      checkName(request.kek_name);
      checkSubject(request.subject);
      const algorithm = parseAlgorithm(request.algorithm);
      return read(async (reads) => {
        const kek = await visibleKek(reads, request.kek_name, request.deleted);
        const versions = (await versionsOf(reads, kek.name, request.subject, algorithm)).filter((d) => request.deleted || !d.deleted).map((d) => d.version);
        return { versions: paginate(versions, request.offset, request.limit) };
      });
    },

    async DeleteDek(request) {
      checkName(request.kek_name);
      checkSubject(request.subject);
      const algorithm = parseAlgorithm(request.algorithm);
      const selector = parseSelector(request.version);
      return write('deleting', async (reads) => {
        // D7/D8 (§2.2): the KEK even if soft-deleted, then the DEK, then "not deleted first".
        const kek = await reads.kek(request.kek_name);
        if (!kek) throw keyNotFound(request.kek_name);
        const targets = selected(await versionsOf(reads, kek.name, request.subject, algorithm), selector);
        if (targets.length === 0) throw keyNotFound(request.subject);
        if (request.permanent) {
          if (targets.some((d) => !d.deleted)) throw keyNotSoftDeleted(request.subject);
          return { result: {}, writes: targets.map((d) => ({ op: 'removeDek', id: d }) as const) };
        }
        const ts = now();
        return { result: {}, writes: targets.filter((d) => !d.deleted).map((d) => ({ op: 'putDek', dek: { ...d, deleted: true, ts } }) as const) };
      });
    },

    async UndeleteDek(request) {
      checkName(request.kek_name);
      checkSubject(request.subject);
      const algorithm = parseAlgorithm(request.algorithm);
      const selector = parseSelector(request.version);
      return write('undeleting', async (reads) => {
        const kek = await reads.kek(request.kek_name);
        if (!kek) throw keyNotFound(request.kek_name);
        if (kek.deleted) throw keySoftDeleted(kek.name);
        const targets = selected(await versionsOf(reads, kek.name, request.subject, algorithm), selector);
        if (targets.length === 0) throw keyNotFound(request.subject);
        const ts = now();
        return { result: {}, writes: targets.filter((d) => d.deleted).map((d) => ({ op: 'putDek', dek: { ...d, deleted: false, ts } }) as const) };
      });
    },
  };
  return { ...api, close: () => storage.close() };
}
