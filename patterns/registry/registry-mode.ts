/**
 * Registry modes (confluent-sr-api.md §3.13): READWRITE by default; READONLY and
 * READONLY_OVERRIDE block writes; IMPORT takes registrations with explicit ids.
 */
import { invalidMode } from './registry-error.js';

export const REGISTRY_MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type RegistryMode = (typeof REGISTRY_MODES)[number];

export const DEFAULT_MODE: RegistryMode = 'READWRITE';

/**
 * @throws RegistryError INVALID_MODE for an unknown mode.
 */
export function parseRegistryMode(text: string): RegistryMode {
  const upper = text.trim().toUpperCase();
  if ((REGISTRY_MODES as readonly string[]).includes(upper)) return upper as RegistryMode;
  throw invalidMode(text);
}
