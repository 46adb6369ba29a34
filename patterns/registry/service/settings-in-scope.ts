/**
 * The settings a request sees (confluent-sr-api.md §3.12, §3.13): compatibility level,
 * `normalize` and mode, each from the subject's own setting, else the global one, else the
 * server default; and the scope a config/mode RPC addresses.
 */
import { DEFAULT_COMPATIBILITY_LEVEL, type CompatibilityLevel } from '../compatibility-level.js';
import { operationNotPermitted } from '../registry-error.js';
import { DEFAULT_MODE, type RegistryMode } from '../registry-mode.js';
import { GLOBAL_SCOPE, type RegistryStorage } from '../storage/registry-storage.js';
import { normalizeSubject } from '../subject-name.js';

export interface SettingsInScope {
  /** Level in scope: subject config, else global, else the server default. */
  levelInScope(subject: string): Promise<CompatibilityLevel>;
  /** `normalize` in scope: the request's flag, or the subject's setting, else the global one. */
  normalizeInScope(subject: string, requested: boolean): Promise<boolean>;
  /** Mode in scope: a global READONLY_OVERRIDE beats everything, else subject, else global. */
  modeInScope(subject: string): Promise<RegistryMode>;
  /**
   * Refuses a write to a subject (or GLOBAL_SCOPE) whose mode in scope is read-only.
   * @throws RegistryError OPERATION_NOT_PERMITTED.
   */
  requireWritable(subject: string): Promise<void>;
}

/** Reads settings in scope from `storage`. */
export function createSettingsInScope(storage: RegistryStorage): SettingsInScope {
  async function levelInScope(subject: string): Promise<CompatibilityLevel> {
    const own = await storage.getSetting('compatibility', subject);
    const value = own ?? (await storage.getSetting('compatibility', GLOBAL_SCOPE));
    return (value as CompatibilityLevel | undefined) ?? DEFAULT_COMPATIBILITY_LEVEL;
  }

  async function normalizeInScope(subject: string, requested: boolean): Promise<boolean> {
    if (requested) return true;
    const own = await storage.getSetting('normalize', subject);
    return (own ?? (await storage.getSetting('normalize', GLOBAL_SCOPE))) === 'true';
  }

  async function modeInScope(subject: string): Promise<RegistryMode> {
    const global = (await storage.getSetting('mode', GLOBAL_SCOPE)) as RegistryMode | undefined;
    if (global === 'READONLY_OVERRIDE' || subject === GLOBAL_SCOPE) return global ?? DEFAULT_MODE;
    const own = (await storage.getSetting('mode', subject)) as RegistryMode | undefined;
    return own ?? global ?? DEFAULT_MODE;
  }

  async function requireWritable(subject: string): Promise<void> {
    const mode = await modeInScope(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
      // Confluent names the global scope `__GLOBAL` (the reason that subject name is reserved).
      const name = subject === GLOBAL_SCOPE ? '__GLOBAL' : subject;
      throw operationNotPermitted(`Subject ${name} is in read-only mode`, { subject: name, mode });
    }
  }

  return { levelInScope, normalizeInScope, modeInScope, requireWritable };
}

/** The scope a config/mode RPC addresses: "" or ":.:" is global. */
export function scopeOf(subject: string): string {
  return subject === '' || subject === ':.:' ? GLOBAL_SCOPE : normalizeSubject(subject);
}

/** A stored `normalize` setting as a proto3 optional bool (absent when unset). */
export function normalizeField(value: string | undefined): { normalize?: boolean } {
  return value === undefined ? {} : { normalize: value === 'true' };
}
