/**
 * Compatibility levels (confluent-sr-api.md §3.11): case-insensitive on input, uppercase on
 * output; BACKWARD is the server default.
 */
import { invalidCompatibilityLevel } from './registry-error.js';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY_LEVEL: CompatibilityLevel = 'BACKWARD';

/**
 * @throws RegistryError INVALID_COMPATIBILITY_LEVEL for an unknown level.
 */
export function parseCompatibilityLevel(text: string): CompatibilityLevel {
  const upper = text.trim().toUpperCase();
  if ((COMPATIBILITY_LEVELS as readonly string[]).includes(upper)) return upper as CompatibilityLevel;
  throw invalidCompatibilityLevel(text);
}
