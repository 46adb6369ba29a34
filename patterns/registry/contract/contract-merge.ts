/**
 * Confluent's Metadata.mergeMetadata and RuleSet.mergeRuleSets, and the order a registration
 * applies them in (confluent-data-contracts.md §3.2 step 6): the config's defaults under the
 * schema's own (or inherited) contract, the config's overrides over it.
 */
import { normalizeMetadata, normalizeRuleSet, type DataContract, type SchemaMetadata, type SchemaRule, type SchemaRuleSet } from './data-contract.js';

/** `b` wins per tag key and per property; `sensitive` is the union. Null-safe. */
export function mergeMetadata(a: SchemaMetadata | undefined, b: SchemaMetadata | undefined): SchemaMetadata | undefined {
  if (!a) return b;
  if (!b) return a;
  return normalizeMetadata({
    tags: { ...a.tags, ...b.tags },
    properties: { ...a.properties, ...b.properties },
    sensitive: [...(a.sensitive ?? []), ...(b.sensitive ?? [])],
  });
}

/** Per list: the rules of `a` whose name `b` does not use, then `b`'s. Null-safe. */
export function mergeRuleSets(a: SchemaRuleSet | undefined, b: SchemaRuleSet | undefined): SchemaRuleSet | undefined {
  if (!a) return b;
  if (!b) return a;
  const merge = (x: readonly SchemaRule[] = [], y: readonly SchemaRule[] = []) => {
    const replaced = new Set(y.map((r) => r.name));
    return [...x.filter((r) => !replaced.has(r.name)), ...y];
  };
  return normalizeRuleSet({ migrationRules: merge(a.migrationRules, b.migrationRules), domainRules: merge(a.domainRules, b.domainRules) });
}

/** The config fields a registration merges in. */
export interface ContractDefaults {
  readonly defaultMetadata?: SchemaMetadata;
  readonly overrideMetadata?: SchemaMetadata;
  readonly defaultRuleSet?: SchemaRuleSet;
  readonly overrideRuleSet?: SchemaRuleSet;
}

/** Confluent's Config.hasDefaultsOrOverrides: when set, the register shortcut is skipped. */
export function hasDefaultsOrOverrides(d: ContractDefaults): boolean {
  return d.defaultMetadata !== undefined || d.overrideMetadata !== undefined || d.defaultRuleSet !== undefined || d.overrideRuleSet !== undefined;
}

/**
 * The contract in effect for a registration (or the lookup's inheritance pass): each half
 * is the request's if given, else the previous version's (replaced, never merged), then
 * defaults under it and overrides over it.
 */
export function contractInEffect(requested: DataContract, previous: DataContract | undefined, defaults: ContractDefaults): DataContract {
  const metadata = mergeMetadata(mergeMetadata(defaults.defaultMetadata, requested.metadata ?? previous?.metadata), defaults.overrideMetadata);
  const ruleSet = mergeRuleSets(mergeRuleSets(defaults.defaultRuleSet, requested.ruleSet ?? previous?.ruleSet), defaults.overrideRuleSet);
  return { ...(metadata ? { metadata } : {}), ...(ruleSet ? { ruleSet } : {}) };
}
