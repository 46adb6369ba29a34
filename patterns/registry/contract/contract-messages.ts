/**
 * Data contracts between the registry's proto messages (registry.proto: Metadata, RuleSet,
 * google.protobuf.Value for the config's tri-state fields) and the stored model: messages
 * are read through the same JSON reading as Confluent's entities (contract-json.ts), and the
 * model is written back as messages.
 */
import type { ContractFields, ListValueMessage, MetadataMessage, RuleMessage, RuleSetMessage, SchemaTagsMessage, ValueMessage } from '../registry-messages.js';
import type { SchemaTags } from './avro-schema-tags.js';
import { metadataFromJson, ruleSetInputFromJson, type RuleSetInput } from './contract-json.js';
import type { DataContract, SchemaMetadata, SchemaRule, SchemaRuleSet } from './data-contract.js';

/** A google.protobuf.Value as plain JSON (`undefined` for an unset one). */
export function valueToJson(v: ValueMessage | null | undefined): unknown {
  if (v === null || v === undefined) return undefined;
  switch (v.kind) {
    case 'nullValue':
      return null;
    case 'numberValue':
      return v.numberValue;
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'structValue': {
      const out: Record<string, unknown> = Object.create(null);
      for (const [k, item] of Object.entries(v.structValue?.fields ?? {})) out[k] = valueToJson(item);
      return out;
    }
    case 'listValue':
      return listToJson(v.listValue);
    default:
      return undefined;
  }
}

function listToJson(list: ListValueMessage | null | undefined): unknown[] {
  return (list?.values ?? []).map(valueToJson);
}

/** The Confluent JSON of a Metadata message. */
function metadataMessageJson(m: MetadataMessage): unknown {
  const tags: Record<string, unknown> = Object.create(null);
  for (const [k, list] of Object.entries(m.tags ?? {})) tags[k] = listToJson(list);
  return { tags, properties: m.properties, sensitive: m.sensitive };
}

function ruleMessageJson(r: RuleMessage): unknown {
  return {
    name: r.name,
    doc: r.doc,
    kind: r.kind,
    mode: r.mode,
    type: r.type,
    tags: r.tags,
    params: r.params,
    expr: r.expr,
    onSuccess: r.on_success,
    onFailure: r.on_failure,
    disabled: r.disabled,
  };
}

/**
 * A request's metadata, normalised; none when the field is unset.
 * @throws RegistryError INVALID_ENTITY for a tag value that is not a scalar.
 */
export function metadataFromMessage(m: MetadataMessage | null | undefined): SchemaMetadata | undefined {
  return m ? metadataFromJson(metadataMessageJson(m)) : undefined;
}

/**
 * A request's rule set as sent (to be validated); none when the field is unset.
 * @throws RegistryError INVALID_ENTITY for an unknown kind or mode.
 */
export function ruleSetInputFromMessage(s: RuleSetMessage | null | undefined): RuleSetInput | undefined {
  if (!s) return undefined;
  return ruleSetInputFromJson({ migrationRules: (s.migration_rules ?? []).map(ruleMessageJson), domainRules: (s.domain_rules ?? []).map(ruleMessageJson) });
}

export function metadataToMessage(m: SchemaMetadata): MetadataMessage {
  const tags: Record<string, ListValueMessage> = {};
  for (const [k, values] of Object.entries(m.tags ?? {})) tags[k] = { values: values.map((s) => ({ stringValue: s })) };
  return { tags, properties: { ...m.properties }, sensitive: [...(m.sensitive ?? [])] };
}

function ruleToMessage(r: SchemaRule): RuleMessage {
  return {
    name: r.name,
    doc: r.doc ?? '',
    kind: r.kind,
    mode: r.mode,
    type: r.type,
    tags: [...(r.tags ?? [])],
    params: { ...r.params },
    expr: r.expr ?? '',
    on_success: r.onSuccess ?? '',
    on_failure: r.onFailure ?? '',
    disabled: r.disabled,
  };
}

export function ruleSetToMessage(s: SchemaRuleSet): RuleSetMessage {
  return { migration_rules: (s.migrationRules ?? []).map(ruleToMessage), domain_rules: (s.domainRules ?? []).map(ruleToMessage) };
}

/** The `metadata` / `rule_set` fields of an answer: present only when the schema has them. */
export function contractFields(c: DataContract): ContractFields {
  return {
    ...(c.metadata ? { metadata: metadataToMessage(c.metadata) } : {}),
    ...(c.ruleSet ? { rule_set: ruleSetToMessage(c.ruleSet) } : {}),
  };
}

/** SchemaTags of a request (an entity without a path never matches: INVALID_SCHEMA later). */
export function schemaTagsFromMessages(list: readonly SchemaTagsMessage[] | undefined): SchemaTags[] {
  return (list ?? []).map((t) => ({
    schemaEntity: { entityPath: t.schema_entity?.entity_path ?? '', entityType: t.schema_entity?.entity_type ?? '' },
    tags: [...(t.tags ?? [])],
  }));
}

export function schemaTagsToMessages(list: readonly SchemaTags[]): SchemaTagsMessage[] {
  return list.map((t) => ({ schema_entity: { entity_path: t.schemaEntity.entityPath, entity_type: t.schemaEntity.entityType }, tags: [...t.tags] }));
}
