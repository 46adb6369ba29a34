/**
 * The data-contract rules as plain functions: RuleSet.validate's messages and order
 * (confluent-data-contracts.md §3.6, Unicode letters and digits as Java counts them), the
 * merge of metadata and rule sets (§3.2 step 6), and normalisation (§1.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ruleSetInputFromJson, metadataFromJson } from '../../../../patterns/registry/contract/contract-json.js';
import { contractInEffect, mergeMetadata, mergeRuleSets } from '../../../../patterns/registry/contract/contract-merge.js';
import { validateRuleSet } from '../../../../patterns/registry/contract/rule-set-validation.js';
import { RegistryError } from '../../../../patterns/registry/registry-error.js';
import { ruleSetFromInput } from '../../../../patterns/registry/contract/contract-json.js';

/** Compared as JSON text, so key order counts too (the stored values are null-prototype objects). */
const sameJson = (actual: unknown, expected: unknown) => assert.equal(JSON.stringify(actual), JSON.stringify(expected));

const problem = (json: unknown): string | undefined => {
  try {
    validateRuleSet(ruleSetInputFromJson(json));
    return undefined;
  } catch (err) {
    assert.ok(err instanceof RegistryError);
    return `${err.reason}: ${err.message}`;
  }
};
const domain = (...rules: object[]) => ({ domainRules: rules });
const r = (fields: object) => ({ name: 'r', type: 'CEL', ...fields });

const cases: Array<[string, unknown, string | undefined]> = [
  ['a valid rule', domain(r({})), undefined],
  ['Unicode letters and digits are Java letters and digits', domain(r({ name: 'é_règle-٣' })), undefined],
  ['an underscore may start a name', domain(r({ name: '_x' })), undefined],
  ['a digit may not start a name', domain(r({ name: '٣x' })), 'INVALID_RULESET: Illegal initial character in rule name: ٣x'],
  ['a dash may not start a name', domain(r({ name: '-x' })), 'INVALID_RULESET: Illegal initial character in rule name: -x'],
  ['256 characters is the longest name', domain(r({ name: 'a'.repeat(256) })), undefined],
  ['names are checked before types', domain({ type: undefined }), 'INVALID_RULESET: Missing rule name'],
  ['an empty type is a type', domain(r({ type: '' })), undefined],
  ['two actions are fine with WRITEREAD', domain(r({ onSuccess: 'NONE,NONE' })), undefined],
  ['two actions with READ are not', domain(r({ mode: 'READ', onSuccess: 'NONE,NONE' })), 'INVALID_RULESET: Multiple actions only valid with WRITEREAD and UPDOWN'],
  ['names are one namespace across both lists', { migrationRules: [r({ mode: 'UPGRADE' })], domainRules: [r({})] }, "INVALID_RULESET: Found rule with duplicate name 'r'"],
  ['migration rules are checked first', { migrationRules: [r({ mode: 'READ' })], domainRules: [r({ name: '' })] }, 'INVALID_RULESET: Migration rules can only be UPGRADE, DOWNGRADE, UPDOWN'],
  ['an unknown mode is a mapping error, before any rule check', domain(r({ name: '', mode: 'write' })), undefined],
];

for (const [title, json, expected] of cases) {
  test(`rule sets: ${title}`, () => {
    if (title.startsWith('an unknown mode')) {
      assert.throws(() => ruleSetInputFromJson(json), (err: unknown) => err instanceof RegistryError && err.reason === 'INVALID_ENTITY');
      return;
    }
    assert.equal(problem(json), expected);
  });
}

test('metadata is normalised: keys sorted, tags and sensitive sorted without duplicates, scalars as text; {} stays {}', () => {
  sameJson(metadataFromJson({ properties: { b: 2, a: true }, tags: { k: ['y', 'x', 'y'] }, sensitive: ['b', 'a', 'a'], unknown: 1 }), {
    tags: { k: ['x', 'y'] },
    properties: { a: 'true', b: '2' },
    sensitive: ['a', 'b'],
  });
  sameJson(metadataFromJson({}), {});
  assert.equal(metadataFromJson(null), undefined);
});

test('merging: b wins per property and per tag key, sensitive is a union; same-named rules move to b\'s place', () => {
  sameJson(mergeMetadata({ properties: { a: '1', b: '1' }, tags: { t: ['X', 'Y'] }, sensitive: ['a'] }, { properties: { b: '2' }, tags: { t: ['Z'] }, sensitive: ['b'] }), {
    tags: { t: ['Z'] },
    properties: { a: '1', b: '2' },
    sensitive: ['a', 'b'],
  });
  const rules = (...names: string[]) => ruleSetFromInput(ruleSetInputFromJson(domain(...names.map((name) => r({ name })))));
  assert.deepEqual(mergeRuleSets(rules('a', 'b', 'c'), rules('b', 'd'))?.domainRules?.map((x) => x.name), ['a', 'c', 'b', 'd']);
  // Defaults under the request (or the previous version's), overrides over it.
  const effective = contractInEffect(
    { metadata: undefined },
    { metadata: { properties: { prev: '1' } } },
    { defaultMetadata: { properties: { d: '1', prev: '0' } }, overrideMetadata: { properties: { o: '1' } } },
  );
  sameJson(effective.metadata, { properties: { d: '1', o: '1', prev: '1' } });
});
