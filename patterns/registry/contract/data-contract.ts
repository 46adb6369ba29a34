/**
 * Schema metadata and rule sets, the two halves of a Confluent data contract
 * (confluent-data-contracts.md §1.1), in the shape the registry stores, hashes and answers.
 *
 * Values are kept normalised: map keys sorted, tag and sensitive lists sorted and
 * de-duplicated (Confluent's TreeMap/TreeSet), empty parts left out (Jackson's NON_EMPTY),
 * rule `kind`/`mode`/`disabled` defaulted. Two contracts are then equal exactly when their
 * JSON texts are, which is what makes them part of a schema's identity.
 */
import { compareStrings } from '../storage/compare-strings.js';

export interface SchemaMetadata {
  readonly tags?: Readonly<Record<string, readonly string[]>>;
  readonly properties?: Readonly<Record<string, string>>;
  readonly sensitive?: readonly string[];
}

export const RULE_KINDS = ['TRANSFORM', 'CONDITION'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const RULE_MODES = ['UPGRADE', 'DOWNGRADE', 'UPDOWN', 'WRITE', 'READ', 'WRITEREAD'] as const;
export type RuleMode = (typeof RULE_MODES)[number];

/** One rule, fields in Confluent's JSON order. */
export interface SchemaRule {
  readonly name: string;
  readonly doc?: string;
  readonly kind: RuleKind;
  readonly mode: RuleMode;
  readonly type: string;
  readonly tags?: readonly string[];
  readonly params?: Readonly<Record<string, string>>;
  readonly expr?: string;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly disabled: boolean;
}

export interface SchemaRuleSet {
  readonly migrationRules?: readonly SchemaRule[];
  readonly domainRules?: readonly SchemaRule[];
}

/** What a schema carries beside its text; `undefined` is "none", which differs from `{}`. */
export interface DataContract {
  readonly metadata?: SchemaMetadata;
  readonly ruleSet?: SchemaRuleSet;
}

/** Sorted, without duplicates. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

/** The entries sorted by key, in a null-prototype object (a `__proto__` key is data). */
export function sortedRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = Object.create(null);
  for (const [k, v] of [...entries].sort((a, b) => compareStrings(a[0], b[0]))) out[k] = v;
  return out;
}

/** Metadata normalised (sorted, empty parts left out); a present but empty one stays `{}`. */
export function normalizeMetadata(m: SchemaMetadata): SchemaMetadata {
  const tags = Object.entries(m.tags ?? {}).map(([k, v]) => [k, sortedSet(v)] as const);
  const properties = Object.entries(m.properties ?? {});
  const sensitive = sortedSet(m.sensitive ?? []);
  return {
    ...(tags.length > 0 ? { tags: sortedRecord(tags) } : {}),
    ...(properties.length > 0 ? { properties: sortedRecord(properties) } : {}),
    ...(sensitive.length > 0 ? { sensitive } : {}),
  };
}

/** A rule normalised, its fields in Confluent's order. */
export function normalizeRule(r: SchemaRule): SchemaRule {
  const tags = sortedSet(r.tags ?? []);
  const params = Object.entries(r.params ?? {});
  return {
    name: r.name,
    ...(r.doc ? { doc: r.doc } : {}),
    kind: r.kind,
    mode: r.mode,
    type: r.type,
    ...(tags.length > 0 ? { tags } : {}),
    ...(params.length > 0 ? { params: sortedRecord(params) } : {}),
    ...(r.expr ? { expr: r.expr } : {}),
    ...(r.onSuccess ? { onSuccess: r.onSuccess } : {}),
    ...(r.onFailure ? { onFailure: r.onFailure } : {}),
    disabled: r.disabled,
  };
}

/** A rule set normalised; list order is kept (it matters to identity and to clients). */
export function normalizeRuleSet(s: SchemaRuleSet): SchemaRuleSet {
  const migrationRules = (s.migrationRules ?? []).map(normalizeRule);
  const domainRules = (s.domainRules ?? []).map(normalizeRule);
  return {
    ...(migrationRules.length > 0 ? { migrationRules } : {}),
    ...(domainRules.length > 0 ? { domainRules } : {}),
  };
}

/**
 * The text a contract adds to a schema's identity hash: empty for none, so a schema without
 * one keeps the identity it had before data contracts existed (confluent-data-contracts.md §3.1).
 */
export function contractIdentity(contract: DataContract): string {
  if (contract.metadata === undefined && contract.ruleSet === undefined) return '';
  return JSON.stringify([contract.metadata ?? null, contract.ruleSet ?? null]);
}

/** Whether a rule set has a domain or migration rule of `type` (`GET /schemas?ruleType=`). */
export function hasRuleOfType(ruleSet: SchemaRuleSet | undefined, type: string): boolean {
  if (!ruleSet) return false;
  return [...(ruleSet.migrationRules ?? []), ...(ruleSet.domainRules ?? [])].some((r) => r.type === type);
}
