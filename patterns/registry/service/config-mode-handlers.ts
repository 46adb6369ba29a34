/**
 * The RPCs of `/config` and `/mode` (confluent-sr-api.md §3.12, §3.13): compatibility
 * level and `normalize`, and the mode, at the global scope or a subject's.
 */
import { DEFAULT_COMPATIBILITY_LEVEL, parseCompatibilityLevel } from '../compatibility-level.js';
import { compatibilityNotConfigured, invalidMode, modeNotConfigured, operationNotPermitted, referenceExists, subjectNotFound } from '../registry-error.js';
import type { ConfigFieldsMessage, RegistryApi } from '../registry-messages.js';
import { metadataToMessage, ruleSetToMessage } from '../contract/contract-messages.js';
import type { SchemaMetadata, SchemaRuleSet } from '../contract/data-contract.js';
import { DEFAULT_MODE, parseRegistryMode } from '../registry-mode.js';
import { GLOBAL_SCOPE, type SettingKind, type SettingValues } from '../storage/registry-storage.js';
import { validateSubject } from '../subject-name.js';
import type { RegistryContext } from './registry-context.js';
import { normalizeField, scopeOf } from './settings-in-scope.js';
import { groupBySubject } from './stored-versions.js';
import { CONFIG_KINDS } from './contract-settings.js';
import { contractSettingValues } from './config-contract-fields.js';

export type ConfigModeHandlers = Pick<RegistryApi, 'GetConfig' | 'UpdateConfig' | 'DeleteConfig' | 'GetMode' | 'UpdateMode' | 'DeleteMode'>;

/** The config and mode RPCs over `ctx`. */
export function createConfigModeHandlers(ctx: RegistryContext): ConfigModeHandlers {
  const { storage, serialized, modeInScope, requireWritable, hasLiveReferrer, forgetSchemas } = ctx;

  /** The answer's `fields`: left out when nothing is stored (as an unset message). */
  const fieldsField = (fields: ConfigFieldsMessage) => (Object.keys(fields).length > 0 ? { fields } : {});

  /** The config fields beside level and normalize stored at `scope`, as the answer's ConfigFields. */
  async function fieldsAt(scope: string): Promise<ConfigFieldsMessage> {
    const get = (kind: SettingKind) => storage.getSetting(kind, scope);
    const out: ConfigFieldsMessage = {};
    const alias = await get('alias');
    if (alias !== undefined) out.alias = alias;
    const validateFields = await get('validateFields');
    if (validateFields !== undefined) out.validate_fields = validateFields === 'true';
    const validateRules = await get('validateRules');
    if (validateRules !== undefined) out.validate_rules = validateRules === 'true';
    const group = await get('compatibilityGroup');
    if (group !== undefined) out.compatibility_group = group;
    for (const [kind, key] of [
      ['defaultMetadata', 'default_metadata'],
      ['overrideMetadata', 'override_metadata'],
    ] as const) {
      const json = await get(kind);
      if (json !== undefined) out[key] = metadataToMessage(JSON.parse(json) as SchemaMetadata);
    }
    for (const [kind, key] of [
      ['defaultRuleSet', 'default_rule_set'],
      ['overrideRuleSet', 'override_rule_set'],
    ] as const) {
      const json = await get(kind);
      if (json !== undefined) out[key] = ruleSetToMessage(JSON.parse(json) as SchemaRuleSet);
    }
    return out;
  }

  return {
    async GetConfig(request) {
      const scope = scopeOf(request.subject);
      const global = {
        level: (await storage.getSetting('compatibility', GLOBAL_SCOPE)) ?? DEFAULT_COMPATIBILITY_LEVEL,
        normalize: await storage.getSetting('normalize', GLOBAL_SCOPE),
      };
      if (scope === GLOBAL_SCOPE) return { compatibility_level: global.level, ...normalizeField(global.normalize), ...fieldsField(await fieldsAt(GLOBAL_SCOPE)) };
      const level = await storage.getSetting('compatibility', scope);
      const normalize = await storage.getSetting('normalize', scope);
      const fields = await fieldsAt(scope);
      if (request.default_to_global) {
        // Unset subject fields are filled from the global config (7.9.x branch head).
        if (level === undefined && normalize === undefined && Object.keys(fields).length === 0) {
          return { compatibility_level: global.level, ...normalizeField(global.normalize), ...fieldsField(await fieldsAt(GLOBAL_SCOPE)) };
        }
        return { compatibility_level: level ?? global.level, ...normalizeField(normalize ?? global.normalize), ...fieldsField(fields) };
      }
      if (level === undefined && normalize === undefined && Object.keys(fields).length === 0) throw compatibilityNotConfigured(scope);
      // A subject config without a level reads the server default, not the global level
      // (confluent-data-contracts.md §1.4 G4, §3.7).
      return { compatibility_level: level ?? DEFAULT_COMPATIBILITY_LEVEL, ...normalizeField(normalize), ...fieldsField(fields) };
    },

    UpdateConfig: (request, context) =>
      serialized('Update config', context, async () => {
        // Check order of confluent-data-contracts.md §2.2 (G5): level, rule sets, subject, mode.
        const clear = request.compatibility === '';
        const level = request.compatibility === undefined || clear ? undefined : parseCompatibilityLevel(request.compatibility);
        const contractValues = contractSettingValues(request);
        const scope = scopeOf(request.subject);
        if (scope !== GLOBAL_SCOPE) validateSubject(scope, request.subject);
        await requireWritable(scope);
        // 7.4+: fields absent from the update keep their stored value; a null one (empty
        // here) removes it (7.7+); the answer is the stored config in request shape (7.7+).
        // Every field in one write: one CONFIG_CHANGED change (registry-change.ts).
        const values: SettingValues = { ...contractValues };
        if (level) values.compatibility = level;
        if (clear) values.compatibility = null;
        if (request.normalize !== undefined) values.normalize = String(request.normalize);
        if (Object.keys(values).length > 0) await storage.putSettings(scope, values, 'CONFIG_CHANGED');
        return {
          compatibility: (await storage.getSetting('compatibility', scope)) ?? '',
          ...normalizeField(await storage.getSetting('normalize', scope)),
          ...fieldsField(await fieldsAt(scope)),
        };
      }),

    DeleteConfig: (request, context) =>
      serialized('Delete config', context, async () => {
        const scope = scopeOf(request.subject);
        const level = await storage.getSetting('compatibility', scope);
        const normalize = await storage.getSetting('normalize', scope);
        const fields = await fieldsAt(scope);
        if (scope !== GLOBAL_SCOPE && level === undefined && normalize === undefined && Object.keys(fields).length === 0) throw subjectNotFound(scope);
        await requireWritable(scope);
        const removed: SettingValues = {};
        for (const kind of CONFIG_KINDS) removed[kind] = null;
        await storage.putSettings(scope, removed, 'CONFIG_DELETED');
        return { compatibility_level: level ?? (scope === GLOBAL_SCOPE ? DEFAULT_COMPATIBILITY_LEVEL : ''), ...normalizeField(normalize), ...fieldsField(fields) };
      }),

    async GetMode(request) {
      const scope = scopeOf(request.subject);
      if (scope === GLOBAL_SCOPE) return { mode: await modeInScope(GLOBAL_SCOPE) };
      const own = await storage.getSetting('mode', scope);
      if (own) return { mode: own };
      if (request.default_to_global) return { mode: await modeInScope(scope) };
      throw modeNotConfigured(scope);
    },

    UpdateMode: (request, context) =>
      serialized('Update mode', context, async () => {
        // Check order of §2.1 (M4): subject, mode, then the IMPORT precondition.
        const scope = scopeOf(request.subject);
        if (scope !== GLOBAL_SCOPE) validateSubject(scope, request.subject);
        // A missing mode is a null dereference (500) in Confluent; 42204 is the recommended answer.
        if (request.mode === undefined) throw invalidMode('');
        // `{"mode": null}` removes the mode at this scope (7.7+ branch heads, late 7.9.x).
        if (request.mode === '') {
          await storage.putSettings(scope, { mode: null }, 'MODE_DELETED');
          return { mode: '' };
        }
        if (request.mode.trim() === '') throw invalidMode(request.mode);
        const mode = parseRegistryMode(request.mode);
        if (mode === 'IMPORT') {
          const all = scope === GLOBAL_SCOPE ? await storage.listAllVersions() : await storage.listVersions(scope);
          if (!request.force && all.some((v) => !v.deleted)) {
            throw operationNotPermitted('Cannot import since found existing subjects', scope ? { subject: scope } : {});
          }
          // The switch to IMPORT purges soft-deleted versions in scope (§3.13), unless a
          // live schema still references one (42206, 7.6+).
          for (const [subject, versions] of groupBySubject(all)) {
            const purge = versions.filter((v) => v.deleted);
            for (const v of purge) if (await hasLiveReferrer(subject, v.version)) throw referenceExists(subject, v.version);
            if (purge.length > 0) {
              await storage.hardDeleteVersions(subject, purge.map((v) => v.version));
              forgetSchemas();
            }
          }
        }
        await storage.putSettings(scope, { mode }, 'MODE_CHANGED');
        return { mode };
      }),

    DeleteMode: (request, context) =>
      serialized('Delete mode', context, async () => {
        const scope = scopeOf(request.subject);
        const previous = await storage.getSetting('mode', scope);
        if (scope !== GLOBAL_SCOPE && previous === undefined) throw subjectNotFound(scope);
        await storage.putSettings(scope, { mode: null }, 'MODE_DELETED');
        return { mode: previous ?? DEFAULT_MODE };
      }),
  };
}
