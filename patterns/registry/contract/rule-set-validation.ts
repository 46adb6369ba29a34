/**
 * Confluent's RuleSet.validate / Rule.validate (confluent-data-contracts.md §3.6): run on the
 * rule set of a registration and on a config's defaultRuleSet / overrideRuleSet, never on
 * merged results, lookups or compatibility checks. Messages are Confluent's, verbatim.
 */
import { invalidRuleSet } from '../registry-error.js';
import type { RuleInput, RuleSetInput } from './contract-json.js';

const MAX_NAME_LENGTH = 256;
// Java's Character.isLetter / isLetterOrDigit: Unicode letters and decimal digits.
const INITIAL = /^[\p{L}_]$/u;
const LATER = /^[\p{L}\p{Nd}_-]$/u;

const MIGRATION_MODES = new Set(['UPGRADE', 'DOWNGRADE', 'UPDOWN']);
const MULTI_ACTION_MODES = new Set(['WRITEREAD', 'UPDOWN']);

function validateRule(rule: RuleInput): void {
  const name = rule.name;
  if (name === undefined) throw invalidRuleSet('Missing rule name');
  if (name.length === 0) throw invalidRuleSet('Empty rule name');
  if (name.length > MAX_NAME_LENGTH) throw invalidRuleSet('Rule name too long');
  const chars = [...name];
  if (!INITIAL.test(chars[0])) throw invalidRuleSet(`Illegal initial character in rule name: ${name}`);
  for (const c of chars.slice(1)) if (!LATER.test(c)) throw invalidRuleSet(`Illegal character in rule name: ${name}`);
  if (rule.type === undefined) throw invalidRuleSet('Missing rule type');
  const multi = (action: string | undefined) => action !== undefined && action.includes(',');
  if ((multi(rule.onSuccess) || multi(rule.onFailure)) && !MULTI_ACTION_MODES.has(rule.mode)) {
    throw invalidRuleSet('Multiple actions only valid with WRITEREAD and UPDOWN');
  }
}

/**
 * Checks every rule in order, migration rules first; names share one namespace.
 * @throws RegistryError INVALID_RULESET with the first problem's message.
 */
export function validateRuleSet(ruleSet: RuleSetInput | undefined): void {
  if (!ruleSet) return;
  const names = new Set<string>();
  const check = (rule: RuleInput) => {
    validateRule(rule);
    if (names.has(rule.name!)) throw invalidRuleSet(`Found rule with duplicate name '${rule.name}'`);
    names.add(rule.name!);
  };
  for (const rule of ruleSet.migrationRules ?? []) {
    check(rule);
    if (!MIGRATION_MODES.has(rule.mode)) throw invalidRuleSet('Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN');
  }
  for (const rule of ruleSet.domainRules ?? []) {
    check(rule);
    if (MIGRATION_MODES.has(rule.mode)) throw invalidRuleSet('Domain rules can only be WRITE, READ, WRITEREAD');
  }
}
