/**
 * The config fields of confluent-data-contracts.md §3.7 in an UpdateConfig request, read into
 * setting values: each absent field keeps what is stored, a null (empty text, or a JSON null
 * Value) removes it, anything else is checked and set. The rule sets are validated as
 * Confluent validates them (42210), defaultRuleSet first.
 */
import { metadataFromJson, ruleSetFromInput, ruleSetInputFromJson } from '../contract/contract-json.js';
import { valueToJson } from '../contract/contract-messages.js';
import { validateRuleSet } from '../contract/rule-set-validation.js';
import { invalidEntity } from '../registry-error.js';
import type { UpdateConfigRequest, ValueMessage } from '../registry-messages.js';
import type { SettingValues } from '../storage/registry-storage.js';

/** "true"/"false" as Jackson reads a Boolean (JSON true/false arrive as that text). */
function booleanText(value: string, field: string): string {
  if (value === 'true' || value === 'false') return value;
  throw invalidEntity(`Cannot deserialize value of type \`java.lang.Boolean\` from String "${value}" (${field})`, { field });
}

/**
 * The settings an update writes for these fields.
 * @throws RegistryError INVALID_RULESET (defaultRuleSet, then overrideRuleSet);
 *   INVALID_ENTITY for a value of the wrong JSON type.
 */
export function contractSettingValues(request: UpdateConfigRequest): SettingValues {
  const values: SettingValues = {};
  const text = (value: string | undefined, set: (v: string) => void, unset: () => void) => {
    if (value === undefined) return;
    if (value === '') unset();
    else set(value);
  };
  text(request.alias, (v) => (values.alias = v), () => (values.alias = null));
  text(request.validate_fields, (v) => (values.validateFields = booleanText(v, 'validateFields')), () => (values.validateFields = null));
  text(request.validate_rules, (v) => (values.validateRules = booleanText(v, 'validateRules')), () => (values.validateRules = null));
  text(request.compatibility_group, (v) => (values.compatibilityGroup = v), () => (values.compatibilityGroup = null));

  const json = (value: ValueMessage | null | undefined, store: (json: unknown) => string, kind: keyof SettingValues) => {
    if (value === null || value === undefined) return;
    const parsed = valueToJson(value);
    values[kind] = parsed === null ? null : store(parsed);
  };
  json(request.default_metadata, (v) => JSON.stringify(metadataFromJson(v)), 'defaultMetadata');
  json(request.override_metadata, (v) => JSON.stringify(metadataFromJson(v)), 'overrideMetadata');
  const ruleSet = (v: unknown) => {
    const input = ruleSetInputFromJson(v);
    validateRuleSet(input);
    return JSON.stringify(ruleSetFromInput(input));
  };
  json(request.default_rule_set, ruleSet, 'defaultRuleSet');
  json(request.override_rule_set, ruleSet, 'overrideRuleSet');
  return values;
}
