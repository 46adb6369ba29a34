/**
 * Reading metadata and rule sets from their Confluent JSON shape, as Jackson would bind them
 * to Confluent's entities: unknown fields ignored (7.9 drops `encodingRules`), scalars where
 * a string is expected taken as their text, `kind`/`mode` mapped to the enum names
 * (case-sensitive; another value is Jackson's 400), defaults filled in. Structural rule checks
 * (names, duplicates, modes per list) are rule-set-validation.ts's, run only where Confluent
 * runs them.
 */
import { invalidEntity } from '../registry-error.js';
import {
  normalizeMetadata,
  normalizeRuleSet,
  RULE_KINDS,
  RULE_MODES,
  type RuleKind,
  type RuleMode,
  type SchemaMetadata,
  type SchemaRule,
  type SchemaRuleSet,
} from './data-contract.js';

/** A rule as sent: what rule-set-validation.ts checks before it is normalised. */
export interface RuleInput {
  readonly name?: string;
  readonly doc?: string;
  /** Defaulted already, as Confluent's Rule constructor does. */
  readonly kind: RuleKind;
  readonly mode: RuleMode;
  readonly type?: string;
  readonly tags?: readonly string[];
  readonly params?: Readonly<Record<string, string>>;
  readonly expr?: string;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  readonly disabled?: boolean;
}

export interface RuleSetInput {
  readonly migrationRules?: readonly RuleInput[];
  readonly domainRules?: readonly RuleInput[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON scalar as the text Jackson would bind to a String; null stays absent. */
function text(v: unknown, what: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalidEntity(`Cannot deserialize value of type \`java.lang.String\` from ${Array.isArray(v) ? 'Array' : 'Object'} value (${what})`, { field: what });
}

function texts(v: unknown, what: string): string[] | undefined {
  if (v === null || v === undefined) return undefined;
  if (!Array.isArray(v)) throw invalidEntity(`Cannot deserialize value of type \`java.util.List<java.lang.String>\` (${what})`, { field: what });
  return v.map((item) => {
    const t = text(item, what);
    if (t === undefined) throw invalidEntity(`Null entry in ${what}`, { field: what });
    return t;
  });
}

function textMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isObject(v)) throw invalidEntity(`Cannot deserialize value of type \`java.util.Map<java.lang.String,java.lang.String>\` (${what})`, { field: what });
  const out: Record<string, string> = Object.create(null);
  for (const [k, value] of Object.entries(v)) {
    const t = text(value, `${what}.${k}`);
    if (t !== undefined) out[k] = t;
  }
  return out;
}

function enumName<T extends string>(v: unknown, names: readonly T[], fallback: T, type: string): T {
  const t = text(v, type);
  if (t === undefined || t === '') return fallback;
  if ((names as readonly string[]).includes(t)) return t as T;
  throw invalidEntity(`Cannot deserialize value of type \`${type}\` from String "${t}": not one of the values accepted for Enum class: [${names.join(', ')}]`, {
    value: t,
  });
}

/**
 * Metadata from its JSON; `null`/absent is none.
 * @throws RegistryError INVALID_ENTITY for a part of the wrong JSON type.
 */
export function metadataFromJson(json: unknown): SchemaMetadata | undefined {
  if (json === null || json === undefined) return undefined;
  if (!isObject(json)) throw invalidEntity('Cannot deserialize value of type `Metadata`', { field: 'metadata' });
  let tags: Record<string, string[]> | undefined;
  if (json.tags !== null && json.tags !== undefined) {
    if (!isObject(json.tags)) throw invalidEntity('Cannot deserialize value of type `java.util.Map` (metadata.tags)', { field: 'metadata.tags' });
    tags = Object.create(null) as Record<string, string[]>;
    for (const [k, v] of Object.entries(json.tags)) tags[k] = texts(v, `metadata.tags.${k}`) ?? [];
  }
  return normalizeMetadata({ tags, properties: textMap(json.properties, 'metadata.properties'), sensitive: texts(json.sensitive, 'metadata.sensitive') });
}

/**
 * A rule set as sent, before validation; `null`/absent is none.
 * @throws RegistryError INVALID_ENTITY for parts of the wrong JSON type or an unknown kind
 *   or mode (Jackson fails before any rule is validated).
 */
export function ruleSetInputFromJson(json: unknown): RuleSetInput | undefined {
  if (json === null || json === undefined) return undefined;
  if (!isObject(json)) throw invalidEntity('Cannot deserialize value of type `RuleSet`', { field: 'ruleSet' });
  const rules = (v: unknown, what: string): RuleInput[] | undefined => {
    if (v === null || v === undefined) return undefined;
    if (!Array.isArray(v)) throw invalidEntity(`Cannot deserialize value of type \`java.util.List<Rule>\` (${what})`, { field: what });
    return v.map((r, i): RuleInput => {
      if (!isObject(r)) throw invalidEntity(`Cannot deserialize value of type \`Rule\` (${what}[${i}])`, { field: what });
      return {
        name: text(r.name, 'name'),
        doc: text(r.doc, 'doc'),
        kind: enumName<RuleKind>(r.kind, RULE_KINDS, 'TRANSFORM', 'RuleKind'),
        mode: enumName<RuleMode>(r.mode, RULE_MODES, 'WRITEREAD', 'RuleMode'),
        type: text(r.type, 'type'),
        tags: texts(r.tags, 'tags'),
        params: textMap(r.params, 'params'),
        expr: text(r.expr, 'expr'),
        onSuccess: text(r.onSuccess, 'onSuccess'),
        onFailure: text(r.onFailure, 'onFailure'),
        disabled: r.disabled === true || r.disabled === 'true',
      };
    });
  };
  return { migrationRules: rules(json.migrationRules, 'migrationRules'), domainRules: rules(json.domainRules, 'domainRules') };
}

/** A rule set as stored, normalised. Run after validation where Confluent validates. */
export function ruleSetFromInput(input: RuleSetInput | undefined): SchemaRuleSet | undefined {
  if (input === undefined) return undefined;
  const rule = (r: RuleInput): SchemaRule => ({
    name: r.name ?? '',
    doc: r.doc,
    kind: r.kind,
    mode: r.mode,
    type: r.type ?? '',
    tags: r.tags,
    params: r.params,
    expr: r.expr,
    onSuccess: r.onSuccess,
    onFailure: r.onFailure,
    disabled: r.disabled ?? false,
  });
  return normalizeRuleSet({ migrationRules: input.migrationRules?.map(rule), domainRules: input.domainRules?.map(rule) });
}
