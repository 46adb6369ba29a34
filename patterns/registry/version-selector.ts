/**
 * Version selectors as Confluent's `VersionId` parses them (confluent-sr-api.md §3.7):
 * `latest` (any case, trimmed) or `-1` mean the newest live version, otherwise an integer
 * in [1, 2^31-1] (whitespace trimmed). Anything else is INVALID_VERSION with the text
 * exactly as received.
 */
import { invalidVersion } from './registry-error.js';

/** The selector value that means "latest"; Confluent prints it as -1 in 40402 messages. */
export const LATEST = -1;

/**
 * Parses a version selector to a number, LATEST for `latest`/`-1`.
 * @throws RegistryError INVALID_VERSION for anything else.
 */
export function parseVersionSelector(text: string): number {
  const trimmed = text.trim();
  if (trimmed.toLowerCase() === 'latest') return LATEST;
  // Java's Integer.valueOf: optional sign, decimal digits, must fit an int.
  if (/^[+-]?\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    if (value === LATEST) return LATEST;
    if (value >= 1 && value <= 2 ** 31 - 1) return value;
  }
  throw invalidVersion(text);
}
