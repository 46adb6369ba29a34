/**
 * Subject names (confluent-sr-api.md §3.1). Only the default context is implemented: the
 * qualified form `:.:name` is the same subject as `name`, and `:.:` alone names the
 * default context itself (the global scope of config and mode).
 */
import { invalidSubject } from './registry-error.js';

const DEFAULT_CONTEXT_PREFIX = ':.:';

/** `:.:name` → `name`; anything else unchanged. */
export function normalizeSubject(subject: string): string {
  return subject.startsWith(DEFAULT_CONTEXT_PREFIX) ? subject.slice(DEFAULT_CONTEXT_PREFIX.length) : subject;
}

/**
 * Whether a (normalised) subject may be written to: non-empty, no ISO control characters
 * (U+0000–U+001F, U+007F–U+009F), not a reserved name (`__GLOBAL` 7.4+, `__EMPTY` 7.8+).
 */
export function isValidSubject(subject: string): boolean {
  if (subject === '' || subject === '__GLOBAL' || subject === '__EMPTY') return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f-\u009f]/.test(subject);
}

/**
 * @throws RegistryError INVALID_SUBJECT, naming the subject as the caller sent it.
 */
export function validateSubject(subject: string, asSent: string = subject): void {
  if (!isValidSubject(subject)) throw invalidSubject(asSent);
}
