/**
 * The data-contract config fields a registration reads (confluent-data-contracts.md §3.7):
 * `compatibilityGroup`, `validateFields` and the default/override metadata and rule sets,
 * from the config *in scope*: the subject's own config as a whole when it has one, else the
 * global config; fields are not merged across the two levels (Confluent's
 * `InMemoryCache.config(S, true, default)`).
 */
import type { ContractDefaults } from '../contract/contract-merge.js';
import type { SchemaMetadata, SchemaRuleSet } from '../contract/data-contract.js';
import { GLOBAL_SCOPE, SETTING_KINDS, type RegistryStorage, type SettingKind } from '../storage/registry-storage.js';

export interface ContractSettings extends ContractDefaults {
  readonly compatibilityGroup?: string;
  readonly validateFields?: boolean;
}

/** The config kinds (everything but the mode): a subject with any of them has its own config. */
export const CONFIG_KINDS: readonly SettingKind[] = SETTING_KINDS.filter((k) => k !== 'mode');

/** Reads the contract settings in scope for a subject. */
export function createContractSettings(storage: RegistryStorage): (subject: string) => Promise<ContractSettings> {
  async function read(scope: string): Promise<Partial<Record<SettingKind, string>>> {
    const out: Partial<Record<SettingKind, string>> = {};
    for (const kind of CONFIG_KINDS) {
      const value = await storage.getSetting(kind, scope);
      if (value !== undefined) out[kind] = value;
    }
    return out;
  }
  return async function contractSettingsInScope(subject: string): Promise<ContractSettings> {
    let stored = subject === GLOBAL_SCOPE ? {} : await read(subject);
    if (Object.keys(stored).length === 0) stored = await read(GLOBAL_SCOPE);
    const json = <T>(value: string | undefined) => (value === undefined ? undefined : (JSON.parse(value) as T));
    return {
      ...(stored.compatibilityGroup !== undefined ? { compatibilityGroup: stored.compatibilityGroup } : {}),
      ...(stored.validateFields !== undefined ? { validateFields: stored.validateFields === 'true' } : {}),
      defaultMetadata: json<SchemaMetadata>(stored.defaultMetadata),
      overrideMetadata: json<SchemaMetadata>(stored.overrideMetadata),
      defaultRuleSet: json<SchemaRuleSet>(stored.defaultRuleSet),
      overrideRuleSet: json<SchemaRuleSet>(stored.overrideRuleSet),
    };
  };
}
