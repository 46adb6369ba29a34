/** Structural equality and a key-order-independent text for JSON values. */
import { createHash } from 'node:crypto';

export function jsonEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEquals(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  return keys.length === Object.keys(bo).length && keys.every((k) => Object.hasOwn(bo, k) && jsonEquals(ao[k], bo[k]));
}

/** Sorted-key JSON text: two values have the same text exactly when they are jsonEquals. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function containsAllJson(haystack: readonly unknown[], needles: readonly unknown[]): boolean {
  const set = new Set(haystack.map(stableJson));
  return needles.every((n) => set.has(stableJson(n)));
}

// Digests of objects and arrays, by identity: a subtree shared by many nodes (a member's
// source inside its parent's source) is hashed once.
const structureKeys = new WeakMap<object, string>();

/**
 * A key-order-independent structure key: two values have the same key exactly when they
 * have the same `stableJson` text (up to SHA-1 collisions), but the cost is linear in the
 * size of the value the first time and constant after, where `stableJson` of every node
 * of a nested schema costs its depth times its size.
 */
export function structureKey(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const known = structureKeys.get(value);
  if (known !== undefined) return known;
  const hash = createHash('sha1');
  if (Array.isArray(value)) {
    hash.update('[');
    for (const item of value) hash.update(structureKey(item)).update(',');
  } else {
    const obj = value as Record<string, unknown>;
    hash.update('{');
    for (const k of Object.keys(obj).sort()) hash.update(JSON.stringify(k)).update(':').update(structureKey(obj[k])).update(',');
  }
  // `#` never starts the JSON text of a primitive, so digests and primitives never collide.
  const key = `#${hash.digest('base64')}`;
  structureKeys.set(value, key);
  return key;
}
