/**
 * Sensitive schema metadata at rest (confluent-data-contracts.md §3.12; Confluent's
 * `MetadataEncoderService`, enabled by `metadata.encoder.secret`): the values of the
 * `metadata.properties` a schema lists in `metadata.sensitive` are stored encrypted and read
 * back decrypted, so the API sees no difference. The identity hash is computed by the registry
 * from the plain values before anything reaches the store.
 *
 * Kept beside the DEK registry as the registry's other use of encryption. The key is
 * AES-256-GCM derived from the configured secret (HKDF-SHA256); a stored value is
 * `prism-enc:v1:` + base64(IV ‖ ciphertext ‖ tag). Values stored before a secret was set stay
 * readable as they are.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { InsertVersionInput, RegistryStorage } from '../storage/registry-storage.js';

const PREFIX = 'prism-enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface MetadataLike {
  readonly properties?: Readonly<Record<string, string>>;
  readonly sensitive?: readonly string[];
}

export interface MetadataEncoder {
  /** Metadata with its sensitive property values encrypted (the same object when there are none). */
  encode<M extends MetadataLike>(metadata: M): M;
  /**
   * Metadata with encrypted values decrypted (the same object when none is encrypted).
   * @throws Error when a value was encrypted with another secret.
   */
  decode<M extends MetadataLike>(metadata: M): M;
}

/** @throws RangeError for an empty secret. */
export function createMetadataEncoder(secret: string): MetadataEncoder {
  if (secret === '') throw new RangeError('the metadata encoder secret is empty');
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('prism-registry'), Buffer.from('metadata-encoder'), 32));
  const encrypt = (value: string) => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    return PREFIX + Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
  };
  const decrypt = (stored: string) => {
    const bytes = Buffer.from(stored.slice(PREFIX.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new Error('cannot decrypt a sensitive metadata value: it was stored with another metadata encoder secret', { cause: err });
    }
  };
  /** Applies `change` to each sensitive property's value; the same object when nothing changes. */
  const mapSensitive = <M extends MetadataLike>(metadata: M, change: (value: string) => string | undefined): M => {
    const properties = metadata.properties;
    if (!properties || !metadata.sensitive?.length) return metadata;
    let changed: Record<string, string> | undefined;
    for (const name of metadata.sensitive) {
      const value = properties[name];
      if (value === undefined) continue;
      const next = change(value);
      if (next === undefined) continue;
      changed ??= { ...properties };
      changed[name] = next;
    }
    return changed ? { ...metadata, properties: changed } : metadata;
  };
  return {
    encode: (metadata) => mapSensitive(metadata, (value) => (value.startsWith(PREFIX) ? undefined : encrypt(value))),
    decode: (metadata) => mapSensitive(metadata, (value) => (value.startsWith(PREFIX) ? decrypt(value) : undefined)),
  };
}

/** Decodes the metadata of every stored schema inside a storage answer (a schema, or lists and maps of them). */
function decodeAnswer(value: unknown, encoder: MetadataEncoder): unknown {
  if (Array.isArray(value)) {
    const decoded = value.map((v) => decodeAnswer(v, encoder));
    return decoded.some((v, i) => v !== value[i]) ? decoded : value;
  }
  if (value instanceof Map) {
    let changed = false;
    const decoded = new Map([...value].map(([k, v]) => {
      const d = decodeAnswer(v, encoder);
      changed ||= d !== v;
      return [k, d];
    }));
    return changed ? decoded : value;
  }
  if (value !== null && typeof value === 'object' && 'metadata' in value) {
    const metadata = (value as { metadata?: MetadataLike }).metadata;
    if (!metadata) return value;
    const decoded = encoder.decode(metadata);
    return decoded === metadata ? value : { ...value, metadata: decoded };
  }
  return value;
}

/**
 * `storage` with sensitive metadata encrypted on its way in (insertVersion) and decrypted in
 * every answer (getSchema, and any method that answers stored schemas). Sits under the read
 * cache, so the cache holds plain values and the store only ciphertext.
 */
export function withMetadataEncoding<S extends RegistryStorage>(storage: S, encoder: MetadataEncoder): S {
  return new Proxy(storage, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'insertVersion') {
        return (input: InsertVersionInput) => target.insertVersion(input.metadata ? { ...input, metadata: encoder.encode(input.metadata) } : input);
      }
      return (...args: unknown[]) => {
        const answer = (value as (...a: unknown[]) => unknown).apply(target, args);
        return answer instanceof Promise ? answer.then((v) => decodeAnswer(v, encoder)) : answer;
      };
    },
  });
}

/**
 * `storage` encoding sensitive metadata when the storage backend's config has
 * `metadataEncoderSecret` (a secret field: written `{ env: NAME }` or `{ file: PATH }` and
 * resolved by the gateway when the slot is bound); `storage` itself otherwise.
 * @throws RangeError when the secret is not a non-empty string.
 */
export function withConfiguredMetadataEncoding<S extends RegistryStorage>(storage: S, config: Readonly<Record<string, unknown>> | undefined): S {
  const secret = config?.metadataEncoderSecret;
  if (secret === undefined) return storage;
  if (typeof secret !== 'string' || secret === '') throw new RangeError('config.metadataEncoderSecret must be a non-empty string');
  return withMetadataEncoding(storage, createMetadataEncoder(secret));
}
